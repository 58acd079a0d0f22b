"""A live server and Debian's chromium, driven by Playwright (never a downloaded browser)."""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
REQUIRE_BROWSER = os.environ.get("CODESIGN_REQUIRE_BROWSER") == "1"
# CI runs the browser tests in its SQLite pass and sets this for its PostgreSQL pass, where
# they would exercise the same pages again (the database layer has its own tests there).
SKIP_BROWSER = os.environ.get("CODESIGN_SKIP_BROWSER") == "1"


def pytest_collection_modifyitems(config, items):
    if SKIP_BROWSER:
        skip = pytest.mark.skip(reason="browser tests run in another pass (CODESIGN_SKIP_BROWSER=1)")
        for item in items:
            if item.get_closest_marker("browser"):
                item.add_marker(skip)
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _missing_browser_reason() -> str | None:
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright and axe-playwright-python are not installed (pip install -e '.[test]')"
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        return f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def chromium():
    reason = _missing_browser_reason()
    if reason:
        if REQUIRE_BROWSER:
            pytest.fail(reason + " — required here because CODESIGN_REQUIRE_BROWSER=1")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(params=[(360, 740), (1280, 800)], ids=["phone", "desktop"])
def viewport(request):
    return {"width": request.param[0], "height": request.param[1]}


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def page(request, chromium, live_server, viewport):
    context = chromium.new_context(viewport=viewport, java_script_enabled=request.param,
                                   base_url=live_server)
    external = []
    context.route(
        lambda url: not url.startswith(live_server),
        lambda route: (external.append(route.request.url), route.abort()),
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.javascript_enabled = request.param
    yield page
    context.close()
    assert not external, f"page asked for third-party URLs: {external}"


WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}


@pytest.fixture
def check_accessibility(chromium, live_server, viewport):
    """Run axe-core's WCAG 2.1 A and AA rules on the page; fail with its report.

    axe is JavaScript, so for a page opened with JavaScript off we check the very same
    document (its HTML as the browser has it) in a second, scripted tab of the same size.
    """
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    scripted = []  # one scripted tab for the test, opened at the app's address the first time

    def check(page):
        target = page
        if not page.javascript_enabled:
            if not scripted:
                scripted.append(chromium.new_context(viewport=viewport, base_url=live_server).new_page())
                scripted[0].goto(page.url)
            target = scripted[0]
            target.set_content(page.content())
        results = axe.run(target, options=WCAG_21_AA)
        assert results.violations_count == 0, f"{page.url}\n" + results.generate_report()

    yield check
    for tab in scripted:
        tab.context.close()


def sign_in(page, username, password="password123"):
    """Sign in through the form, as a person would, and wait until it has worked."""
    page.goto("/login")
    page.locator("#login").fill(username)
    page.locator("#password").fill(password)
    page.locator("button.primary").click()
    page.wait_for_selector(".flash--success")
