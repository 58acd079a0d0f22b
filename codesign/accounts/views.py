"""Register, sign in, sign out, change password."""
from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from codesign.accounts import bp, service
from codesign.accounts.forms import (
    ChangePasswordForm,
    EmailAddressForm,
    EmailPreferencesForm,
    LoginForm,
    RegisterForm,
)
from codesign.accounts.models import StakeholderGroup
from codesign.accounts.sessions import start as start_session_clock
from codesign.districts.service import district_for_registration, districts_with_roles
from codesign.extensions import limiter, per_person
from codesign.forms import Form, add_error, flash_form_errors
from codesign.i18n import current_locale_code, normalize_locale
from codesign.twofactor.service import SECURED_ROLES
from codesign.urls import safe_next_url

ACCOUNT_ERRORS = {
    "username_taken": _l("That username is taken. Please choose another."),
    "email_taken": _l("An account already uses that email. Sign in instead, or leave email empty."),
    "wrong_password": _l("Your current password is not right."),
    "no_email": _l("Your account has no email, so we cannot send you emails. You will still find answers under “What happened to my input”."),
}
ACCOUNT_ERRORS_CONFIRM = {
    "email_taken": _l("Another account has used this email since. Choose another address on your account page."),
}


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


def _login_name_key() -> str:
    return "login:" + (request.form.get("login") or "").strip().lower()[:254]


def finish_sign_in(user, next_url: str | None):
    """Sign in (the password, and the code if they use one, were right) and go on; someone whose
    district requires two-step sign-in and who has not set it up is sent to do so."""
    from codesign.recovery.service import take_staff_code_notice
    from codesign.twofactor.service import requiring_districts

    sign_in_anew(user)
    issued = take_staff_code_notice(user)
    if issued is not None:
        flash(_("On %(date)s district staff made a one-time code to reset your password. If you did not ask them "
                "for it, please tell the district.", date=format_date(issued, "long")), "warning")
    if not user.two_factor and requiring_districts(user):
        flash(_("You are signed in. Your district asks staff and board members to use two-step sign-in: "
                "set it up now to use your role."), "warning")
        return redirect(url_for("twofactor.setup"), code=303)
    flash(_("You are signed in."), "success")
    if not next_url:
        from codesign.staffhome.service import staff_district_slug

        slug = staff_district_slug(user)
        if slug is not None:  # district staff land on what needs them
            return redirect(url_for("staffhome.home", district_slug=slug), code=303)
    return redirect(safe_next_url(next_url), code=303)


def sign_in_anew(user) -> None:
    """Start a fresh session for user, keeping only the person's language choice."""
    session.clear()
    login_user(user)
    start_session_clock(user)
    service.record_sign_in(user)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    """Create an account (13 and older); younger people are shown how else to take part."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if request.method == "GET":
        form.preferred_locale.data = normalize_locale(request.args.get("lang")) or current_locale_code()
    if request.method == "POST" and form.age_13_or_older.data == "no":
        return redirect(url_for("accounts.under_13"), code=303)
    if form.validate_on_submit():
        if form.website.data:  # only a robot fills the hidden field
            add_error(form, None, _("We could not create the account. Please try again."))
            return render_template("accounts/register.html", form=form), 422
        try:
            user = service.register_user(
                username=form.username.data,
                email=form.email.data,
                display_name=form.display_name.data or "",
                password=form.password.data,
                stakeholder_group=StakeholderGroup(form.stakeholder_group.data),
                preferred_locale=form.preferred_locale.data,
                district=district_for_registration(request.args.get("district")),
                email_when_answered=form.email_when_answered.data,
            )
        except service.AccountError as error:
            getattr(form, error.field).errors.append(ACCOUNT_ERRORS[error.code])
        else:
            from codesign.recovery import service as recovery
            from codesign.recovery.views import stash_new_code

            sign_in_anew(user)
            stash_new_code(recovery.new_recovery_code(user))
            flash(_("Welcome! Your account is ready."), "success")
            # First the recovery code, shown once, then on to where they were going.
            return redirect(url_for("recovery.recovery_code", next=safe_next_url(request.args.get("next"))),
                            code=303)
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


@bp.route("/register/under-13")
def under_13():
    """Explain, kindly, how children under 13 take part without an account."""
    return render_template("accounts/under_13.html")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_name_key)
def login():
    """Sign in with a username or email and a password."""
    if current_user.is_authenticated:
        return redirect(safe_next_url(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.login.data, form.password.data)
        if user is not None:
            from codesign.twofactor.views import after_password

            return after_password(user)
        # One message whether or not the account exists, so nobody can probe for accounts.
        form.form_errors.append(_("That username or email and password do not match an account."))
    return render_template("accounts/login.html", form=form), 422 if form.errors or form.form_errors else 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out here and everywhere else."""
    service.end_all_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("main.home"), code=303)


