"""Organizations and sessions: who may schedule, the public page, saying you will come, the
calendar file and the printable kit."""
from datetime import timedelta

import sqlalchemy as sa

from codesign.db import utcnow
from codesign.extensions import db
from tests.community.conftest import browser_for, schedule, session_form
from tests.conftest import Browser


def test_staff_register_organizations_and_facilitators(app, make_user, world):
    make_user("staff2")
    staff = browser_for(app, "staff")
    response = staff.post("/d/riverside/organizations/new", {"name": "Somali Youth League", "languages": ["so"],
                                                            "contact": "youth@example.net"})
    assert response.status_code == 303
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Somali Youth League" in page and "youth@example.net" in page
    url = response.headers["Location"]
    org_id = int(url.rstrip("/").split("/")[-1])
    page = staff.post(f"/d/riverside/organizations/{org_id}/facilitators", {"login": "nobody"}, token_from=url,
                      follow_redirects=True).get_data(as_text=True)
    assert "No account has that username or email." in page
    staff.post(f"/d/riverside/organizations/{org_id}/facilitators", {"login": "staff2"}, token_from=url)
    from codesign.districts.models import Membership, Role

    with app.app_context():
        assert db.session.scalar(sa.select(Membership.role).where(Membership.role == Role.FACILITATOR,
                                                                 Membership.user_id != None))  # noqa: E711
    assert browser_for(app, "fac_a").get("/d/riverside/organizations/new").status_code == 403
    assert "Somali Youth League" in Browser(app.test_client()).get("/d/riverside/organizations/").get_data(as_text=True)


def test_facilitators_schedule_only_for_their_organization(app, world):
    session_id, fac_a = schedule(app, world)
    page = fac_a.post("/d/riverside/sessions/new", session_form(world, organization=str(world["org_b"])))
    assert page.status_code == 422
    response = fac_a.post("/d/riverside/sessions/new", session_form(
        world, starts_at=(utcnow() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        ends_at=(utcnow() - timedelta(days=3, hours=-2)).strftime("%Y-%m-%dT%H:%M")))
    assert response.status_code == 422 and "An upcoming session must start in the future." in response.get_data(as_text=True)
    response = fac_a.post("/d/riverside/sessions/new", session_form(world, mode="online", online_link="zoom"))
    assert response.status_code == 422 and "https://" in response.get_data(as_text=True)
    start = utcnow() + timedelta(days=3)
    response = fac_a.post("/d/riverside/sessions/new", session_form(
        world, ends_at=(start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")))
    assert "The session must end after it starts." in response.get_data(as_text=True)
    fac_b = browser_for(app, "fac_b")
    assert fac_b.get(f"/d/riverside/sessions/{session_id}/edit").status_code == 403
    lucia = Browser(app.test_client())
    assert lucia.get("/d/riverside/sessions/new").status_code in (302, 303)
    # Listed for everyone, on the district's list and the proposal's page.
    assert "Charla en la biblioteca" in lucia.get("/d/riverside/sessions/").get_data(as_text=True)
    assert "Charla en la biblioteca" in lucia.get(f"/d/riverside/proposals/{world['proposal']}/").get_data(as_text=True)


def test_say_you_will_come_counts_only_and_respects_capacity(app, world):
    session_id, _fac = schedule(app, world, capacity="1")
    url = f"/d/riverside/sessions/{session_id}/"
    first = Browser(app.test_client())
    page = first.post(url + "coming", {}, token_from=url, follow_redirects=True).get_data(as_text=True)
    assert "Thank you! We counted you." in page and "You said you will come." in page
    again = first.post(url + "coming", {}, token_from=url, follow_redirects=True).get_data(as_text=True)
    assert "You already said you will come." in again
    second = Browser(app.test_client())
    page = second.get(url).get_data(as_text=True)
    assert "This session is full." in page
    page = second.post(url + "coming", {}, token_from=url, follow_redirects=True).get_data(as_text=True)
    assert "this session is full" in page
    from codesign.community.models import Session

    with app.app_context():
        assert db.session.get(Session, session_id).coming == 1
    # One person is fewer than the threshold: the page does not show the count.
    assert "1 person said" not in page


def test_online_link_only_for_people_who_said_they_will_come(app, world):
    session_id, _fac = schedule(app, world, mode="online", online_link="https://meet.example.net/abc", place="")
    url = f"/d/riverside/sessions/{session_id}/"
    guest = Browser(app.test_client())
    assert "meet.example.net" not in guest.get(url).get_data(as_text=True)
    guest.post(url + "coming", {}, token_from=url)
    assert "https://meet.example.net/abc" in guest.get(url).get_data(as_text=True)


def test_calendar_file(app, world):
    from icalendar import Calendar

    session_id, _fac = schedule(app, world)
    response = Browser(app.test_client()).get(f"/d/riverside/sessions/{session_id}/calendar.ics")
    assert response.mimetype == "text/calendar"
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Charla en la biblioteca" and "Riverside Library" in str(event["LOCATION"])


def test_printable_kit_in_each_language(app, world):
    session_id, fac_a = schedule(app, world)
    for locale, expected in (("es", "Hoja de comentarios"), ("ar", 'dir="rtl"'), ("en", "Comment sheet")):
        response = fac_a.get(f"/d/riverside/sessions/{session_id}/kit/{locale}")
        page = response.get_data(as_text=True)
        assert response.status_code == 200, locale
        assert expected in page, locale
        assert "<svg" in page and "class=\"qr\"" in page  # the QR code is inline: no image request
        assert "kit--a4" in page
    assert "kit--letter" in fac_a.get(f"/d/riverside/sessions/{session_id}/kit/en?paper=letter").get_data(as_text=True)
    page = fac_a.get(f"/d/riverside/sessions/{session_id}/kit/en").get_data(as_text=True)
    for text in ("What data would be collected", "Student", "Parent, guardian or family member", "Who came", "Concern"):
        assert text in page
    assert fac_a.get(f"/d/riverside/sessions/{session_id}/kit/zz").status_code == 404
    # The QR code opens the proposal in the kit's language.
    kit_es = fac_a.get(f"/d/riverside/sessions/{session_id}/kit/es").get_data(as_text=True)
    target = f"http://localhost/d/riverside/proposals/{world['proposal']}/?lang=es"
    assert f"<title>{target}</title>" in kit_es
    assert '<html lang="es"' in Browser(app.test_client()).get(target).get_data(as_text=True)
    assert browser_for(app, "fac_b").get(f"/d/riverside/sessions/{session_id}/kit/en").status_code == 403
