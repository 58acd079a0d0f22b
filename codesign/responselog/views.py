"""The response log: public pages, verification, and staff writing entries."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from codesign.authz import has_role, require_role
from codesign.comments import service as comments_service
from codesign.comments.views import filter_choices, filters_from_request
from codesign.content_translations.views import text_context
from codesign.districts.models import Role
from codesign.extensions import db, per_person
from codesign.forms import Form, flash_form_errors
from codesign.i18n import current_locale_code
from codesign.proposals.models import VERSION_FIELD_LABELS
from codesign.proposals.service import published_proposal_or_404, published_versions
from codesign.responselog import bp, service
from codesign.responselog.forms import ContestForm, EntryForm
from codesign.responselog.models import Outcome, ResponseEntry
from codesign.text import isolated

LOG_ERRORS = {
    "bad_version": _l("Choose a version change of this proposal."),
    "bad_amends": _l("Choose a published entry of this proposal to correct."),
    "bad_comment": _l("Only this proposal's comments can be linked."),
    "bad_question": _l("Only questions of published surveys about this proposal can be linked."),
    "published": _l("Published entries cannot be changed. Write a new entry that corrects it."),
    "incomplete": _l("Write what you heard and your reasons before publishing."),
    "not_published": _l("Only published entries can be answered."),
}
PICKER_LIMIT = 50


def _is_staff() -> bool:
    return has_role(current_user, g.district, Role.STAFF)


def _proposal_or_404(proposal_id: int):
    return published_proposal_or_404(g.district, proposal_id)


def _reader_language() -> dict:
    return {"locale": current_locale_code(), "original": g.district.default_locale}


def _render_log(template: str, pagination, **context):
    entries = list(pagination.items)
    return render_template(
        template, entries=entries, pagination=pagination,
        details=service.entry_details(entries, g.district.suppression_threshold, **_reader_language()),
        field_labels=dict(VERSION_FIELD_LABELS), **context,
    )


@bp.route("/log/")
def district_log():
    """The district's whole response log, newest first."""
    page = max(request.args.get("page", 1, type=int), 1)
    return _render_log("responselog/district_log.html", service.list_entries(g.district.id, page=page))


@bp.route("/log/<int:sequence>")
def entry(sequence: int):
    """One published entry with every comment it answers."""
    found = service.entry_by_sequence(g.district.id, sequence)
    if found is None:
        abort(404)
    proposal = _proposal_or_404(found.proposal_id)
    details = service.entry_details([found], g.district.suppression_threshold, all_comments=True,
                                    **_reader_language())
    return render_template(
        "responselog/entry.html", entry=found, proposal=proposal, action_form=Form(), details=details,
        **text_context("entry", found, details[found.id].texts),
        field_labels=dict(VERSION_FIELD_LABELS), contest_form=ContestForm(),
        contested=service.has_contested(found, current_user),
        contests=service.contests_of(found) if _is_staff() else [],
    )


