"""Translating proposals: the side-by-side editor, readers' requests and the staff dashboard."""
from __future__ import annotations

import secrets

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from codesign.authz import require_role
from codesign.content_translations import bp, service
from codesign.content_translations.models import ORIGIN_LABELS, Origin
from codesign.districts.models import Role
from codesign.extensions import limiter
from codesign.forms import Form
from codesign.i18n import current_locale_code, locale_name
from codesign.proposals.models import VERSION_FIELD_LABELS
from codesign.proposals.service import published_proposal_or_404

BROWSER_COOKIE = "codesign_browser"
TRANSLATION_ERRORS = {
    "bad_locale": _l("The district does not offer that language."),
    "bad_field": _l("Only the proposal's own texts can be translated."),
    "too_long": _l("That translation is too long."),
}


def requesters() -> list[str]:
    """Who is asking: the account, and this browser (people without an account ask too)."""
    found = []
    if current_user.is_authenticated:
        found.append(f"user:{current_user.id}")
    browser = request.cookies.get(BROWSER_COOKIE, "")
    if browser.isalnum() and len(browser) == 32:
        found.append(f"browser:{browser}")
    return found


@bp.route("/proposals/<int:proposal_id>/translate/<locale>", methods=["GET", "POST"])
def editor(proposal_id: int, locale: str):
    """The original beside a box for each translated field (staff)."""
    require_role(g.district, Role.STAFF)
    proposal = published_proposal_or_404(g.district, proposal_id)
    if locale not in g.district.language_codes or locale == g.district.default_locale:
        abort(404)
    version = proposal.current_version
    saved = service.translations_of(proposal.id, locale)
    form = Form()
    error = None
    if form.validate_on_submit():
        texts = {name: request.form.get(f"t-{name}", "") for name in service.FIELDS}
        seen = {name: request.form.get(f"h-{name}", "") for name in service.FIELDS}
        try:
            origin = Origin(request.form.get("origin", Origin.DISTRICT.value))
            service.save(proposal, g.district, current_user, locale, texts, seen, origin)
        except ValueError:
            abort(400)
        except service.TranslationError as failure:
            error = str(TRANSLATION_ERRORS[failure.code])
        else:
            flash(_("The %(language)s translation is saved.", language=locale_name(locale)), "success")
            return redirect(url_for("content_translations.editor", proposal_id=proposal.id, locale=locale), code=303)
    localized = service.localize(proposal, version, locale, g.district.default_locale)
    return render_template(
        "content_translations/editor.html", proposal=proposal, version=version, locale=locale, form=form,
        saved=saved, localized=localized, field_labels=VERSION_FIELD_LABELS, origin_labels=ORIGIN_LABELS,
        hashes={name: service.source_hash(getattr(version, name)) for name in service.FIELDS}, error=error,
        typed=request.form if error else None,
    ), 422 if error else 200


@bp.route("/proposals/<int:proposal_id>/request-translation", methods=["POST"])
@limiter.limit("20 per hour")
def request_translation(proposal_id: int):
    """Ask for this proposal in my language: once per person or browser, counted for staff."""
    proposal = published_proposal_or_404(g.district, proposal_id)
    locale = current_locale_code()
    response = redirect(url_for("proposals.show", proposal_id=proposal.id) + "#translation", code=303)
    if not Form().validate_on_submit():
        abort(400)
    if locale == g.district.default_locale:
        return response
    who = requesters()
    if not who:
        token = secrets.token_hex(16)
        response.set_cookie(BROWSER_COOKIE, token, max_age=3 * 365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=request.is_secure)
        who = [f"browser:{token}"]
    if service.has_requested(proposal, locale, who):
        flash(_("You already asked for this translation. Thank you!"), "info")
    else:
        service.request_translation(proposal, locale, who[0])
        flash(_("Thank you. The district sees how many people ask for each language."), "success")
    return response


@bp.route("/translations")
def dashboard():
    """For each language: which proposals are missing or outdated, most requested first."""
    require_role(g.district, Role.STAFF)
    return render_template("content_translations/dashboard.html", rows=service.dashboard(g.district))


def translation_context(proposal, version) -> dict:
    """What the proposal page needs to show the reader's language: texts, state, their request."""
    locale = current_locale_code()
    localized = service.localize(proposal, version, locale, g.district.default_locale)
    return {
        "localized": localized,
        "origin_labels": ORIGIN_LABELS,
        "translation_requested": localized.state in ("missing", "partial")
        and service.has_requested(proposal, locale, requesters()),
    }
