"""A live server and Debian's chromium, driven by Playwright (never a downloaded browser)."""
from __future__ import annotations

import os
import re
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
REQUIRE_BROWSER = os.environ.get("CODESIGN_REQUIRE_BROWSER") == "1"
# CI runs the browser tests in its SQLite pass and sets this for its PostgreSQL pass, where
# they would exercise the same pages again (the database layer has its own tests there).
SKIP_BROWSER = os.environ.get("CODESIGN_SKIP_BROWSER") == "1"


# A page test that varies screen size, JavaScript and language runs in four of the eight
# combinations (below); CODESIGN_EVERY_VARIANT=1 runs all eight.
EVERY_VARIANT = os.environ.get("CODESIGN_EVERY_VARIANT") == "1"


def in_pairwise_set(width: int, javascript: bool, language: str) -> bool:
    """Whether a page test runs with this screen width, JavaScript on or off, and language.

    Three two-way choices make eight runs; these four cover every pair of choices (a phone with
    JavaScript off, a desktop in Arabic, Arabic with JavaScript off, ... each at least once):
    phone, JavaScript on, English; phone, JavaScript off, Arabic; desktop, JavaScript on, Arabic;
    desktop, JavaScript off, English. (The first pick of each choice counts 0, the second 1, and
    the kept runs are those whose picks add up to an even number.) Every page type is also
    checked on a phone with JavaScript on in test_every_page: in English by every role that
    reaches it, in Arabic by the first.
    """
    return (width > 400) + (not javascript) + (language != "English") in (0, 2)


def pytest_collection_modifyitems(config, items):
    if SKIP_BROWSER:
        skip = pytest.mark.skip(reason="browser tests run in another pass (CODESIGN_SKIP_BROWSER=1)")
        for item in items:
            if item.get_closest_marker("browser"):
                item.add_marker(skip)
    if EVERY_VARIANT:
        return
    kept, left_out = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        varies_all = {"viewport", "page", "language"} <= params.keys()
        if varies_all and not in_pairwise_set(params["viewport"][0], params["page"], params["language"]):
            left_out.append(item)
        else:
            kept.append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


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


AXE_PATH = "/__axe-core__.js"  # (no address of the app's)


def live_app(app):
    """The app as the live server serves it, with two differences.

    Each response is read whole, and its file closed, before it is sent: werkzeug's development
    server leaves a response's file open when the browser drops the connection (a stylesheet
    still loading when a test goes on to the next page), and the ResourceWarning that follows
    would fail whichever test is running.

    And axe-core is at AXE_PATH beside it: axe_check adds it to a page as a script of the page's
    own origin (which the Content-Security-Policy allows), so the browser caches and compiles it
    once, instead of taking its 570 KB as a new script at every check."""
    body = b""

    def serve(environ, start_response):
        nonlocal body
        if environ.get("PATH_INFO") != AXE_PATH:
            response = app(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                if hasattr(response, "close"):
                    response.close()
        if not body:
            from axe_playwright_python.base import AXE_SCRIPT

            body = AXE_SCRIPT.encode()
        start_response("200 OK", [("Content-Type", "text/javascript; charset=utf-8"),
                                  ("Cache-Control", "max-age=86400"), ("Content-Length", str(len(body)))])
        return [body]

    return serve


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, live_app(app), threaded=True)
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
    external = block_third_party(context, live_server)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.javascript_enabled = request.param
    yield page
    context.close()
    assert not external, f"page asked for third-party URLs: {external}"


def block_third_party(context, live_server: str) -> list[str]:
    """Refuse every request a page of `context` makes to anywhere but the app; return the list
    that each refused address is added to. (A pattern, not a Python function, so that the
    browser stops only those requests: a function would have every request wait on it.)"""
    external: list[str] = []
    elsewhere = re.compile("^(?!" + re.escape(live_server) + "/)")
    context.route(elsewhere, lambda route: (external.append(route.request.url), route.abort()))
    return external


WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"], "reporter": "no-passes"}
# Only the violations come back from the browser: the passes and the rules that did not apply
# would be collected (axe's "no-passes" reporter skips them) and sent over for nothing.
AXE_RUN = "options => axe.run(document, options).then(results => ({violations: results.violations}))"


def axe_check(page):
    """axe-core's WCAG 2.1 A and AA rules on the page as it is now (it must allow scripts, and be
    at the live server's address).

    Returns axe-playwright-python's results: violations_count, generate_report()."""
    from axe_playwright_python.base import AxeResults

    page.add_script_tag(url=AXE_PATH)
    return AxeResults(page.evaluate(AXE_RUN, WCAG_21_AA))


def scripted_tab(chromium, live_server: str, viewport: dict, url: str):
    """A tab with JavaScript on, opened at `url` of the app, where axe checks copies of pages
    opened with JavaScript off (tab.set_content(page.content())). It must be at the app's
    address: there the copies load their stylesheet and axe, under the app's
    Content-Security-Policy (at about:blank neither would load)."""
    tab = chromium.new_context(viewport=viewport, base_url=live_server).new_page()
    tab.goto(url)
    return tab


@pytest.fixture
def check_accessibility(chromium, live_server, viewport):
    """Run axe-core's WCAG 2.1 A and AA rules on the page; fail with its report.

    axe is JavaScript, so for a page opened with JavaScript off we check the very same
    document (its HTML as the browser has it) in a second, scripted tab of the same size.
    """
    scripted = []  # one scripted tab for the test, opened at the app's address the first time

    def check(page):
        target = page
        if not page.javascript_enabled:
            if not scripted:
                scripted.append(scripted_tab(chromium, live_server, viewport, page.url))
            target = scripted[0]
            target.set_content(page.content())
        results = axe_check(target)
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