@bp.route("/log/<int:sequence>/contest", methods=["POST"])
@login_required
@per_person("10 per hour")
def contest(sequence: int):
    """Say that an entry does not address your concern, with a short reason."""
    found = service.entry_by_sequence(g.district.id, sequence)
    if found is None:
        abort(404)
    form = ContestForm()
    if form.validate_on_submit():
        service.contest_entry(found, current_user, form.reason.data)
        flash(_("Thank you. The district sees your reason, and the entry counts you."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("responselog.entry", sequence=sequence) + "#contest", code=303)


@bp.route("/log/verify")
def verify():
    """Recompute the chain and show its head, so anyone can compare it with an export."""
    return render_template("responselog/verify.html", result=service.verify_district(g.district.id))


@bp.route("/proposals/<int:proposal_id>/log/")
def proposal_log(proposal_id: int):
    """One proposal's entries, with its coverage; staff also see drafts."""
    proposal = _proposal_or_404(proposal_id)
    page = max(request.args.get("page", 1, type=int), 1)
    settled, total = service.coverage(proposal.id)
    return _render_log(
        "responselog/proposal_log.html",
        service.list_entries(g.district.id, proposal_id=proposal.id, include_drafts=_is_staff(), page=page),
        proposal=proposal, is_staff=_is_staff(), settled=settled, total=total, action_form=Form(),
    )


def _version_changes(proposal):
    versions = published_versions(proposal)
    choices = [("none", _("No version change"))]
    choices += [(f"{a.id}:{b.id}", _("From version %(old)s to version %(new)s", old=a.number, new=b.number))
                for a, b in zip(versions, versions[1:], strict=False)]
    return choices


def _entry_form(proposal, entry: ResponseEntry | None):
    form = EntryForm(obj=entry)
    form.change.choices = _version_changes(proposal)
    published = [e for e in service.list_entries(g.district.id, proposal_id=proposal.id, page=1).items
                 if entry is None or e.id != entry.id]
    form.amends.choices = [(None, _("No, this is a new entry"))] + [
        (e.id, _("Entry %(number)s", number=e.sequence)) for e in published]
    if entry is not None and not form.is_submitted():
        form.change.data = f"{entry.from_version_id}:{entry.to_version_id}" if entry.from_version_id else "none"
    return form


def _fields(form) -> dict:
    from_id = to_id = None
    if form.change.data and form.change.data != "none":
        from_id, to_id = (int(part) for part in form.change.data.split(":"))
    return dict(heard=form.heard.data, outcome=Outcome(form.outcome.data), reasons=form.reasons.data,
                from_version_id=from_id, to_version_id=to_id, amends_id=form.amends.data)


@bp.route("/proposals/<int:proposal_id>/log/new", methods=["GET", "POST"])
def new_entry(proposal_id: int):
    """Start a draft entry (staff)."""
    require_role(g.district, Role.STAFF)
    proposal = _proposal_or_404(proposal_id)
    form = _entry_form(proposal, None)
    del form.comments  # comments and survey questions are picked on the draft's own page
    del form.questions
    if form.validate_on_submit():
        try:
            created = service.create_entry(proposal, current_user, **_fields(form))
        except service.LogError as error:
            form.form_errors.append(LOG_ERRORS[error.code])
        else:
            flash(_("The draft entry is saved. Now choose the comments it answers."), "success")
            return redirect(url_for("responselog.edit_entry", proposal_id=proposal.id, entry_id=created.id), code=303)
    return render_template("responselog/edit.html", form=form, proposal=proposal, entry=None), (
        422 if form.errors or form.form_errors else 200)


@bp.route("/proposals/<int:proposal_id>/log/<int:entry_id>/edit", methods=["GET", "POST"])
def edit_entry(proposal_id: int, entry_id: int):
    """Edit a draft entry and pick the comments it answers (staff)."""
    require_role(g.district, Role.STAFF)
    proposal = _proposal_or_404(proposal_id)
    draft = _entry_or_404(proposal, entry_id)
    if not draft.is_draft:
        flash(str(LOG_ERRORS["published"]), "error")
        return redirect(url_for("responselog.entry", sequence=draft.sequence), code=303)
    filters = filters_from_request()
    shown = comments_service.list_comments(proposal, filters, limit=PICKER_LIMIT).comments
    linked = set(service.linked_comment_ids(draft))
    form = _entry_form(proposal, draft)
    form.comments.choices = [(c.id, c.body[:200] or _("(withdrawn)")) for c in shown]
    # An <option> holds no elements: Unicode isolates keep each text's direction to itself.
    form.questions.choices = [(q.id, f"{isolated(title)}: {isolated(q.prompt)}")
                              for q, title in service.question_choices(proposal)]
    if not form.is_submitted():
        form.comments.data = [c.id for c in shown if c.id in linked]
        form.questions.data = service.linked_question_ids(draft)
    if form.validate_on_submit():
        # Links hidden by the filters stay; the shown ones follow the checkboxes.
        keep = linked - {c.id for c in shown}
        try:
            service.update_entry(draft, proposal, **_fields(form))
            service.link_comments(draft, sorted(keep | set(form.comments.data or [])))
            service.link_questions(draft, form.questions.data or [])
        except service.LogError as error:
            form.form_errors.append(LOG_ERRORS[error.code])
        else:
            flash(_("The draft entry is saved."), "success")
            return redirect(url_for("responselog.edit_entry", proposal_id=proposal.id, entry_id=draft.id,
                                    **filters.as_args()), code=303)
    return render_template(
        "responselog/edit.html", form=form, proposal=proposal, entry=draft, shown=shown,
        linked_count=len(linked), comment_filters=filters, action_form=Form(),
        **filter_choices(),
    ), (422 if form.errors or form.form_errors else 200)


def _entry_or_404(proposal, entry_id: int) -> ResponseEntry:
    found = db.session.get(ResponseEntry, entry_id)
    if found is None or found.proposal_id != proposal.id:
        abort(404)
    return found


@bp.route("/proposals/<int:proposal_id>/log/<int:entry_id>/publish", methods=["POST"])
def publish_entry(proposal_id: int, entry_id: int):
    """Publish a draft into the chain (staff). It can never be edited afterwards."""
    require_role(g.district, Role.STAFF)
    proposal = _proposal_or_404(proposal_id)
    draft = _entry_or_404(proposal, entry_id)
    if Form().validate_on_submit():
        try:
            published = service.publish_entry(draft)
        except service.LogError as error:
            flash(str(LOG_ERRORS[error.code]), "error")
        else:
            flash(_("Entry %(number)s is published.", number=published.sequence), "success")
            return redirect(url_for("responselog.entry", sequence=published.sequence), code=303)
    return redirect(url_for("responselog.proposal_log", proposal_id=proposal.id), code=303)


@bp.route("/log.json")
def export_json():
    """The district's published log with its hashes, for anyone to keep and verify."""
    from flask import jsonify

    records = service.export_records(g.district.id)
    response = jsonify({"district": g.district.slug, "entries": records,
                        "chain_head": records[-1]["entry_hash"] if records else None})
    response.headers["Content-Disposition"] = f'attachment; filename="{g.district.slug}-response-log.json"'
    return response


def _feed_response(pagination, title: str, alternate: str):
    from flask import make_response

    entries = list(pagination.items)
    body = service.atom_feed(
        entries, feed_id=request.url, title=title, self_url=request.url, alternate_url=alternate,
        entry_url=lambda e: url_for("responselog.entry", sequence=e.sequence, _external=True),
        outcome_label=lambda e: str(e.outcome.label),
    )
    response = make_response(body)
    response.mimetype = "application/atom+xml"
    return response


@bp.route("/log.atom")
def district_feed():
    """Atom feed of the district's response log."""
    return _feed_response(service.list_entries(g.district.id), _("Response log: %(district)s", district=g.district.name),
                          url_for("responselog.district_log", _external=True))


@bp.route("/proposals/<int:proposal_id>/log.atom")
def proposal_feed(proposal_id: int):
    """Atom feed of one proposal's response log."""
    proposal = _proposal_or_404(proposal_id)
    return _feed_response(
        service.list_entries(g.district.id, proposal_id=proposal.id),
        _("Response log: %(proposal)s", proposal=proposal.current_version.title),
        url_for("responselog.proposal_log", proposal_id=proposal.id, _external=True),
    )
