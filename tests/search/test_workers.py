"""Several app processes apply the outbox at once (as several gunicorn workers do): one writes
at a time, the others wait their turn without an error, and every change reaches the index."""
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from codesign.extensions import db
from tests.search.conftest import search

ROOT = Path(__file__).resolve().parents[2]
WORKER = """
import sys, threading
from pathlib import Path
from tests.conftest import make_test_app
app = make_test_app(sys.argv[1], Path(sys.argv[2]), SEARCH=sys.argv[3], SEARCH_INTERVAL="0.02")
from codesign.search import service
stop = threading.Event()
threading.Timer(float(sys.argv[4]), stop.set).start()
service.run_worker(app, stop)
print("worker done")
"""


def test_several_processes_share_the_outbox_without_errors_or_losses(app, world, database_url, instance_path,
                                                                     search_engine):
    from codesign.accounts.service import find_user_by_login
    from codesign.comments import service as comments
    from codesign.comments.models import Kind
    from codesign.proposals.models import Proposal
    from codesign.search.models import SearchOutbox

    workers = [subprocess.Popen([sys.executable, "-c", WORKER, database_url, str(instance_path), search_engine, "5"],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(3)]
    try:
        with app.app_context():
            proposal = db.session.get(Proposal, world["proposal"])
            lucia = find_user_by_login("lucia")
            for n in range(40):
                comments.post_comment(proposal, lucia, kind=Kind.SUGGESTION, section="purpose", language="en",
                                      body=f"Concurrent suggestion {n} about the kangaroo shuttle.")
                time.sleep(0.01)
            deadline = time.monotonic() + 20
            while db.session.scalar(sa.select(sa.func.count(SearchOutbox.id))) and time.monotonic() < deadline:
                db.session.rollback()
                time.sleep(0.1)
            assert db.session.scalar(sa.select(sa.func.count(SearchOutbox.id))) == 0
    finally:
        outputs = [worker.communicate(timeout=30) for worker in workers]
    for (stdout, stderr), worker in zip(outputs, workers, strict=True):
        assert worker.returncode == 0, stderr[-3000:]
        assert "worker done" in stdout
        assert "Traceback" not in stderr and "failed" not in stderr, stderr[-3000:]
    assert "40 results" in search(app, "kangaroo")
