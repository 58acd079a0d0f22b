"""A few seconds of memory for pages read by people who are not signed in.

When a proposal brings thousands of readers in one evening, almost all of them read the same
few pages without signing in. Each worker keeps such a page for PAGE_CACHE_SECONDS (5 by
default; 0 turns it off) and serves it again without running the view: the same address,
language choice and htmx headers get the same page, with this visitor's own form token put in.

Only what cannot differ between such visitors is kept: GET, 200, HTML, nobody signed in, a
session holding nothing but its form token secret (no messages waiting to be shown), and no
cookie but the session and the language choice (a browser that asked for a translation has
its own "you asked" state, so it is never served from here). Anything a visitor writes is a
POST, which is never cached; signed-in people always get a fresh page. So the price is that
an anonymous reader may see a page up to a few seconds old.

A kept page is answered by `Front`, a WSGI layer in front of Flask: no request context, no
routing, no hooks — only what differs per visitor is made again (their session cookie on a
first view, their form token, the ETag, the date). Flask says which of its responses may be
kept (`remember`, after the view ran); the front keeps the response exactly as it left Flask,
headers included, less those per-visitor parts.
"""
from __future__ import annotations

import hashlib
import os
import time
from collections import OrderedDict
from threading import Lock

from flask import Flask, g, request, session
from itsdangerous import URLSafeTimedSerializer
from werkzeug.http import (
    dump_cookie,
    http_date,
    is_resource_modified,
    parse_cookie,
    quote_etag,
    remove_entity_headers,
)

from codesign.i18n import LOCALE_COOKIE
from codesign.security import HSTS, etag_for, page_digest

MAX_PAGES = 300
SESSION_KEYS = {"csrf_token", "_fresh", "_permanent"}  # what a visitor who is not signed in may hold
VARY_HEADERS = ("HX-Request", "HX-Target", "HX-Trigger", "HX-History-Restore-Request", "HX-Boosted",
                "Accept-Language")
VARY_KEYS = tuple("HTTP_" + name.upper().replace("-", "_") for name in VARY_HEADERS)
PER_VISITOR = {"set-cookie", "content-length", "etag", "date", "strict-transport-security"}
KEEP = "codesign.page_cache.keep"  # environ: Flask's word that this response may be kept


class PageCache:
    def __init__(self, seconds: float, size: int = MAX_PAGES):
        self.seconds = seconds
        self.size = size
        self.pages: OrderedDict[tuple, tuple] = OrderedDict()  # (time, headers, body parts, digest)
        self.lock = Lock()
        self.hits = self.misses = 0

    def get(self, key):
        with self.lock:
            found = self.pages.get(key)
            if found is None or time.monotonic() - found[0] > self.seconds:
                self.misses += 1
                return None
            self.pages.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key, headers: list, parts: list[bytes], digest) -> None:
        with self.lock:
            self.pages[key] = (time.monotonic(), headers, parts, digest)
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)


def page_key(environ: dict, cookies, session_cookie: str):
    """The request as a kept page sees it, or None when this visitor's page may differ: anything
    but a GET, or a cookie other than the session and the language choice."""
    if environ.get("REQUEST_METHOD") != "GET":
        return None
    for name in cookies:
        if name != session_cookie and name != LOCALE_COOKIE:
            return None
    return (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"),  # (links made _external differ)
            environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
            cookies.get(LOCALE_COOKIE, ""), tuple(environ.get(key, "") for key in VARY_KEYS),
            session_cookie in cookies)  # a first view has the styles inline


