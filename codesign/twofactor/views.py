"""Set up and switch off two-step sign-in, and the code step of signing in."""
from __future__ import annotations

import time

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from codesign.accounts.service import check_password
from codesign.extensions import db, limiter
from codesign.forms import add_error
from codesign.qr import qr_svg
from codesign.twofactor import bp, service
from codesign.twofactor.forms import CodeForm, DisableForm

PENDING = "_two_factor_pending"
SETUP_SECRET = "_two_factor_setup"
PENDING_SECONDS = 300
MAX_TRIES = 5

ERRORS = {
    "wrong_code": _l("That code is not right, or it was already used. Wait for the next code and try again."),
}


def start_pending(user, next_url: str | None) -> None:
    """The password was right; the code comes next, within five minutes."""
    session.clear()
    session[PENDING] = {"user": user.id, "token": user.session_token, "at": int(time.time()),
                        "next": next_url or "", "tries": 0}


def _pending_user():
    from codesign.accounts.models import User

    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, None
    user = db.session.get(User, pending.get("user"))
    if user is None or user.session_token != pending.get("token") or not user.two_factor:
        return None, None
    return user, pending


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("10 per minute;60 per hour", methods=["POST"])
def code():
    """The second step of signing in: the code from the authenticator app."""
    from codesign.accounts.views import finish_sign_in

    if current_user.is_authenticated:  # already in: nothing to do here
        return redirect(url_for("main.home"))
    user, pending = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Please sign in again: the code step waits only five minutes."), "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if service.check(user, form.code.data):
            return finish_sign_in(user, pending["next"])
        pending["tries"] += 1
        if pending["tries"] >= MAX_TRIES:
            session.pop(PENDING, None)
            flash(_("Too many wrong codes. Please sign in again."), "error")
            return redirect(url_for("accounts.login"), code=303)
        session[PENDING] = pending
        add_error(form, "code", ERRORS["wrong_code"])
    return render_template("twofactor/code.html", form=form), 422 if form.errors else 200


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def setup():
    """Turn two-step sign-in on (staff, board members and admins), or see that it is on."""
    user = current_user._get_current_object()
    if not user.two_factor and not service.eligible(user):
        abort(403)
    if user.two_factor:
        return render_template("twofactor/on.html", form=DisableForm(),
                               required_by=service.requiring_districts(user))
    secret = session.get(SETUP_SECRET) or service.new_secret()
    session[SETUP_SECRET] = secret
    form = CodeForm()
    if form.validate_on_submit():
        try:
            service.enable(user, secret, form.code.data)
        except service.TwoFactorError as error:
            add_error(form, error.field, ERRORS[error.code])
        else:
            session.pop(SETUP_SECRET, None)
            flash(_("Two-step sign-in is on. From now on you will enter a code from your app after your password."),
                  "success")
            return redirect(url_for("accounts.account"), code=303)
    uri = service.setup_uri(user, secret)
    return render_template(
        "twofactor/setup.html", form=form, secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        qr=qr_svg(uri, title=_("QR code to add this account to your authenticator app")),
        required_by=service.requiring_districts(user),
    ), 422 if form.errors else 200


@bp.route("/account/two-factor/disable", methods=["POST"])
@login_required
def disable():
    """Switch it off: needs the password and a current code."""
    user = current_user._get_current_object()
    if not user.two_factor:
        return redirect(url_for("twofactor.setup"), code=303)
    form = DisableForm()
    if form.validate_on_submit():
        if not check_password(user, form.password.data):
            add_error(form, "password", _("That is not your password."))
        else:
            try:
                service.disable(user, form.code.data)
            except service.TwoFactorError as error:
                add_error(form, error.field, ERRORS[error.code])
            else:
                flash(_("Two-step sign-in is off."), "success")
                return redirect(url_for("accounts.account"), code=303)
    return render_template("twofactor/on.html", form=form, required_by=service.requiring_districts(user)), 422


def after_password(user):
    """Where signing in goes after a right password: the code step, or in."""
    from codesign.accounts.views import finish_sign_in

    next_url = request.args.get("next")
    if user.two_factor:
        start_pending(user, next_url)
        return redirect(url_for("twofactor.code"), code=303)
    return finish_sign_in(user, next_url)
