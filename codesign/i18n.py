"""Supported locales, how we choose one for each request, and text direction."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from flask import current_app, g, request
from flask_login import current_user

LOCALE_COOKIE = "codesign_locale"


@dataclass(frozen=True)
class SupportedLocale:
    code: str
    native_name: str
    direction: str  # "ltr" or "rtl"


def _describe(code: str) -> SupportedLocale:
    locale = Locale.parse(code)
    name = locale.get_display_name(locale) or code
    return SupportedLocale(code, name[:1].upper() + name[1:], locale.text_direction)


# The interface languages we ship a complete catalog for, in the order the switcher lists them.
SUPPORTED_LOCALE_CODES = ("en", "es", "zh", "vi", "ar", "so", "ht", "tl", "ko", "ru")
SUPPORTED_LOCALES: dict[str, SupportedLocale] = {
    code: _describe(code) for code in SUPPORTED_LOCALE_CODES
}


# Languages people may write in (and filter by): the ten most spoken in our districts' schools,
# wider than the interface languages shipped so far.
CONTENT_LANGUAGES: dict[str, SupportedLocale] = {
    code: _describe(code) for code in ("en", "es", "zh", "vi", "ar", "so", "ht", "tl", "ko", "ru")
}


def normalize_locale(value: str | None) -> str | None:
    """Return the supported locale code named by value (e.g. 'es-MX' -> 'es'), or None."""
    if not value or len(value) > 35:
        return None
    code = value.strip().replace("-", "_").split("_")[0].lower()
    return code if code in SUPPORTED_LOCALES else None


def offered_locales(district=None) -> list[SupportedLocale]:
    """The locales a person may switch to here: the district's offer, or all we ship."""
    if district is not None:
        codes = [c for c in district.language_codes if c in SUPPORTED_LOCALES]
        if codes:
            return [SUPPORTED_LOCALES[c] for c in codes]
    return list(SUPPORTED_LOCALES.values())


def select_locale() -> str:
    """A link's language, the person's explicit choice, their browser's languages, then the district default."""
    district = getattr(g, "district", None)
    allowed = [loc.code for loc in offered_locales(district)]
    # A link that names a language (?lang=es, as the kit's QR codes do) wins for that page.
    explicit = [request.args.get("lang")]
    if current_user and current_user.is_authenticated:
        explicit.append(current_user.preferred_locale)
    explicit.append(request.cookies.get(LOCALE_COOKIE))
    for choice in explicit:
        code = normalize_locale(choice)
        if code in SUPPORTED_LOCALES:
            # An explicit choice wins even where a district does not offer it: the interface
            # exists in that language, and the person asked for it.
            return code
    try:
        best = request.accept_languages.best_match(allowed)
    except (ValueError, TypeError):  # a malformed header must never break a page
        best = None
    if best:
        return best
    if district is not None and district.default_locale in SUPPORTED_LOCALES:
        return district.default_locale
    return current_app.config["DEFAULT_LOCALE"]


def locale_name(code: str) -> str:
    """A locale's name in its own language ("Español"), or the code if we do not ship it."""
    locale = SUPPORTED_LOCALES.get(code) or CONTENT_LANGUAGES.get(code)
    return locale.native_name if locale else code


def text_direction(code: str) -> str:
    """'rtl' or 'ltr' for a locale code (any that Babel knows)."""
    locale = SUPPORTED_LOCALES.get(code) or CONTENT_LANGUAGES.get(code)
    if locale:
        return locale.direction
    try:
        return Locale.parse(code).text_direction
    except (ValueError, TypeError):
        return "ltr"


def current_locale_code() -> str:
    """The locale code of the current request (one we ship, except in the pseudo-locale test)."""
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else "en"


def content_span(text, lang: str | None = None):
    """People's or the district's own words, marked with their language (the district's, unless
    given, or a translated field's own) and isolated in direction, so screen readers and bidi
    layout treat them right."""
    from markupsafe import Markup, escape

    if hasattr(text, "lang") and hasattr(text, "text"):  # a translated field (content_translations)
        text, lang = text.text, lang or text.lang
    if lang is None:
        district = getattr(g, "district", None)
        lang = district.default_locale if district is not None else current_app.config["DEFAULT_LOCALE"]
    return Markup('<span lang="%s" dir="auto">%s</span>') % (lang, escape(text or ""))


def language_label(code: str):
    """A language's own name, marked as being in that language."""
    from markupsafe import Markup

    return Markup('<span lang="%s">%s</span>') % (code, locale_name(code))


def bound_formatters() -> dict:
    """Flask-Babel's format_date, format_time, format_datetime, format_decimal and
    format_percent, with this render's locale and time zone found once: Flask-Babel's own look
    both up again for every value, and a page formats a date on every comment. Same arguments
    and results (tests/test_i18n.py compares them)."""
    from datetime import UTC, datetime

    import flask_babel
    from babel import dates, numbers

    locale, zone = flask_babel.get_locale(), flask_babel.get_timezone()
    formats = flask_babel.get_babel().instance.date_formats

    def pick(key: str, format):
        if format is None:
            format = formats[key]
        if format in ("short", "medium", "full", "long"):
            format = formats[f"{key}.{format}"] or format
        return format

    def format_date(date=None, format=None, rebase=True):
        if date is None:
            return flask_babel.format_date(date, format, rebase)
        if rebase and isinstance(date, datetime):
            date = zone.normalize((date if date.tzinfo else date.replace(tzinfo=UTC)).astimezone(zone))
        return dates.format_date(date, pick("date", format), locale=locale)

    def format_time(time=None, format=None, rebase=True):
        if time is None:
            return flask_babel.format_time(time, format, rebase)
        return dates.format_time(time, pick("time", format), locale=locale, **({"tzinfo": zone} if rebase else {}))

    def format_datetime(value=None, format=None, rebase=True):
        if value is None:
            return flask_babel.format_datetime(value, format, rebase)
        return dates.format_datetime(value, pick("datetime", format), locale=locale,
                                     **({"tzinfo": zone} if rebase else {}))

    return {
        "format_date": format_date, "format_time": format_time, "format_datetime": format_datetime,
        "format_decimal": lambda number, format=None: (decimal_text(number, locale) if format is None else
                                                       numbers.format_decimal(number, format=format, locale=locale)),
        "format_percent": lambda number, format=None: numbers.format_percent(number, format=format, locale=locale),
        "format_moment": lambda moment: moment_text(moment, format_date, format_time),
    }


@lru_cache(maxsize=4096, typed=True)
def decimal_text(number, locale) -> str:
    """Babel's format_decimal of a number in a locale (pages print the same small counts over
    and over; Babel parses the locale's pattern for each)."""
    from babel import numbers

    return numbers.format_decimal(number, locale=locale)


def moment_text(moment, format_date, format_time) -> str:
    """A moment as pages show it: the long date, then the short time."""
    return f"{format_date(moment, 'long')} {format_time(moment, 'short')}"
