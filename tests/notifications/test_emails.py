"""Notification emails: each person chooses, per kind, no email, one right away, or a weekly
summary; emails go out after the response in the person's language, are retried when the mail
server fails (never losing the notification in the app), stop with one click, and are never sent
to someone who no longer wants them or about a proposal they can no longer see."""
from __future__ import annotations

import logging
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from babel.dates import format_date, format_time

from codesign.accounts.models import User
from codesign.db import utcnow
from codesign.extensions import db
from codesign.mail import outbox
from codesign.notifications.models import EmailHow, Notification
from codesign.proposals.models import Proposal
from tests.conftest import Browser
from tests.responselog.test_views import ENTRY, staff_browser, write_entry


def _choose(app, username, **choices):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        for kind, how in choices.items():
            setattr(user, f"email_{kind}", EmailHow(how))
        db.session.commit()


def _people_with_comments(app, make_open_proposal, make_user):
    """lucia (Spanish) wants answers by email right away; amal (Arabic) has an email but chose
    none; jordan has no email. Each wrote two comments."""
    from codesign.comments.service import post_comment

    proposal_id = make_open_proposal()
    make_user("lucia", email="lucia@example.net", locale="es")
    make_user("amal", email="amal@example.net", locale="ar")
    make_user("jordan")
    _choose(app, "lucia", answered="now")
    ids = {}
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        for name in ("lucia", "amal", "jordan"):
            user = db.session.scalar(sa.select(User).where(User.username == name))
            ids[name] = [post_comment(proposal, user, kind="concern", section="retention", body=f"{name} worry {n}",
                                      language=user.preferred_locale).id for n in range(2)]
    return proposal_id, ids


def _publish_entry(app, proposal_id, comment_ids):
    """Staff write and publish an entry through the app; the response is closed as a server
    closes it, which is when emails caused by the request are sent."""
    staff = staff_browser(app)
    base = f"/d/riverside/proposals/{proposal_id}/log/"
    entry_id, _edit = write_entry(staff, base, comments=comment_ids, publish=False)
    response = staff.post(base + f"{entry_id}/publish", {}, token_from=base)
    assert response.status_code == 303
    response.close()
    return entry_id


def _new_version(proposal, what_changed="Kept for one year, not three."):
    """Publish version 2 (inside a request context)."""
    from codesign.accounts.service import find_user_by_login
    from codesign.proposals import service as proposals

    draft = proposals.start_revision(proposal, find_user_by_login("staff"))
    proposals.update_draft(draft, {"retention": "One school year."})
    now = utcnow()
    proposals.publish_version(proposal, opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=7),
                              what_changed=what_changed)


def _send_due(app, now=None):
    from codesign.notifications.emails import send_due

    with app.test_request_context():
        return send_due(now)


def _email_state(app, username):
    with app.app_context():
        return db.session.execute(
            sa.select(Notification.kind, Notification.email_due_at, Notification.emailed_at, Notification.email_attempts)
            .join(User, User.id == Notification.user_id).where(User.username == username)).all()


def test_answers_are_emailed_right_away_to_who_chose_it_in_their_language(app, make_open_proposal, make_user,
                                                                           monkeypatch):
    proposal_id, ids = _people_with_comments(app, make_open_proposal, make_user)
    _publish_entry(app, proposal_id, ids["lucia"] + ids["amal"] + ids["jordan"])
    with app.app_context():
        messages = list(outbox())
    assert len(messages) == 1  # sent after the response; amal chose none, jordan has no email
    assert len(_email_state(app, "amal")) == len(_email_state(app, "jordan")) == 1  # told in the app
    message = messages[0]
    assert message["To"] == "lucia@example.net" and message["Content-Language"] == "es"
    assert message["Subject"].startswith("El distrito respondió")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "http://localhost/d/riverside/log/1" in text and 'href="http://localhost/d/riverside/log/1"' in html
    assert "Responde a 2 de sus comentarios." in text
    assert ENTRY["heard"] in text and ENTRY["reasons"] in text
    assert "amal@example.net" not in message.as_string()
    assert '<html lang="es" dir="ltr">' in html
    [(_kind, due, emailed, attempts)] = _email_state(app, "lucia")
    assert due is None and emailed is not None and attempts == 0
    assert _send_due(app, utcnow() + timedelta(days=30))["sent"] == 0  # sent once
    # One click stops them, without signing in: the mail program's POST (RFC 8058), or the page's button.
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" and unsubscribe in text
    path = unsubscribe.removeprefix("http://localhost")
    stranger = app.test_client()
    page = stranger.get(path).get_data(as_text=True)
    assert "<form" in page and "The district answers my input" in page
    with app.app_context():
        assert db.session.scalar(sa.select(User.email_answered).where(User.username == "lucia")) == EmailHow.NOW
    assert stranger.post(path).status_code == 200  # no CSRF token: the signed token is the permission
    with app.app_context():
        assert db.session.scalar(sa.select(User.email_answered).where(User.username == "lucia")) == EmailHow.OFF
    assert stranger.get(path[:-4] + "abcd").status_code == 410  # changed on the way
    assert stranger.post("/unsubscribe/not-a-token").status_code == 410
    from codesign.notifications import service as notifications

    monkeypatch.setattr(notifications, "UNSUBSCRIBE_LIFETIME", timedelta(seconds=-1))
    assert stranger.get(path).status_code == 410  # too old


