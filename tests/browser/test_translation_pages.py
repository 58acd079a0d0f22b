"""Proposals in the reader's language and the staff's translation tools pass axe-core at both
sizes, JS on and off; a reader asks for a missing translation."""
import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    from codesign.demo import load_demo

    with app.app_context():
        load_demo()


def test_translated_proposals_and_tools_are_accessible(page, demo, check_accessibility):
    page.goto("/d/riverside/")
    page.get_by_role("button", name="العربية").click()
    page.wait_for_load_state()
    for url in ("/d/riverside/proposals/1/", "/d/riverside/proposals/2/"):  # outdated, then missing
        page.goto(url)
        assert page.locator("#translation").count() == 1
        check_accessibility(page)
    page.goto("/d/riverside/proposals/2/")
    page.locator("#translation button").click()
    page.wait_for_selector(".flash--success")
    assert page.locator("#translation button").count() == 0  # asked once
    sign_in(page, "staff", "codesign-demo")
    for url in ("/d/riverside/translations", "/d/riverside/proposals/1/translate/ar"):
        page.goto(url)
        assert page.locator("h1").count() == 1
        check_accessibility(page)
