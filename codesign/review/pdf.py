"""The board packet as a PDF, made on the server with WeasyPrint (tagged PDF/UA, with the
document's language, and real text). Importing this module needs Pango on the machine (see
the README); the view answers 503 without it."""
from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from weasyprint import HTML  # an OSError here means Pango is missing
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC = Path(__file__).resolve().parent.parent.parent / "static"


class StaticFilesOnly(URLFetcher):
    """Reads the site's own /static/ files from disk and fetches nothing else, from anywhere."""

    def fetch(self, url, headers=None):
        marker = "/static/"
        if marker in url:
            relative = url.split(marker, 1)[1].split("?", 1)[0]
            # url_for("static") gives fingerprinted names (codesign/assets.py): css/packet.<hash>.css
            relative = re.sub(r"\.[0-9a-f]{12}(\.[A-Za-z0-9]+)$", r"\1", relative)
            path = (STATIC / relative).resolve()
            if STATIC in path.parents and path.is_file():
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})
        raise ValueError(f"The packet may only use the site's own static files, not {url}")


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    """PDF/UA: a tagged structure, and /Lang taken from the document's <html lang>."""
    document = HTML(string=html, base_url=base_url, url_fetcher=StaticFilesOnly())
    return document.write_pdf(pdf_variant="pdf/ua-1")


CACHE_KEEP = 50


def cached_pdf(html: str, *, base_url: str, cache_dir: Path) -> bytes:
    """The PDF of exactly this HTML: made once, then read from the instance folder.

    A packet of thousands of comments takes a minute to lay out; keyed by a hash of its HTML,
    the same packet is never laid out twice, and any change to the input makes a new one.
    """
    import hashlib

    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / (hashlib.sha256(html.encode()).hexdigest() + ".pdf")
    if path.exists():
        return path.read_bytes()
    body = html_to_pdf(html, base_url=base_url)
    partial = path.with_suffix(".part")
    partial.write_bytes(body)
    partial.replace(path)
    for old in sorted(cache_dir.glob("*.pdf"), key=lambda p: p.stat().st_mtime)[:-CACHE_KEEP]:
        old.unlink(missing_ok=True)
    return body
