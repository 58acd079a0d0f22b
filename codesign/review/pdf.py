"""The board packet as a PDF, made on the server with WeasyPrint (tagged PDF/UA, with the
document's language, and real text) in a child process (codesign/review/layout.py). Importing
this module needs Pango on the machine (see the README): it raises OSError without it, and the
view answers 503.

A packet of thousands of comments takes minutes to lay out and WeasyPrint holds hundreds of
megabytes meanwhile (870 MB at its peak for 5,000 comments). So the child runs on its own, apart
from the request that started it: the request waits for it a while (`wait`), and if the PDF is
not ready by then the board member is told to come back, instead of a worker being held, or
killed by gunicorn's timeout in the middle. The child has its own limits of time and memory
(`Limits`): a packet too big for this server stops there, with a clear answer, rather than
swapping the machine to a halt; `flask packet` makes it with no limits, ahead of the meeting.
Each packet is made once, whoever asks and however many ask at once (a lock that the child
holds for as long as it runs), and kept in the instance folder by a hash of its HTML.
"""
from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl  # (POSIX; elsewhere each request lays its packet out while it waits)
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

CACHE_KEEP = 50
POLL_SECONDS = 0.1
DRAFT_HOURS = 1  # a draft left by a worker stopped in the middle is removed after this


@dataclass(frozen=True)
class Limits:
    """What one packet's layout may take: seconds of wall time, megabytes of address space
    (None: no limit)."""
    seconds: int | None = None
    memory_mb: int | None = None


class PacketNotReady(Exception):
    """The PDF is still being laid out; ask again later."""


class PacketTooBig(Exception):
    """The PDF could not be made within the limits ("time" or "memory"), or its layout failed
    ("error"); the reason is the exception's argument."""

    @property
    def reason(self) -> str:
        return self.args[0]


