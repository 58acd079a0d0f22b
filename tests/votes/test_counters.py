"""The vote counters (kept by triggers, codesign/votes/counters.py) always equal a recount of
the votes, whatever changes them."""
from __future__ import annotations

import random

import sqlalchemy as sa

from codesign.db import utcnow
from codesign.extensions import db
from codesign.votes import counters
from tests.conftest import assert_counters_agree


def test_the_demo_and_a_busy_district_are_counted_right(app, demo_data):
    from benchmarks.data import grow
    from codesign.districts.service import get_district

    with app.test_request_context():
        assert_counters_agree(counters, "after the demo")
        grow(get_district("riverside"), scale=1)
        assert_counters_agree(counters, "after a busy district")


def test_random_votes_changes_and_deletes_are_counted(app, demo_data):
    rng = random.Random(30)
    with app.app_context():
        with db.engine.connect() as connection:
            versions = list(connection.execute(sa.text(
                "SELECT id FROM proposal_version WHERE number IS NOT NULL")).scalars())
            people = list(connection.execute(sa.text('SELECT id FROM "user"')).scalars())
        for step in range(60):
            action = rng.choice(["vote", "vote", "change one", "change many", "regroup", "move", "delete", "unlink"])
            with db.engine.begin() as connection:
                if action == "vote":
                    version, person = rng.choice(versions), rng.choice(people)
                    connection.execute(sa.text(
                        "INSERT INTO vote (version_id, user_id, stance, stakeholder_group, created_at, updated_at) "
                        "SELECT :v, :u, :s, 'family', :now, :now WHERE NOT EXISTS "
                        "(SELECT 1 FROM vote WHERE version_id = :v AND user_id = :u)"),
                        {"v": version, "u": person, "s": rng.choice(["support", "neutral", "oppose"]), "now": utcnow()})
                elif action in ("change one", "change many"):
                    connection.execute(sa.text(
                        "UPDATE vote SET stance = :s WHERE id IN (SELECT id FROM vote ORDER BY id LIMIT :n OFFSET :o)"),
                        {"s": rng.choice(["support", "neutral", "oppose"]), "n": 1 if action == "change one" else 30,
                         "o": rng.randint(0, 50)})
                elif action == "regroup":
                    connection.execute(sa.text("UPDATE vote SET stakeholder_group = 'student' WHERE id % 7 = :r"),
                                       {"r": rng.randint(0, 6)})
                elif action == "move":  # to another version, when the person has no vote there
                    connection.execute(sa.text(
                        "UPDATE vote SET version_id = :v WHERE id = (SELECT min(id) FROM vote v WHERE NOT EXISTS "
                        "(SELECT 1 FROM vote w WHERE w.version_id = :v AND w.user_id = v.user_id))"),
                        {"v": rng.choice(versions)})
                elif action == "delete":
                    connection.execute(sa.text("DELETE FROM vote WHERE id IN (SELECT id FROM vote ORDER BY id DESC LIMIT 3)"))
                else:
                    connection.execute(sa.text("UPDATE vote SET user_id = NULL WHERE id = (SELECT max(id) FROM vote)"))
            assert_counters_agree(counters, f"step {step}: {action}")
        with db.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM proposal WHERE id = (SELECT max(proposal_id) FROM proposal_version)"))
        assert_counters_agree(counters, "after deleting a proposal with its versions and votes")


def test_a_wrong_counter_is_found_and_a_recount_mends_it(app, demo_data):
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE vote_count SET votes = votes + 2 WHERE votes > 3"))
            assert counters.differences(connection)
            counters.recount(connection)
            assert counters.differences(connection) == {}
