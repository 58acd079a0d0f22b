"""Proposal pages: the public proposal and its versions; staff drafting and publishing."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from codesign.authz import has_role, require_role
from codesign.districts.models import Role
from codesign.districts.service import local_to_utc, utc_to_local
from codesign.forms import Form
from codesign.proposals import bp, service
from codesign.proposals.forms import DecisionForm, ProposalForm, PublishForm
from codesign.proposals.models import DATA_CARD_FIELDS, VERSION_TEXT_FIELDS, Decision

LIFECYCLE_ERRORS = {
    "not_open": _l("Only a proposal that is open for input can move to review."),
    "not_decidable": _l("This proposal cannot be decided now: it is a draft or already decided."),
    "note_required": _l("Write a decision note."),
    "open_comments": _l("Some comments are still open. Answer them, or confirm below to decide anyway."),
}
PUBLISH_ERRORS = {
    "card_incomplete": _l("Fill in the title, the short summary and every part of the data card before publishing."),
    "closes_before_opens": _l("The comment period must close after it opens."),
    "what_changed_required": _l("Say what changed since the last version. Families who voted will see it."),
    "no_draft": _l("There is no draft to publish."),
    "already_decided": _l("This proposal is decided; it cannot get a new version."),
}


def _is_staff() -> bool:
    return has_role(current_user, g.district, Role.STAFF)


def _proposal_or_404(proposal_id: int):
    proposal = service.get_proposal(g.district, proposal_id)
    # Drafts that were never published do not exist for anyone but staff.
    if proposal is None or (proposal.current_version_id is None and not _is_staff()):
        abort(404)
    return proposal


def _to_utc(local: datetime) -> datetime:
    return local_to_utc(g.district, local)


def _to_local(moment: datetime) -> datetime:
    return utc_to_local(g.district, moment)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Start a proposal as a draft (staff)."""
    require_role(g.district, Role.STAFF)
    form = ProposalForm()
    if form.validate_on_submit():
        proposal = service.create_proposal(g.district, current_user, form.data)
        flash(_("The draft is saved. Only staff can see it until you publish it."), "success")
        return redirect(url_for("proposals.show", proposal_id=proposal.id), code=303)
    return render_template("proposals/edit.html", form=form, proposal=None), (422 if form.errors else 200)


@bp.route("/<int:proposal_id>/")
def show(proposal_id: int):
    """The proposal as everyone reads it: current version, data card, votes and comments."""
    return proposal_page(_proposal_or_404(proposal_id))


def proposal_page(proposal, comment_form=None, status: int = 200):
    """Render the proposal page; a failed comment comes back here with what was typed."""
    from codesign.comments.views import comments_context
    from codesign.community.service import list_sessions, organizations_facilitated_by
    from codesign.content_translations.views import translation_context
    from codesign.i18n import current_locale_code
    from codesign.surveys.service import surveys_for_proposal
    from codesign.votes.views import vote_context

    version = proposal.current_version
    draft = service.draft_of(proposal) if _is_staff() else None
    extra = {}
    if version is not None:
        extra.update(vote_context(proposal))
        extra.update(comments_context(proposal))
        extra["surveys"] = surveys_for_proposal(proposal, current_locale_code())
        if version is proposal.current_version or (draft is None and version.id == proposal.current_version_id):
            extra.update(translation_context(proposal, version))
        extra["sessions"] = list_sessions(g.district, upcoming=True, proposal_id=proposal.id, limit=5)
        extra["can_schedule"] = bool(organizations_facilitated_by(current_user, g.district))
        if current_user.is_authenticated and version.number:
            from codesign.notifications.service import is_following

            extra["following"] = is_following(current_user, proposal.id)
        if comment_form is not None:
            extra["comment_form"] = comment_form
    return render_template(
        "proposals/show.html", proposal=proposal, version=version or draft, draft=draft,
        is_staff=_is_staff(), card_fields=DATA_CARD_FIELDS, action_form=Form(),
        can_review=has_role(current_user, g.district, Role.STAFF, Role.BOARD), **extra,
    ), status


@bp.route("/<int:proposal_id>/versions/")
def versions(proposal_id: int):
    """Every published version, newest first; earlier versions stay readable forever."""
    proposal = _proposal_or_404(proposal_id)
    return render_template("proposals/versions.html", proposal=proposal,
                           versions=list(reversed(service.published_versions(proposal))))


@bp.route("/<int:proposal_id>/versions/<int:number>")
def version(proposal_id: int, number: int):
    """One published version as it was."""
    proposal = _proposal_or_404(proposal_id)
    found = service.get_version(proposal, number)
    if found is None:
        abort(404)
    return render_template("proposals/show.html", proposal=proposal, version=found, draft=None,
                           is_staff=False, card_fields=DATA_CARD_FIELDS, action_form=None)