def test_a_new_version_is_emailed_with_what_changed_in_arabic_right_to_left(app, make_open_proposal, make_user):
    from codesign.accounts.service import find_user_by_login
    from codesign.notifications.service import follow

    proposal_id = make_open_proposal()
    make_user("amal", email="amal@example.net", locale="ar")
    _choose(app, "amal", new_version="now")
    with app.test_request_context():
        proposal = db.session.get(Proposal, proposal_id)
        follow(find_user_by_login("amal"), proposal_id)
        _new_version(proposal)
    assert _send_due(app) == {"sent": 1, "failed": 0, "skipped": 0, "later": 0}
    with app.app_context():
        [message] = outbox()
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert '<html lang="ar" dir="rtl">' in html and message["Content-Language"] == "ar"
    assert "Kept for one year, not three." in text and f"/d/riverside/proposals/{proposal_id}/changes" in text
    assert "Kept for one year, not three." in html


def test_a_failed_send_is_retried_later_and_never_loses_the_notification(app, make_open_proposal, make_user,
                                                                          monkeypatch, caplog):
    import codesign.mail
    from codesign.notifications import emails

    proposal_id, ids = _people_with_comments(app, make_open_proposal, make_user)

    def refuse(message):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setattr(codesign.mail, "_send_smtp", refuse)
    with caplog.at_level(logging.ERROR):
        _publish_entry(app, proposal_id, ids["lucia"])  # the publication stands
    assert "Could not send email to lucia@example.net" in caplog.text
    [(_kind, due, emailed, attempts)] = _email_state(app, "lucia")
    assert emailed is None and attempts == 1 and due > utcnow() + timedelta(minutes=4)
    now = utcnow()
    assert _send_due(app, now)["sent"] == 0  # not due again yet
    assert _send_due(app, due + timedelta(seconds=1))["failed"] == 1
    [(_kind, due, emailed, attempts)] = _email_state(app, "lucia")
    assert attempts == 2 and due > now + timedelta(minutes=9)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "memory")  # the server is back
    assert _send_due(app, due + timedelta(seconds=1))["sent"] == 1
    with app.app_context():
        assert [m["To"] for m in outbox()] == ["lucia@example.net"]
    # After MAX_ATTEMPTS failures it gives up on the email; the notification is still there.
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    with app.app_context():
        db.session.execute(sa.update(Notification).values(emailed_at=None, email_due_at=now,
                                                          email_attempts=emails.MAX_ATTEMPTS - 1))
        db.session.commit()
    assert _send_due(app, now)["failed"] == 1
    [(_kind, due, emailed, attempts)] = _email_state(app, "lucia")
    assert due is None and emailed is None and attempts == emails.MAX_ATTEMPTS
    lucia = Browser(app.test_client())
    lucia.sign_in("lucia")
    assert "respondió" in lucia.get("/account/notifications").get_data(as_text=True)


