"""Pages for visitors who are not signed in are kept a few seconds (codesign/pagecache.py):
served again without running the view, each visitor with their own working form token; never
for signed-in people, for messages waiting to be shown, or for a browser with state of its own."""
import re
import time

import pytest

from codesign.districts.models import Role
from tests.conftest import Browser, csrf_from


@pytest.fixture
def cached(other_app, make_open_proposal):
    proposal_id = make_open_proposal()
    app = other_app(PAGE_CACHE_SECONDS="30")
    return app, f"/d/riverside/proposals/{proposal_id}/"


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_a_readers_page_is_served_again_without_running_the_view(cached, count_queries):
    app, url = cached
    first = app.test_client().get(url)
    assert first.status_code == 200 and "X-Page-Cache" not in first.headers
    visitor = app.test_client()
    with count_queries() as counted:
        again = visitor.get(url)
    assert again.headers["X-Page-Cache"] == "hit" and counted["n"] == 0
    assert again.headers["Content-Security-Policy"] and again.headers["ETag"]
    # The same page, with this visitor's own form token, which works for them.
    assert _token(again.get_data(as_text=True)) != _token(first.get_data(as_text=True))
    assert re.sub(r'value="[^"]{40,}"', "", again.get_data(as_text=True)) == re.sub(
        r'value="[^"]{40,}"', "", first.get_data(as_text=True))
    switched = visitor.post("/locale", data={"csrf_token": _token(again.get_data(as_text=True)),
                                             "locale": "es", "next": url})
    assert switched.status_code == 303
    # Their language choice is another page (and then kept too).
    spanish = visitor.get(url)
    assert "X-Page-Cache" not in spanish.headers and 'lang="es"' in spanish.get_data(as_text=True)
    assert visitor.get(url).headers["X-Page-Cache"] == "hit"
    # An htmx request for the same address is another page again.
    assert "X-Page-Cache" not in app.test_client().get(url, headers={"HX-Request": "true"}).headers


def test_a_kept_page_answers_a_repeat_visit_with_not_modified(cached, other_app):
    app, url = cached
    app.test_client().get(url)
    visitor = app.test_client()
    visitor.get(url)  # a first view (styles inline) is another page than the views after it,
    visitor.get(url)  # which this one makes and keeps
    page = visitor.get(url)
    assert page.headers["X-Page-Cache"] == "hit"
    again = visitor.get(url, headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304 and again.headers["X-Page-Cache"] == "hit" and not again.get_data()
    # The ETag is the one the page would have had without the cache (so a browser's copy stays
    # valid when the cache expires), and another visitor's does not match.
    uncached = other_app(PAGE_CACHE_SECONDS="0").test_client()
    uncached.set_cookie("session", visitor.get_cookie("session").value)
    made = uncached.get(url)
    assert "X-Page-Cache" not in made.headers and made.headers["ETag"] == page.headers["ETag"]
    other_visitor = app.test_client()
    other_visitor.get(url)
    other = other_visitor.get(url)
    assert other.headers["X-Page-Cache"] == "hit" and other.headers["ETag"] != page.headers["ETag"]
    assert visitor.get(url, headers={"If-None-Match": other.headers["ETag"]}).status_code == 200


def test_a_tampered_session_cookie_gets_a_fresh_page_that_says_so(cached):
    app, url = cached
    app.test_client().get(url)
    visitor = app.test_client()
    visitor.set_cookie("session", "eyJjc3JmX3Rva2VuIjoiYWJjIn0.forged.signature")
    page = visitor.get(url)
    assert "X-Page-Cache" not in page.headers
    assert "could not be checked" in page.get_data(as_text=True)


def test_signed_in_people_and_waiting_messages_always_get_a_fresh_page(cached, make_user):
    from codesign.districts.service import get_district

    app, url = cached
    with app.app_context():
        district = get_district("riverside")
    make_user("lucia", roles={district: [Role.PARTICIPANT]})
    app.test_client().get(url)
    lucia = Browser(app.test_client())
    lucia.sign_in("lucia")
    page = lucia.get(url)
    assert "X-Page-Cache" not in page.headers and "My account" in page.get_data(as_text=True)
    # A message waiting for the next page (here: a bad language choice) is shown, not skipped.
    visitor = Browser(app.test_client())
    visitor.get(url)
    visitor.post("/locale", {"locale": "xx", "next": url}, token_from=url)
    shown = visitor.get(url)
    assert "X-Page-Cache" not in shown.headers and "That language is not available" in shown.get_data(as_text=True)
    assert "That language is not available" not in app.test_client().get(url).get_data(as_text=True)


def test_a_browser_with_its_own_state_and_an_old_page_get_a_fresh_one(cached, other_app, monkeypatch):
    app, url = cached
    app.test_client().get(url)
    asked = app.test_client()
    asked.set_cookie("codesign_browser", "abc123")  # it asked for a translation: "you asked" differs
    assert "X-Page-Cache" not in asked.get(url).headers
    import codesign.pagecache as pagecache

    later = time.monotonic() + 31
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: later)
    assert "X-Page-Cache" not in app.test_client().get(url).headers  # older than 30 s: made again


