"""Proposal pages, public and staff, pass axe-core at both sizes, JS on and off, LTR and RTL."""
import pytest
import sqlalchemy as sa

from codesign.districts.models import Role
from tests.browser.conftest import sign_in

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
    revised, draft = rows[0][0], rows[-1][0]  # the revised dashboard; the tutoring draft
    return revised, draft


@pytest.mark.parametrize("language", ["English", "العربية"])
def test_proposal_pages_are_accessible(page, demo_proposals, check_accessibility, language):
    revised, draft = demo_proposals
    public = ["/d/riverside/", f"/d/riverside/proposals/{revised}/",
              f"/d/riverside/proposals/{revised}/versions/", f"/d/riverside/proposals/{revised}/versions/1",
              "/d/riverside/log/", "/d/riverside/log/1", "/d/riverside/log/4", "/d/riverside/log/verify",
              f"/d/riverside/proposals/{revised}/log/"]
    page.goto("/d/riverside/")
    page.get_by_role("button", name=language).click()
    page.wait_for_load_state()
    for url in public:
        page.goto(url)
        assert page.locator("h1").count() == 1
        check_accessibility(page)
    sign_in(page, "staff")
    for url in ("/d/riverside/proposals/new", f"/d/riverside/proposals/{draft}/",
                f"/d/riverside/proposals/{draft}/draft", f"/d/riverside/proposals/{draft}/publish",
                f"/d/riverside/proposals/{revised}/changes", f"/d/riverside/proposals/{revised}/decide",
                f"/d/riverside/proposals/{revised}/comments/?offset=20",
                f"/d/riverside/proposals/{revised}/log/new"):
        page.goto(url)
        check_accessibility(page)


def test_vote_with_and_without_javascript(page, demo_proposals, make_user, check_accessibility):
    revised, _draft = demo_proposals
    make_user("lucia")
    sign_in(page, "lucia")
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


def test_comment_show_more_and_permalink(page, app, demo_proposals, make_user, check_accessibility):
    from codesign.accounts.service import find_user_by_login
    from codesign.comments.service import post_comment
    from codesign.extensions import db
    from codesign.proposals.models import Proposal

    revised, _draft = demo_proposals
    make_user("lucia")
    with app.app_context():
        proposal = db.session.get(Proposal, revised)
        lucia = find_user_by_login("lucia")
        for n in range(25):
            post_comment(proposal, lucia, kind="concern", section="retention",
                         body=f"Browser comment {n:02d}", language="es")
    sign_in(page, "staff")
    page.goto(f"/d/riverside/proposals/{revised}/")
    assert page.locator("article.comment:not(.comment--reply)").count() == 20
    page.get_by_role("link", name="Show more comments").click()
    if page.javascript_enabled:
        page.wait_for_selector("text=Browser comment 00")
        assert page.url.endswith(f"/proposals/{revised}/")  # stayed on the proposal page
    else:
        page.wait_for_url("**/comments/?offset=20&after=*")
    assert page.get_by_text("Browser comment 00").is_visible()
    page.goto(f"/d/riverside/proposals/{revised}/")
    check_accessibility(page)
    comment_id = page.locator("article.comment").first.get_attribute("id").split("-")[1]
    page.goto(f"/d/riverside/proposals/{revised}/comments/{comment_id}/")
    assert page.get_by_role("heading", name="District answer and status").is_visible()
    check_accessibility(page)


def test_post_a_comment(page, demo_proposals, make_user):
    revised, _draft = demo_proposals
    make_user("lucia")
    sign_in(page, "lucia")
    page.goto(f"/d/riverside/proposals/{revised}/")
    form = page.locator("form.comment-form")
    form.get_by_label("Concern").check()
    form.get_by_label("Which part is it about?").select_option("retention")
    form.get_by_label("Your comment").fill("Hm")
    form.get_by_role("button", name="Post comment").click()
    page.wait_for_selector(".field-error, .form-errors")
    assert page.locator("form.comment-form textarea").input_value() == "Hm"  # nothing lost
    page.locator("form.comment-form textarea").fill("One year is long enough for attendance data.")
    page.locator("form.comment-form button.primary").click()
    page.wait_for_selector("text=Thank you. Your comment is posted.")
    assert page.get_by_text("One year is long enough for attendance data.").is_visible()
