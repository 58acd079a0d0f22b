"""The child process that lays out one board packet's PDF (codesign/review/pdf.py starts it).

    python -m codesign.review.layout BASE_URL SOURCE TARGET FAILED SECONDS MEGABYTES LOCK_FD

It reads the packet's HTML from SOURCE and writes the PDF to TARGET (whole or not at all), or,
when it runs out of its SECONDS of time or MEGABYTES of memory (0: no limit) or the layout fails,
the reason ("time", "memory" or "error") to FAILED. It holds the lock it was given (LOCK_FD, an
inherited file descriptor; -1 for none) until it ends. WeasyPrint's warnings go to standard
error, a line each (the parent logs them).
"""
from __future__ import annotations

import logging
import mimetypes
import os
import re
import resource
import signal
import sys
import traceback
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


def write_whole(path: Path, data: bytes) -> None:
    """Write the file whole or not at all (others wait for it to appear)."""
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(path)


def main(argv: list[str]) -> int:
    base_url, source, target, failed = argv[0], Path(argv[1]), Path(argv[2]), Path(argv[3])
    seconds, megabytes = int(argv[4]), int(argv[5])

    def give_up(reason: str) -> None:
        write_whole(failed, reason.encode())
        source.unlink(missing_ok=True)
        sys.stderr.flush()
        os._exit(3)

    if megabytes:
        resource.setrlimit(resource.RLIMIT_AS, (megabytes * 2**20, megabytes * 2**20))
    if seconds:
        signal.signal(signal.SIGALRM, lambda *_: give_up("time"))
        signal.alarm(seconds)
    try:
        body = lay_out(source.read_text(), base_url=base_url)
    except MemoryError:
        give_up("memory")
    except Exception:
        traceback.print_exc()
        give_up("error")
    signal.alarm(0)
    write_whole(target, body)
    source.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    sys.exit(main(sys.argv[1:]))
