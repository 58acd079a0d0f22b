"""The participant counters (kept by triggers, codesign/review/participants.py) always equal a
recount of comments, votes and survey answers by people's current group and language."""
from __future__ import annotations

import random

import sqlalchemy as sa

from codesign.db import utcnow
from codesign.extensions import db
from codesign.review import participants
from tests.conftest import assert_counters_agree


def test_the_demo_a_busy_district_and_an_erased_account_are_counted_right(app, demo_data):
    from benchmarks.data import grow
    from codesign.accounts.models import User
    from codesign.districts.service import get_district
    from codesign.mydata.service import erase_account

    with app.test_request_context():
        assert_counters_agree(participants, "after the demo")
        grow(get_district("riverside"), scale=1)
        assert_counters_agree(participants, "after a busy district")
        lucia = db.session.scalar(sa.select(User).where(User.username == "lucia"))
        erase_account(lucia, withdraw_comments=False)
        db.session.commit()
        assert_counters_agree(participants, "after erasing an account")


def test_the_review_counts_people_with_accounts_from_the_counters(app, demo_data):
    """The review's people by group and by language: the counters' participants (each person
    once, by their group and language now) plus session attendance and paper forms."""
    from codesign.accounts.models import User
    from codesign.proposals.models import Proposal
    from codesign.review.models import ParticipantCount
    from codesign.review.service import participation

    with app.test_request_context():
        proposal = db.session.scalar(sa.select(Proposal).order_by(Proposal.id))
        with db.engine.connect() as connection:
            people = {row[1] for row in connection.execute(participants.participant_rows([proposal.id]))}
        assert len(people) > 20
        online_by_group: dict = {}
        online_by_language: dict = {}
        for user in db.session.scalars(sa.select(User).where(User.id.in_(people))):
            online_by_group[user.stakeholder_group] = online_by_group.get(user.stakeholder_group, 0) + 1
            online_by_language[user.preferred_locale] = online_by_language.get(user.preferred_locale, 0) + 1
        everyone = participation(proposal, threshold=1)
        db.session.execute(sa.delete(ParticipantCount).where(ParticipantCount.proposal_id == proposal.id))
        offline = participation(proposal, threshold=1)
        db.session.rollback()
        for group, count in everyone.raw_people_by_group.items():
            assert count - offline.raw_people_by_group[group] == online_by_group.get(group, 0), group
        for language, count in everyone.raw_people_by_language.items():
            assert count - offline.raw_people_by_language.get(language, 0) == online_by_language.get(language, 0)


