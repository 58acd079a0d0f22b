"""Comments: post, list ("show more"), reply, edit, withdraw, me too; staff answers."""
from __future__ import annotations

from flask import (
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from codesign.accounts.models import STAKEHOLDER_LABELS, StakeholderGroup
from codesign.authz import has_role, require_role
from codesign.comments import bp, service
from codesign.comments.forms import (
    AnswerForm,
    CommentForm,
    DispositionForm,
    EditForm,
    FlagForm,
    ReplyForm,
)
from codesign.comments.models import (
    KIND_LABELS,
    SECTION_LABELS,
    Disposition,
    FlagReason,
    Kind,
)
from codesign.districts.models import Role
from codesign.extensions import htmx, per_person
from codesign.forms import Form, flash_form_errors
from codesign.i18n import CONTENT_LANGUAGES, current_locale_code
from codesign.moderation.service import hidden_counts
from codesign.moderation.views import pii_list
from codesign.proposals.service import published_proposal_or_404

COMMENT_ERRORS = {
    "closed": _l("This proposal is not open for comments now, so your comment was not saved."),
    "bad_section": _l("Please choose a part of the proposal from the list."),
    "bad_parent": _l("You can reply only to a comment on this proposal."),
    "not_yours": _l("You can change only your own comments."),
    "edit_window": _l("Comments can be edited for 15 minutes after posting."),
    "own_comment": _l("You cannot say “me too” to your own comment."),
    "withdrawn": _l("That comment was withdrawn."),
    "reason_required": _l("Give a reason when you mark a comment out of scope."),
    "bad_duplicate": _l("Enter the number of another comment on this proposal."),
    "own_comment_flag": _l("You cannot flag your own comment; you can withdraw it instead."),
    "not_public": _l("That comment is not public, so it cannot take replies, “me too”s or reports."),
}


def held_message(comment) -> str:
    """Why a comment waits for a moderator, in the author's language."""
    return _("Your comment is saved, but it looks like it contains %(what)s, so a moderator will read it "
             "before anyone else can. This keeps children and families safe. You can edit it for 15 minutes "
             "to take that out.", what=pii_list(comment.held_for))


def _proposal_or_404(proposal_id: int):
    return published_proposal_or_404(g.district, proposal_id)


def _comment_or_404(proposal, comment_id: int):
    comment = service.get_comment(proposal, comment_id)
    if comment is None:
        abort(404)
    return comment


def filters_from_request() -> service.CommentFilters:
    """Filters from the query string; anything unknown is ignored, never an error page."""
    args = request.args

    def pick(enum_class, name):
        try:
            return enum_class(args.get(name, ""))
        except ValueError:
            return None

    section = args.get("section")
    language = args.get("language")
    return service.CommentFilters(
        kind=pick(Kind, "kind"),
        section=section if section in SECTION_LABELS else None,
        group=pick(StakeholderGroup, "group"),
        language=language if language in CONTENT_LANGUAGES else None,
        sort="metoo" if args.get("sort") == "metoo" else "newest",
    )


def comments_context(proposal, offset: int = 0, after: service.Cursor | None = None) -> dict:
    """What the proposal page's comment section needs (used by the proposal page too)."""
    filters = filters_from_request()
    form = CommentForm()
    if not form.is_submitted():
        form.language.data = current_locale_code()
    from codesign.responselog.service import coverage

    settled, total = coverage(proposal.id)
    return {
        "coverage": (settled, total),
        "comment_page": service.list_comments(proposal, filters, offset=offset, after=after,
                                              user=current_user),
        "comment_filters": filters,
        "comment_tally": service.tally(proposal, g.district.suppression_threshold),
        "hidden_counts": hidden_counts(proposal.id),
        "comment_form": form,
        **filter_choices(),
    }


def filter_choices() -> dict:
    """The options of the comment filters (the comment list and the log's comment picker)."""
    return {
        "section_labels": SECTION_LABELS,
        "kind_labels": KIND_LABELS,
        "group_labels": STAKEHOLDER_LABELS,
        "language_choices": [(loc.code, loc.native_name) for loc in CONTENT_LANGUAGES.values()],
    }


def _back_to_proposal(proposal_id: int, anchor="comments"):
    """(By its number: after a commit, reading proposal.id would load the proposal again.)"""
    return redirect(url_for("proposals.show", proposal_id=proposal_id) + "#" + anchor, code=303)


@bp.route("/")
def index(proposal_id: int):
    """More comments: the next page as a page, or only its rows for htmx "show more"."""
    proposal = _proposal_or_404(proposal_id)
    offset = max(request.args.get("offset", 0, type=int), 0)
    after = request.args.get("after", 0, type=int)
    cursor = service.Cursor(after, max(request.args.get("metoo", 0, type=int), 0)) if after > 0 else None
    context = comments_context(proposal, offset, cursor)
    if htmx and not htmx.history_restore_request:
        body = render_template("comments/_rows.html", proposal=proposal, action_form=Form(), **context)
    else:
        body = render_template("comments/index.html", proposal=proposal, action_form=Form(), **context)
    response = make_response(body)
    response.vary.add("HX-Request")
    return response


@bp.route("/", methods=["POST"])
@login_required
@per_person("10 per minute")
def create(proposal_id: int):
    """Post a comment on the current version."""
    proposal = published_proposal_or_404(g.district, proposal_id, with_version=False)  # (the texts: only if it fails)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            comment = service.post_comment(
                proposal, current_user, kind=Kind(form.kind.data), section=form.section.data,
                body=form.body.data, language=form.language.data,
            )
        except service.CommentError as error:
            form.form_errors.append(COMMENT_ERRORS[error.code])
        else:
            if comment.held:
                flash(held_message(comment), "warning")
            else:
                flash(_("Thank you. Your comment is posted."), "success")
            return _back_to_proposal(proposal_id, f"comment-{comment.id}")
    # Show the form again with what the person typed and what to fix; nothing is lost.
    from codesign.proposals.views import proposal_page

    return proposal_page(proposal, comment_form=form, status=422)


