"""Security baseline: response headers and a session cookie that notices tampering."""
from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta
from functools import cache
from pathlib import Path

from flask import Flask, request, session
from flask.sessions import SecureCookieSessionInterface

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "codesign.css"


@cache
def inline_stylesheet() -> tuple[str, str]:
    """The stylesheet's text, put inline in a first view (so that the page and its styles arrive
    in one round trip), and the hash that lets the Content-Security-Policy allow exactly it."""
    text = STYLESHEET.read_text(encoding="utf-8")
    return text, "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' {inline_stylesheet()[1]}",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


BASE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def set_security_headers(response):
    """Headers every response carries, pages and files alike (static files get the same from
    codesign.assets)."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}  # one pass (setdefault scans per header)
    missing = [(name, value) for name, value in BASE_HEADERS.items() if name.lower() not in present]
    if missing:
        headers.extend(missing)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


class TamperEvidentSessionInterface(SecureCookieSessionInterface):
    """Like Flask's signed cookie session, but marks a request whose cookie failed its signature."""

    def open_session(self, app: Flask, request):
        session = super().open_session(app, request)
        cookie = request.cookies.get(self.get_cookie_name(app))
        if cookie and session is not None and not session:
            # Flask hands back an empty session for a bad signature; an honest cookie that
            # we wrote always verifies, so an empty result from a non-empty cookie means tampering.
            serializer = self.get_signing_serializer(app)
            try:
                serializer.loads(cookie, max_age=int(app.permanent_session_lifetime.total_seconds()))
            except Exception:
                request.environ["codesign.session_tampered"] = True
        return session


_FORM_TOKEN = re.compile(rb'<input[^>]*name="csrf_token"[^>]*>')


def conditional_get(response):
    """Pages answer a repeat visit with 304 Not Modified when nothing changed, and "private,
    no-cache" keeps shared caches out while letting the browser ask "still the same?" instead
    of downloading the page again.

    The ETag hashes the page without its form tokens (their signature carries the second it was
    made) but with the session's own token, which they all stand for: the same page in the same
    session is the same, and a browser's cached copy always holds tokens its session accepts.
    """
    if (request.method == "GET" and response.status_code == 200 and response.mimetype == "text/html"
            and not response.direct_passthrough and not response.is_streamed):
        if "ETag" not in response.headers:  # the page cache sets it from a digest it keeps
            response.set_etag(session_etag(page_digest(response.get_data())))
        response.headers.setdefault("Cache-Control", "private, no-cache")
        response.make_conditional(request)
    return response


def page_digest(body: bytes):
    """The hash of a page without its form tokens (a hashlib object, to be finished per session)."""
    return hashlib.sha256(_FORM_TOKEN.sub(b"", body))


def session_etag(digest) -> str:
    """A page's ETag in this session: its digest with the session's form token secret."""
    return etag_for(digest, str(session.get("csrf_token", "")))


def etag_for(digest, secret: str) -> str:
    digest = digest.copy()
    digest.update(secret.encode())
    return digest.hexdigest()[:32]


def signed_token(purpose: str, data: dict) -> str:
    """A URL-safe token carrying data, signed with the app's secret for one purpose (the salt),
    with its time: emailed links that must work without signing in."""
    from flask import current_app
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose).dumps(data)


def read_signed_token(purpose: str, token: str, max_age: timedelta) -> dict | None:
    """The data of a genuine token for this purpose no older than max_age; None if it was
    changed, is for another purpose, or is too old."""
    from flask import current_app
    from itsdangerous import BadData, URLSafeTimedSerializer

    try:
        data = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose).loads(
            token, max_age=int(max_age.total_seconds()))
    except BadData:
        return None
    return data if isinstance(data, dict) else None
