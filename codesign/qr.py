"""QR codes as inline SVG (segno), so no page needs an image request."""
from __future__ import annotations

import io

import segno
from markupsafe import Markup


def qr_svg(data: str, title: str) -> Markup:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="svg", scale=4, xmldecl=False, svgns=True, border=2,
                                     title=title, svgclass="qr")
    return Markup(buffer.getvalue().decode())
