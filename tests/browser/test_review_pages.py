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


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_pages_said_instead_of_a_pdf_are_accessible(page, app, demo_review, check_accessibility, monkeypatch,
                                                         tmp_path, lang):
    """A packet's PDF still being made (202), and one too big for the server (503)."""
    import os

    import codesign.review.views as views

    try:
        import codesign.review.pdf  # noqa: F401
    except OSError as error:
        if os.environ.get("CODESIGN_REQUIRE_PDF") == "1":
            raise
        pytest.skip(f"the PDF needs Pango: {error}")
    sign_in(page, "board", "codesign-demo")
    url = f"/d/riverside/proposals/{demo_review}/review/packet.pdf?lang={lang}"
    # (the first child is held to a memory it soon outgrows: nothing waits for its PDF here)
    for status, settings in ((202, {"PACKET_PDF_WAIT": 0, "PACKET_PDF_MEMORY_MB": 150}),
                             (503, {"PACKET_PDF_WAIT": 60, "PACKET_PDF_MEMORY_MB": 150})):
        monkeypatch.setattr(views, "packet_cache", lambda status=status: tmp_path / str(status))
        for name, value in settings.items():
            monkeypatch.setitem(app.config, name, value)
        response = page.goto(url)
        assert response.status == status and page.locator("html").get_attribute("lang") == lang
        assert page.locator("h1").count() == 1
        check_accessibility(page)