def packet_pdf(html: str | Iterable[str], *, base_url: str, cache_dir: Path, wait: float | None,
               limits: Limits = Limits(), retry: bool = False) -> bytes:
    """The PDF of exactly this HTML (a string, or its pieces as they are made): from the cache,
    or laid out by a child process, waiting for it at most `wait` seconds (None: as long as it
    takes). Raises PacketNotReady when the wait is over first (the child goes on), and
    PacketTooBig when it failed (then later asks fail at once, unless `retry`)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    draft = cache_dir / f"draft-{os.getpid()}-{threading.get_ident()}.html"
    try:
        return _made(_Files(cache_dir, _write(html, draft)), draft, base_url, wait, limits, retry)
    finally:
        draft.unlink(missing_ok=True)  # (unless a child took it as its source)


def _write(html: str | Iterable[str], draft: Path) -> str:
    """Write the HTML to the draft file piece by piece; the hash that names the packet."""
    digest = hashlib.sha256()
    with open(draft, "wb") as out:
        for piece in ([html] if isinstance(html, str) else html):
            data = piece.encode()
            digest.update(data)
            out.write(data)
    return digest.hexdigest()


def _made(files: _Files, draft: Path, base_url: str, wait: float | None, limits: Limits, retry: bool) -> bytes:
    """The packet's PDF from the cache, or from its child (started with the draft as its source,
    unless one is at it already)."""
    if retry:
        files.failed.unlink(missing_ok=True)
    deadline = None if wait is None else time.monotonic() + wait
    asked, reaper = False, None
    while True:
        if files.pdf.exists():
            files.report_warnings()
            _forget_old(files.pdf.parent)
            return files.pdf.read_bytes()
        if files.failed.exists():
            if reaper is not None:  # (its child has ended: the reaper is logging why, or about to)
                reaper.join()
            raise PacketTooBig(files.failed.read_text().strip() or "error")
        if asked:  # the child ended without a PDF: let whoever waits for it say why
            if reaper is not None:
                reaper.join()
            else:
                time.sleep(0.5)  # (another worker's child: its reaper may be writing it now)
            if not files.pdf.exists() and not files.failed.exists():
                files.give_up("error")
            continue
        reaper, asked = _start(draft, base_url, files, limits), True
        if not _wait_while_made(files, deadline):
            raise PacketNotReady()


class _Files:
    """One packet's files in the cache folder, named by the hash of its HTML."""

    def __init__(self, folder: Path, name: str):
        self.pdf, self.failed = folder / f"{name}.pdf", folder / f"{name}.failed"
        self.lock, self.source, self.log = folder / f"{name}.lock", folder / f"{name}.html", folder / f"{name}.log"

    def being_made(self) -> bool:
        """True while a child holds this packet's lock."""
        if fcntl is None:  # pragma: no cover
            return False
        with open(self.lock, "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            return False

    def give_up(self, reason: str) -> None:
        partial = self.failed.with_suffix(f".{threading.get_ident()}.part")
        partial.write_text(reason)
        partial.replace(self.failed)

    def report_warnings(self) -> None:
        """WeasyPrint's warnings from the child (a stylesheet it could not load), logged once."""
        try:
            said = self.log.read_text(errors="replace")
            self.log.unlink()
        except FileNotFoundError:
            return
        for line in said.splitlines():
            logging.getLogger("weasyprint").warning("%s", line)


def _start(draft: Path, base_url: str, files: _Files, limits: Limits) -> threading.Thread | None:
    """Start the child that lays this packet out, unless one is at it already (then None), and
    the thread that waits for it to end."""
    command = [sys.executable, "-m", "codesign.review.layout", base_url, str(files.source), str(files.pdf),
               str(files.failed), str(limits.seconds or 0), str(limits.memory_mb or 0)]
    if fcntl is None:  # pragma: no cover
        os.replace(draft, files.source)
        with open(files.log, "w") as log:
            subprocess.run(command + ["-1"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                           check=False)
        return None
    with open(files.lock, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # another request's child is making it
        if files.pdf.exists() or files.failed.exists():
            return None
        os.replace(draft, files.source)
        with open(files.log, "w") as log:
            # The child inherits the lock and holds it until it ends; it is a session of its own,
            # so it finishes (within its limits) even if this worker is stopped meanwhile.
            child = subprocess.Popen(command + [str(lock.fileno())], pass_fds=(lock.fileno(),),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                                     start_new_session=True)
    reaper = threading.Thread(target=_reap, args=(child, files, limits), daemon=True)
    reaper.start()
    return reaper


def _reap(child: subprocess.Popen, files: _Files, limits: Limits) -> None:
    """Wait for the child to end (so it leaves no zombie), and say why if it failed. A child
    that outgrows its memory limit is often stopped before it could say so itself: by a C library
    (GLib aborts when it cannot make a thread), or by Python failing to report its MemoryError;
    one that fails any other way says "error" itself."""
    failed = child.wait() != 0
    try:
        said = files.log.read_text(errors="replace")
    except FileNotFoundError:
        said = ""
    if failed and not files.failed.exists():
        files.give_up("memory" if limits.memory_mb else "error")
        files.source.unlink(missing_ok=True)
    if failed:
        logging.getLogger(__name__).error("The board packet's PDF could not be made (exit %s, %s): %s",
                                          child.returncode, files.failed.read_text(), said[-2000:])
    if failed or not said:  # (WeasyPrint's warnings about a PDF that was made are logged by its reader)
        files.log.unlink(missing_ok=True)


def _wait_while_made(files: _Files, deadline: float | None) -> bool:
    """Wait until nobody is making the packet; False if the deadline came first."""
    while files.being_made():
        if deadline is not None and time.monotonic() >= deadline:
            return False
        time.sleep(POLL_SECONDS)
    return True


def _forget_old(cache_dir: Path) -> None:
    """Keep the newest CACHE_KEEP packets (and failures), with nothing of the rest."""
    def age(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except FileNotFoundError:  # (another worker forgot it just now)
            return 0.0

    for draft in cache_dir.glob("draft-*.html"):
        if age(draft) < time.time() - DRAFT_HOURS * 3600:
            draft.unlink(missing_ok=True)
    for pattern in ("*.pdf", "*.failed"):
        for old in sorted(cache_dir.glob(pattern), key=age)[:-CACHE_KEEP]:
            old.unlink(missing_ok=True)
            if not old.with_suffix(".pdf" if pattern == "*.failed" else ".failed").exists():
                old.with_suffix(".lock").unlink(missing_ok=True)
