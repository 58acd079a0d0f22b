"""Right-to-left done right: in Arabic at 360 px the main pages mirror (navigation, headings,
forms and tables start at the right), checked on real screenshots' layout boxes."""
import pytest
import sqlalchemy as sa

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_data(app):
    from codesign.demo import load_demo
    from codesign.extensions import db
    from codesign.proposals.models import Proposal
    from codesign.surveys.models import Survey

    with app.app_context():
        load_demo()
        return (db.session.scalar(sa.select(Proposal.id).order_by(Proposal.id)),
                db.session.scalar(sa.select(Survey.id).where(Survey.results_public.is_(True))))


def starts_at(page, selector: str) -> str:
    """'right' or 'left': which side of the viewport the element's text (its first line) hugs."""
    box = page.locator(selector).first.evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el);"
        " const b = r.getClientRects()[0] || el.getBoundingClientRect();"
        " return {x: b.left, width: b.width}; }")
    width = page.viewport_size["width"]
    left_gap, right_gap = box["x"], width - (box["x"] + box["width"])
    return "right" if right_gap < left_gap else "left"


@pytest.mark.parametrize("language, side", [("العربية", "right"), ("English", "left")])
def test_main_pages_mirror_in_arabic(chromium, live_server, demo_data, tmp_path, language, side):
    proposal_id, survey_id = demo_data
    context = chromium.new_context(viewport={"width": 360, "height": 740}, base_url=live_server)
    page = context.new_page()
    try:
        page.goto("/d/riverside/")
        page.get_by_role("button", name=language).click()
        page.wait_for_load_state()
        pages = ["/d/riverside/", f"/d/riverside/proposals/{proposal_id}/", f"/d/riverside/proposals/{proposal_id}/changes",
                 "/d/riverside/log/", f"/d/riverside/surveys/{survey_id}/results", "/d/riverside/sessions/", "/login"]
        for url in pages:
            page.goto(url)
            page.screenshot(path=str(tmp_path / (url.strip("/").replace("/", "_") + ".png")))
            assert page.locator("html").get_attribute("dir") == ("rtl" if side == "right" else "ltr")
            assert starts_at(page, ".main-nav li") == side, url
            # The page flows from its side; people's own words inside it keep their direction (dir="auto").
            assert page.locator("main").evaluate("m => getComputedStyle(m).direction") == (
                "rtl" if side == "right" else "ltr"), url
        page.goto("/login")
        assert starts_at(page, "main label") == side
        page.goto(f"/d/riverside/surveys/{survey_id}/results")
        assert page.locator("table").first.evaluate("t => getComputedStyle(t).direction") == (
            "rtl" if side == "right" else "ltr")
        sign_in(page, "board", "codesign-demo")
        page.goto(f"/d/riverside/proposals/{proposal_id}/review/")
        page.get_by_role("button", name=language).click()  # the board member's own choice is English
        page.wait_for_load_state()
        assert starts_at(page, ".main-nav li") == side
    finally:
        context.close()