@bp.route("/<int:proposal_id>/draft", methods=["GET", "POST"])
def edit_draft(proposal_id: int):
    """Edit the draft (staff)."""
    require_role(g.district, Role.STAFF)
    proposal = _proposal_or_404(proposal_id)
    draft = service.draft_of(proposal)
    if draft is None:
        flash(_("Start a new version first."), "error")
        return redirect(url_for("proposals.show", proposal_id=proposal.id), code=303)
    form = ProposalForm(obj=draft)
    if form.validate_on_submit():
        service.update_draft(draft, {name: form.data[name] for name in VERSION_TEXT_FIELDS})
        flash(_("The draft is saved."), "success")
        return redirect(url_for("proposals.show", proposal_id=proposal.id), code=303)
    return render_template("proposals/edit.html", form=form, proposal=proposal), (422 if form.errors else 200)


@bp.route("/<int:proposal_id>/revise", methods=["POST"])
def revise(proposal_id: int):
    """Start the next version from the current one (staff)."""
    require_role(g.district, Role.STAFF)
    proposal = _proposal_or_404(proposal_id)
    if Form().validate_on_submit():
        try:
            service.start_revision(proposal, current_user)
        except service.ProposalError as error:
            flash(str(PUBLISH_ERRORS[error.code]), "error")
            return redirect(url_for("proposals.show", proposal_id=proposal.id), code=303)
    return redirect(url_for("proposals.edit_draft", proposal_id=proposal.id), code=303)


@bp.route("/<int:proposal_id>/publish", methods=["GET", "POST"])
def publish(proposal_id: int):
    """Publish the draft as the next version and set the comment period (staff)."""
    require_role(g.district, Role.STAFF)
    proposal = _proposal_or_404(proposal_id)
    draft = service.draft_of(proposal)
    if draft is None:
        abort(404)
    form = PublishForm()
    if not form.is_submitted():
        opens = proposal.comment_opens_at
        closes = proposal.comment_closes_at
        now = datetime.now(ZoneInfo("UTC"))
        form.opens_at.data = _to_local(opens if opens and proposal.current_version_id else now)
        form.closes_at.data = _to_local(closes if closes and closes > now else now + timedelta(days=30))
    if form.validate_on_submit():
        try:
            published = service.publish_version(
                proposal,
                opens_at=_to_utc(form.opens_at.data),
                closes_at=_to_utc(form.closes_at.data),
                what_changed=form.what_changed.data or "",
            )
        except service.ProposalError as error:
            form.form_errors.append(PUBLISH_ERRORS[error.code])
        else:
            flash(_("Version %(number)s is published.", number=published.number), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id), code=303)
    failed = bool(form.errors or form.form_errors)
    return render_template("proposals/publish.html", form=form, proposal=proposal, draft=draft,
                           missing=draft.missing_card_fields(), card_fields=dict(DATA_CARD_FIELDS)), (
        422 if failed else 200
    )


@bp.route("/<int:proposal_id>/review", methods=["POST"])
def review(proposal_id: int):
    """Close input and move the proposal into review (staff)."""
    require_role(g.district, Role.STAFF)
    proposal = _proposal_or_404(proposal_id)
    if Form().validate_on_submit():
        try:
            service.move_to_review(proposal)
        except service.ProposalError as error:
            flash(str(LIFECYCLE_ERRORS[error.code]), "error")
        else:
            flash(_("The proposal is in review. New comments and votes are closed."), "success")
    return redirect(url_for("proposals.show", proposal_id=proposal.id), code=303)


@bp.route("/<int:proposal_id>/decide", methods=["GET", "POST"])
def decide(proposal_id: int):
    """Record the decision, its note and the board meeting date (staff)."""
    require_role(g.district, Role.STAFF)
    proposal = _proposal_or_404(proposal_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            service.record_decision(proposal, Decision(form.decision.data), note=form.note.data,
                                    board_meeting_on=form.board_meeting_on.data,
                                    confirm_open_comments=form.confirm_open.data)
        except service.ProposalError as error:
            form.form_errors.append(LIFECYCLE_ERRORS[error.code])
        else:
            flash(_("The decision is recorded."), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id), code=303)
    return render_template("proposals/decide.html", form=form, proposal=proposal,
                           open_comments=service.open_comment_count(proposal)), (
        422 if form.errors or form.form_errors else 200
    )


@bp.route("/<int:proposal_id>/changes")
def changes(proposal_id: int):
    """What changed between any two versions, word by word, field by field."""
    proposal = _proposal_or_404(proposal_id)
    versions = service.published_versions(proposal)
    if len(versions) < 2:
        return render_template("proposals/changes.html", proposal=proposal, versions=versions,
                               fields=[], old=None, new=None)
    by_number = {version.number: version for version in versions}
    newest = versions[-1].number
    new_number = request.args.get("to", newest, type=int)
    old_number = request.args.get("from", new_number - 1, type=int)
    new, old = by_number.get(new_number), by_number.get(old_number)
    if new is None or old is None or old_number == new_number:
        flash(_("Choose two different versions of this proposal."), "error")
        new, old = by_number[newest], by_number[newest - 1]
    return render_template("proposals/changes.html", proposal=proposal, versions=versions,
                           fields=service.version_diff(old, new), old=old, new=new)
