"""Proposals in the reader's language: translations that know when they are out of date,
requests for missing ones, and the staff dashboard."""
from datetime import timedelta

import sqlalchemy as sa

from codesign.db import utcnow
from codesign.extensions import db
from tests.conftest import Browser

ES = {"t-title": "Panel de asistencia", "t-summary": "Un panel que avisa a los consejeros.",
      "t-retention": "Tres años después de que el estudiante se vaya."}


def staff(app):
    browser = Browser(app.test_client())
    browser.sign_in("staff")
    return browser


def reader(app, language):
    browser = Browser(app.test_client())
    browser.client.set_cookie("codesign_locale", language)
    return browser


def editor_url(proposal_id, locale):
    return f"/d/riverside/proposals/{proposal_id}/translate/{locale}"


def save(browser, proposal_id, locale, texts, **extra):
    page = browser.get(editor_url(proposal_id, locale)).get_data(as_text=True)
    import re

    hashes = dict(re.findall(r'name="(h-[a-z_]+)" value="([0-9a-f]*)"', page))
    return browser.post(editor_url(proposal_id, locale), {**hashes, **texts, **extra})


def publish_v2(app, proposal_id, **changes):
    from codesign.accounts.service import find_user_by_login
    from codesign.proposals import service
    from codesign.proposals.models import Proposal

    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        service.start_revision(proposal, find_user_by_login("staff"))
        service.update_draft(service.draft_of(proposal), changes)
        service.publish_version(proposal, opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=7),
                                what_changed="Shorter retention.")


def test_translate_and_read_in_spanish(app, make_open_proposal):
    proposal_id = make_open_proposal()
    assert save(staff(app), proposal_id, "es", ES).status_code == 303
    page = reader(app, "es").get(f"/d/riverside/proposals/{proposal_id}/").get_data(as_text=True)
    assert '<h1 dir="auto" lang="es">Panel de asistencia</h1>' in page
    assert 'lang="es">Tres años después de que el estudiante se vaya.</dd>' in page
    # Parts not translated stay in the original, marked as such, with a notice and a request button.
    assert "Parcialmente" in page or "no están traducidas" in page or "Request this in my language" in page \
        or "Pedir" in page or "Solicitar" in page
    english = Browser(app.test_client()).get(f"/d/riverside/proposals/{proposal_id}/").get_data(as_text=True)
    assert "Panel de asistencia" not in english


def test_a_changed_source_makes_the_translation_outdated(app, make_open_proposal):
    proposal_id = make_open_proposal()
    save(staff(app), proposal_id, "es", ES)
    publish_v2(app, proposal_id, retention="One year after the student leaves.")
    page = reader(app, "es").get(f"/d/riverside/proposals/{proposal_id}/").get_data(as_text=True)
    assert f"/d/riverside/proposals/{proposal_id}/changes?from=1&amp;to=2" in page
    assert "lang=en" in page  # a link to the original
    dashboard = staff(app).get("/d/riverside/translations").get_data(as_text=True)
    assert editor_url(proposal_id, "es") in dashboard


def test_a_translation_racing_a_source_edit_is_saved_as_outdated(app, make_open_proposal):
    import re

    from codesign.content_translations import service
    from codesign.proposals.models import Proposal

    proposal_id = make_open_proposal()
    editor = staff(app)
    page = editor.get(editor_url(proposal_id, "es")).get_data(as_text=True)
    hashes = dict(re.findall(r'name="(h-[a-z_]+)" value="([0-9a-f]*)"', page))
    publish_v2(app, proposal_id, retention="One year after the student leaves.")  # meanwhile
    assert editor.post(editor_url(proposal_id, "es"), {**hashes, **ES}).status_code == 303
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        localized = service.localize(proposal, proposal.current_version, "es", "en")
        assert localized["retention"].state == "outdated" and localized["title"].state == "current"


def test_request_a_missing_translation_once(app, make_open_proposal, make_user):
    from codesign.content_translations.models import TranslationRequest

    proposal_id = make_open_proposal()
    url = f"/d/riverside/proposals/{proposal_id}/"
    guest = reader(app, "ar")
    page = guest.get(url).get_data(as_text=True)
    assert 'class="notice"' in page and "request-translation" in page
    for _ in range(2):
        guest.post(url + "request-translation", {}, token_from=url)
    other = reader(app, "ar")
    other.post(url + "request-translation", {}, token_from=url)
    make_user("amal", locale="ar")
    amal = Browser(app.test_client())
    amal.sign_in("amal")
    amal.post(url + "request-translation", {}, token_from=url)
    amal.post(url + "request-translation", {}, token_from=url)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(TranslationRequest.id))) == 3
    dashboard = staff(app).get("/d/riverside/translations").get_data(as_text=True)
    assert editor_url(proposal_id, "ar") in dashboard


def test_only_offered_languages_and_only_staff(app, make_open_proposal, make_user):
    proposal_id = make_open_proposal()  # the test district offers en, es, ar
    me = staff(app)
    assert me.get(editor_url(proposal_id, "vi")).status_code == 404
    assert me.get(editor_url(proposal_id, "en")).status_code == 404
    make_user("lucia")
    lucia = Browser(app.test_client())
    lucia.sign_in("lucia")
    assert lucia.get(editor_url(proposal_id, "es")).status_code == 403
    assert lucia.get("/d/riverside/translations").status_code == 403


def test_strange_language_headers_and_cookies_never_break_a_page(app, make_open_proposal):
    proposal_id = make_open_proposal()
    url = f"/d/riverside/proposals/{proposal_id}/"
    for header in ("", "*", "xx-YY;q=abc", "es;q=0.5,,,;", "ar-EG;q=1.0, ;q=", "\u00e9\u00e9;q=1"):
        assert Browser(app.test_client()).get(url, headers={"Accept-Language": header}).status_code == 200
    for cookie in ("klingon", "../../etc", "", "es_ES", "zh-Hant"):
        assert reader(app, cookie).get(url).status_code == 200
    assert Browser(app.test_client()).get(url + "?lang=qq").status_code == 200
