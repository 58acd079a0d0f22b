"""Every page type, in a real browser, in English and Arabic: the crawl of the demo
(tests/test_crawl.py) from the home page as each role (visitor, participant, facilitator,
staff, board, admin) gives the pages. In English each role opens every page type it reaches (one
address per type: a page shows each role its own controls); in Arabic each page type is opened
once, by the first role that reaches it (a page's markup is the same in both languages: what
changes is its text, from catalogs that tests/test_catalogs.py holds complete, and its direction).
Each page is opened on a 360 px phone with JavaScript on, and checked for:

- axe-core's WCAG 2.1 A and AA rules: no violations;
- no request to any host but the app's own, and no console error;
- a title that names the page (more than the site's name), the right lang and dir, one main
  landmark and one h1.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import axe_check, block_third_party, sign_in
from tests.conftest import Browser
from tests.test_crawl import crawl, pattern

pytestmark = pytest.mark.browser

ROLES = [None, "lucia", "facilitator", "staff", "board", "admin"]
SITE = "Codesign"


def _page_types(app, *, every_role: bool = False) -> list[tuple[str | None, str]]:
    """(role, url): one address per page type, for the first role whose crawl reaches it — or,
    with every_role, for each role that reaches it. The sign-in limits are reset after the crawl."""
    chosen, seen = [], set()
    for role in ROLES:
        browser = Browser(app.test_client())
        if role:
            browser.sign_in(role, "codesign-demo")
        _problems, urls = crawl(browser)
        for url in urls:
            key = (role, pattern(url)) if every_role else pattern(url)
            if key not in seen and not url.startswith("/api/") and "/export" not in url and "." not in url.rsplit("/", 1)[-1]:
                seen.add(key)
                chosen.append((role, url))
    from codesign.extensions import limiter

    limiter.reset()  # (the crawl signed everyone in: the browser signs them in again, past the minute's limit)
    return chosen


@pytest.mark.long  # minutes: started first (tests/conftest.py)
@pytest.mark.parametrize("locale, direction", [("en", "ltr"), ("ar", "rtl")], ids=["en", "ar"])
def test_every_page_type_is_accessible_and_well_formed(app, demo_data, chromium, live_server, locale, direction):
    pages = _page_types(app, every_role=locale == "en")
    assert len(pages) > (150 if locale == "en" else 60)
    problems = _check_pages(chromium, live_server, pages, locale, direction)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def _check_pages(chromium, live_server, pages, locale: str, direction: str) -> list[str]:
    problems: list[str] = []
    by_role: dict = {}
    for role, url in pages:
        by_role.setdefault(role, []).append(url)
    errors: list[str] = []  # (cleared before each page)
    for role, urls in by_role.items():
        context = chromium.new_context(viewport={"width": 360, "height": 740}, base_url=live_server)
        external = block_third_party(context, live_server)
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        if role:
            sign_in(page, role, "codesign-demo")
        # Choose the language as a person would (for someone signed in it becomes their choice).
        page.goto("/d/riverside/")
        page.locator(f".language-switcher button[value='{locale}']").click()
        page.wait_for_selector(f"html[lang='{locale}']")
        for url in urls:
            external.clear()
            errors.clear()
            response = page.goto(url)
            where = f"{url} as {role or 'a visitor'} in {locale}"
            if response is None or response.status >= 400:
                continue  # (a link to a page this role may not open; the crawl tests statuses)
            if page.url.endswith("/login") and not url.startswith("/login"):
                continue
            found = []
            title = page.title()
            if not title.strip() or title.strip() in (SITE, f"· {SITE}") or title.startswith("·"):
                found.append(f"title {title!r} does not name the page")
            lang, dir_ = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
            asked = parse_qs(urlsplit(url).query).get("lang", [None])[0]  # a page in a language asked for
            if asked and (lang, dir_) != (asked, "rtl" if asked == "ar" else "ltr") or not asked and (lang, dir_) != (locale, direction):
                found.append(f"lang/dir {lang}/{dir_}")
            if page.locator("main").count() != 1:
                found.append(f"{page.locator('main').count()} main landmarks")
            if page.locator("h1").count() != 1:
                found.append(f"{page.locator('h1').count()} h1 headings")
            if external:
                found.append(f"asked for {external}")
            if errors:
                found.append(f"console errors {errors}")
            results = axe_check(page)
            if results.violations_count:
                found.append("axe: " + results.generate_report()[:1500])
            problems += [f"{where}: {item}" for item in found]
        context.close()
    return problems
