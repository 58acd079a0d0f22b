"""The home page in English, then Spanish, then Arabic right to left; accessible in each."""
import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def riverside(make_district):
    return make_district()


def html_attrs(page):
    return page.evaluate("[document.documentElement.lang, document.documentElement.dir]")


def test_switch_language_to_spanish_then_arabic(page, riverside, check_accessibility, viewport):
    page.goto("/")
    assert page.url.endswith("/d/riverside/")
    assert html_attrs(page) == ["en", "ltr"]
    assert page.locator("h1").inner_text() == "Riverside Unified School District"
    check_accessibility(page)

    page.get_by_role("button", name="Español").click()
    page.wait_for_selector("html[lang='es']")
    assert html_attrs(page) == ["es", "ltr"]
    assert page.get_by_role("link", name="Iniciar sesión").is_visible()
    check_accessibility(page)

    page.get_by_role("button", name="العربية").click()
    page.wait_for_selector("html[lang='ar']")
    assert html_attrs(page) == ["ar", "rtl"]
    check_accessibility(page)
    # Right to left for real: the brand sits at the right edge and the skip link too.
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] + brand["width"] > viewport["width"] * 0.6
    assert page.evaluate("getComputedStyle(document.querySelector('.main-nav ul')).direction") == "rtl"


def test_language_survives_boosted_navigation(page, riverside):
    page.goto("/d/riverside/")
    page.get_by_role("button", name="العربية").click()
    page.wait_for_selector("html[lang='ar']")
    page.locator(".main-nav a[href^='/register']").click()
    page.wait_for_url("**/register**")
    assert html_attrs(page) == ["ar", "rtl"]
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang='en']")
    page.get_by_role("link", name="Sign in").click()
    page.wait_for_url("**/login**")
    assert html_attrs(page) == ["en", "ltr"]


def test_skip_link_moves_focus_to_main(page, riverside):
    page.goto("/d/riverside/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["y"] >= 0  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_register_and_sign_in_pages_are_accessible(page, riverside, check_accessibility):
    for url in ("/register", "/login", "/register/under-13", "/d/riverside/privacy"):
        page.goto(url)
        check_accessibility(page)
    # A form with errors is accessible too, and says what is wrong.
    page.goto("/register")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_selector(".field-error")
    check_accessibility(page)


def test_first_view_is_styled_inline_and_later_views_from_the_cached_file(page, riverside):
    refused = []
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
    page.goto("/d/riverside/")
    # The page's own styles applied (the policy allows the inline stylesheet by its hash).
    assert page.evaluate("document.querySelectorAll('style').length") == 1
    assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"
    page.goto("/d/riverside/privacy")
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert page.evaluate("document.querySelectorAll('link[rel=stylesheet]').length") == 1
    assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"
    assert not refused, refused
