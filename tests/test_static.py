"""Vendored htmx is the pinned 2.x release with its licence."""
import gzip
import hashlib
import re
from pathlib import Path

import brotli

STATIC = Path(__file__).resolve().parent.parent / "static"
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"


def test_htmx_is_pinned_with_its_licence():
    data = (STATIC / "vendor" / "htmx.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == HTMX_SHA256
    assert b'version:"2.0.11"' in data
    assert "Zero-Clause BSD" in (STATIC / "vendor" / "htmx.LICENSE").read_text()
    assert HTMX_SHA256 in (STATIC / "vendor" / "README.md").read_text()


def test_scripts_load_deferred(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert re.search(r'<script src="/static/vendor/htmx\.min\.[0-9a-f]{12}\.js" defer></script>', html)


def _get(client, url, **headers):
    response = client.get(url, headers=headers)
    response.get_data()  # read it, then let the file go: a file response holds it open until closed
    response.close()
    return response


def test_static_files_have_fingerprinted_names_long_lives_and_compressed_copies(app, client):
    html = client.get("/privacy").get_data(as_text=True)
    [css] = re.findall(r'href="(/static/css/codesign\.[0-9a-f]{12}\.css)"', html)
    assert css.split(".")[-2] == hashlib.sha256((STATIC / "css" / "codesign.css").read_bytes()).hexdigest()[:12]
    plain = _get(client, css)
    assert plain.status_code == 200 and plain.data == (STATIC / "css" / "codesign.css").read_bytes()
    assert "immutable" in plain.headers["Cache-Control"] and "max-age=315360000" in plain.headers["Cache-Control"]
    assert plain.headers["X-Content-Type-Options"] == "nosniff"
    for encoding, unpack in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        packed = _get(client, css, **{"Accept-Encoding": encoding})
        assert packed.headers["Content-Encoding"] == encoding and "Accept-Encoding" in packed.headers["Vary"]
        assert unpack(packed.data) == plain.data and len(packed.data) < len(plain.data) / 3
    # Conditional requests, and the plain name for anything that asks for it (cached an hour).
    assert _get(client, css, **{"If-None-Match": plain.headers["ETag"]}).status_code == 304
    named = _get(client, "/static/css/codesign.css")
    assert named.status_code == 200 and named.headers["Cache-Control"] == "max-age=3600, public"


def test_pages_answer_a_repeat_visit_with_not_modified(client, make_district):
    make_district()
    client.get("/d/riverside/")  # the first view (styles inline) is another page than later ones
    first = client.get("/d/riverside/")
    assert first.status_code == 200 and first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get("/d/riverside/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    changed = client.get("/d/riverside/", headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200 and changed.data == first.data


def test_a_page_is_the_same_page_whenever_its_form_token_was_signed(client, make_district, monkeypatch):
    import itsdangerous.timed

    make_district()
    client.get("/d/riverside/")  # the first view (styles inline) is another page than later ones
    first = client.get("/d/riverside/")
    assert 'name="csrf_token"' in first.get_data(as_text=True)
    later = itsdangerous.timed.TimestampSigner.get_timestamp(None) + 5
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: later)
    assert client.get("/d/riverside/").data != first.data  # its tokens were signed later
    again = client.get("/d/riverside/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    # Another session (another form token) never gets a copy cached with someone else's token.
    other = client.application.test_client().get("/d/riverside/", headers={"If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200
