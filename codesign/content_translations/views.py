"""Translating proposals: the side-by-side editor, readers' requests and the staff dashboard."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from codesign.authz import has_role, require_role
from codesign.content_translations import bp, service
from codesign.content_translations.kinds import KINDS
from codesign.content_translations.models import ORIGIN_LABELS, Origin
from codesign.districts.models import Role
from codesign.extensions import db, per_person
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


def confirmed_fields(names) -> frozenset[str]:
    """Outdated fields whose translator ticked "still right for the changed original"."""
    return frozenset(name for name in names if request.form.get(f"ok-{name}"))


def _edit(locale: str, names, source, saved: dict, write, localized, **page):
    """The side-by-side editor: the original of each field beside a box for its translation.
    The form sends back the hash of each original shown, so a racing source edit is noticed."""
    if locale not in g.district.language_codes or locale == g.district.default_locale:
        abort(404)
    form = Form()
    error = None
    if form.validate_on_submit():
        texts = {name: request.form.get(f"t-{name}", "") for name in names}
        seen = {name: request.form.get(f"h-{name}", "") for name in names}
        try:
            write(texts, seen, Origin(request.form.get("origin", Origin.DISTRICT.value)), confirmed_fields(names))
        except ValueError:
            abort(400)
        except service.TranslationError as failure:
            error = str(TRANSLATION_ERRORS[failure.code])
        else:
            flash(_("The %(language)s translation is saved.", language=locale_name(locale)), "success")
            return redirect(request.path, code=303)
    localized = localized()
    return render_template(
        "content_translations/editor.html", locale=locale, form=form, saved=saved, localized=localized,
        current_origin=localized.origin or Origin.DISTRICT,
        origin_labels=ORIGIN_LABELS, sources={name: getattr(source, name) or "" for name in names},
        hashes={name: service.source_hash(getattr(source, name)) for name in names}, error=error,
        typed=request.form if error else None, **page,
    ), 422 if error else 200


@bp.route("/proposals/<int:proposal_id>/translate/<locale>", methods=["GET", "POST"])
def editor(proposal_id: int, locale: str):
    """A proposal's current version beside its translation (staff)."""
    require_role(g.district, Role.STAFF)
    proposal = published_proposal_or_404(g.district, proposal_id)
    version = proposal.current_version
    return _edit(
        locale, service.FIELDS, version, service.translations_of(proposal.id, locale),
        lambda texts, seen, origin, confirmed: service.save(proposal, g.district, current_user, locale, texts, seen,
                                                            origin, confirmed),
        lambda: service.localize(proposal, version, locale, g.district.default_locale),
        field_labels=VERSION_FIELD_LABELS, title=version.title, version_number=version.number,
        reader_url=url_for("proposals.show", proposal_id=proposal.id),
    )


def _subject_or_404(kind_name: str, subject_id: int):
    kind = KINDS.get(kind_name)
    if kind is None:
        abort(404)
    found = db.session.scalar(db.select(kind.model).where(
        kind.model.id == subject_id, kind.model.district_id == g.district.id, kind.public()))
    if found is None:
        abort(404)
    return kind, found


@bp.route("/translate/<kind_name>/<int:subject_id>/<locale>", methods=["GET", "POST"])
def text_editor(kind_name: str, subject_id: int, locale: str):
    """A session's, log entry's or organization's texts beside their translation (staff)."""
    require_role(g.district, Role.STAFF)
    kind, subject = _subject_or_404(kind_name, subject_id)
    return _edit(
        locale, kind.field_names, subject, service.texts_of(kind, [subject.id], locale).get(subject.id, {}),
        lambda texts, seen, origin, confirmed: service.save_texts(kind, subject, g.district, current_user, locale,
                                                                  texts, seen, origin, confirmed),
        lambda: service.localize_all(kind, [subject], locale, g.district.default_locale)[subject.id],
        field_labels=kind.fields, title=kind.title(subject), version_number=None, reader_url=kind.reader_url(subject),
    )


def remember_request(already_asked, ask, response):
    """One request per person, or per browser for people without an account."""
    who = requesters()
    if not who:
        token = secrets.token_hex(16)
        response.set_cookie(BROWSER_COOKIE, token, max_age=3 * 365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=request.is_secure)
        who = [f"browser:{token}"]
    if already_asked(who):
        flash(_("You already asked for this translation. Thank you!"), "info")
    else:
        ask(who[0])
        flash(_("Thank you. The district sees how many people ask for each language."), "success")
    return response


