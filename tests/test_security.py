"""Security baseline: headers on every response, cookies, no inline script or style."""
import base64
import hashlib
import re

import pytest

PAGES = ["/", "/d/riverside/", "/d/riverside/privacy", "/login", "/register",
         "/register/under-13", "/privacy", "/no-such-page", "/static/css/codesign.css"]


@pytest.fixture
def district(make_district):
    return make_district()


@pytest.mark.parametrize("url", PAGES)
def test_security_headers_on_every_response(client, district, url):
    response = client.get(url)
    response.close()
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain http here


def test_hsts_over_https(client, district):
    response = client.get("/privacy", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("url", [u for u in PAGES if not u.startswith("/static")])
def test_pages_have_no_inline_script_style_or_third_party_urls(client, district, url):
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    # The one inline <style> is the site's stylesheet on a first view, allowed by its hash alone.
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert html.count("<style") == len(styles) <= 1
    for style in styles:
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in response.headers["Content-Security-Policy"]
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    for attr in re.findall(r'\s(?:src|href|action)="([^"]*)"', html):
        assert not re.match(r"(https?:)?//", attr), f"third-party or absolute URL: {attr}"


def test_a_first_view_brings_its_styles_and_later_views_link_them(client, district):
    from codesign.security import STYLESHEET

    first = client.get("/d/riverside/")
    html = first.get_data(as_text=True)
    assert f"<style>{STYLESHEET.read_text(encoding='utf-8')}</style>" in html
    assert re.search(r'<link rel="prefetch" href="/static/css/codesign\.[0-9a-f]{12}\.css">', html)
    assert 'rel="stylesheet"' not in html and "unsafe-inline" not in first.headers["Content-Security-Policy"]
    assert client.get_cookie("session") is not None  # the page's form token gave it a session
    later = client.get("/d/riverside/").get_data(as_text=True)
    assert "<style" not in later
    assert re.search(r'<link rel="stylesheet" href="/static/css/codesign\.[0-9a-f]{12}\.css">', later)


def test_session_cookie_is_httponly_and_lax(browser, make_user, client):
    make_user("maria")
    response = browser.post("/login", {"login": "maria", "password": "password123"})
    cookie_header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie_header
    assert "SameSite=Lax" in cookie_header
    assert "Secure" not in cookie_header


def test_https_config_makes_cookies_secure(other_app, make_user):
    from tests.conftest import csrf_from

    app = other_app(HTTPS=True)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    make_user("maria")
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost")
    response = client.post("/login", base_url="https://localhost",
                           data={"csrf_token": csrf_from(page), "login": "maria", "password": "password123"})
    cookie_header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" in cookie_header


def test_server_errors_show_a_generic_translated_page(other_app):
    app = other_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom", headers={"Accept-Language": "es"})
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in text and "Traceback" not in text
    assert '<html lang="es"' in text


def test_download_links_are_not_boosted():
    """htmx's boost would fetch a file into the page instead of saving it: every link that
    downloads says data-hx-boost="false" (the board journey downloads a packet with JS on)."""
    from pathlib import Path

    import codesign

    found = []
    for template in Path(codesign.__file__).parent.rglob("*.html"):
        for link in re.findall(r"<a [^>]*\bdownload\b[^>]*>", template.read_text(encoding="utf-8")):
            if 'data-hx-boost="false"' not in link:
                found.append(f"{template.name}: {link}")
    assert not found, found
