"""Sessions, response-log entries and organizations in the reader's language: the same editor,
states, notices, requests and dashboard as proposals."""
import re

import sqlalchemy as sa

from codesign.extensions import db
from tests.community.conftest import browser_for, schedule, session_form, world  # noqa: F401 (fixture)
from tests.conftest import Browser
from tests.content_translations.test_translations import reader

RIVERSIDE = "/d/riverside"


def editor_url(kind, subject_id, locale):
    return f"{RIVERSIDE}/translate/{kind}/{subject_id}/{locale}"


def hashes_on(page: str) -> dict:
    return dict(re.findall(r'name="(h-[a-z_]+)" value="([0-9a-f]*)"', page))


def translate(browser, kind, subject_id, locale, texts, **extra):
    page = browser.get(editor_url(kind, subject_id, locale)).get_data(as_text=True)
    return browser.post(editor_url(kind, subject_id, locale), {**hashes_on(page), **texts, **extra})


def published_entry(app, proposal_id, heard="Families said three years is too long.",
                    reasons="We agree: one year is enough.", publish=True):
    from codesign.accounts.service import find_user_by_login
    from codesign.proposals.models import Proposal
    from codesign.responselog import service
    from codesign.responselog.models import Outcome

    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        entry = service.create_entry(proposal, find_user_by_login("staff"), heard=heard, reasons=reasons,
                                     outcome=Outcome.CHANGED, from_version_id=None, to_version_id=None, amends_id=None)
        if publish:
            service.publish_entry(entry)
        return entry.id, entry.sequence


def test_a_session_in_spanish_then_outdated_when_its_place_changes(app, world):  # noqa: F811
    session_id, facilitator = schedule(app, world, title="Library talk", place="Riverside Library, Room 2")
    staff = browser_for(app, "staff")
    assert translate(staff, "session", session_id, "es", {"t-title": "Charla en la biblioteca",
                                                          "t-place": "Biblioteca de Riverside, sala 2"},
                     origin="community_reviewed").status_code == 303
    page_url = f"{RIVERSIDE}/sessions/{session_id}/"
    spanish = reader(app, "es")
    page = spanish.get(page_url).get_data(as_text=True)
    assert '<span lang="es" dir="auto">Charla en la biblioteca</span></h1>' in page
    assert '<span lang="es" dir="auto">Biblioteca de Riverside, sala 2</span>' in page
    assert 'id="translation"' in page  # says who translated it
    listing = spanish.get(f"{RIVERSIDE}/sessions/").get_data(as_text=True)
    assert '<span lang="es" dir="auto">Charla en la biblioteca</span>' in listing
    english = Browser(app.test_client()).get(page_url).get_data(as_text=True)
    assert "Charla en la biblioteca" not in english and 'id="translation"' not in english

    # The facilitator moves the session: the Spanish place is now out of date, the title still current.
    response = facilitator.post(f"{RIVERSIDE}/sessions/{session_id}/edit",
                                session_form(world, title="Library talk", place="Oak Street School, gym"))
    assert response.status_code == 303
    page = spanish.get(page_url).get_data(as_text=True)
    assert f"{page_url}?lang=en" in page  # "read the original"
    assert '<span lang="es" dir="auto">Biblioteca de Riverside, sala 2</span>' in page
    dashboard = staff.get(f"{RIVERSIDE}/translations").get_data(as_text=True)
    assert editor_url("session", session_id, "es") in dashboard
    editor = staff.get(editor_url("session", session_id, "es")).get_data(as_text=True)
    assert "translate-field--outdated" in editor and "Oak Street School, gym" in editor


def test_a_translation_racing_an_edit_of_its_source_is_saved_as_outdated(app, world):  # noqa: F811
    from codesign.community.models import Organization
    from codesign.content_translations import service
    from codesign.content_translations.kinds import KINDS

    staff = browser_for(app, "staff")
    org_url = f"{RIVERSIDE}/organizations/{world['org_a']}/"
    staff.post(org_url + "edit", {"name": "Familias Unidas", "description": "Parents helping parents.",
                                  "languages": ["es"], "contact": ""})
    page = staff.get(editor_url("organization", world["org_a"], "es")).get_data(as_text=True)
    seen = hashes_on(page)
    staff.post(org_url + "edit", {"name": "Familias Unidas", "description": "Parents helping parents since 1998.",
                                  "languages": ["es"], "contact": ""})  # meanwhile
    response = staff.post(editor_url("organization", world["org_a"], "es"),
                          {**seen, "t-description": "Padres que ayudan a padres."})
    assert response.status_code == 303
    with app.app_context():
        organization = db.session.get(Organization, world["org_a"])
        assert organization.description == "Parents helping parents since 1998."
        localized = service.localize_all(KINDS["organization"], [organization], "es", "en")[organization.id]
        assert localized["description"].state == "outdated"


