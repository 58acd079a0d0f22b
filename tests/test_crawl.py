"""A crawl of the demo as each role: every page type it can reach answers without a server
error, carries the security headers, and loads nothing from another host (no script, style,
image, font or frame from anywhere but the app itself)."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from tests.conftest import Browser, put_demo

SKIP = re.compile(r"(/logout|/packet\.pdf|\.pdf$|/kit/|/static/)")
PER_PATTERN = 2
MAX_PAGES = 400


class Resources(HTMLParser):
    """Links to follow, and the addresses of everything the page would load."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.loads: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("script", "img", "iframe", "frame", "source", "audio", "video", "embed", "track") and attrs.get("src"):
            self.loads.append(attrs["src"])
        if tag == "link" and attrs.get("href") and attrs.get("rel") not in ("alternate", "canonical"):
            self.loads.append(attrs["href"])
        if tag == "object" and attrs.get("data"):
            self.loads.append(attrs["data"])
        if attrs.get("srcset"):
            self.loads += [part.split()[0] for part in attrs["srcset"].split(",") if part.strip()]


def pattern(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(re.findall(r"([^&=]+)=", parts.query))
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def crawl(browser: Browser) -> tuple[dict[str, list[str]], list[str]]:
    """Visit every page type reachable from the home page; return problems by URL, and the
    URLs visited."""
    problems: dict[str, list[str]] = {}
    queue, seen, per_pattern = ["/"], set(), {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        key = pattern(url)
        if url in seen or per_pattern.get(key, 0) >= PER_PATTERN:
            continue
        seen.add(url)
        per_pattern[key] = per_pattern.get(key, 0) + 1
        response = browser.get(url)
        found = []
        if response.status_code >= 500:
            found.append(f"status {response.status_code}")
        headers = response.headers
        if "default-src 'self'" not in headers.get("Content-Security-Policy", ""):
            found.append("no Content-Security-Policy")
        if headers.get("X-Content-Type-Options") != "nosniff":
            found.append("no X-Content-Type-Options")
        if headers.get("Referrer-Policy") != "same-origin":
            found.append("no Referrer-Policy")
        if response.mimetype == "text/html":
            parser = Resources()
            parser.feed(response.get_data(as_text=True))
            for address in parser.loads:
                if re.match(r"(https?:)?//", address) or address.startswith("data:text/html"):
                    found.append(f"loads {address}")
            for link in parser.links:
                target = urljoin(url, link)
                parts = urlsplit(target)
                if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                    continue
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        response.close()
        if found:
            problems[url] = found
    assert len(seen) > 40, f"the crawl reached only {len(seen)} pages"
    return problems, sorted(seen)


@pytest.fixture
def demo(app):
    put_demo(app)


@pytest.mark.parametrize("role", [None, "lucia", "facilitator", "staff", "board", "admin"])
def test_every_reachable_page_is_safe_and_loads_nothing_from_elsewhere(app, demo, role):
    browser = Browser(app.test_client())
    if role:
        browser.sign_in(role, "codesign-demo")
    problems, _visited = crawl(browser)
    assert not problems, "\n".join(f"{url}: {found}" for url, found in problems.items())
