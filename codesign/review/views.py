"""The board review of a proposal: the page, the printable packet (HTML and PDF), exports of
every table, and the district's reference shares."""
from __future__ import annotations

import json

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from codesign.accounts.models import STAKEHOLDER_LABELS
from codesign.authz import has_role, require, require_role
from codesign.comments.models import CHANNEL_LABELS, KIND_LABELS, SECTION_LABELS
from codesign.districts.models import Role
from codesign.districts.service import load_district_or_404
from codesign.downloads import csv_download, download
from codesign.forms import Form
from codesign.i18n import language_label, locale_name, text_direction
from codesign.proposals.models import VERSION_FIELD_LABELS
from codesign.proposals.service import published_proposal_or_404
from codesign.review import bp, service
from codesign.review.models import DIMENSION_LABELS, Dimension
from codesign.votes.models import STANCE_LABELS, Stance

REVIEW_ERRORS = {
    "bad_key": _l("Only this district's groups and languages can have a share."),
    "not_a_number": _l("Each share must be a number from 0 to 100."),
    "not_100": _l("The shares add up to %(total)s%%, not 100%%. Please check them."),
}
METRIC_LABELS = {
    "people": _l("People"),
    "comments": _l("Comments"),
    "votes": _l("Votes"),
    "responses": _l("Survey responses"),
    "attendance": _l("At sessions"),
}
TABLES = ("participation", "channels", "languages", "representativeness", "support", "raised", "contests")


def _proposal(proposal_id: int):
    proposal = published_proposal_or_404(g.district, proposal_id)
    require(proposal.review_published_at is not None or has_role(current_user, g.district, Role.STAFF, Role.BOARD))
    return proposal


def _context(review, district) -> dict:
    return dict(
        review=review, proposal=review.proposal, metric_labels=METRIC_LABELS, metrics=service.METRICS,
        group_labels=STAKEHOLDER_LABELS, channel_labels=CHANNEL_LABELS, stance_labels=STANCE_LABELS,
        stances=list(Stance), section_labels=SECTION_LABELS, kind_labels=KIND_LABELS,
        dimension_labels=DIMENSION_LABELS, unknown=service.UNKNOWN, field_labels=dict(VERSION_FIELD_LABELS),
        details=review.entry_details, heading="h3", fields=review.diff,
    )


@bp.route("/proposals/<int:proposal_id>/review/")
def page(proposal_id: int):
    """Everything the board needs about a proposal's input, on one page."""
    proposal = _proposal(proposal_id)
    review = service.build(proposal, g.district, with_entry_details=False)
    return render_template("review/review.html", is_staff=has_role(current_user, g.district, Role.STAFF),
                           action_form=Form(), languages=g.district.language_codes, **_context(review, g.district))


@bp.route("/proposals/<int:proposal_id>/review/publish", methods=["POST"])
def publish(proposal_id: int):
    require_role(g.district, Role.STAFF)
    proposal = published_proposal_or_404(g.district, proposal_id)
    if Form().validate_on_submit():
        public = request.form.get("public") == "1"
        service.set_published(proposal, public)
        flash(_("Everyone can now see this review and its packet.") if public
              else _("Only the board and staff can see this review now."), "success")
    return redirect(url_for("review.page", proposal_id=proposal.id), code=303)


def packet_cache():
    from pathlib import Path

    from flask import current_app

    return Path(current_app.instance_path) / "packets"


def _packet_locale() -> tuple[str, str | None]:
    """The packet's language: the one asked for if the district offers it; otherwise its default,
    with the name of the language that was asked for (for a notice)."""
    asked = request.args.get("lang") or g.district.default_locale
    if asked in g.district.language_codes:
        return asked, None
    return g.district.default_locale, asked


class CommentLines(dict):
    """The line above each comment in the packet's appendix (its kind, group, channel and
    language), made once per combination of the four in the packet's language: a packet may list
    a quarter of a million comments, and there are a few dozen combinations."""

    def __missing__(self, key) -> Markup:
        kind, group, channel, language = key
        line = self[key] = Markup(" · ").join([kind.label, group.label, CHANNEL_LABELS[channel],
                                                language_label(language)])
        return line


def appendix(proposal):
    """The packet's appendix as the template prints it, row by row: (the part's heading where a
    new part starts, else None; the comment's line; its language; its words). The query runs when
    the template comes to it, and is closed however it ends: a reader who leaves a packet
    half-sent leaves PostgreSQL's cursor open otherwise."""
    lines, section = CommentLines(), None
    rows = service.visible_comments(proposal)
    try:
        for row_section, kind, group, channel, language, body in rows:
            heading = None
            if row_section != section:
                section = row_section
                heading = SECTION_LABELS.get(section, section)
            yield heading, lines[kind, group, channel, language], language, body
    finally:
        rows.close()


