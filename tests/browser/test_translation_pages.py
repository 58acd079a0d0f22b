"""Proposals in the reader's language and the staff's translation tools pass axe-core at both
sizes, JS on and off; a reader asks for a missing translation."""
import pytest

from tests.browser.conftest import sign_in
from tests.conftest import put_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    """The demo's attendance (Arabic translation outdated) and climate (missing) proposal ids."""
    from codesign.demo import _demo_proposals_by_key
    from codesign.districts.service import get_district

    put_demo(app)
    with app.app_context():
        proposals = _demo_proposals_by_key(get_district("riverside"))
        return proposals["attendance"].id, proposals["climate"].id


def test_translated_proposals_and_tools_are_accessible(page, demo, check_accessibility):
    page.goto("/d/riverside/")
    page.get_by_role("button", name="العربية").click()
    page.wait_for_load_state()
    outdated, missing = demo
    for url in (f"/d/riverside/proposals/{outdated}/", f"/d/riverside/proposals/{missing}/"):
        page.goto(url)
        assert page.locator("#translation").count() == 1
        check_accessibility(page)
    page.goto(f"/d/riverside/proposals/{missing}/")
    page.locator("#translation button").click()
    page.wait_for_selector(".flash--success")
    assert page.locator("#translation button").count() == 0  # asked once
    sign_in(page, "staff", "codesign-demo")
    for url in ("/d/riverside/translations", f"/d/riverside/proposals/{outdated}/translate/ar"):
        page.goto(url)
        assert page.locator("h1").count() == 1
        check_accessibility(page)


def test_translated_log_entries_sessions_and_organizations_are_accessible(page, app, demo, check_accessibility):
    """In Arabic: an organization translated by the community, a session translated by the district,
    and a log entry nobody has translated yet (with its request button); then staff's editor."""
    import sqlalchemy as sa

    from codesign.community.models import Organization, Session
    from codesign.extensions import db
    from codesign.responselog.models import ResponseEntry

    with app.app_context():
        organization = db.session.scalar(sa.select(Organization.id).where(
            Organization.name == "Riverside Arabic and Somali Parents Circle"))
        session_id = db.session.scalar(sa.select(Session.id).where(
            Session.title == "Online: questions about school climate surveys"))
        second_entry = db.session.scalar(sa.select(ResponseEntry.id).where(ResponseEntry.sequence == 2))
    page.goto("/d/riverside/")
    page.get_by_role("button", name="العربية").click()
    page.wait_for_load_state()
    page.goto(f"/d/riverside/organizations/{organization}/")
    assert page.locator('p[dir="auto"] span[lang="ar"]').count() == 1
    check_accessibility(page)
    page.goto(f"/d/riverside/sessions/{session_id}/")
    assert page.locator('h1 span[lang="ar"]').count() == 1
    check_accessibility(page)
    page.goto("/d/riverside/log/2")
    page.locator("#translation button").click()
    page.wait_for_selector(".flash--success")
    assert page.locator("#translation button").count() == 0
    check_accessibility(page)
    sign_in(page, "staff", "codesign-demo")
    page.goto(f"/d/riverside/translate/entry/{second_entry}/ar")
    assert page.locator("textarea").count() == 2
    check_accessibility(page)
