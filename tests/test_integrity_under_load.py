"""Integrity under load, on PostgreSQL, through gunicorn with several worker processes:

* a vote storm: many people voting and changing their votes on one proposal at once leave no
  error, exactly one vote per person (their last), and a tally equal to a recount;
* a crash: a worker killed with SIGKILL in the middle of comment and vote traffic leaves no
  partial record, and every write the app acknowledged is there.
"""
from __future__ import annotations

import http.client
import os
import random
import signal
import threading
import time
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="integrity under load runs on PostgreSQL (set CODESIGN_TEST_DATABASE_URL; CI does)")

PEOPLE = 24
PASSWORD = "password123"


@pytest.fixture
def served(app, database_url, make_open_proposal, make_user, tmp_path):
    """The app under gunicorn (three sync workers) on the test database, with one open proposal
    and PEOPLE participants."""
    from benchmarks.run import Gunicorn, served_env

    proposal_id = make_open_proposal(threshold=1)
    for n in range(PEOPLE):
        make_user(f"voter{n}", password=PASSWORD)
    env = served_env(tmp_path, database_url, PASSWORD_HASH_PROFILE="cheapest", REDIS_URL="")
    server = Gunicorn("wsgi:app", env, workers=3)
    try:
        yield server, proposal_id
    finally:
        server.stop()


def _post(port: int, path: str, cookie: str, fields: dict) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, body=urlencode(fields), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    except (ConnectionError, http.client.HTTPException, OSError) as error:
        return 0, repr(error)  # the worker died under us: not acknowledged
    finally:
        connection.close()


def _sign_in_all(port: int) -> dict[str, tuple[str, str]]:
    from benchmarks.run import sign_in_cookie

    return {f"voter{n}": sign_in_cookie(port, f"voter{n}", PASSWORD) for n in range(PEOPLE)}


def test_a_vote_storm_leaves_one_vote_per_person_and_a_true_tally(app, served):
    from codesign.extensions import db
    from codesign.proposals.models import Proposal
    from codesign.votes.models import Vote
    from codesign.votes.service import tally

    server, proposal_id = served
    sessions = _sign_in_all(server.port)
    path = f"/d/riverside/proposals/{proposal_id}/vote"
    last, problems = {}, []

    def storm(name: str) -> None:
        cookie, token = sessions[name]
        rng = random.Random(name)
        for _ in range(12):
            stance = rng.choice(["support", "oppose", "neutral"])
            status, _where = _post(server.port, path, cookie, {"csrf_token": token, "stance": stance})
            if status != 303:
                problems.append((name, status))
            last[name] = stance

    threads = [threading.Thread(target=storm, args=(name,)) for name in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
    with app.app_context():
        version_id = db.session.get(Proposal, proposal_id).current_version_id
        rows = db.session.execute(sa.select(Vote.user_id, Vote.stance).where(Vote.version_id == version_id)).all()
        voters = db.session.scalar(sa.select(sa.func.count(sa.distinct(Vote.user_id))).where(Vote.version_id == version_id))
        assert len(rows) == voters == PEOPLE
        from codesign.accounts.models import User

        names = dict(db.session.execute(sa.select(User.id, User.username)).all())
        assert {names[uid]: stance.value for uid, stance in rows} == last
        shown = tally(db.session.get(Proposal, proposal_id).current_version, 1)
        counted = {stance: sum(1 for s in last.values() if s == stance.value) for stance in shown.column_totals}
        assert {stance: cell.value for stance, cell in shown.column_totals.items()} == counted
        assert shown.total.value == PEOPLE


def test_a_worker_killed_mid_traffic_loses_nothing_acknowledged_and_leaves_nothing_half_done(app, served):
    from codesign.comments.models import Comment
    from codesign.extensions import db
    from codesign.search.models import SearchOutbox
    from codesign.votes.models import Vote

    server, proposal_id = served
    sessions = _sign_in_all(server.port)
    acknowledged_comments, acknowledged_votes, failures, cut_off = set(), {}, [], []
    stop = threading.Event()

    def traffic(name: str) -> None:
        cookie, token = sessions[name]
        n = 0
        while not stop.is_set():
            n += 1
            status, where = _post(server.port, f"/d/riverside/proposals/{proposal_id}/comments/", cookie, {
                "csrf_token": token, "kind": "concern", "section": "retention", "language": "en",
                "body": f"Keep it for less time ({name}, {n})"})
            if status == 303 and "#comment-" in where:
                acknowledged_comments.add(int(where.rsplit("-", 1)[1]))
            elif status in (0, 502):
                cut_off.append(name)  # in the killed worker's hands: never acknowledged
            else:
                failures.append((name, status, where))
            stance = "support" if n % 2 else "oppose"
            status, where = _post(server.port, f"/d/riverside/proposals/{proposal_id}/vote", cookie,
                                  {"csrf_token": token, "stance": stance})
            if status == 303:
                acknowledged_votes[name] = (n, stance)
            elif status in (0, 502):
                cut_off.append(name)
            else:
                failures.append((name, status, where))

    threads = [threading.Thread(target=traffic, args=(name,)) for name in sessions]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    for _attempt in range(5):  # a worker between two requests dies without cutting one off: kill another
        victims = server.worker_pids()
        assert victims, "no gunicorn workers to kill"
        os.kill(victims[0], signal.SIGKILL)
        time.sleep(1.5)  # gunicorn starts a new worker; traffic goes on
        if cut_off:
            break
    stop.set()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(acknowledged_comments) > 20
    assert cut_off, "the kill interrupted no request; the test proved nothing"
    with app.app_context():
        comments = db.session.execute(sa.select(Comment.id, Comment.body, Comment.version_id, Comment.author_id)
                                      .where(Comment.proposal_id == proposal_id)).all()
        stored = {row.id for row in comments}
        assert acknowledged_comments <= stored  # every acknowledged comment is there
        assert all(row.body and row.version_id and row.author_id for row in comments)  # none half-written
        # Each comment's search outbox row was written in its own transaction, so none is missing.
        outbox = set(db.session.scalars(sa.select(SearchOutbox.subject).where(SearchOutbox.subject.like("comment:%"))))
        assert {f"comment:{cid}" for cid in stored} <= outbox
        votes = db.session.execute(sa.select(Vote.user_id, Vote.stance)).all()
        assert len(votes) == len({uid for uid, _s in votes})  # one per person, whatever was killed
