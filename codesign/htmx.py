"""Render a whole page, or only its fragment when htmx asks for it."""
from __future__ import annotations

from flask import make_response, render_template

from codesign.extensions import htmx


def render_page_or_fragment(page: str, fragment: str, status: int = 200, **context):
    """Full page for browsers and history restores; the page's own fragment for htmx swaps."""
    if htmx and not htmx.history_restore_request:
        body = render_template(fragment, **context)
    else:
        body = render_template(page, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
