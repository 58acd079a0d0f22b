"""The read-only JSON API: districts, proposals, versions, comments, tallies, the response log.

Every list is paginated (page, per_page up to 100) and every parameter is checked: an
unknown one, a repeated one or a bad value is a 400 that names it, in the caller's language.
The OpenAPI document at /api/v1/openapi.json describes each response exactly; a test
validates it against the real responses.
"""
from __future__ import annotations

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from codesign.accounts.models import StakeholderGroup
from codesign.comments.models import Kind
from codesign.comments.service import CommentFilters
from codesign.districts.service import load_district_or_404
from codesign.extensions import limiter
from codesign.i18n import CONTENT_LANGUAGES
from codesign.opendata import api_bp as bp
from codesign.opendata import service
from codesign.opendata.openapi import openapi_document
from codesign.proposals.models import ProposalStatus
from codesign.proposals.service import published_proposal_or_404, published_versions

API_PREFIX = "/api/"


class BadParameter(Exception):
    def __init__(self, name: str, message: str, allowed: list[str]):
        super().__init__(message)
        self.name = name
        self.message = message
        self.allowed = allowed


def json_error(status: int, code: str, message: str, **extra):
    response = jsonify({"error": {"status": status, "code": code, "message": message, **extra}})
    response.status_code = status
    return response


HTTP_ERRORS = {
    404: ("not_found", lambda: _("Nothing is published at this address.")),
    405: ("method_not_allowed", lambda: _("This API only reads: use GET.")),
    429: ("rate_limited", lambda: _("Too many requests. Please wait a minute and try again.")),
    500: ("server_error", lambda: _("Something went wrong on our side. Please try again in a few minutes.")),
}


def http_error_response(error: HTTPException):
    """HTTP errors under /api/ as JSON, in the caller's language."""
    status = error.code or 500
    code, message = HTTP_ERRORS.get(status, ("server_error" if status >= 500 else "bad_request",
                                            lambda: _("The request could not be handled.")))
    return json_error(status, code, message())


bp.register_error_handler(HTTPException, http_error_response)


@bp.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    return json_error(400, "bad_parameter", error.message, parameter=error.name, allowed=error.allowed)


def _positive_int(name: str, raw: str, maximum: int | None = None) -> int:
    if not raw.isdigit() or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        if maximum is None:
            message = _("%(name)s must be a whole number of 1 or more.", name=name)
        else:
            message = _("%(name)s must be a whole number from 1 to %(maximum)s.", name=name, maximum=maximum)
        raise BadParameter(name, message, [])
    return int(raw)


def _choice(values: list[str]):
    def parse(name: str, raw: str) -> str:
        if raw not in values:
            raise BadParameter(name, _("%(name)s must be one of: %(values)s.", name=name,
                                       values=", ".join(values)), [])
        return raw
    return parse


PAGING = {
    "page": lambda name, raw: _positive_int(name, raw),
    "per_page": lambda name, raw: _positive_int(name, raw, service.MAX_PER_PAGE),
}


def params(**parsers) -> dict:
    """The query parameters, each parsed; anything unknown, repeated or malformed is a 400."""
    allowed = sorted(parsers)
    parsed = {}
    for name in request.args:
        if name not in parsers:
            raise BadParameter(name, _("Unknown parameter “%(name)s”. This address accepts: %(allowed)s.",
                                       name=name, allowed=", ".join(allowed) or "—"), allowed)
        values = request.args.getlist(name)
        if len(values) > 1:
            raise BadParameter(name, _("Give %(name)s only once.", name=name), allowed)
        try:
            parsed[name] = parsers[name](name, values[0].strip())
        except BadParameter as error:
            error.allowed = allowed
            raise
    return parsed


def _paging(args: dict) -> tuple[int, int]:
    return args.get("page", 1), args.get("per_page", service.DEFAULT_PER_PAGE)


def _page_response(pagination, data: list, **extra):
    args = {**request.view_args, **request.args.to_dict(), "_external": True}

    def link(page):
        return url_for(request.endpoint, **{**args, "page": page, "per_page": pagination.per_page})

    return jsonify({
        **extra,
        "data": data,
        "pagination": {
            "page": pagination.page,
            "per_page": pagination.per_page,
            "total": pagination.total,
            "pages": pagination.pages,
            "next": link(pagination.page + 1) if pagination.page < pagination.pages else None,
            "previous": link(min(pagination.page - 1, max(pagination.pages, 1))) if pagination.page > 1 else None,
        },
    })


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