@bp.route("/account")
@login_required
def account():
    """The signed-in person's account page."""
    return _account_page(EmailAddressForm(formdata=None))


def _account_page(address_form, status: int = 200):
    """The account page; with an email address form that was refused, it shows what is wrong
    beside what the person typed."""
    roles = districts_with_roles(current_user._get_current_object())
    return render_template(
        "accounts/account.html", roles=roles, email_form=EmailPreferencesForm.of(current_user),
        address_form=address_form,
        two_factor_eligible=current_user.is_admin or any(role in SECURED_ROLES for _district, role in roles),
    ), status


@bp.route("/account/email", methods=["POST"])
@login_required
def email_preferences():
    """Which notifications the person also gets by email, and when."""
    from codesign.notifications.service import ChoiceError, set_email_choices

    form = EmailPreferencesForm()
    if form.validate_on_submit():
        try:
            set_email_choices(current_user._get_current_object(), form.choices())
        except ChoiceError as error:
            flash(str(ACCOUNT_ERRORS[error.code]), "error")
        else:
            flash(_("Your email choices are saved."), "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("accounts.account") + "#emails", code=303)


@bp.route("/account/email-address", methods=["POST"])
@login_required
@per_person("5 per hour")
def email_address():
    """Add or change the account's email: a link to the new address confirms it."""
    form = EmailAddressForm()
    if not form.validate_on_submit():
        return _account_page(form, 422)  # what was typed stays, with what is wrong
    if service.normalize_email(form.email.data) == current_user.email:
        flash(_("That is already your email."), "success")
    else:
        service.send_email_confirmation(current_user._get_current_object(), form.email.data)
        flash(_("We sent a link to %(email)s. Open it within 24 hours to confirm the address; until then "
                "nothing changes.", email=service.normalize_email(form.email.data)), "success")
    return redirect(url_for("accounts.account") + "#emails", code=303)


@bp.route("/account/email-address/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def confirm_email(token: str):
    """The emailed link: a button confirms the address (mail programs that open links to check
    them only GET, which changes nothing). It works once, for a day, signed in or not."""
    change = service.email_change_of(token)
    if change is None:
        return render_template("accounts/confirm_email.html", expired=True), 410
    user, email = change
    form = Form()
    error = None
    if form.validate_on_submit():
        try:
            service.confirm_email(user, email)
        except service.AccountError as failure:
            error = ACCOUNT_ERRORS_CONFIRM[failure.code]
        else:
            flash(_("Your email is now %(email)s.", email=email), "success")
            target = "accounts.account" if current_user.is_authenticated else "accounts.login"
            return redirect(url_for(target), code=303)
    return render_template("accounts/confirm_email.html", expired=False, email=email, form=form,
                           error=error), 422 if error else 200


@bp.route("/account/email-address/remove", methods=["POST"])
@login_required
def remove_email():
    """Take the email off the account: no email is sent any more."""
    if Form().validate_on_submit() and current_user.email:
        service.remove_email(current_user._get_current_object())
        flash(_("Your account has no email now, and we send you none."), "success")
    return redirect(url_for("accounts.account") + "#emails", code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change password; every other session ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            service.change_password(user, form.current_password.data, form.new_password.data)
        except service.AccountError as error:
            getattr(form, error.field).errors.append(ACCOUNT_ERRORS[error.code])
        else:
            sign_in_anew(user)
            flash(_("Your password is changed. You were signed out everywhere else."), "success")
            return redirect(url_for("accounts.account"), code=303)
    return render_template("accounts/change_password.html", form=form), 422 if form.errors else 200


@bp.route("/account/input")
@login_required
def my_input():
    """What happened to my input: each comment, its status, the district's answer and log entry."""
    from codesign.comments.service import input_of

    return render_template("accounts/my_input.html", rows=input_of(current_user._get_current_object()))
