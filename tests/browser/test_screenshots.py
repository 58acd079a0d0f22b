"""Screenshots of the main pages on a 360 px phone in English, Spanish and Arabic, written to
test-artifacts/screenshots/ (CI keeps them); with CODESIGN_UPDATE_SCREENSHOTS=1 the ones the
README shows (docs/screenshots/) are written afresh too. Each page must fit the phone's width:
nothing scrolls sideways."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
README_SHOTS = ROOT / "docs" / "screenshots"
# (name, address); the README shows the proposal in Spanish and Arabic and the log in English.
PAGES = [("district", "/d/riverside/"), ("proposal", "/d/riverside/proposals/1/"),
         ("log", "/d/riverside/log/"), ("surveys", "/d/riverside/surveys/"), ("sessions", "/d/riverside/sessions/")]
IN_README = {("es", "proposal"), ("ar", "proposal"), ("en", "log")}


@pytest.mark.parametrize("locale", ["en", "es", "ar"])
def test_main_pages_on_a_phone(demo_data, chromium, live_server, locale):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 360, "height": 740}, base_url=live_server,
                                   device_scale_factor=1)
    page = context.new_page()
    page.goto("/d/riverside/")
    page.locator(f".language-switcher button[value='{locale}']").click()
    page.wait_for_selector(f"html[lang='{locale}']")
    for name, url in PAGES:
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{url} in {locale} is {width} px wide on a 360 px phone"
        shot = page.screenshot(full_page=False)
        assert len(shot) > 10_000, f"{url} in {locale}: the screenshot looks empty"
        (ARTIFACTS / f"{locale}-{name}.png").write_bytes(shot)
        if os.environ.get("CODESIGN_UPDATE_SCREENSHOTS") == "1" and (locale, name) in IN_README:
            README_SHOTS.mkdir(parents=True, exist_ok=True)
            (README_SHOTS / f"{locale}-{name}.png").write_bytes(shot)
    context.close()


def test_the_readme_shows_screenshots_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for locale, name in IN_README:
        path = f"docs/screenshots/{locale}-{name}.png"
        assert path in readme and (ROOT / path).exists(), path
