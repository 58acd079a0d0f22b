"""Vendored htmx is the pinned 2.x release with its licence."""
import hashlib
from pathlib import Path

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
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in html


def test_css_uses_logical_properties_for_rtl():
    css = (STATIC / "css" / "codesign.css").read_text()
    for physical in ("margin-left", "margin-right", "padding-left", "padding-right",
                     "text-align: left", "text-align: right", "float: left", "float: right",
                     "border-left", "border-right", " left:", " right:"):
        assert physical not in css, physical
