"""The moderation queue: held and reported comments, and hidden ones to restore (district staff)."""
from __future__ import annotations

from babel.lists import format_list
from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from codesign.authz import require_role
from codesign.comments.models import HideCategory
from codesign.districts.models import Role
from codesign.forms import Form, add_error, flash_form_errors
from codesign.moderation import bp, pii, service
from codesign.moderation.forms import HideForm, RedactForm
from codesign.moderation.fragments import actions_key, item_key

ERRORS = {
    "not_held": _l("That comment is no longer waiting: someone else decided first."),
    "not_visible": _l("That comment is no longer public, so there is nothing to keep."),
    "not_hidden": _l("That comment is not hidden."),
    "withdrawn": _l("The author withdrew that comment, so there is nothing to moderate."),
    "no_passage": _l("Enter the text to remove."),
    "passage_not_found": _l("Copy each passage exactly as it appears in the comment, one per line."),
}


@bp.app_template_global()
def pii_list(kinds: str) -> str:
    """"an email address and a phone number", in the reader's language."""
    return format_list(pii.labels(kinds), locale=get_locale())


def _comment_or_404(comment_id: int):
    comment = service.get_district_comment(g.district, comment_id)
    if comment is None:
        abort(404)
    return comment


def _forms(item_id: int) -> tuple[HideForm, RedactForm]:
    return HideForm(prefix=f"hide-{item_id}"), RedactForm(prefix=f"redact-{item_id}")


def _queue_page(failed: RedactForm | None = None, failed_id: int | None = None, status: int = 200):
    def item_forms(comment_id: int) -> tuple[HideForm, RedactForm]:
        """An item's forms, made only for items whose actions are not kept (the page keeps them
        for everyone but the one whose redaction was refused: it comes back as typed)."""
        hide_form, redact_form = _forms(comment_id)
        return hide_form, (failed if failed is not None and comment_id == failed_id else redact_form)

    return render_template("moderation/queue.html", queue=service.queue(g.district), item_forms=item_forms,
                           failed_id=failed_id if failed is not None else None, action_form=Form(),
                           text_of=service.text_of, item_key=item_key,
                           actions_key=actions_key), status


@bp.route("/")
def queue():
    """Comments waiting for a decision, oldest first, and those hidden."""
    require_role(g.district, Role.STAFF)
    return _queue_page()


def _back():
    return redirect(url_for("moderation.queue"), code=303)


def _decide(comment_id: int, action, message):
    require_role(g.district, Role.STAFF)
    comment = _comment_or_404(comment_id)
    if Form().validate_on_submit():
        try:
            action(comment)
        except service.ModerationError as error:
            flash(ERRORS[error.code], "error")
        else:
            flash(message, "success")
    return _back()


@bp.route("/<int:comment_id>/publish", methods=["POST"])
def publish(comment_id: int):
    """A held comment is fine: publish it as it is."""
    return _decide(comment_id, service.publish, _("The comment is published."))


@bp.route("/<int:comment_id>/keep", methods=["POST"])
def keep(comment_id: int):
    """A reported comment is fine: keep it and clear it from the queue."""
    return _decide(comment_id, service.keep, _("The comment stays as it is."))


@bp.route("/<int:comment_id>/restore", methods=["POST"])
def restore(comment_id: int):
    """Undo a hide."""
    return _decide(comment_id, service.restore, _("The comment is public again."))


@bp.route("/<int:comment_id>/hide", methods=["POST"])
def hide(comment_id: int):
    """Hide a comment; a placeholder with the category stays in its place."""
    require_role(g.district, Role.STAFF)
    comment = _comment_or_404(comment_id)
    form = HideForm(prefix=f"hide-{comment.id}")
    if form.validate_on_submit():
        try:
            service.hide(comment, HideCategory(form.category.data))
        except service.ModerationError as error:
            flash(ERRORS[error.code], "error")
        else:
            flash(_("The comment is hidden. Its place shows why."), "success")
    else:
        flash_form_errors(form)
    return _back()


@bp.route("/<int:comment_id>/redact", methods=["POST"])
def redact(comment_id: int):
    """Cut passages out of a comment and publish the rest."""
    require_role(g.district, Role.STAFF)
    comment = _comment_or_404(comment_id)
    form = RedactForm(prefix=f"redact-{comment.id}")
    if form.validate_on_submit():
        try:
            service.redact(comment, form.passages.data.replace("\r\n", "\n").split("\n"),
                           HideCategory(form.category.data))
        except service.ModerationError as error:
            add_error(form, error.field, ERRORS[error.code])
        else:
            flash(_("The passage is removed and the rest of the comment is published."), "success")
            return _back()
    # Show the queue again with what the moderator typed and what to fix.
    return _queue_page(failed=form, failed_id=comment.id, status=422)