def test_weekly_summary_gathers_a_week_in_one_email(app, make_open_proposal, make_user):
    from codesign.accounts.service import find_user_by_login
    from codesign.notifications import emails
    from codesign.notifications.service import follow
    from codesign.proposals import service as proposals
    from codesign.proposals.models import Decision

    proposal_id = make_open_proposal()
    make_user("lucia", email="lucia@example.net", locale="es")
    _choose(app, "lucia", new_version="weekly", decided="weekly", closing_soon="now")
    with app.test_request_context():
        proposal = db.session.get(Proposal, proposal_id)
        follow(find_user_by_login("lucia"), proposal_id)
        _new_version(proposal)
        proposals.record_decision(proposal, Decision.ADOPTED, note="Adopted as revised.", confirm_open_comments=True)
        summary_at = emails.next_summary_at(utcnow())
    assert summary_at.weekday() == 0 and summary_at.hour == 16 and summary_at > utcnow()
    assert _send_due(app) == {"sent": 0, "failed": 0, "skipped": 0, "later": 0}  # waits for the summary
    assert _send_due(app, summary_at + timedelta(seconds=1))["sent"] == 2  # two notices, one email
    with app.app_context():
        [message] = outbox()
    text = message.get_body(("plain",)).get_content()
    assert "Codesign" in message["Subject"] and "2" in message["Subject"]
    assert f"/d/riverside/proposals/{proposal_id}/changes" in text and "/d/riverside/proposals/" in text
    assert text.count("\n* ") == 2
    # Its one-click link stops the weekly summary: every kind that came that way, and nothing else.
    path = message["List-Unsubscribe"].strip("<>").removeprefix("http://localhost")
    assert app.test_client().post(path).status_code == 200
    with app.app_context():
        lucia = db.session.scalar(sa.select(User).where(User.username == "lucia"))
        assert (lucia.email_new_version, lucia.email_decided, lucia.email_closing_soon) == (
            EmailHow.OFF, EmailHow.OFF, EmailHow.NOW)


@pytest.mark.parametrize("change", ["turned_off", "email_removed", "unpublished", "erased"])
def test_not_sent_when_no_longer_wanted_or_visible(app, make_open_proposal, make_user, change):
    proposal_id, ids = _people_with_comments(app, make_open_proposal, make_user)
    app.config["MAIL_SEND_AFTER_RESPONSE"] = False  # so that something changes before it is sent
    try:
        _publish_entry(app, proposal_id, ids["lucia"])
    finally:
        app.config["MAIL_SEND_AFTER_RESPONSE"] = True
    if change == "unpublished":  # told in the app, counted in the header
        reader = Browser(app.test_client())
        reader.sign_in("lucia")
        assert "Notificaciones (1 nueva)" in reader.get("/account/notifications").get_data(as_text=True)
    with app.app_context():
        lucia = db.session.scalar(sa.select(User).where(User.username == "lucia"))
        if change == "turned_off":
            lucia.email_answered = EmailHow.OFF
        elif change == "email_removed":
            lucia.email = None
        elif change == "unpublished":  # a proposal taken back (e.g. published by mistake)
            db.session.get(Proposal, proposal_id).status = "draft"
        db.session.commit()
        if change == "erased":
            from codesign.mydata.service import erase_account

            erase_account(lucia, withdraw_comments=False)
    assert _send_due(app)["sent"] == 0
    with app.app_context():
        assert outbox() == []
        assert db.session.scalar(sa.select(sa.func.count()).where(Notification.email_due_at.is_not(None))) == 0
    if change == "unpublished":  # and it is no longer listed in the app either
        lucia = Browser(app.test_client())
        lucia.sign_in("lucia")
        page = lucia.get("/account/notifications").get_data(as_text=True)
        assert "respondió" not in page and "Notificaciones (" not in page  # nor counted in the header
        with app.app_context():  # (kept, should the proposal come back)
            assert db.session.scalar(sa.select(sa.func.count(Notification.id))) >= 1


def test_two_senders_never_take_the_same_email(app, make_open_proposal, make_user):
    from codesign.notifications import emails

    proposal_id, ids = _people_with_comments(app, make_open_proposal, make_user)
    app.config["MAIL_SEND_AFTER_RESPONSE"] = False
    try:
        _publish_entry(app, proposal_id, ids["lucia"])
    finally:
        app.config["MAIL_SEND_AFTER_RESPONSE"] = True
    now = utcnow()
    with app.app_context():
        first = emails._claim(now, 10)
        assert len(first) == 1 and emails._claim(now, 10) == []  # claimed: the other sender gets nothing
        # A sender that died holding a claim: the email is tried again once the claim lapses.
        assert emails._claim(now + emails.LEASE + timedelta(seconds=1), 10) == first