@bp.route("/proposals/<int:proposal_id>/request-translation", methods=["POST"])
@per_person("20 per hour")
def request_translation(proposal_id: int):
    """Ask for this proposal in my language: once per person or browser, counted for staff."""
    proposal = published_proposal_or_404(g.district, proposal_id)
    locale = current_locale_code()
    response = redirect(url_for("proposals.show", proposal_id=proposal.id) + "#translation", code=303)
    if not Form().validate_on_submit():
        abort(400)
    if locale == g.district.default_locale:
        return response
    return remember_request(lambda who: service.has_requested(proposal, locale, who),
                             lambda who: service.request_translation(proposal, locale, who), response)


@bp.route("/translate/<kind_name>/<int:subject_id>/request", methods=["POST"])
@per_person("20 per hour")
def request_text(kind_name: str, subject_id: int):
    """Ask for a session, log entry or organization page in my language."""
    kind, subject = _subject_or_404(kind_name, subject_id)
    locale = current_locale_code()
    response = redirect(kind.reader_url(subject) + "#translation", code=303)
    if not Form().validate_on_submit():
        abort(400)
    if locale == g.district.default_locale or locale not in g.district.language_codes:
        return response
    return remember_request(lambda who: service.has_requested_text(kind.name, subject, locale, who),
                             lambda who: service.request_text(kind.name, subject, g.district, locale, who), response)


@bp.route("/translations")
def dashboard():
    """For each language: which proposals are missing or outdated, most requested first."""
    require_role(g.district, Role.STAFF)
    return render_template("content_translations/dashboard.html", rows=service.dashboard(g.district))


@dataclass
class Notice:
    """What the reader is told about the language of what they read (see _notice.html)."""

    localized: service.Localized
    request_url: str
    requested: bool
    original_url: str
    changes_url: str | None = None  # proposals only: the diff since the translated version
    proposal: bool = False
    editors: tuple = ()  # (language code, editor URL) for staff

    @property
    def origin_label(self):
        return ORIGIN_LABELS.get(self.localized.origin) if self.localized.origin else None


def translation_context(proposal, version) -> dict:
    """What the proposal page needs to show the reader's language: texts, state, their request."""
    locale = current_locale_code()
    localized = service.localize(proposal, version, locale, g.district.default_locale)
    requested = localized.state in ("missing", "partial") and service.has_requested(proposal, locale, requesters())
    return {
        "localized": localized,
        "translation_notice": Notice(
            localized, url_for("content_translations.request_translation", proposal_id=proposal.id), requested,
            url_for("proposals.show", proposal_id=proposal.id, lang=g.district.default_locale),
            url_for("proposals.changes", proposal_id=proposal.id,
                    **{"from": localized.from_version or 1, "to": proposal.current_version.number}),
            proposal=True),
    }


def text_context(kind_name: str, subject, localized: service.Localized | None = None) -> dict:
    """The same for a session, log entry or organization page: `texts` and the notice."""
    kind = KINDS[kind_name]
    locale = current_locale_code()
    if localized is None:
        localized = service.localize_all(kind, [subject], locale, g.district.default_locale)[subject.id]
    requested = localized.state in ("missing", "partial") and service.has_requested_text(
        kind.name, subject, locale, requesters())
    return {
        "texts": localized,
        "translation_notice": Notice(
            localized, url_for("content_translations.request_text", kind_name=kind.name, subject_id=subject.id),
            requested, kind.reader_url(subject, lang=g.district.default_locale),
            editors=tuple(
                (code, url_for("content_translations.text_editor", kind_name=kind.name, subject_id=subject.id,
                               locale=code))
                for code in g.district.language_codes if code != g.district.default_locale
            ) if has_role(current_user, g.district, Role.STAFF) else ()),
    }


@bp.app_template_global()
def translated(kind_name: str, subjects) -> dict:
    """Texts of a list of sessions, entries or organizations in the reader's language, by id
    (one query for the whole list; none when the reader reads the original language)."""
    district = getattr(g, "district", None)
    original = district.default_locale if district else current_app.config["DEFAULT_LOCALE"]
    return service.localize_all(KINDS[kind_name], list(subjects), current_locale_code(), original)
