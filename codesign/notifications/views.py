"""Following a proposal, and the page of what a person has been told."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from codesign.extensions import csrf, db
from codesign.forms import Form
from codesign.notifications import bp, emails, follow_bp, service
from codesign.notifications.models import (
    EMAIL_CHOICE_LABELS,
    NOTIFICATION_LABELS,
    NotificationKind,
)

bp.after_app_request(emails.send_after_response)


@follow_bp.route("/follow", methods=["POST"])
@login_required
def follow(proposal_id: int):
    """Follow or stop following (the form's `follow` says which); back to the proposal."""
    from codesign.proposals.models import Proposal, ProposalStatus

    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.district_id != g.district.id or proposal.status == ProposalStatus.DRAFT:
        abort(404)
    if not Form().validate_on_submit():
        abort(400)
    if request.form.get("follow") == "1":
        service.follow(current_user, proposal.id)
        flash(_("You are following this proposal. We will tell you what happens to it."), "success")
    else:
        service.unfollow(current_user, proposal.id)
        flash(_("You no longer follow this proposal."), "success")
    db.session.commit()
    return redirect(url_for("proposals.show", proposal_id=proposal.id) + "#follow", code=303)


@bp.route("/account/notifications")
@login_required
def index():
    return render_template("notifications/index.html", shown=service.notifications_of(current_user),
                           labels=NOTIFICATION_LABELS, form=Form())


@bp.route("/account/notifications/<int:notification_id>")
@login_required
def go(notification_id: int):
    """Where a notification leads: what changed, the log entry, or the proposal (its district's
    address is found here, so the list needs no query per row)."""
    target = service.target_of(current_user, notification_id)
    if target is None:
        abort(404)
    endpoint, values = target
    return redirect(url_for(endpoint, **values), code=303)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the permission; mail programs post here with one click (RFC 8058)
def unsubscribe(token: str):
    """Stop one kind of email from a link in it, without signing in: a button, or one click."""
    target = service.unsubscribe_target(token)
    if target is None:
        return render_template("notifications/unsubscribe.html", expired=True), 410
    user, kind = target
    done = request.method == "POST"
    if done:
        service.unsubscribe(user, kind)
    what = _("The weekly summary email") if kind == "weekly" else EMAIL_CHOICE_LABELS[NotificationKind(kind)]
    return render_template("notifications/unsubscribe.html", expired=False, done=done, what=what)


@bp.route("/account/notifications/read", methods=["POST"])
@login_required
def mark_read():
    if Form().validate_on_submit():
        service.mark_all_read(current_user)
    return redirect(url_for("notifications.index"), code=303)
