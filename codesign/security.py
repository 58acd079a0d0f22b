"""Security baseline: response headers and a session cookie that notices tampering."""
from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def set_security_headers(response):
    """Headers every response carries, pages and files alike."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
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
