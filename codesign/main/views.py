"""Home, language choice and platform-wide pages."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from codesign.accounts.service import set_preferred_locale
from codesign.districts.service import list_districts
from codesign.forms import Form
from codesign.i18n import LOCALE_COOKIE, normalize_locale
from codesign.main import bp
from codesign.urls import safe_next_url

LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600


@bp.route("/")
def home():
    """Lead to the districts; straight to the district when there is only one."""
    districts = list_districts()
    if len(districts) == 1:
        return redirect(url_for("districts.show", district_slug=districts[0].slug))
    return render_template("main/home.html", districts=districts)


@bp.route("/locale", methods=["POST"])
def set_locale():
    """Remember the interface language the person chose (cookie, and account if signed in)."""
    form = Form()
    code = normalize_locale(request.form.get("locale"))
    target = safe_next_url(request.form.get("next"))
    if not form.validate_on_submit() or code is None:
        flash(_("That language is not available. Please choose one from the list."), "error")
        return redirect(target, code=303)
    if current_user.is_authenticated:
        set_preferred_locale(current_user._get_current_object(), code)
    response = redirect(target, code=303)
    response.set_cookie(
        LOCALE_COOKIE,
        code,
        max_age=LOCALE_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.route("/privacy")
def privacy():
    """What the platform itself collects, in plain language."""
    return render_template("main/privacy.html")