@bp.route("/<int:comment_id>/")
def show(proposal_id: int, comment_id: int):
    """One comment with its replies: its permanent address, and where people reply."""
    proposal = _proposal_or_404(proposal_id)
    comment = _comment_or_404(proposal, comment_id)
    top = comment if comment.parent_id is None else _comment_or_404(proposal, comment.parent_id)
    page = service.CommentPage(comments=[top])
    page.replies[top.id] = service.list_replies(top)
    from codesign.community.service import session_labels
    from codesign.responselog.service import sequences_of

    # (Both looked up whether or not this comment has them: the page costs the same for every comment.)
    page.entry_sequences = sequences_of({top.addressed_in_id} - {None}, even_if_none=True)
    page.sessions = session_labels({top.session_id} - {None}, even_if_none=True)
    return render_template(
        "comments/show.html", proposal=proposal, comment=top, comment_page=page,
        reply_form=ReplyForm(parent_id=top.id), action_form=Form(),
        answer_form=AnswerForm(answer=top.official_answer),
        disposition_form=DispositionForm(disposition=top.disposition.value, reason=top.disposition_reason,
                                         duplicate_of=top.duplicate_of_id),
        is_staff=has_role(current_user, g.district, Role.STAFF),
        can_edit=service.can_edit(top, current_user),
        flag_form=FlagForm(),
        flags=service.flags_of(top) if has_role(current_user, g.district, Role.STAFF) else [],
    )


