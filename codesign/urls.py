"""URL helpers shared by features."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for


def safe_next_url(target: str | None, default_endpoint: str = "main.home") -> str:
    """Return target if it is a path on this site, else the default page (no open redirects)."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for(default_endpoint)


def same_site_path(url: str | None) -> str | None:
    """The path and query of url if it points at this site, else None (e.g. a Referer)."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path or "/"
    return path + ("?" + parts.query if parts.query else "")