def _packet(proposal, *, pdf: bool) -> tuple[str, dict]:
    """The packet's language and what its template is given."""
    locale, unavailable = _packet_locale()
    review = service.build(proposal, g.district)
    return locale, dict(
        locale=locale, packet_dir=text_direction(locale), pdf=pdf,
        unavailable=locale_name(unavailable) if unavailable else None,
        appendix=appendix(proposal), **_context(review, g.district))


def render_packet(proposal, *, pdf: bool) -> str:
    """The packet whole, in one string (what its pieces must add up to)."""
    locale, context = _packet(proposal, pdf=pdf)
    with force_locale(locale):
        return render_template("review/packet.html", **context)


@bp.route("/proposals/<int:proposal_id>/review/packet")
def packet(proposal_id: int):
    """The board packet as a page to print (or save as PDF) from the browser. It is sent as it
    is made: a packet may print a quarter of a million comments (40 MB of HTML), which made whole
    would hold a worker's memory several times over and show nothing until the last one."""
    _proposal(proposal_id)  # (one who may not see it gets the error before anything is sent)

    def packet_as_sent() -> tuple[str, dict]:
        load_district_or_404(g.district_slug)  # (the view's database session has closed by now)
        return _packet(published_proposal_or_404(g.district, proposal_id), pdf=False)

    return _streamed_page("review/packet.html", packet_as_sent)


def packet_pieces(proposal, *, pdf: bool):
    """The packet in pieces of about PIECE characters, as it is made (for the PDF, read within
    the request: a worker holds one piece at a time, however many comments it prints)."""
    return _pieces("review/packet.html", lambda: _packet(proposal, pdf=pdf))


PIECE = 64 * 1024  # characters sent at a time: Jinja yields a few dozen per output statement


def _pieces(template_name: str, make_context):
    """A page rendered in pieces of about PIECE characters, in the language `make_context()`
    gives with its context (as render_packet renders it whole)."""
    app = current_app._get_current_object()
    locale, context = make_context()
    with force_locale(locale):
        template = app.jinja_env.get_template(template_name)
        app.update_template_context(context)  # (its processors bind this language's catalog)
        buffer, size = [], 0
        chunks = template.generate(context)
        try:
            for chunk in chunks:
                buffer.append(chunk)
                size += len(chunk)
                if size >= PIECE:
                    yield "".join(buffer)
                    buffer, size = [], 0
        finally:
            chunks.close()  # (a reader who left: what the template was reading closes now)
        yield "".join(buffer)


def _streamed_page(template_name: str, make_context) -> Response:
    """A page rendered while it is sent (`_pieces`).

    Flask ends the view's request before the first piece is asked for (its teardown closes the
    database session, and with it PostgreSQL's cursor for a long query), then pushes the same
    request again around the iteration (stream_with_context). So everything the page shows is
    read from then on: `make_context()` is called there, in a session of its own."""
    return Response(stream_with_context(_pieces(template_name, make_context)), mimetype="text/html")


@bp.route("/proposals/<int:proposal_id>/review/packet.pdf")
def packet_pdf(proposal_id: int):
    """The board packet as a tagged PDF, made on the server (WeasyPrint)."""
    proposal = _proposal(proposal_id)
    locale, _unavailable = _packet_locale()
    try:
        from codesign.review.pdf import Limits, PacketNotReady, PacketTooBig, packet_pdf
    except (OSError, ImportError):  # WeasyPrint or its system libraries (Pango) are missing here
        abort(503)
    config = current_app.config
    try:
        body = packet_pdf(packet_pieces(proposal, pdf=True), base_url=request.url_root, cache_dir=packet_cache(),
                          wait=config["PACKET_PDF_WAIT"],
                          limits=Limits(config["PACKET_PDF_SECONDS"], config["PACKET_PDF_MEMORY_MB"]))
    except PacketNotReady:  # (its layout goes on, on its own)
        response = current_app.make_response((render_template(
            "review/pdf_status.html", proposal=proposal, locale=locale, ready=False), 202))
        response.headers["Retry-After"] = "60"
        return response
    except PacketTooBig:
        return render_template("review/pdf_status.html", proposal=proposal, locale=locale, ready=None), 503
    _exported(proposal, "packet.pdf", locale)
    return download(body, "application/pdf", f"{g.district.slug}-proposal-{proposal.id}-board-packet-{locale}.pdf")


def _exported(proposal, what: str, locale: str | None = None) -> None:
    """Exports of review data are recorded in the audit log."""
    from codesign.audit.service import record
    from codesign.extensions import db

    record("review.export", f"proposal:{proposal.id}", district_id=proposal.district_id,
           after={"file": what, **({"locale": locale} if locale else {})})
    db.session.commit()


