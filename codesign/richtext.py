"""Staff-written Markdown turned into HTML that is safe to show (an allowlist, via nh3)."""
from __future__ import annotations

from functools import lru_cache

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "code", "pre",
    "a", "table", "thead", "tbody", "tr", "th", "td", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
ALLOWED_URL_SCHEMES = {"https", "http", "mailto", "tel"}


@lru_cache(maxsize=64)
def render_markdown(text: str) -> Markup:
    """Markdown to sanitized HTML: no scripts, styles, images, event handlers or odd URLs.

    The same text always gives the same HTML, so each worker keeps the last few (a proposal's
    body is rendered on every view of its page)."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)