def test_a_log_entry_partly_translated_and_requested_once_per_person_or_browser(app, make_open_proposal,
                                                                                make_user):
    from codesign.content_translations.models import ContentTranslationRequest

    proposal_id = make_open_proposal()
    entry_id, sequence = published_entry(app, proposal_id)
    staff = Browser(app.test_client())
    staff.sign_in("staff")
    assert translate(staff, "entry", entry_id, "es",
                     {"t-heard": "Las familias dijeron que tres años es demasiado."}).status_code == 303
    entry_url = f"{RIVERSIDE}/log/{sequence}"
    guest = reader(app, "es")
    page = guest.get(entry_url).get_data(as_text=True)
    assert 'lang="es">Las familias dijeron que tres años es demasiado.</p>' in page
    assert 'lang="en">We agree: one year is enough.</p>' in page  # not translated: the original, marked
    request_url = f"{RIVERSIDE}/translate/entry/{entry_id}/request"
    assert request_url in page
    for _ in range(2):
        assert guest.post(request_url, {}, token_from=entry_url).status_code == 303
    make_user("lucia", locale="es")
    lucia = Browser(app.test_client())
    lucia.sign_in("lucia")
    lucia.post(request_url, {}, token_from=entry_url)
    lucia.post(request_url, {}, token_from=entry_url)
    assert request_url not in lucia.get(entry_url).get_data(as_text=True)  # "you asked", no second button
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ContentTranslationRequest.id))) == 2
    # The whole log shows the translated part too, and the dashboard counts the requests.
    assert "Las familias dijeron" in guest.get(f"{RIVERSIDE}/log/").get_data(as_text=True)
    dashboard = staff.get(f"{RIVERSIDE}/translations").get_data(as_text=True)
    row = dashboard[dashboard.index(editor_url("entry", entry_id, "es")):]
    assert "2 requests" in row[:600]


def test_who_may_translate_what(app, world, make_district):  # noqa: F811
    session_id, facilitator = schedule(app, world)
    draft_id, _sequence = published_entry(app, world["proposal"], publish=False)
    staff = browser_for(app, "staff")
    assert staff.get(editor_url("session", session_id, "es")).status_code == 200
    assert staff.get(editor_url("session", session_id, "vi")).status_code == 404  # not offered here
    assert staff.get(editor_url("session", session_id, "en")).status_code == 404  # the original
    assert staff.get(editor_url("session", session_id + 999, "es")).status_code == 404
    assert staff.get(editor_url("poem", session_id, "es")).status_code == 404
    assert staff.get(editor_url("entry", draft_id, "es")).status_code == 404  # drafts are not public
    assert facilitator.get(editor_url("session", session_id, "es")).status_code == 403
    assert Browser(app.test_client()).get(editor_url("organization", world["org_a"], "es")).status_code in (302, 403)
    # A field that is not the subject's own is refused with a message, and nothing is saved.
    response = translate(staff, "session", session_id, "es", {"t-title": "Hola"}, **{"t-online_link": "x"})
    assert response.status_code == 303  # unknown form fields are ignored, not stored
    make_district("lakeview", "Lakeview")
    assert staff.get(f"/d/lakeview/translate/session/{session_id}/es").status_code in (403, 404)


def test_too_long_a_translation_is_refused_and_kept_in_the_form(app, world):  # noqa: F811
    session_id, _facilitator = schedule(app, world)
    staff = browser_for(app, "staff")
    response = translate(staff, "session", session_id, "es", {"t-title": "Charla", "t-place": "x" * 50_001})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page and "Charla" in page
    with app.app_context():
        from codesign.content_translations.models import ContentTranslation

        assert db.session.scalar(sa.select(sa.func.count(ContentTranslation.id))) == 0


def test_session_lists_cost_the_same_queries_at_two_and_at_twelve_sessions(app, world, count_queries):  # noqa: F811
    from codesign.community.models import Session
    from codesign.content_translations import service
    from codesign.content_translations.kinds import KINDS
    from codesign.content_translations.models import Origin
    from codesign.districts.service import get_district

    first_id, _facilitator = schedule(app, world)
    spanish = reader(app, "es")
    url = f"{RIVERSIDE}/sessions/"
    counts = []
    for total in (2, 12):
        with app.app_context():
            district = get_district("riverside")
            model = db.session.get(Session, first_id)
            while db.session.scalar(sa.select(sa.func.count(Session.id))) < total:
                number = db.session.scalar(sa.select(sa.func.count(Session.id)))
                copy = Session(district_id=model.district_id, organization_id=model.organization_id,
                               title=f"Talk {number}", starts_at=model.starts_at, ends_at=model.ends_at,
                               place=model.place)
                db.session.add(copy)
                db.session.flush()
                service.save_texts(KINDS["session"], copy, district, None, "es", {"title": f"Charla {number}"},
                                   {"title": service.source_hash(copy.title)}, Origin.DISTRICT)
        spanish.get(url)
        with count_queries() as counter:
            page = spanish.get(url).get_data(as_text=True)
        counts.append(counter["n"])
        assert f"Charla {total - 1}" in page
    assert counts[0] == counts[1]


def test_the_printed_kit_uses_the_translations_of_its_language(app, world):  # noqa: F811
    session_id, facilitator = schedule(app, world, title="Library talk")
    staff = browser_for(app, "staff")
    translate(staff, "session", session_id, "es", {"t-title": "Charla en la biblioteca"})
    proposal_editor = f"{RIVERSIDE}/proposals/{world['proposal']}/translate/es"
    page = staff.get(proposal_editor).get_data(as_text=True)
    staff.post(proposal_editor, {**hashes_on(page), "t-title": "Panel de asistencia"})
    kit = facilitator.get(f"{RIVERSIDE}/sessions/{session_id}/kit/es").get_data(as_text=True)
    assert '<span lang="es" dir="auto">Charla en la biblioteca</span></h1>' in kit
    assert '<span lang="es" dir="auto">Panel de asistencia</span>' in kit
    english = facilitator.get(f"{RIVERSIDE}/sessions/{session_id}/kit/en").get_data(as_text=True)
    assert "Library talk" in english and "Panel de asistencia" not in english
