"""Proposal pages, public and staff, pass axe-core at both sizes, JS on and off, LTR and RTL."""
import pytest
import sqlalchemy as sa

from codesign.districts.models import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_proposals(app, make_district, make_user):
    from codesign.accounts.service import find_user_by_login
    from codesign.demo_proposals import load_demo_proposals
    from codesign.extensions import db
    from codesign.proposals.models import Proposal, ProposalVersion

    district = make_district()
    make_user("staff", roles={district: [Role.STAFF]})
    with app.app_context():
        load_demo_proposals(db.session.merge(district), find_user_by_login("staff"))
        rows = db.session.execute(
            sa.select(Proposal.id, sa.func.max(ProposalVersion.number))
            .join(ProposalVersion, ProposalVersion.proposal_id == Proposal.id)
            .group_by(Proposal.id).order_by(Proposal.id)
        ).all()
    revised, _climate, draft = (row[0] for row in rows)
    return revised, draft


@pytest.mark.parametrize("language", ["English", "العربية"])
def test_proposal_pages_are_accessible(page, demo_proposals, check_accessibility, language):
    revised, draft = demo_proposals
    public = ["/d/riverside/", f"/d/riverside/proposals/{revised}/",
              f"/d/riverside/proposals/{revised}/versions/", f"/d/riverside/proposals/{revised}/versions/1"]
    page.goto("/d/riverside/")
    page.get_by_role("button", name=language).click()
    page.wait_for_load_state()
    for url in public:
        page.goto(url)
        assert page.locator("h1").count() == 1
        check_accessibility(page)
    page.goto("/login")
    page.locator("#login").fill("staff")
    page.locator("#password").fill("password123")
    page.locator("button.primary").click()
    page.wait_for_selector(".flash--success")
    for url in ("/d/riverside/proposals/new", f"/d/riverside/proposals/{draft}/",
                f"/d/riverside/proposals/{draft}/draft", f"/d/riverside/proposals/{draft}/publish"):
        page.goto(url)
        check_accessibility(page)


def test_vote_with_and_without_javascript(page, demo_proposals, make_user, check_accessibility):
    revised, _draft = demo_proposals
    make_user("lucia")
    page.goto("/login")
    page.locator("#login").fill("lucia")
    page.locator("#password").fill("password123")
    page.locator("button.primary").click()
    page.wait_for_selector(".flash--success")
    page.goto(f"/d/riverside/proposals/{revised}/")
    support = page.locator("#vote button[value='support']")
    assert support.get_attribute("aria-pressed") == "false"
    support.click()
    page.wait_for_selector("#vote button[value='support'][aria-pressed='true']")
    assert page.get_by_text("Your vote is saved.").first.is_visible()
    check_accessibility(page)
    page.locator("#vote button[value='oppose']").click()
    page.wait_for_selector("#vote button[value='oppose'][aria-pressed='true']")
    assert page.locator("#vote button[aria-pressed='true']").count() == 1
