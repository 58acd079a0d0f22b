"""The child process that lays out the board packet's PDF (codesign/review/pdf.py starts it):
the page's HTML on standard input, the PDF on standard output, its site address as argument,
and WeasyPrint's warnings on standard error, a line each (the parent logs them)."""
from __future__ import annotations

import logging
import mimetypes
import re
import sys
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


def lay_out(html: str, *, base_url: str) -> bytes:
    """PDF/UA: a tagged structure, and /Lang taken from the document's <html lang>."""
    document = HTML(string=html, base_url=base_url, url_fetcher=StaticFilesOnly())
    return document.write_pdf(pdf_variant="pdf/ua-1")


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    sys.stdout.buffer.write(lay_out(sys.stdin.buffer.read().decode(), base_url=sys.argv[1]))
