"""Search in a real browser: accessible at both sizes with JavaScript on and off; with
JavaScript, results appear as the reader types; without, the form submits; in Arabic too."""
import pytest
from playwright.sync_api import expect

from tests.conftest import put_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    from codesign.search import service

    put_demo(app)
    with app.app_context():
        service.engine().clear()
        service.rebuild()


def test_search_from_the_header_then_filter(page, demo, check_accessibility):
    page.goto("/d/riverside/")
    page.locator("#header-search-q").fill("years")
    page.locator(".header-search button").click()
    page.wait_for_selector(".search-result")
    assert page.locator("h1").count() == 1
    assert page.locator(".search-result mark").count() >= 1
    check_accessibility(page)
    if page.javascript_enabled:  # live: change a filter, the results follow without a button press
        page.select_option("select[name=type]", "comment")
        page.wait_for_url("**type=comment**")
    else:
        page.select_option("select[name=type]", "comment")
        page.locator(".search-form button[type=submit]").click()
        page.wait_for_load_state()
    page.wait_for_selector(".search-result")
    assert all("/comments/" in href for href in page.locator(".search-result__title a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"))
    check_accessibility(page)


def test_live_results_as_you_type_in_arabic(page, demo, check_accessibility):
    page.goto("/d/riverside/search?lang=ar")
    # The page is already in Arabic, so nothing on it shows the choice has been made: wait
    # for the new page itself, or the words can be typed into the old one as it goes away.
    with page.expect_navigation():
        page.get_by_role("button", name="العربية").click()
    assert page.locator("html").get_attribute("dir") == "rtl"
    field = page.locator("#search-q")
    field.fill("المدرسة")
    if page.javascript_enabled:
        page.wait_for_selector(".search-result")
    else:
        page.locator(".search-form button[type=submit]").click()
        page.wait_for_selector(".search-result")
    assert page.locator(".search-result__excerpt[dir=auto]").count() >= 1
    check_accessibility(page)
    field.fill("zzyzx qqq")
    if not page.javascript_enabled:
        page.locator(".search-form button[type=submit]").click()
    expect(page.locator(".search-result")).to_have_count(0)
    expect(page.locator(".search-results [role=status]")).to_contain_text("zzyzx")
    check_accessibility(page)
