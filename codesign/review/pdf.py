"""The board packet as a PDF, made on the server with WeasyPrint (tagged PDF/UA, with the
document's language, and real text) in a child process (codesign/review/layout.py). Importing
this module needs Pango on the machine (see the README): it raises OSError without it, and the
view answers 503."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

try:
    import fcntl  # (POSIX; elsewhere two requests for one new packet each lay it out)
except ImportError:  # pragma: no cover
    fcntl = None


def _why_weasyprint_cannot_load() -> str | None:
    """None if WeasyPrint and its system libraries load here; else the error. Asked of a child
    process once: importing WeasyPrint costs the process that does it 31 MB."""
    check = subprocess.run([sys.executable, "-c", "import weasyprint"], capture_output=True, text=True, check=False)
    return None if check.returncode == 0 else (check.stderr.strip().splitlines() or ["?"])[-1]


_missing = _why_weasyprint_cannot_load()
if _missing is not None:
    raise OSError(f"WeasyPrint cannot load here: {_missing}")


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    """The PDF, laid out in a child process. WeasyPrint holds hundreds of megabytes for a packet
    of thousands of comments (870 MB at its peak for 5,000), and Python keeps most of it after:
    a worker that laid one out stayed at 517 MB. The child gives all of it back when it exits."""
    made = subprocess.run([sys.executable, "-m", "codesign.review.layout", base_url], input=html.encode(),
                          capture_output=True, check=False)
    said = made.stderr.decode(errors="replace")
    if made.returncode != 0:
        raise RuntimeError("The packet's PDF could not be made: " + said[-2000:])
    for line in said.splitlines():  # WeasyPrint's warnings (a stylesheet it could not load), as before
        logging.getLogger("weasyprint").warning("%s", line)
    return made.stdout


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
    # Board members open the packet together before a meeting: one lays it out, the others wait
    # for it and read it (instead of each holding WeasyPrint's hundreds of megabytes at once).
    with open(path.with_suffix(".lock"), "w") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return path.read_bytes()
        body = html_to_pdf(html, base_url=base_url)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
        partial.write_bytes(body)
        partial.replace(path)
    for old in sorted(cache_dir.glob("*.pdf"), key=lambda p: p.stat().st_mtime)[:-CACHE_KEEP]:
        old.unlink(missing_ok=True)
        old.with_suffix(".lock").unlink(missing_ok=True)
    return body
