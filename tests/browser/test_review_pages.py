"""The board review, its packet and the reference shares pass axe-core at both sizes, JS on and
off, in English and Arabic; the packet prints without the site's header."""
import pytest
import sqlalchemy as sa

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_review(app):
    from codesign.demo import load_demo
    from codesign.demo_proposals import ATTENDANCE_V1
    from codesign.extensions import db
    from codesign.proposals.models import Proposal, ProposalVersion

    with app.app_context():
        load_demo()
        return db.session.scalar(sa.select(Proposal.id).join(ProposalVersion, ProposalVersion.id == Proposal.current_version_id)
                                 .where(ProposalVersion.title == ATTENDANCE_V1["title"]))


@pytest.mark.parametrize("language", ["English", "العربية"])
def test_review_pages_are_accessible(page, demo_review, check_accessibility, language):
    proposal_id = demo_review
    sign_in(page, "board", "codesign-demo")
    page.goto(f"/d/riverside/proposals/{proposal_id}/")
    page.get_by_role("button", name=language).click()
    page.wait_for_load_state()
    for url in (f"/d/riverside/proposals/{proposal_id}/review/",
                f"/d/riverside/proposals/{proposal_id}/review/packet?lang={'ar' if language != 'English' else 'en'}"):
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        check_accessibility(page)
    page.context.clear_cookies()
    sign_in(page, "staff", "codesign-demo")
    page.goto("/d/riverside/reference-shares")
    check_accessibility(page)
    page.locator("#language-en").fill("12")
    page.locator("#language button.primary").click()
    page.wait_for_selector(".form-errors")
    check_accessibility(page)


def test_the_packet_prints_cleanly(page, demo_review):
    sign_in(page, "board", "codesign-demo")
    page.goto(f"/d/riverside/proposals/{demo_review}/review/packet?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.emulate_media(media="print")
    assert not page.locator(".no-print").is_visible()
    assert page.locator("svg[role=img] title").count() == 1  # the chart has a text alternative
