"""Which language a person sees, how it is remembered, and right-to-left layout."""
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from codesign.i18n import normalize_locale


def lang_of(response) -> str:
    text = response.get_data(as_text=True)
    start = text.index('<html lang="') + len('<html lang="')
    return text[start:text.index('"', start)]


def test_browser_language_is_used_when_no_choice_was_made(client, make_district):
    make_district()
    assert lang_of(client.get("/d/riverside/", headers={"Accept-Language": "es-MX,es;q=0.9"})) == "es"
    assert lang_of(client.get("/d/riverside/", headers={"Accept-Language": "fr, ar;q=0.5"})) == "ar"


def test_district_default_when_browser_asks_for_nothing_offered(client, make_district):
    make_district(default_locale="es")
    assert lang_of(client.get("/d/riverside/", headers={"Accept-Language": "fr"})) == "es"
    assert lang_of(client.get("/d/riverside/")) == "es"


def test_district_offer_limits_browser_matching(client, make_district):
    make_district(languages=("en", "es"))
    assert lang_of(client.get("/d/riverside/", headers={"Accept-Language": "ar"})) == "en"


def test_explicit_choice_is_remembered_and_wins(browser, client, make_district):
    make_district()
    response = browser.post("/locale", {"locale": "ar", "next": "/d/riverside/"}, token_from="/privacy")
    assert response.status_code == 303
    assert response.headers["Location"] == "/d/riverside/"
    cookie = client.get_cookie("codesign_locale")
    assert cookie.value == "ar"
    assert cookie.http_only
    page = client.get("/d/riverside/", headers={"Accept-Language": "es"})
    assert lang_of(page) == "ar"
    assert '<html lang="ar" dir="rtl">' in page.get_data(as_text=True)


def test_signed_in_choice_is_kept_on_the_account(app, browser, client, make_user):
    from codesign.accounts.service import find_user_by_login

    make_user("maria", locale="en")
    browser.sign_in("maria")
    browser.post("/locale", {"locale": "es", "next": "/account"}, token_from="/account")
    with app.app_context():
        assert find_user_by_login("maria").preferred_locale == "es"
    client.delete_cookie("codesign_locale")
    assert lang_of(client.get("/account")) == "es"


def test_unknown_locale_is_refused_with_a_message_and_no_change(browser, client):
    response = browser.post("/locale", {"locale": "xx-evil", "next": "/privacy"}, token_from="/privacy",
                            follow_redirects=True)
    assert "That language is not available." in response.get_data(as_text=True)
    assert client.get_cookie("codesign_locale") is None


def test_locale_switch_never_redirects_offsite(browser):
    response = browser.post("/locale", {"locale": "es", "next": "https://evil.example/"},
                            token_from="/privacy")
    assert "evil" not in response.headers["Location"]


def test_unknown_locale_in_cookie_is_ignored(client):
    client.set_cookie("codesign_locale", "zz")
    assert lang_of(client.get("/privacy")) == "en"


@pytest.mark.parametrize("header", ["", ";;;", "es;q=abc", "*", "x" * 5000, "es-ES-x-" + "a" * 300])
def test_malformed_accept_language_never_breaks_a_page(client, header):
    response = client.get("/privacy", headers={"Accept-Language": header})
    assert response.status_code == 200


def test_switcher_lists_each_language_in_its_own_language(client, make_district):
    make_district()
    page = client.get("/d/riverside/").get_data(as_text=True)
    assert 'lang="es" dir="ltr">Español</button>' in page
    assert 'lang="ar" dir="rtl">العربية</button>' in page
    assert 'aria-current="true">English</button>' in page


def test_pages_are_translated(client, make_district):
    make_district()
    english = client.get("/d/riverside/privacy").get_data(as_text=True)
    spanish = client.get("/d/riverside/privacy", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "What we collect" in english
    assert "What we collect" not in spanish


def test_dates_follow_the_locale(app):
    from flask_babel import format_date

    day = datetime(2026, 3, 5, 18, tzinfo=timezone.utc)
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert format_date(day, "long") == "5 de marzo de 2026"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert format_date(day, "long") == "March 5, 2026"


@pytest.mark.parametrize("value,expected", [
    ("es", "es"), ("es-MX", "es"), ("ES_mx", "es"), ("ar", "ar"), ("fr", None),
    ("", None), (None, None), ("e" * 100, None),
])
def test_normalize_locale(value, expected):
    assert normalize_locale(value) == expected


def _outcome(function, *args):
    try:
        return function(*args)
    except Exception as failure:  # (a date pattern on a time fails alike)
        return type(failure)


@pytest.mark.parametrize("language", ["en", "ar", "vi", "es"])
def test_formatters_bound_per_render_give_what_flask_babel_gives(app, language):
    import datetime as dt

    import flask_babel

    from codesign.i18n import bound_formatters

    moments = [datetime(2026, 3, 5, 3, 30, tzinfo=timezone.utc), datetime(2026, 7, 1, 2, 5),  # (the day before in Chicago)
               dt.date(2026, 12, 31), dt.time(14, 15)]
    with app.test_request_context(headers={"Accept-Language": language}):
        app.config["DEFAULT_TIMEZONE"] = "America/Chicago"
        bound = bound_formatters()
        for moment in moments:
            for format in (None, "short", "medium", "long", "full", "yyyy-MM"):
                for rebase in (True, False):
                    for name in ("format_date", "format_time", "format_datetime"):
                        if name == "format_date" and isinstance(moment, dt.time):
                            continue
                        if name != "format_date" and isinstance(moment, dt.date) and not isinstance(moment, datetime):
                            continue
                        assert _outcome(bound[name], moment, format, rebase) == _outcome(
                            getattr(flask_babel, name), moment, format, rebase)
        for number in (0, 7, 7.25, 7.0, Decimal("7.50"), 1234567.891, 0.4567):  # (memoized by type too)
            assert bound["format_decimal"](number) == flask_babel.format_decimal(number)
            assert bound["format_decimal"](number, "0.0") == flask_babel.format_decimal(number, "0.0")
            assert bound["format_percent"](number) == flask_babel.format_percent(number)
        assert bound["format_moment"](moments[0]).startswith(flask_babel.format_date(moments[0], "long"))


def test_choice_labels_follow_a_language_forced_within_a_request(app):
    from flask_babel import force_locale

    from codesign.comments.models import Kind as CommentKind

    with app.test_request_context(headers={"Accept-Language": "es"}):
        spanish = CommentKind.CONCERN.label
        assert CommentKind.CONCERN.label == spanish
        with force_locale("en"):
            assert CommentKind.CONCERN.label == "Concern" != spanish
        assert CommentKind.CONCERN.label == spanish


def test_choices_of_different_kinds_with_the_same_value_keep_their_own_labels(app):
    from codesign.enums import LabelledEnum

    found = {}
    for kind in LabelledEnum.__subclasses__():
        for member in kind if hasattr(kind, "_labels") else ():
            found.setdefault(member.value, []).append(member)
    shared = [members for members in found.values() if len({str(m._labels[m]) for m in members}) > 1]
    assert shared  # (e.g. "off_topic" is a reason to report and a reason to hide, worded apart)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for members in shared:
            assert [member.label for member in members] == [str(member._labels[member]) for member in members]