def test_a_batch_costs_the_same_queries_for_three_or_thirty(app, make_open_proposal, make_user, count_queries):
    from codesign.accounts.service import find_user_by_login
    from codesign.notifications.service import follow

    proposal_id = make_open_proposal()
    costs = []
    for batch in (3, 30):
        with app.app_context():
            db.session.execute(sa.delete(Notification))
            db.session.commit()
        for n in range(len(costs) * 3, batch):
            make_user(f"p{n}", email=f"p{n}@example.net", locale=("es", "ar", "vi")[n % 3])
            _choose(app, f"p{n}", new_version="now" if n % 2 else "weekly")
        with app.test_request_context():
            proposal = db.session.get(Proposal, proposal_id)
            for n in range(batch):
                follow(find_user_by_login(f"p{n}"), proposal_id)
            _new_version(proposal)
        with count_queries() as counter:
            counts = _send_due(app, utcnow() + timedelta(days=8))
        assert counts["sent"] == batch
        costs.append(counter["n"])
    assert costs[0] == costs[1]


def test_choose_emails_on_the_account_page(app, make_user):
    make_user("lucia", email="lucia@example.net")
    make_user("jordan")
    lucia = Browser(app.test_client())
    lucia.sign_in("lucia")
    page = lucia.get("/account").get_data(as_text=True)
    assert "The district answers my input" in page and "In a weekly summary email" in page
    choices = {"new_version": "weekly", "closing_soon": "now", "answered": "now", "decided": "off"}
    page = lucia.post("/account/email", choices, token_from="/account", follow_redirects=True).get_data(as_text=True)
    assert "Your email choices are saved." in page
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "lucia"))
        assert (user.email_new_version, user.email_closing_soon, user.email_answered, user.email_decided) == (
            EmailHow.WEEKLY, EmailHow.NOW, EmailHow.NOW, EmailHow.OFF)
    page = lucia.get("/account").get_data(as_text=True)
    assert re.search(r'<input checked id="new_version-\d" name="new_version"[^>]*value="weekly"', page)
    assert re.search(r'<input checked id="decided-\d" name="decided"[^>]*value="off"', page)
    # A made-up choice is refused with a clear message, and nothing changes.
    page = lucia.post("/account/email", dict(choices, answered="hourly"), token_from="/account",
                      follow_redirects=True).get_data(as_text=True)
    assert "Your email choices are saved." not in page and "Not a valid choice" in page
    jordan = Browser(app.test_client())
    jordan.sign_in("jordan")
    assert "You did not give an email" in jordan.get("/account").get_data(as_text=True)
    # A forged choice without an email is refused with a clear message.
    page = jordan.post("/account/email", dict(choices), token_from="/account",
                       follow_redirects=True).get_data(as_text=True)
    assert "Your account has no email" in page
    with app.app_context():
        assert db.session.scalar(sa.select(User.email_answered).where(User.username == "jordan")) == EmailHow.OFF


def test_opt_in_when_registering(app, browser):
    form = {"age_13_or_older": "yes", "username": "lucia", "email": "lucia@example.net", "password": "password123",
            "confirm": "password123", "stakeholder_group": "family", "preferred_locale": "es",
            "email_when_answered": "y"}
    assert browser.post("/register", form).status_code == 303
    other = Browser(app.test_client())
    assert other.post("/register", dict(form, username="jordan", email="")).status_code == 303
    with app.app_context():
        chosen = dict(db.session.execute(sa.select(User.username, User.email_answered)).all())
    assert chosen == {"lucia": EmailHow.NOW, "jordan": EmailHow.OFF}


def test_development_writes_mail_to_the_log_and_the_command_sends_what_is_due(app, make_open_proposal, make_user,
                                                                                monkeypatch, caplog):
    proposal_id, ids = _people_with_comments(app, make_open_proposal, make_user)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "log")
    monkeypatch.setitem(app.config, "MAIL_SEND_AFTER_RESPONSE", False)
    _publish_entry(app, proposal_id, ids["lucia"])
    with caplog.at_level(logging.INFO):
        result = app.test_cli_runner().invoke(args=["send-email"])
    assert result.exit_code == 0, result.output
    assert "1 notification emails sent, 0 failed" in result.output
    assert "To: lucia@example.net" in caplog.text


