"""The comment counters (kept by triggers, codesign/comments/counters.py) always equal a recount
of the comments, whatever changes them: the app's own actions, bulk updates, deletes, cascades."""
from __future__ import annotations

import random

import sqlalchemy as sa

from codesign.comments import counters
from codesign.comments.models import (
    Channel,
    Comment,
    Disposition,
    HideCategory,
    Kind,
    Moderation,
)
from codesign.db import utcnow
from codesign.extensions import db
from tests.conftest import assert_counters_agree


def test_the_demo_and_a_busy_district_are_counted_right(app, demo_data):
    """Everything the demo and benchmarks/data.py do (comments, replies, sessions, dispositions,
    moderation, published log entries) through the app's services."""
    from benchmarks.data import grow
    from codesign.districts.service import get_district

    with app.app_context():
        assert_counters_agree(counters, "after the demo")
    with app.test_request_context():
        grow(get_district("riverside"), scale=1)
        assert_counters_agree(counters, "after a busy district")


def test_erasing_an_account_moves_its_comments_to_anonymous_people(app, demo_data):
    from codesign.accounts.models import User
    from codesign.mydata.service import erase_account

    with app.test_request_context():
        author, mine = db.session.execute(
            sa.select(Comment.author_id, sa.func.count()).where(Comment.author_id.is_not(None))
            .group_by(Comment.author_id).order_by(sa.func.count().desc()).limit(1)).one()
        assert mine >= 2  # so that one person becomes several anonymous ones
        erase_account(db.session.get(User, author), withdraw_comments=False)
        db.session.commit()
        assert_counters_agree(counters, "after erasing an account")


def test_random_changes_of_every_kind_are_counted(app, demo_data):
    """Seeded random inserts, updates of every counted column (one row and many at once),
    deletes, and a proposal deleted with its comments, checked after each step."""
    rng = random.Random(20261130)
    table = Comment.__table__
    with app.app_context():
        with db.engine.connect() as connection:
            proposals = connection.execute(sa.text(
                "SELECT id, current_version_id FROM proposal WHERE current_version_id IS NOT NULL")).all()
            authors = list(connection.execute(sa.text('SELECT id FROM "user"')).scalars())
        assert len(proposals) >= 2 and len(authors) >= 5
        changes = {
            "kind": lambda: rng.choice(list(Kind)).value,
            "section": lambda: rng.choice(["general", "purpose", "retention", "access"]),
            "stakeholder_group": lambda: rng.choice(["student", "family", "educator"]),
            "language": lambda: rng.choice(["en", "es", "ar", "vi"]),
            "channel": lambda: rng.choice(list(Channel)).value,
            "disposition": lambda: rng.choice(list(Disposition)).value,
            "moderation": lambda: rng.choice(list(Moderation)).value,
            "hidden_category": lambda: rng.choice([None, *[c.value for c in HideCategory]]),
            "withdrawn_at": lambda: rng.choice([None, utcnow()]),
            "author_id": lambda: rng.choice([None, *authors]),
        }
        for step in range(60):
            with db.engine.begin() as connection:
                ids = list(connection.execute(sa.select(table.c.id)).scalars())
                action = rng.choice(["insert", "insert", "update one", "update many", "delete", "move", "reply"])
                if action == "insert":
                    proposal_id, version_id = rng.choice(proposals)
                    connection.execute(sa.insert(table), [{
                        "proposal_id": proposal_id, "version_id": version_id, "author_id": rng.choice([None, *authors]),
                        "kind": changes["kind"](), "section": changes["section"](),
                        "stakeholder_group": changes["stakeholder_group"](), "language": changes["language"](),
                        "channel": changes["channel"](), "body": "Counted.", "created_at": utcnow(),
                    } for _ in range(rng.randint(1, 5))])
                elif action in ("update one", "update many"):
                    column = rng.choice(list(changes))
                    chosen = rng.sample(ids, 1 if action == "update one" else min(len(ids), 25))
                    connection.execute(sa.update(table).where(table.c.id.in_(chosen)).values({column: changes[column]()}))
                elif action == "delete":
                    connection.execute(sa.delete(table).where(table.c.id.in_(rng.sample(ids, 3))))
                elif action == "move":  # to another proposal, with every other property kept
                    proposal_id, version_id = rng.choice(proposals)
                    connection.execute(sa.update(table).where(table.c.id == rng.choice(ids))
                                       .values(proposal_id=proposal_id, version_id=version_id))
                else:
                    parent = rng.choice(ids)
                    connection.execute(sa.update(table).where(table.c.id == rng.choice(ids), table.c.id != parent)
                                       .values(parent_id=rng.choice([None, parent])))
            assert_counters_agree(counters, f"step {step}: {action}")
        # A proposal deleted (its comments and counters go by cascade).
        with db.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM proposal WHERE id = :id"), {"id": proposals[0][0]})
        assert_counters_agree(counters, "after deleting a proposal")


def test_a_wrong_counter_is_found_and_a_recount_mends_it(app, demo_data):
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE comment_count SET comments = comments + 1 WHERE comments = 1"))
            connection.execute(sa.text("DELETE FROM comment_people WHERE dimension = 'channel'"))
            found = counters.differences(connection)
            assert set(found) == {"comment_count", "comment_people"}
            counters.recount(connection)
            assert counters.differences(connection) == {}
