"""Community pages pass axe-core at both sizes, JS on and off, LTR and RTL; a facilitator adds
comment rows with and without JavaScript; the kit prints cleanly."""
import pytest
import sqlalchemy as sa

from codesign.districts.models import Role
from tests.browser.conftest import sign_in
from tests.browser.test_proposal_pages import demo_proposals  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_community(app, demo_proposals, make_user):  # noqa: F811
    from codesign.accounts.service import find_user_by_login
    from codesign.community.models import Session
    from codesign.demo import _demo_proposals_for_sessions
    from codesign.demo_community import load_demo_community
    from codesign.demo_surveys import load_demo_surveys
    from codesign.districts.service import get_district
    from codesign.extensions import db

    with app.app_context():
        district = get_district("riverside")
        make_user("facilitator", roles={district: [Role.FACILITATOR]})
        district = get_district("riverside")
        proposals = _demo_proposals_for_sessions(district)
        load_demo_surveys(district, find_user_by_login("staff"), proposals[0])
        load_demo_community(district, find_user_by_login("staff"), find_user_by_login("facilitator"), proposals)
        ids = db.session.scalars(sa.select(Session.id).order_by(Session.id)).all()
        organization = db.session.get(Session, ids[0]).organization_id
    # two past sessions, two upcoming, then the first organization (ids vary: PostgreSQL keeps its sequences)
    return [*ids, organization]


@pytest.mark.parametrize("language", ["English", "العربية"])
def test_community_pages_are_accessible(page, demo_community, check_accessibility, language):
    past, _past2, upcoming, _online, organization = demo_community
    page.goto("/d/riverside/")
    page.get_by_role("button", name=language).click()
    page.wait_for_load_state()
    for url in ("/d/riverside/sessions/", f"/d/riverside/sessions/{past}/", f"/d/riverside/sessions/{upcoming}/",
                "/d/riverside/organizations/", f"/d/riverside/organizations/{organization}/"):
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        check_accessibility(page)
    sign_in(page, "facilitator")
    for url in (f"/d/riverside/sessions/{past}/record", f"/d/riverside/sessions/{past}/record/comments",
                "/d/riverside/sessions/new", f"/d/riverside/sessions/{upcoming}/edit",
                f"/d/riverside/sessions/{upcoming}/kit/ar", f"/d/riverside/sessions/{upcoming}/kit/es?paper=letter"):
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        check_accessibility(page)
    # A form showing its errors.
    page.goto("/d/riverside/sessions/new")
    page.locator("form.stacked button.primary").click()
    page.wait_for_selector(".field-error")
    check_accessibility(page)


def test_add_comment_rows_with_and_without_javascript(page, app, demo_community):
    from codesign.community.models import Session
    from codesign.extensions import db

    past = demo_community[0]
    with app.app_context():  # the demo's records are confirmed; this one is still being typed in
        db.session.get(Session, past).confirmed_at = None
        db.session.commit()
    sign_in(page, "facilitator")
    page.goto(f"/d/riverside/sessions/{past}/record/comments")
    assert page.locator(".comment-row").count() == 5
    page.locator("#r0-comment").fill("El horario de las llamadas debe ser por la tarde.")
    page.get_by_role("button", name="More rows").click()
    if page.javascript_enabled:
        page.wait_for_selector("#row-5")
        assert page.evaluate("document.activeElement.id") == "r5-kind"
    else:
        page.wait_for_selector("#row-9")
        assert page.locator("#r0-comment").input_value().startswith("El horario")
    page.locator("#r5-comment").fill("Necesitamos intérpretes en las reuniones.")
    page.get_by_role("button", name="Save comments").click()
    page.wait_for_selector(".flash--success")
    from codesign.comments.models import Comment

    with app.app_context():
        bodies = db.session.scalars(sa.select(Comment.body).where(Comment.session_id == past)).all()
    assert "Necesitamos intérpretes en las reuniones." in bodies and "El horario de las llamadas debe ser por la tarde." in bodies


def test_the_kit_prints_on_its_own_pages(page, demo_community):
    upcoming = demo_community[2]
    sign_in(page, "facilitator")
    page.goto(f"/d/riverside/sessions/{upcoming}/kit/ar")
    assert page.locator(".kit").get_attribute("dir") == "rtl"
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".no-print").is_visible()
    assert page.locator("svg.qr").count() >= 1
    if page.javascript_enabled:
        pdf = page.pdf(prefer_css_page_size=True)  # the browser's own "save as PDF"
        import re

        assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 4