@bp.route("/<int:comment_id>/reply", methods=["POST"])
@login_required
@per_person("10 per minute")
def reply(proposal_id: int, comment_id: int):
    """Reply to a top-level comment (one level of replies)."""
    proposal = _proposal_or_404(proposal_id)
    parent = _comment_or_404(proposal, comment_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            created = service.post_comment(
                proposal, current_user, kind=Kind.QUESTION if parent.kind == Kind.QUESTION else parent.kind,
                section=parent.section, body=form.body.data, language=current_locale_code(),
                parent_id=parent.id,
            )
        except service.CommentError as error:
            flash(COMMENT_ERRORS[error.code], "error")
        else:
            flash(held_message(created) if created.held else _("Thank you. Your reply is posted."),
                  "warning" if created.held else "success")
            return redirect(url_for("comments.show", proposal_id=proposal.id, comment_id=parent.id)
                            + f"#comment-{created.id}", code=303)
    else:
        flash_form_errors(form)
    return redirect(url_for("comments.show", proposal_id=proposal.id, comment_id=parent.id) + "#reply",
                    code=303)


@bp.route("/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int, comment_id: int):
    """The author corrects their comment within 15 minutes."""
    proposal = _proposal_or_404(proposal_id)
    comment = _comment_or_404(proposal, comment_id)
    if comment.author_id != current_user.id:
        abort(403)
    form = EditForm(body=comment.moderated_body or comment.body)  # a held comment waits in moderated_body
    if form.validate_on_submit():
        try:
            service.edit_comment(comment, current_user, form.body.data)
        except service.CommentError as error:
            form.form_errors.append(COMMENT_ERRORS[error.code])
        else:
            flash(held_message(comment) if comment.held else _("Your comment is updated."),
                  "warning" if comment.held else "success")
            return redirect(url_for("comments.show", proposal_id=proposal.id, comment_id=comment.id), code=303)
    return render_template("comments/edit.html", proposal=proposal, comment=comment, form=form), (
        422 if form.errors or form.form_errors else 200
    )


@bp.route("/<int:comment_id>/withdraw", methods=["POST"])
@login_required
def withdraw(proposal_id: int, comment_id: int):
    """The author withdraws their comment: the text goes, the fact stays."""
    proposal = _proposal_or_404(proposal_id)
    comment = _comment_or_404(proposal, comment_id)
    if comment.author_id != current_user.id:
        abort(403)
    if Form().validate_on_submit():
        service.withdraw_comment(comment, current_user)
        flash(_("Your comment is withdrawn."), "success")
    return redirect(url_for("comments.show", proposal_id=proposal.id, comment_id=comment.id), code=303)


@bp.route("/<int:comment_id>/metoo", methods=["POST"])
@login_required
@per_person("60 per minute")
def metoo(proposal_id: int, comment_id: int):
    """Say "me too" to someone else's comment."""
    proposal = _proposal_or_404(proposal_id)
    comment = _comment_or_404(proposal, comment_id)
    if Form().validate_on_submit():
        try:
            service.me_too(comment, current_user)
        except service.CommentError as error:
            flash(COMMENT_ERRORS[error.code], "error")
        else:
            flash(_("Noted: you agree with this comment."), "success")
    return _back_to_proposal(proposal_id, f"comment-{comment_id}")


@bp.route("/<int:comment_id>/answer", methods=["POST"])
def answer(proposal_id: int, comment_id: int):
    """The district answers a comment officially (staff)."""
    require_role(g.district, Role.STAFF)
    proposal = _proposal_or_404(proposal_id)
    comment = _comment_or_404(proposal, comment_id)
    form = AnswerForm()
    if form.validate_on_submit():
        service.answer_comment(comment, form.answer.data)
        flash(_("The answer is published with the comment."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("comments.show", proposal_id=proposal.id, comment_id=comment.id), code=303)


@bp.route("/<int:comment_id>/disposition", methods=["POST"])
def disposition(proposal_id: int, comment_id: int):
    """Set where a comment stands: open, answered, response log, out of scope, duplicate (staff)."""
    require_role(g.district, Role.STAFF)
    proposal = _proposal_or_404(proposal_id)
    comment = _comment_or_404(proposal, comment_id)
    form = DispositionForm()
    if form.validate_on_submit():
        try:
            service.set_disposition(comment, Disposition(form.disposition.data),
                                    reason=form.reason.data or "", duplicate_of_id=form.duplicate_of.data)
        except service.CommentError as error:
            flash(COMMENT_ERRORS[error.code], "error")
        else:
            flash(_("The comment's status is saved."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("comments.show", proposal_id=proposal.id, comment_id=comment.id), code=303)


@bp.route("/<int:comment_id>/flag", methods=["POST"])
@login_required
@per_person("20 per hour")
def flag(proposal_id: int, comment_id: int):
    """Ask the district's moderators to look at a comment, with a reason."""
    proposal = _proposal_or_404(proposal_id)
    comment = _comment_or_404(proposal, comment_id)
    form = FlagForm()
    if form.validate_on_submit():
        try:
            service.flag_comment(comment, current_user, FlagReason(form.reason.data), form.note.data or "")
        except service.CommentError as error:
            flash(COMMENT_ERRORS[error.code], "error")
        else:
            flash(_("Thank you. The district's moderators will look at this comment."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("comments.show", proposal_id=proposal.id, comment_id=comment.id), code=303)
