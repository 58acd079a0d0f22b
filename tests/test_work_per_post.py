"""A comment or a vote does the same work on a proposal with a few comments as on one with very
many: no statement a post runs reads the thread row by row. Queries per request are counted
elsewhere (tests/test_queries_per_page.py); this counts the work inside them, as the steps of
SQLite's virtual machine, which a plan that reads a proposal's comments one by one to find the
few it needs makes grow with them. SQLite only: PostgreSQL chooses its plans from statistics."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from codesign.accounts.models import StakeholderGroup
from codesign.comments.models import Comment, Kind
from codesign.db import utcnow
from codesign.extensions import db
from codesign.proposals.models import Proposal
from tests.conftest import Browser, csrf_from, on_each_statement

STEP = 50  # SQLite calls the progress handler once every STEP instructions


@contextmanager
def vm_steps(app):
    """Count the SQLite instructions the statements run inside the block take, fetching included."""
    counted = {"steps": 0}
    connections = set()

    def tick():
        counted["steps"] += STEP
        return 0  # (non-zero would interrupt the statement)

    def before(conn, *_args):
        dbapi_connection = conn.connection.dbapi_connection
        if dbapi_connection not in connections:
            connections.add(dbapi_connection)
            dbapi_connection.set_progress_handler(tick, STEP)

    try:
        with on_each_statement(app, before):
            yield counted
    finally:
        for dbapi_connection in connections:
            dbapi_connection.set_progress_handler(None, 0)


def _grow_thread(app, proposal_id: int, author_id: int, count: int) -> None:
    """`count` more top-level comments by someone else, some of them from the last minute."""
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        now = utcnow()
        db.session.add_all(
            Comment(proposal_id=proposal_id, version_id=proposal.current_version_id, author_id=author_id,
                    kind=Kind.CONCERN, section="retention", stakeholder_group=StakeholderGroup.COMMUNITY_MEMBER,
                    language="en", body=f"Comment {number} on how long the data is kept.",
                    created_at=now - timedelta(seconds=number))
            for number in range(count))
        db.session.commit()


def test_a_comment_or_a_vote_takes_the_same_work_on_a_long_thread(app, make_user, make_open_proposal):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("counts SQLite's steps (the SQLite pass runs it)")
    proposal_id = make_open_proposal(threshold=2)
    neighbor = make_user("neighbor")
    make_user("lucia")
    lucia = Browser(app.test_client())
    lucia.sign_in("lucia")
    page = f"/d/riverside/proposals/{proposal_id}/"

    def work(number: int) -> dict[str, int]:
        token = csrf_from(lucia.get(page))
        steps = {}
        for name, url, data in [
            ("comment", f"{page}comments/", {"kind": "concern", "section": "retention", "language": "en",
                                             "body": f"One year is enough, not three ({number})."}),
            ("vote", f"{page}vote", {"stance": "support" if number % 2 else "oppose"}),
        ]:
            with vm_steps(app) as counted:
                response = lucia.client.post(url, data={"csrf_token": token, **data})
            assert response.status_code == 303, response.get_data(as_text=True)
            steps[name] = counted["steps"]
        return steps

    _grow_thread(app, proposal_id, neighbor.id, 20)
    work(0)  # (anything done once, such as following the proposal, is not what is measured)
    small = work(1)
    _grow_thread(app, proposal_id, neighbor.id, 2000)
    large = work(2)
    assert min(small.values()) > 0
    grew = {name: (small[name], large[name]) for name in small if large[name] > small[name] * 1.1 + 2 * STEP}
    assert not grew, f"SQLite steps for a post, with 21 and 2,021 comments on the proposal: {grew}"


def test_the_oldest_unanswered_comments_are_found_without_reading_the_answered_ones(
        app, make_user, make_open_proposal):
    """The review page's oldest comments without an answer, and staff's home page's oldest per
    proposal, take the same work when thousands answered before them as when twenty did."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("counts SQLite's steps (the SQLite pass runs it)")
    from codesign.comments.models import Disposition
    from codesign.districts.service import get_district
    from codesign.review.service import unanswered
    from codesign.staffhome.service import awaiting_disposition

    proposal_id = make_open_proposal(threshold=2)
    neighbor = make_user("neighbor")

    def answer_all_then_add_open(answered: int) -> None:
        _grow_thread(app, proposal_id, neighbor.id, answered)
        with app.app_context():
            db.session.execute(sa.update(Comment).values(disposition=Disposition.ANSWERED))
            db.session.commit()
        _grow_thread(app, proposal_id, neighbor.id, 3)  # (newer, so after all those in id order)

    def work() -> dict[str, int]:
        steps = {}
        with app.test_request_context():
            proposal = db.session.get(Proposal, proposal_id)
            district = get_district("riverside")
            for name, call in [("review", lambda: unanswered(proposal)),
                               ("staff home", lambda: awaiting_disposition(district))]:
                with vm_steps(app) as counted:
                    found = call()
                assert found, name
                steps[name] = counted["steps"]
        return steps

    answer_all_then_add_open(20)
    small = work()
    answer_all_then_add_open(2000)
    large = work()
    grew = {name: (small[name], large[name]) for name in small if large[name] > small[name] * 1.1 + 2 * STEP}
    assert not grew, f"SQLite steps, with 20 and 2,023 answered comments before the open ones: {grew}"
