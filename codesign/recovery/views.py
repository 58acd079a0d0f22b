"""Getting back into an account: with a recovery code, or a code from district staff."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from codesign.accounts.service import find_user_by_login
from codesign.authz import require_role
from codesign.districts.models import Role
from codesign.extensions import limiter
from codesign.forms import Form, add_error
from codesign.recovery import bp, service, staff_bp
from codesign.recovery.forms import (
    EmailLinkForm,
    NewPasswordForm,
    RecoverForm,
    StaffCodeForm,
)
from codesign.urls import safe_next_url

NEW_CODE = "new_recovery_code"  # a code made at registration, until its page shows it (once)

ERRORS = {
    "no_match": _l("That username and code do not go together, or the code has expired. Check the code and try "
                   "again."),
    "locked": _l("Too many wrong codes for this username. For your safety, wait 15 minutes and try again, or ask "
                 "your district's staff for a one-time code."),
    "has_role": _l("Staff cannot give a code to someone with a role (staff, board member, facilitator) or to an "
                   "administrator: they need to recover their account with their own recovery code."),
    "unknown": _l("No one has that username. Check it with the person."),
}


def stash_new_code(code: str) -> None:
    """Keep a just-made recovery code for its page (registration redirects there)."""
    session[NEW_CODE] = code


@bp.route("/recover", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def recover():
    """Choose a new password with a recovery code or a staff code; then a new recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = RecoverForm()
    if form.validate_on_submit():
        try:
            recovered = service.recover(form.login.data, form.code.data, form.new_password.data)
        except service.RecoveryError as error:
            add_error(form, error.field, ERRORS[error.code])
        else:
            from codesign.accounts.views import sign_in_anew

            sign_in_anew(recovered.user)
            flash(_("Your password is changed, and you are signed in. You were signed out everywhere else."),
                  "success")
            return render_template("recovery/code.html", code=recovered.new_code, next_url=url_for("main.home"),
                                   after_recovery=True)
    return render_template("recovery/recover.html", form=form), 422 if form.errors or form.form_errors else 200


def _email_key() -> str:
    return "recover-email:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/recover/email", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit("3 per hour", methods=["POST"], key_func=_email_key)
def email_link():
    """A link to choose a new password, sent to the account's email; the same answer whether or
    not an account has that address."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = EmailLinkForm()
    if form.validate_on_submit():
        service.send_reset_link(form.email.data)
        flash(_("If an account has this email, we have sent it a link to choose a new password. The link works "
                "for one hour. Check your spam folder too."), "success")
        return redirect(url_for("recovery.email_link"), code=303)
    return render_template("recovery/email_link.html", form=form), 422 if form.errors else 200


@bp.route("/recover/link/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def reset_by_link(token: str):
    """The emailed link: choose a new password (the link then stops working)."""
    user = service.user_for_link(token)
    if user is None:
        return render_template("recovery/link_expired.html"), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        from codesign.accounts.views import sign_in_anew

        service.reset_with_link(user, form.new_password.data)
        sign_in_anew(user)
        flash(_("Your password is changed, and you are signed in. You were signed out everywhere else."), "success")
        return redirect(url_for("main.home"), code=303)
    return render_template("recovery/new_password.html", form=form), 422 if form.errors else 200


@bp.route("/account/recovery-code", methods=["GET", "POST"])
@login_required
def recovery_code():
    """Show a recovery code made at registration (once), or make a new one."""
    next_url = safe_next_url(request.args.get("next"))
    if request.method == "POST":
        if not Form().validate_on_submit():
            return redirect(url_for("recovery.recovery_code"), code=303)
        code = service.new_recovery_code(current_user._get_current_object())
        return render_template("recovery/code.html", code=code, next_url=url_for("accounts.account"))
    code = session.pop(NEW_CODE, None)
    return render_template("recovery/code.html", code=code, next_url=next_url, form=Form())


@staff_bp.route("/reset-codes", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def staff_code():
    """District staff give a one-time code to a participant who asks in person or by phone."""
    require_role(g.district, Role.STAFF)
    form = StaffCodeForm()
    issued = None
    if form.validate_on_submit():
        user = find_user_by_login(form.login.data)
        try:
            if user is None or "@" in form.login.data:
                raise service.RecoveryError("unknown", "login")
            issued = (user.username, service.issue_staff_code(g.district, current_user._get_current_object(), user))
        except service.RecoveryError as error:
            add_error(form, error.field, ERRORS[error.code])
    status = 422 if form.errors else 200
    return render_template("recovery/staff_code.html", form=StaffCodeForm(formdata=None) if issued else form,
                           issued=issued, lifetime_hours=int(service.STAFF_CODE_LIFETIME.total_seconds() // 3600)), status