class Front:
    """Answers a kept page before Flask sees the request; keeps the pages Flask says it may."""

    def __init__(self, app: Flask, cache: PageCache, wsgi_app):
        self.cache = cache
        self.wsgi_app = wsgi_app
        interface = app.session_interface
        self.cookie_name = interface.get_cookie_name(app)
        self.sessions = interface.get_signing_serializer(app)  # Flask's own, so its cookies are ours
        self.session_max_age = int(app.permanent_session_lifetime.total_seconds())
        self.cookie_args = {"path": interface.get_cookie_path(app), "domain": interface.get_cookie_domain(app),
                            "secure": interface.get_cookie_secure(app), "httponly": interface.get_cookie_httponly(app),
                            "samesite": interface.get_cookie_samesite(app),
                            "partitioned": interface.get_cookie_partitioned(app)}
        # Flask-WTF's tokens, made as generate_csrf makes them (validate_csrf checks them).
        self.tokens = URLSafeTimedSerializer(app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key,
                                             salt="wtf-csrf-token")

    def __call__(self, environ, start_response):
        cookies = parse_cookie(environ)
        key = page_key(environ, cookies, self.cookie_name)
        if key is None:
            return self.wsgi_app(environ, start_response)
        page = self.cache.get(key)
        if page is not None:
            answer = self.answer(environ, page, cookies.get(self.cookie_name))
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers)
                return [body]
        return self.fill(environ, start_response, key)

    def visitor_secret(self, cookie: str) -> str | None:
        """The form token secret of a genuine session that holds nothing of its own, else None
        (Flask then makes the page: it explains a bad cookie, shows messages, refreshes a
        lasting session)."""
        try:
            data = self.sessions.loads(cookie, max_age=self.session_max_age)
        except Exception:
            return None
        if not isinstance(data, dict) or set(data) - SESSION_KEYS or data.get("_permanent"):
            return None
        secret = data.get("csrf_token")
        return secret if isinstance(secret, str) else None

    def answer(self, environ, page, cookie: str | None):
        if environ.get("HTTP_IF_MATCH"):
            return None  # rare enough to leave to Flask's make_conditional
        _at, kept_headers, parts, digest = page
        headers = list(kept_headers)
        if cookie is None and len(parts) == 1:  # a first view of a page without a form: no session
            secret = ""
        elif cookie is None:  # a first view: a new session holding its form token secret, as Flask-WTF makes it
            secret = hashlib.sha1(os.urandom(64)).hexdigest()
            headers.append(("Set-Cookie", dump_cookie(self.cookie_name, self.sessions.dumps({"csrf_token": secret}),
                                                      **self.cookie_args)))
        else:
            secret = self.visitor_secret(cookie)
            if secret is None:
                return None
        etag = etag_for(digest, secret)
        headers += [("ETag", quote_etag(etag)), ("Date", http_date()), ("X-Page-Cache", "hit")]
        if environ.get("wsgi.url_scheme") == "https":
            headers.append(("Strict-Transport-Security", HSTS))
        if not is_resource_modified(environ, etag=etag):
            remove_entity_headers(headers)
            return "304 NOT MODIFIED", headers, b""
        body = self.tokens.dumps(secret).encode().join(parts)
        headers.append(("Content-Length", str(len(body))))
        return "200 OK", headers, body

    def fill(self, environ, start_response, key):
        seen = []

        def remember_start(status, headers, exc_info=None):
            seen[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body_iter = self.wsgi_app(environ, remember_start)
        token = environ.get(KEEP)
        if token is None or not seen or not seen[0].startswith("200 "):
            return body_iter
        try:
            body = b"".join(body_iter)
        finally:
            if hasattr(body_iter, "close"):
                body_iter.close()
        headers = seen[1]
        if not any(name.lower() == "set-cookie" and not value.startswith(self.cookie_name + "=")
                   for name, value in headers):  # a page that sets another cookie is its visitor's own
            kept = [(name, value) for name, value in headers if name.lower() not in PER_VISITOR]
            parts = body.split(token.encode()) if token else [body]
            self.cache.put(key, kept, parts, page_digest(body))
        return [body]


def init_app(app: Flask) -> None:
    seconds = float(app.config["PAGE_CACHE_SECONDS"])
    if seconds <= 0:
        return
    cache = PageCache(seconds)
    app.extensions["codesign.pagecache"] = cache

    # Whether a page may be kept is decided before anything else the request runs (a message
    # shown, a session changed by a hook): what the visitor brought must hold nothing of theirs.
    prepare = app.preprocess_request

    def preprocess_request():
        g.page_cache_keepable = (request.method == "GET" and request.endpoint != "static"
                                 and not set(session.keys()) - SESSION_KEYS
                                 and not request.environ.get("codesign.session_tampered"))
        return prepare()

    app.preprocess_request = preprocess_request

    @app.after_request
    def remember(response):
        """Tell the front this page may be kept, and which form token in it is this visitor's."""
        if (g.get("page_cache_keepable") and response.status_code == 200 and response.mimetype == "text/html"
                and not response.direct_passthrough and not response.is_streamed
                and not set(session.keys()) - SESSION_KEYS):
            request.environ[KEEP] = g.get("csrf_token") or ""  # Flask-WTF's token for this request
        return response

    app.wsgi_app = Front(app, cache, app.wsgi_app)
