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
"""
from __future__ import annotations

import time
from collections import OrderedDict
from threading import Lock

from flask import Flask, Response, current_app, g, request, session
from flask_wtf.csrf import generate_csrf

from codesign.i18n import LOCALE_COOKIE
from codesign.security import page_digest, session_etag

MAX_PAGES = 300
TOKEN = "\x00form-token\x00"
SESSION_KEYS = {"csrf_token", "_fresh", "_permanent"}  # what a visitor who is not signed in may hold
VARY_HEADERS = ("HX-Request", "HX-Target", "HX-Trigger", "HX-History-Restore-Request", "HX-Boosted",
                "Accept-Language")
VARY_KEYS = tuple("HTTP_" + name.upper().replace("-", "_") for name in VARY_HEADERS)
SKIPPED_HEADERS = {"Set-Cookie", "Content-Length", "ETag", "Date"}


class PageCache:
    def __init__(self, seconds: float, size: int = MAX_PAGES):
        self.seconds = seconds
        self.size = size
        self.pages: OrderedDict[tuple, tuple] = OrderedDict()  # (time, status, headers, body, digest)
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

    def put(self, key, status: int, headers: list, body: bytes, digest) -> None:
        with self.lock:
            self.pages[key] = (time.monotonic(), status, headers, body, digest)
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)


def _key():
    """The request as a cached page sees it, or None when this visitor's page may differ."""
    if request.method != "GET" or request.endpoint == "static":
        return None
    if set(session.keys()) - SESSION_KEYS or request.environ.get("codesign.session_tampered"):
        return None  # signed in, messages waiting, anything of their own, a bad cookie to explain
    allowed = {current_app.config["SESSION_COOKIE_NAME"], LOCALE_COOKIE}
    if set(request.cookies) - allowed:
        return None
    environ = request.environ  # (request.headers.get raises and catches for each absent header)
    return (request.full_path, request.cookies.get(LOCALE_COOKIE, ""),
            tuple(environ.get(key, "") for key in VARY_KEYS),
            current_app.config["SESSION_COOKIE_NAME"] in request.cookies)  # a first view has the styles inline


def init_app(app: Flask) -> None:
    seconds = float(app.config["PAGE_CACHE_SECONDS"])
    if seconds <= 0:
        return
    cache = PageCache(seconds)
    app.extensions["codesign.pagecache"] = cache

    def serve_from_cache():
        key = _key()
        if key is None:
            return None
        g.page_cache_key = key
        found = cache.get(key)
        if found is None:
            return None
        _at, status, headers, body, digest = found
        g.page_cache_hit = True
        response = Response(body.replace(TOKEN.encode(), generate_csrf().encode()), status=status,
                            headers=headers)
        response.set_etag(session_etag(digest))
        response.headers["X-Page-Cache"] = "hit"
        return response

    # Before anything else the request would run (the blueprints' URL preprocessors look up the
    # district, rate limits are counted): a kept page costs no query and next to no work. What a
    # hit skips does not apply to it: nobody is signed in, and it was limited when it was made.
    prepare = app.preprocess_request

    def preprocess_request():
        served = serve_from_cache()
        return served if served is not None else prepare()

    app.preprocess_request = preprocess_request

    @app.after_request
    def remember(response):
        key = g.pop("page_cache_key", None)
        if (key is None or g.get("page_cache_hit") or response.status_code != 200
                or response.mimetype != "text/html" or response.direct_passthrough or response.is_streamed
                or set(session.keys()) - SESSION_KEYS):
            return response
        body = response.get_data()
        token = g.get("csrf_token")  # Flask-WTF's token for this request, if the page has one
        if token:
            body = body.replace(token.encode(), TOKEN.encode())
        headers = [(name, value) for name, value in response.headers.items() if name not in SKIPPED_HEADERS]
        cache.put(key, response.status_code, headers, body, page_digest(body))
        return response
