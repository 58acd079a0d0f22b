"""Board packet generation at scale: a proposal with 5,000 comments, as HTML and as PDF.

Run:  .venv/bin/python -m benchmarks.packet [--comments 5000]
On a throw-away SQLite database in a temporary folder, prints for the HTML page (sent as it is
made) the time to its first bytes and to its last, read piece by piece as a browser would, and
the most memory the request's Python objects held at once (tracemalloc); for the PDF (laid out
whole, by a child process, within the site's default limits) its time and the peak resident
memory of this process and of the child.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--comments", type=int, default=5_000)
    args = parser.parse_args(argv)
    folder = tempfile.mkdtemp(prefix="codesign-bench-")
    os.environ["CODESIGN_INSTANCE_PATH"] = folder
    from codesign import create_app
    from codesign.extensions import db

    app = create_app({"ENV": "testing", "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3", "SECRET_KEY": "bench",
                      "PASSWORD_HASH_PROFILE": "cheapest", "MAIL_BACKEND": "memory",
                      "SEARCH_BACKGROUND": False,  # (the search thread would index the comments meanwhile)
                      "PACKET_PDF_WAIT": 3600})  # (the PDF's own limits of time and memory are the defaults)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        from codesign.demo import load_demo

        load_demo()
        from codesign.accounts.models import StakeholderGroup
        from codesign.comments.models import SECTION_LABELS, Comment, Kind
        from codesign.db import utcnow
        from codesign.proposals.models import Proposal

        proposal = db.session.get(Proposal, 1)
        rng = random.Random(5)
        sections = list(SECTION_LABELS)
        words = "data student family privacy school years counselor attendance call home language safe".split()
        rows = [dict(proposal_id=proposal.id, version_id=proposal.current_version_id, author_id=None,
                     kind=rng.choice(list(Kind)), section=rng.choice(sections),
                     stakeholder_group=rng.choice(list(StakeholderGroup)), language=rng.choice(["en", "es", "ar", "vi"]),
                     body=" ".join(rng.choice(words) for _ in range(rng.randint(8, 60))).capitalize() + ".",
                     created_at=utcnow() - timedelta(minutes=n))
                for n in range(args.comments)]
        db.session.execute(db.insert(Comment), rows)
        db.session.commit()
        total = db.session.scalar(db.select(db.func.count(Comment.id)).where(Comment.proposal_id == proposal.id))
    client = app.test_client()
    from tests.conftest import Browser

    board = Browser(client)
    board.sign_in("board", "codesign-demo")
    print(f"proposal with {total} comments; memory before: {peak_mb():.0f} MB peak")
    url = "/d/riverside/proposals/1/review/packet?lang=en"
    tracemalloc.start()
    start = time.perf_counter()
    response = board.get(url, buffered=False)
    first, size = None, 0
    for piece in response.response:
        first = first if first is not None else time.perf_counter() - start
        size += len(piece)
    response.close()
    elapsed = time.perf_counter() - start
    _now, held = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"packet HTML: HTTP {response.status_code}, {size / 1024:.0f} KB, first bytes after {first:.2f} s, "
          f"all after {elapsed:.1f} s (under tracemalloc), at most {held / 1024 / 1024:.0f} MB held")
    start = time.perf_counter()
    response = board.get("/d/riverside/proposals/1/review/packet.pdf?lang=en")
    elapsed = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"packet PDF: HTTP {response.status_code}, {len(response.data) / 1024:.0f} KB, {elapsed:.1f} s; "
          f"peak memory: this process {peak_mb():.0f} MB, the process that laid it out {children:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