def test_closing_soon_and_the_decision_by_email_with_the_date_and_the_decision_in_her_language(
        app, make_open_proposal, make_user):
    from codesign.accounts.service import find_user_by_login
    from codesign.notifications.service import follow, tell_closing_soon
    from codesign.proposals import service as proposals
    from codesign.proposals.models import Decision

    proposal_id = make_open_proposal()  # closes in seven days
    make_user("lucia", email="lucia@example.net", locale="es")
    _choose(app, "lucia", closing_soon="now", decided="now")
    with app.test_request_context():
        follow(find_user_by_login("lucia"), proposal_id)
        db.session.commit()
        assert tell_closing_soon(utcnow() + timedelta(days=5)) == 1
    assert _send_due(app, utcnow() + timedelta(days=5))["sent"] == 1
    with app.app_context():
        [closing] = outbox()
        closes = db.session.get(Proposal, proposal_id).comment_closes_at
    text = closing.get_body(("plain",)).get_content()
    # The closing time in the district's time zone, written the Spanish way.
    local = closes.astimezone(ZoneInfo("America/Los_Angeles"))
    assert f"{format_date(local, 'long', locale='es')} {format_time(local, 'short', locale='es')}" in text
    with app.test_request_context():
        proposal = db.session.get(Proposal, proposal_id)
        proposals.record_decision(proposal, Decision.ADOPTED, note="Se guarda un año.", confirm_open_comments=True)
    assert _send_due(app)["sent"] == 1
    with app.app_context():
        decided = outbox()[-1]
    text = decided.get_body(("plain",)).get_content()
    assert "Aprobada" in text and "Se guarda un año." in text
    assert f"http://localhost/d/riverside/proposals/{proposal_id}/" in text


def test_the_title_is_in_her_language_where_the_district_translated_it(app, make_open_proposal, make_user):
    from codesign.accounts.service import find_user_by_login
    from codesign.content_translations.models import ProposalTranslation
    from codesign.content_translations.service import source_hash
    from codesign.notifications.service import follow

    proposal_id = make_open_proposal()
    make_user("lucia", email="lucia@example.net", locale="es")
    make_user("amal", email="amal@example.net", locale="ar")
    for name in ("lucia", "amal"):
        _choose(app, name, new_version="now")
    with app.test_request_context():
        proposal = db.session.get(Proposal, proposal_id)
        title = proposal.current_version.title
        db.session.add(ProposalTranslation(proposal_id=proposal_id, locale="es", field="title",
                                           text="Panel de asistencia", source_hash=source_hash(title),
                                           source_version=1))
        for name in ("lucia", "amal"):
            follow(find_user_by_login(name), proposal_id)
        _new_version(proposal)
    assert _send_due(app)["sent"] == 2
    with app.app_context():
        sent = {m["To"]: m for m in outbox()}
    spanish = sent["lucia@example.net"]
    assert "Panel de asistencia" in spanish["Subject"]
    assert '<span lang="es" dir="auto">Panel de asistencia</span>' in spanish.get_body(("html",)).get_content()
    assert title in sent["amal@example.net"].get_body(("plain",)).get_content()  # no Arabic title: the original
    lucia = Browser(app.test_client())
    lucia.sign_in("lucia")
    page = lucia.get("/account/notifications").get_data(as_text=True)
    assert '<span lang="es" dir="auto">Panel de asistencia</span>' in page and title not in page


def test_when_the_mail_server_is_down_a_batch_stops_at_the_first_failure(app, make_open_proposal, make_user,
                                                                         monkeypatch):
    """No worker waits out a timeout for each email: the rest wait for the next try, their tries
    not counted."""
    import codesign.mail
    from codesign.accounts.service import find_user_by_login
    from codesign.notifications.service import follow

    proposal_id = make_open_proposal()
    for n in range(3):
        make_user(f"p{n}", email=f"p{n}@example.net")
        _choose(app, f"p{n}", new_version="now")
    tries = []

    def refuse(message):
        tries.append(message["To"])
        raise TimeoutError("mail server not answering")

    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setattr(codesign.mail, "_send_smtp", refuse)
    with app.test_request_context():
        for n in range(3):
            follow(find_user_by_login(f"p{n}"), proposal_id)
        _new_version(db.session.get(Proposal, proposal_id))
    now = utcnow()
    assert _send_due(app, now) == {"sent": 0, "failed": 1, "skipped": 0, "later": 2} and len(tries) == 1
    with app.app_context():
        states = sorted(db.session.execute(sa.select(Notification.email_attempts, Notification.email_due_at)))
    assert [attempts for attempts, _due in states] == [0, 0, 1]
    assert all(due >= now + timedelta(minutes=5) for _attempts, due in states)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "memory")  # back: all three go
    assert _send_due(app, now + timedelta(minutes=6))["sent"] == 3