limiter.limit(_rate_limit)(bp)


@bp.after_request
def open_to_everyone(response):
    """Open data: any site may read it (no cookies are involved)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers.setdefault("Cache-Control", "public, max-age=60")
    return response


@bp.route("/")
def index():
    params()
    return jsonify({
        "openapi_url": url_for("api.openapi", _external=True),
        "districts_url": url_for("api.districts", _external=True),
    })


@bp.route("/openapi.json")
def openapi():
    params()
    return jsonify(openapi_document(url_for("api.index", _external=True).rstrip("/")))


@bp.route("/districts")
def districts():
    page, per_page = _paging(params(**PAGING))
    pagination = service.list_districts(page, per_page)
    return _page_response(pagination, [service.district_data(d) for d in pagination.items])


@bp.route("/districts/<slug>")
def district(slug: str):
    params()
    found = load_district_or_404(slug)
    return jsonify({**service.district_data(found), "chain_head": service.chain_head(found),
                    "proposals_url": url_for("api.proposals", slug=slug, _external=True),
                    "log_url": url_for("api.log", slug=slug, _external=True)})


@bp.route("/districts/<slug>/proposals")
def proposals(slug: str):
    args = params(**PAGING, status=_choice([str(s) for s in service.PUBLIC_STATUSES]))
    found = load_district_or_404(slug)
    status = ProposalStatus(args["status"]) if "status" in args else None
    page, per_page = _paging(args)
    pagination = service.public_proposals(found, status=status, page=page, per_page=per_page)
    return _page_response(pagination, [service.proposal_data(p, found) for p in pagination.items])


def _proposal(slug: str, proposal_id: int):
    found = load_district_or_404(slug)
    return found, published_proposal_or_404(found, proposal_id)


@bp.route("/districts/<slug>/proposals/<int:proposal_id>")
def proposal(slug: str, proposal_id: int):
    params()
    found, item = _proposal(slug, proposal_id)
    return jsonify(service.proposal_data(item, found))


@bp.route("/districts/<slug>/proposals/<int:proposal_id>/versions")
def versions(slug: str, proposal_id: int):
    params()
    _found, item = _proposal(slug, proposal_id)
    return jsonify({"data": [service.version_data(v) for v in published_versions(item)]})


@bp.route("/districts/<slug>/proposals/<int:proposal_id>/comments")
def comments(slug: str, proposal_id: int):
    args = params(
        **PAGING,
        kind=_choice([str(k) for k in Kind]),
        section=_choice(list(service.SECTIONS)),
        group=_choice([str(g) for g in StakeholderGroup]),
        language=_choice(list(CONTENT_LANGUAGES)),
        version=lambda name, raw: _positive_int(name, raw),
    )
    found, item = _proposal(slug, proposal_id)
    filters = CommentFilters(
        kind=Kind(args["kind"]) if "kind" in args else None,
        section=args.get("section"),
        group=StakeholderGroup(args["group"]) if "group" in args else None,
        language=args.get("language"),
    )
    page, per_page = _paging(args)
    pagination = service.public_comments(item, filters, args.get("version"), page=page, per_page=per_page)
    return _page_response(pagination, service.comment_rows(list(pagination.items), item, found))


@bp.route("/districts/<slug>/proposals/<int:proposal_id>/tallies")
def tallies(slug: str, proposal_id: int):
    params()
    found, item = _proposal(slug, proposal_id)
    return jsonify(service.tallies_data(item, found))


@bp.route("/districts/<slug>/log")
def log(slug: str):
    args = params(**PAGING, proposal=lambda name, raw: _positive_int(name, raw))
    found = load_district_or_404(slug)
    proposal_id = None
    if "proposal" in args:
        proposal_id = published_proposal_or_404(found, args["proposal"]).id
    page, per_page = _paging(args)
    pagination = service.public_entries(found, proposal_id=proposal_id, page=page, per_page=per_page)
    return _page_response(pagination, service.entry_rows(list(pagination.items), found),
                          chain_head=service.chain_head(found))