def _tables(review) -> dict[str, tuple[list[str], list[list]]]:
    """Every table of the review page as (header, rows), suppressed exactly as shown."""
    def shown(cell):
        return (cell.value, "" if not cell.suppressed else ("complementary" if cell.complementary else "below_threshold"))

    taking_part = review.participation
    tables = {}
    header = ["stakeholder_group"]
    for metric in service.METRICS:
        header += [metric, f"{metric}_suppressed"]
    rows = []
    for group in STAKEHOLDER_LABELS:
        row = [group.value]
        for metric in service.METRICS:
            row += list(shown(taking_part.by_group[metric].cells[group]))
        rows.append(row)
    row = ["all"]
    for metric in service.METRICS:
        row += list(shown(taking_part.by_group[metric].total))
    tables["participation"] = (header, rows + [row])
    tables["channels"] = (["channel", "people", "suppressed"],
                          [[c.value, *shown(cell)] for c, cell in taking_part.by_channel.cells.items()])
    tables["languages"] = (["language", "people", "suppressed"],
                           [[key, *shown(cell)] for key, cell in taking_part.by_language.cells.items()])
    tables["representativeness"] = (
        ["dimension", "key", "reference_share", "participant_share", "under_heard"],
        [[dimension.value, row.key, round(row.reference, 4),
          "" if row.participants is None else round(row.participants, 4), row.under_heard]
         for dimension, share_rows in review.shares.items() for row in share_rows])
    support_rows = []
    for item in review.support:
        for channel, tally in (("online", item.online), ("session", item.session)):
            for stance in [*Stance, "total"]:
                support_rows.append([item.number, channel, str(stance), *shown(tally[stance])])
    tables["support"] = (["version", "channel", "stance", "people", "suppressed"], support_rows)
    raised_rows = [[section, kind.value, *shown(cell)]
                   for section, row in review.raised.cells.items() for kind, cell in row.items()]
    tables["raised"] = (["section", "kind", "comments", "suppressed"], raised_rows)
    tables["contests"] = (["entry", "people_contesting", "suppressed"],
                          [[entry.sequence, *shown(review.contests[entry.id])] for entry in review.entries])
    return tables


@bp.route("/proposals/<int:proposal_id>/review.json")
def export_json(proposal_id: int):
    proposal = _proposal(proposal_id)
    review = service.build(proposal, g.district, with_entry_details=False)
    body = {name: [dict(zip(header, row, strict=True)) for row in rows]
            for name, (header, rows) in _tables(review).items()}
    body["coverage"] = {"answered": review.coverage[0], "comments": review.coverage[1]}
    _exported(proposal, "review.json")
    return download(json.dumps({"proposal_id": proposal.id, **body}, ensure_ascii=False, indent=1, default=str),
                    "application/json", f"{g.district.slug}-proposal-{proposal.id}-review.json")


@bp.route("/proposals/<int:proposal_id>/review/<table>.csv")
def export_csv(proposal_id: int, table: str):
    if table not in TABLES:
        abort(404)
    proposal = _proposal(proposal_id)
    header, rows = _tables(service.build(proposal, g.district, with_entry_details=False))[table]
    _exported(proposal, f"{table}.csv")
    return csv_download(header, rows, f"{g.district.slug}-proposal-{proposal.id}-review-{table}.csv")


@bp.route("/reference-shares", methods=["GET", "POST"])
def reference_shares():
    """Staff enter who makes up the district's community, to compare participation with."""
    require_role(g.district, Role.STAFF)
    errors: dict[str, str] = {}
    typed = request.form if request.method == "POST" else None
    if request.method == "POST":
        form = Form()
        try:
            dimension = Dimension(request.form.get("dimension", ""))
        except ValueError:
            abort(400)
        if form.validate_on_submit():
            values = {key: request.form.get(f"share-{key}", "") for key in service.dimension_keys(g.district, dimension)}
            try:
                service.save_reference_shares(g.district, dimension, values, request.form.get("source", ""))
            except service.ReviewError as error:
                message = REVIEW_ERRORS[error.code]
                errors[dimension.value] = _(message, total=error.detail) if error.code == "not_100" else str(message)
            else:
                flash(_("The reference shares are saved."), "success")
                return redirect(url_for("review.reference_shares") + f"#{dimension.value}", code=303)
    shares = service.reference_shares(g.district)
    return render_template(
        "review/reference_shares.html", dimensions=list(Dimension), dimension_labels=DIMENSION_LABELS,
        keys={d: service.dimension_keys(g.district, d) for d in Dimension}, group_labels=STAKEHOLDER_LABELS,
        current={d: {s.key: s.percent for s in shares[d]} for d in Dimension},
        sources={d: (shares[d][0].source if shares[d] else "") for d in Dimension},
        errors=errors, typed=typed, form=Form(),
    ), 422 if errors else 200


@bp.app_template_global()
def share_label(dimension, key: str) -> str:
    """A reference share's group or language, in the reader's language."""
    if dimension == Dimension.GROUP:
        from codesign.accounts.models import StakeholderGroup

        return str(STAKEHOLDER_LABELS[StakeholderGroup(key)])
    return language_label(key)

