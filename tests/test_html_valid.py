"""Every page a crawl of the demo reaches, as each role, in English and in Arabic, is valid HTML
by the Nu HTML Checker: vnu-jar from the npm registry (pinned), run with Java, no network.

The jar is looked for at CODESIGN_VNU_JAR, then in .cache/ (fetched there once with
`npm pack` when npm is present). Without Java or the jar the test skips, saying why, unless
CODESIGN_REQUIRE_VNU=1 (CI) makes that a failure. It runs in CI's browser pass (the pages do not
depend on the database)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

from tests.conftest import Browser
from tests.test_crawl import crawl

pytestmark = pytest.mark.browser

VNU_VERSION = "26.9.27"
CACHE = Path(__file__).resolve().parent.parent / ".cache" / "vnu"
ROLES = [None, "lucia", "facilitator", "staff", "board", "admin"]


def _jar() -> tuple[Path | None, str]:
    """The checker's jar, or None and why not."""
    if not shutil.which("java"):
        return None, "Java is not installed (Debian: apt-get install default-jre-headless)"
    if os.environ.get("CODESIGN_VNU_JAR"):
        return Path(os.environ["CODESIGN_VNU_JAR"]), ""
    jar = CACHE / f"vnu-{VNU_VERSION}.jar"
    if jar.exists():
        return jar, ""
    if not shutil.which("npm"):
        return None, f"the Nu HTML Checker is not at {jar} and npm is not installed to fetch vnu-jar@{VNU_VERSION}"
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        packed = subprocess.run(["npm", "pack", f"vnu-jar@{VNU_VERSION}", "--silent"], cwd=folder,
                                capture_output=True, text=True, timeout=600)
        if packed.returncode != 0:
            return None, f"npm could not fetch vnu-jar@{VNU_VERSION}: {packed.stderr[-500:]}"
        with tarfile.open(Path(folder) / packed.stdout.strip().splitlines()[-1]) as archive:
            member = archive.extractfile("package/build/dist/vnu.jar")
            partial = jar.with_name(f"{jar.name}.{os.getpid()}.part")  # (test workers may fetch at once)
            partial.write_bytes(member.read())
            partial.replace(jar)
    return jar, ""


def required_jar() -> Path:
    """The checker's jar; without it the test skips, saying why (fails where it is required)."""
    jar, reason = _jar()
    if jar is None:
        if os.environ.get("CODESIGN_REQUIRE_VNU") == "1":
            pytest.fail(reason + " — required here because CODESIGN_REQUIRE_VNU=1")
        pytest.skip(reason)
    return jar


@pytest.fixture(scope="module")
def vnu():
    return required_jar()


def check_html(jar: Path, documents: dict[str, str | bytes], folder: Path) -> list[str]:
    """The Nu HTML Checker's errors in these documents (where → HTML), in one run, each named
    by where it came from."""
    written = {}
    for where, html in documents.items():
        page = folder / f"{len(written):04d}.html"
        page.write_bytes(html.encode() if isinstance(html, str) else html)
        written[page.name] = where
    checked = subprocess.run(["java", "-jar", str(jar), "--errors-only", "--format", "json", str(folder)],
                             capture_output=True, text=True, timeout=900)
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    return [f"{written.get(Path(m.get('url', '')).name, m.get('url'))}: {m['message']} "
            f"[{m.get('extract', '').strip()[:120]}]" for m in messages]


@pytest.mark.long  # minutes: started first (tests/conftest.py)
def test_every_page_is_valid_html_in_english_and_arabic(app, demo_data, vnu, tmp_path):
    from codesign.i18n import LOCALE_COOKIE

    documents = {}
    for role in ROLES:
        browser = Browser(app.test_client())
        if role:
            browser.sign_in(role, "codesign-demo")
        _problems, urls = crawl(browser)
        for locale in ("en", "ar"):
            browser.client.set_cookie(LOCALE_COOKIE, locale)
            for url in urls:
                response = browser.get(url)
                if response.mimetype == "text/html" and response.status_code < 400:
                    documents[f"{url} as {role or 'a visitor'} in {locale}"] = response.get_data()
                response.close()
    assert len(documents) > 400
    found = check_html(vnu, documents, tmp_path)
    assert not found, f"{len(found)} HTML errors, for example:\n" + "\n".join(found[:25])