def test_off_unless_configured_and_in_tests(app, client, make_district):
    make_district()
    client.get("/d/riverside/")
    assert "X-Page-Cache" not in client.get("/d/riverside/").headers
    assert "codesign.pagecache" not in app.extensions
    assert csrf_from(client.get("/d/riverside/"))


PER_VISITOR = {"Set-Cookie", "ETag", "Date", "X-Page-Cache", "Content-Length"}


def _same_headers(kept, made):
    return ({(k, v) for k, v in kept.headers.items() if k not in PER_VISITOR}
            == {(k, v) for k, v in made.headers.items() if k not in PER_VISITOR})


def test_a_kept_page_answers_as_flask_would_without_flask(cached, other_app, monkeypatch):
    """The front (codesign.pagecache.Front) answers before Flask: its answer carries the headers
    the page has when Flask makes it, for a first view (a new session, whose token works) and a
    reader's next view alike."""
    import flask

    app, url = cached
    uncached = other_app(PAGE_CACHE_SECONDS="0")
    app.test_client().get(url)
    reader = app.test_client()
    reader.get(url)
    reader.get(url)  # makes and keeps the page of a reader with a session
    made_first = uncached.test_client().get(url)
    made_next = uncached.test_client()
    made_next.set_cookie("session", reader.get_cookie("session").value)
    made_next = made_next.get(url)
    monkeypatch.setattr(flask.Flask, "full_dispatch_request", lambda self: pytest.fail("Flask was asked"))
    first, again = app.test_client().get(url), reader.get(url)
    assert first.headers["X-Page-Cache"] == again.headers["X-Page-Cache"] == "hit"
    assert _same_headers(first, made_first) and _same_headers(again, made_next)
    assert int(first.headers["Content-Length"]) == len(first.get_data())
    assert "Set-Cookie" not in again.headers and again.headers["ETag"] == made_next.headers["ETag"]
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_front_leaves_to_flask_what_it_does_not_keep(cached):
    app, url = cached
    app.test_client().get(url)
    # A kept page answers only GET, and leaves If-Match to Flask.
    assert "X-Page-Cache" not in app.test_client().head(url).headers
    assert app.test_client().get(url, headers={"If-Match": '"x"'}).status_code == 412
    # A page that sets a cookie of its own is never kept.
    def own_cookie(response):
        response.set_cookie("codesign_seen", "1")
        return response

    app.after_request_funcs.setdefault(None, []).append(own_cookie)
    app.test_client().get("/d/riverside/")
    assert "X-Page-Cache" not in app.test_client().get("/d/riverside/").headers
    app.after_request_funcs[None].remove(own_cookie)
    app.test_client().get("/d/riverside/")
    assert app.test_client().get("/d/riverside/").headers["X-Page-Cache"] == "hit"


def test_https_behind_a_proxy_gets_strict_transport_security_from_the_front(cached, other_app):
    app, url = cached
    proxied = other_app(PAGE_CACHE_SECONDS="30", TRUSTED_PROXIES=1)
    forwarded = {"X-Forwarded-Proto": "https"}
    proxied.test_client().get(url, headers=forwarded)
    kept = proxied.test_client().get(url, headers=forwarded)
    assert kept.headers["X-Page-Cache"] == "hit" and kept.headers["Strict-Transport-Security"]
    # A page is kept per scheme and host (links made absolute carry them).
    assert "X-Page-Cache" not in proxied.test_client().get(url).headers
    plain = proxied.test_client().get(url)
    assert plain.headers["X-Page-Cache"] == "hit" and "Strict-Transport-Security" not in plain.headers
    assert "X-Page-Cache" not in proxied.test_client().get(url, headers={"Host": "other.example"}).headers
