"""Deleting an account, and anonymizing unused ones: personal data goes, contributions stay in the
counts, and nothing in the database or the exports ties any row to the person."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from codesign.db import utcnow
from codesign.districts.models import Role
from codesign.extensions import db
from tests.conftest import Browser, text_columns

NAME, EMAIL = "zorblat", "zorblat@example.org"


@pytest.fixture
def contributions(app, make_open_proposal, make_user):
    """Someone who took part every way there is, beside someone else who did too."""
    from codesign.accounts.service import find_user_by_login
    from codesign.comments import service as comments
    from codesign.comments.models import FlagReason, Kind
    from codesign.content_translations import service as translations
    from codesign.content_translations.models import ContentTranslationRequest
    from codesign.districts.service import get_district, grant_role
    from codesign.proposals.models import Proposal
    from codesign.surveys import service as surveys
    from codesign.surveys.models import SurveyResponse
    from codesign.votes import service as votes
    from codesign.votes.models import Stance, Vote

    proposal_id = make_open_proposal()
    make_user(NAME, email=EMAIL)
    make_user("amal")
    make_user("root", is_admin=True)
    with app.app_context():
        proposal, district = db.session.get(Proposal, proposal_id), get_district("riverside")
        me, amal = find_user_by_login(NAME), find_user_by_login("amal")
        grant_role(district, me, Role.BOARD)
        mine = comments.post_comment(proposal, me, kind=Kind.CONCERN, section="retention", language="es",
                                     body="Tres años es demasiado tiempo para guardar esto.")
        theirs = comments.post_comment(proposal, amal, kind=Kind.SUPPORT, section="purpose", language="en",
                                       body="Calling families early helps.")
        comments.me_too(theirs, me)
        comments.flag_comment(theirs, me, FlagReason.OFF_TOPIC, "Not about the dashboard")
        votes.record_vote(proposal, me, Stance.OPPOSE)
        votes.record_vote(proposal, amal, Stance.SUPPORT)
        survey = surveys.create_survey(district, None, title="Dashboard survey", intro="", proposal_id=None,
                                       opens_at=None, closes_at=None)
        db.session.add(SurveyResponse(survey_id=survey.id, user_id=me.id, language="es",
                                      stakeholder_group=me.stakeholder_group))
        translations.request_translation(proposal, "vi", f"user:{me.id}")
        db.session.add(ContentTranslationRequest(district_id=district.id, kind="organization", subject_id=1, locale="ar",
                                                 requester=f"user:{me.id}"))
        db.session.commit()
        from codesign.recovery.service import new_recovery_code

        new_recovery_code(me)
        assert db.session.scalar(sa.select(sa.func.count(Vote.id))) == 2
        return {"proposal": proposal_id, "me": me.id, "mine": mine.id, "theirs": theirs.id}


def _ties_to(app, user_id: int) -> list[str]:
    """Every place in the database that still names the person: a foreign key to their account,
    their username or email anywhere in any text, or their "user:<id>" key. (The audit log names
    accounts by number; an erased account's number leads to an empty row, checked here too.)"""
    from codesign.accounts.models import User

    found = []
    with app.app_context():
        user = db.session.get(User, user_id)
        if (user.erased_at is None or user.email or user.display_name or user.password_hash != "!"
                or user.recovery_code_hash or user.staff_code_hash or user.staff_code_issued_at):
            found.append("user row still holds personal data")
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if any(fk.column.table.name == "user" for fk in column.foreign_keys):
                    if db.session.scalar(sa.select(sa.func.count()).where(column == user_id)):
                        found.append(f"{table.name}.{column.name}")
        for table, column in text_columns(db.engine):
            for value in (NAME, EMAIL, f"user:{user_id}"):
                if (table.name, column.name, value) == ("audit_event", "subject", f"user:{user_id}"):
                    continue
                if db.session.scalar(sa.select(sa.func.count()).where(column.contains(value))):
                    found.append(f"{table.name}.{column.name} contains {value}")
    return found


def _delete(browser, **data):
    return browser.post("/account/data/delete", {"comments": "keep", "password": "password123", **data})


def test_deleting_my_account_leaves_nothing_that_ties_a_row_to_me(app, client, contributions):
    from codesign.comments.models import Comment
    from codesign.votes.models import Vote

    me = Browser(app.test_client())
    me.sign_in(NAME)
    old_cookie = me.client.get_cookie("session").value
    assert "Delete my account" in me.get("/account").get_data(as_text=True)
    page = me.get("/account/data/delete").get_data(as_text=True)
    assert "You wrote 1 comment." in page and "Your 1 vote stays in the totals" in page
    wrong = _delete(me, password="not-my-password")
    assert wrong.status_code == 422 and "That is not your password." in wrong.get_data(as_text=True)
    missing = _delete(me, comments="")
    assert missing.status_code == 422 and "Please choose one." in missing.get_data(as_text=True)
    assert _ties_to(app, contributions["me"])  # nothing happened yet

    done = _delete(me)
    assert done.status_code == 303
    assert "Your account is deleted." in me.get("/", follow_redirects=True).get_data(as_text=True)
    assert _ties_to(app, contributions["me"]) == []
    with app.app_context():
        mine = db.session.get(Comment, contributions["mine"])
        assert mine.author_id is None and mine.body == "Tres años es demasiado tiempo para guardar esto."
        assert db.session.scalar(sa.select(sa.func.count(Vote.id))) == 2  # still counted
        assert db.session.get(Comment, contributions["theirs"]).metoo_count == 1
    # The comment still reads on the proposal, and the exports never named anyone anyway.
    pid = contributions["proposal"]
    assert "Tres años es demasiado tiempo" in client.get(f"/d/riverside/proposals/{pid}/").get_data(as_text=True)
    export = client.get(f"/d/riverside/proposals/{pid}/record.json").get_data(as_text=True)
    assert NAME not in export and EMAIL not in export
    # The old session cookie opens nothing; signing in with the old name fails.
    thief = app.test_client()
    thief.set_cookie("session", old_cookie)
    assert thief.get("/account/data/data.json").status_code == 302
    assert thief.get("/account").status_code == 302
    again = Browser(app.test_client()).post("/login", {"login": NAME, "password": "password123"})
    assert again.status_code == 422
    # The audit log of the role once granted now leads to nobody.
    admin = Browser(app.test_client())
    admin.sign_in("root")
    log = admin.get("/admin/audit/").get_data(as_text=True)
    assert f"user:{contributions['me']}</code> (erased account)" in log and NAME not in log


def test_withdrawing_my_comments_as_i_leave(app, client, contributions):
    from codesign.comments.models import Comment

    me = Browser(app.test_client())
    me.sign_in(NAME)
    assert _delete(me, comments="withdraw").status_code == 303
    assert _ties_to(app, contributions["me"]) == []
    with app.app_context():
        mine = db.session.get(Comment, contributions["mine"])
        assert mine.withdrawn and mine.body == "" and mine.author_id is None
    page = client.get(f"/d/riverside/proposals/{contributions['proposal']}/").get_data(as_text=True)
    assert "Tres años" not in page and "The author withdrew this comment." in page


def test_deleting_needs_a_signed_in_person_and_a_form_token(app, client, contributions):
    assert client.get("/account/data/delete").status_code == 302
    me = Browser(app.test_client())
    me.sign_in(NAME)
    assert me.client.post("/account/data/delete", data={"comments": "keep", "password": "password123"}
                          ).status_code in (400, 422)  # no CSRF token
    assert _ties_to(app, contributions["me"])


def _age(app, username, *, seen_days_ago, told_days_ago=None):
    from codesign.accounts.service import find_user_by_login

    with app.app_context():
        user = find_user_by_login(username)
        user.last_login_at = utcnow() - timedelta(days=seen_days_ago)
        user.created_at = utcnow() - timedelta(days=seen_days_ago + 10)
        user.inactivity_notice_at = utcnow() - timedelta(days=told_days_ago) if told_days_ago is not None else None
        db.session.commit()
        return user.id


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=["anonymize-inactive", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_unused_accounts_are_anonymized_after_a_warning_a_month_ahead(app, make_user):
    from codesign.accounts.models import User
    from codesign.mail import outbox

    make_user("warned_soon", email="soon@example.org", locale="es")
    make_user("no_email")
    make_user("active", email="active@example.org")
    make_user("told_long_ago", email="told@example.org")
    soon = _age(app, "warned_soon", seen_days_ago=24 * 30.44 - 20)  # 23 months and a bit
    no_email = _age(app, "no_email", seen_days_ago=26 * 30.44)
    _age(app, "active", seen_days_ago=3)
    told = _age(app, "told_long_ago", seen_days_ago=25 * 30.44, told_days_ago=31)
    with app.app_context():
        outbox().clear()
    assert _run(app) == "2 inactive accounts anonymized; 1 people told a month ahead.\n"
    with app.app_context():
        left = set(db.session.scalars(sa.select(User.username)))
        assert {"warned_soon", "active"} <= left and not {"no_email", "told_long_ago"} & left
        [message] = outbox()
        assert message["To"] == "soon@example.org" and message["Content-Language"] == "es"
        assert "/login" in message.get_body(("plain",)).get_content()
        assert db.session.get(User, soon).inactivity_notice_at is not None
    assert _ties_to(app, no_email) == [] and _ties_to(app, told) == []
    # Run again the same day: nobody is told twice, nobody erased before their month is up.
    assert _run(app) == "0 inactive accounts anonymized; 0 people told a month ahead.\n"
    # Signing in keeps the account (and clears the warning).
    Browser(app.test_client()).sign_in("warned_soon")
    with app.app_context():
        assert db.session.get(User, soon).inactivity_notice_at is None
