"""The search page, for one district or all of them; live results with htmx, a plain form without."""
from __future__ import annotations

from flask import g, make_response, render_template, request
from flask_babel import lazy_gettext as _l

from codesign.extensions import htmx, limiter
from codesign.search import bp, district_bp, service
from codesign.search.filters import choices, filters_from
from codesign.text import one_line

TYPE_LABELS = {
    "proposal": _l("Proposals"),
    "comment": _l("Comments"),
    "entry": _l("Response log"),
    "survey": _l("Surveys"),
    "session": _l("Community sessions"),
}


def _search_page():
    district = getattr(g, "district", None)
    raw = one_line(request.args.get("q", ""))
    filters, ignored = filters_from(request.args, district)
    page = request.args.get("page", 1, type=int)
    found = service.search(raw, filters, page)
    context = dict(raw=raw, found=found, filters=filters, ignored=ignored, type_labels=TYPE_LABELS,
                   district=district, **choices(district))
    if htmx and htmx.target == "search-results" and not htmx.history_restore_request:  # live results
        body = render_template("search/_results.html", **context)
    else:
        body = render_template("search/search.html", **context)
    response = make_response(body)
    response.vary.add("HX-Request")
    return response


@bp.route("/search")
@limiter.limit("60 per minute")
def everywhere():
    """Search every district."""
    return _search_page()


@district_bp.route("/search")
@limiter.limit("60 per minute")
def in_district():
    """Search one district."""
    return _search_page()