def test_random_changes_of_every_kind_are_counted(app, demo_data):
    """Seeded random inserts, updates and deletes of comments, votes and survey answers, people
    changing group and language, surveys linked to another proposal, a survey and a version
    deleted with their input, and a proposal deleted: checked after each step."""
    rng = random.Random(1130)
    with app.app_context():
        with db.engine.connect() as connection:
            proposals = connection.execute(sa.text(
                "SELECT id, current_version_id FROM proposal WHERE current_version_id IS NOT NULL ORDER BY id")).all()
            people = list(connection.execute(sa.text('SELECT id FROM "user"')).scalars())
            surveys = list(connection.execute(sa.text("SELECT id FROM survey")).scalars())
        assert len(proposals) >= 3 and len(people) >= 10 and surveys

        def one(connection, sql, **params):
            return connection.execute(sa.text(sql), params).scalar()

        for step in range(80):
            action = rng.choice(["comment", "comment", "vote", "answer", "unlink comment", "move comment",
                                 "delete comment", "unlink vote", "delete vote", "delete answer", "regroup",
                                 "relocale", "relink survey", "many at once"])
            with db.engine.begin() as connection:
                person = rng.choice(people)
                proposal_id, version_id = rng.choice(proposals)
                if action == "comment":
                    connection.execute(sa.text(
                        "INSERT INTO comment (proposal_id, version_id, author_id, kind, section, stakeholder_group, "
                        "language, channel, body, moderated_body, moderation, held_for, metoo_count, official_answer, "
                        "disposition, disposition_reason, created_at) VALUES (:p, :v, :u, 'concern', 'general', "
                        "'family', 'en', 'online', 'Counted.', '', 'visible', '', 0, '', 'open', '', :now)"),
                        {"p": proposal_id, "v": version_id, "u": rng.choice([None, person]), "now": utcnow()})
                elif action == "vote":
                    if not one(connection, "SELECT count(*) FROM vote WHERE version_id = :v AND user_id = :u",
                               v=version_id, u=person):
                        connection.execute(sa.text(
                            "INSERT INTO vote (version_id, user_id, stance, stakeholder_group, created_at, updated_at) "
                            "VALUES (:v, :u, 'support', 'family', :now, :now)"), {"v": version_id, "u": person, "now": utcnow()})
                elif action == "answer":
                    survey = rng.choice(surveys)
                    if not one(connection, "SELECT count(*) FROM survey_response WHERE survey_id = :s AND user_id = :u",
                               s=survey, u=person):
                        connection.execute(sa.text(
                            "INSERT INTO survey_response (survey_id, user_id, channel, language, stakeholder_group, "
                            "created_at, updated_at) VALUES (:s, :u, 'online', 'en', 'family', :now, :now)"),
                            {"s": survey, "u": person, "now": utcnow()})
                elif action == "unlink comment":  # as erasing an account does
                    connection.execute(sa.text("UPDATE comment SET author_id = NULL WHERE id = "
                                               "(SELECT min(id) FROM comment WHERE author_id = :u)"), {"u": person})
                elif action == "move comment":
                    connection.execute(sa.text("UPDATE comment SET proposal_id = :p, version_id = :v, author_id = :u "
                                               "WHERE id = (SELECT max(id) FROM comment)"),
                                       {"p": proposal_id, "v": version_id, "u": person})
                elif action == "delete comment":
                    connection.execute(sa.text("DELETE FROM comment WHERE id IN (SELECT id FROM comment "
                                               "WHERE author_id IS NOT NULL ORDER BY id DESC LIMIT 2)"))
                elif action == "unlink vote":
                    connection.execute(sa.text("UPDATE vote SET user_id = NULL WHERE id = "
                                               "(SELECT min(id) FROM vote WHERE user_id IS NOT NULL)"))
                elif action == "delete vote":
                    connection.execute(sa.text("DELETE FROM vote WHERE id = (SELECT max(id) FROM vote)"))
                elif action == "delete answer":
                    connection.execute(sa.text("DELETE FROM survey_answer WHERE response_id = "
                                               "(SELECT max(id) FROM survey_response)"))
                    connection.execute(sa.text("DELETE FROM survey_response WHERE id = (SELECT max(id) FROM survey_response)"))
                elif action == "regroup":
                    connection.execute(sa.text('UPDATE "user" SET stakeholder_group = :g WHERE id = :u'),
                                       {"g": rng.choice(["student", "family", "educator"]), "u": person})
                elif action == "relocale":
                    connection.execute(sa.text('UPDATE "user" SET preferred_locale = :l WHERE id = :u'),
                                       {"l": rng.choice(["en", "es", "ar", "vi"]), "u": person})
                elif action == "relink survey":
                    connection.execute(sa.text("UPDATE survey SET proposal_id = :p WHERE id = :s"),
                                       {"p": rng.choice([None, proposal_id]), "s": rng.choice(surveys)})
                else:  # everyone in one statement changes group
                    connection.execute(sa.text('UPDATE "user" SET stakeholder_group = CASE WHEN id % 2 = 0 '
                                               "THEN 'student' ELSE 'educator' END"))
            assert_counters_agree(participants, f"step {step}: {action}")
        with db.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM survey_answer WHERE response_id IN "
                                       "(SELECT id FROM survey_response WHERE survey_id = :s)"), {"s": surveys[0]})
            for table in ("survey_correction", "survey_text", "response_entry_question"):
                connection.execute(sa.text(f"DELETE FROM {table} WHERE " + (
                    "survey_id = :s" if table != "response_entry_question" else
                    "question_id IN (SELECT id FROM survey_question WHERE survey_id = :s)")), {"s": surveys[0]})
            connection.execute(sa.text("DELETE FROM survey WHERE id = :s"), {"s": surveys[0]})
        assert_counters_agree(participants, "after deleting a survey with its answers")
        with db.engine.begin() as connection:  # an earlier version, with its votes and comments
            version = one(connection, "SELECT min(v.id) FROM proposal_version v JOIN proposal p ON p.id = v.proposal_id "
                                      "WHERE v.id <> p.current_version_id AND EXISTS "
                                      "(SELECT 1 FROM vote WHERE version_id = v.id AND user_id IS NOT NULL)")
            assert version is not None
            for column in ("from_version_id", "to_version_id"):  # log entries name versions
                connection.execute(sa.text(f"UPDATE response_entry SET {column} = NULL WHERE {column} = :v"),
                                   {"v": version})
            connection.execute(sa.text("DELETE FROM proposal_version WHERE id = :v"), {"v": version})
        assert_counters_agree(participants, "after deleting a version with its votes")
        with db.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM proposal WHERE id = :p"), {"p": proposals[-1][0]})
        assert_counters_agree(participants, "after deleting a proposal")


def test_a_wrong_counter_is_found_and_a_recount_mends_it(app, demo_data):
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE participant_count SET people = people + 1"))
            connection.execute(sa.text("DELETE FROM participant WHERE inputs = 1"))
            assert set(participants.differences(connection)) == {"participant", "participant_count"}
            participants.recount(connection)
            assert participants.differences(connection) == {}
