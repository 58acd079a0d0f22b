"""The moderation queue, placeholders of held and hidden comments, account deletion and two-step
sign-in pages: accessible (axe, English and Arabic), usable at 360 px, with JavaScript on and off."""
import pytest

from codesign.districts.models import Role
from codesign.extensions import db
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def moderated(app, make_open_proposal, make_user):
    """A proposal with a held comment, a reported one and a hidden one."""
    from codesign.accounts.service import find_user_by_login
    from codesign.comments import service as comments
    from codesign.comments.models import FlagReason, HideCategory, Kind
    from codesign.districts.service import get_district, grant_role
    from codesign.moderation import service as moderation
    from codesign.proposals.models import Proposal

    proposal_id = make_open_proposal(threshold=2)
    make_user("lucia")
    make_user("amal")
    with app.app_context():
        grant_role(get_district("riverside"), find_user_by_login("staff"), Role.BOARD)
        proposal = db.session.get(Proposal, proposal_id)
        lucia, amal = find_user_by_login("lucia"), find_user_by_login("amal")
        comments.post_comment(proposal, lucia, kind=Kind.CONCERN, section="general", language="es",
                              body="Llámenme al 555-201-3344 por favor")
        rude = comments.post_comment(proposal, lucia, kind=Kind.CONCERN, section="general", language="en",
                                     body="Whoever wrote this never had children")
        comments.flag_comment(rude, amal, FlagReason.HARASSMENT, "Rude")
        spam = comments.post_comment(proposal, amal, kind=Kind.SUGGESTION, section="general", language="en",
                                     body="Cheap tutoring, visit our shop")
        moderation.hide(spam, HideCategory.SPAM)
    return proposal_id


def _in_language(page, language):
    page.goto("/d/riverside/")
    page.get_by_role("button", name=language).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["English", "العربية"])
def test_moderation_queue_and_placeholders(page, moderated, check_accessibility, language):
    sign_in(page, "staff")
    _in_language(page, language)
    page.goto("/d/riverside/moderation/")
    assert page.locator("h1").count() == 1
    assert page.locator(".queue-item").count() == 3  # held, reported, hidden
    check_accessibility(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # A passage that is not in the comment: the form comes back open, with its error.
    held = page.locator(".queue-item").first
    held.locator("summary").nth(1).click()
    redact = held.locator("form[action$='/redact']")
    redact.locator("textarea").fill("555-000-0000")
    redact.locator("input[type=radio]").first.check()
    redact.locator("button").click()
    page.wait_for_selector(".field-error")
    check_accessibility(page)
    page.goto(f"/d/riverside/proposals/{moderated}/")
    assert page.locator(".comment__moderated").count() == 2  # waiting, and hidden as spam
    check_accessibility(page)


@pytest.mark.parametrize("language", ["English", "العربية"])
def test_delete_account_and_two_step_pages(page, moderated, check_accessibility, language):
    sign_in(page, "staff")
    _in_language(page, language)
    for url in ("/account", "/account/two-factor", "/account/data/delete"):
        page.goto(url)
        assert page.locator("h1").count() == 1
        check_accessibility(page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), url
    page.goto("/account/data/delete")
    page.locator("button.danger").click()
    page.wait_for_selector(".field-error")
    check_accessibility(page)


@pytest.mark.parametrize("language", ["English", "العربية"])
def test_stopping_emails_from_the_link_in_one(app, page, make_district, make_user, check_accessibility, language):
    """The page an email's "stop these emails" link opens, without signing in: the button, then done."""
    from codesign.accounts.service import find_user_by_login
    from codesign.notifications.service import unsubscribe_token

    make_district()
    make_user("lucia", email="lucia@example.net")
    with app.app_context():
        token = unsubscribe_token(find_user_by_login("lucia"), "answered")
    _in_language(page, language)
    page.goto(f"/unsubscribe/{token}")
    check_accessibility(page)
    page.locator("main form button.primary").click()
    page.wait_for_selector("main p[role=status]")
    check_accessibility(page)
    page.goto("/unsubscribe/changed-on-the-way")
    assert page.locator("h1").count() == 1
    check_accessibility(page)


@pytest.mark.parametrize("language", ["English", "العربية"])
def test_confirming_a_new_email_from_its_link(app, page, make_district, make_user, check_accessibility, language):
    """The page a "confirm your email" link opens, signed out: the button, then sign in; an old
    or changed link says so."""
    from codesign.accounts.service import email_confirmation_token, find_user_by_login

    make_district()
    make_user("amal", locale="ar")
    with app.app_context():
        token = email_confirmation_token(find_user_by_login("amal"), "amal@example.net")
    _in_language(page, language)
    page.goto(f"/account/email-address/confirm/{token}")
    check_accessibility(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.locator("main form button.primary").click()
    page.wait_for_selector(".flash--success")
    assert "/login" in page.url
    check_accessibility(page)
    page.goto(f"/account/email-address/confirm/{token}")  # used
    assert page.locator("h1").count() == 1
    check_accessibility(page)
    with app.app_context():
        assert find_user_by_login("amal").email == "amal@example.net"
