"""People who gave an email and opted in hear, in their language, when the log answers them."""
import logging
from datetime import timedelta

import sqlalchemy as sa

from codesign.accounts.models import User
from codesign.extensions import db
from codesign.mail import outbox
from codesign.proposals.models import Proposal
from codesign.responselog.models import ResponseEntry
from tests.conftest import Browser
from tests.responselog.test_views import ENTRY, staff_browser, write_entry


def _people_with_comments(app, make_open_proposal, make_user):
    from codesign.comments.service import post_comment

    proposal_id = make_open_proposal()
    make_user("lucia", email="lucia@example.net", locale="es")
    make_user("amal", email="amal@example.net", locale="ar")
    make_user("jordan")
    ids = {}
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        for name, opted in (("lucia", True), ("amal", False), ("jordan", False)):
            user = db.session.scalar(sa.select(User).where(User.username == name))
            user.email_when_answered = opted
            db.session.commit()
            ids[name] = [post_comment(proposal, user, kind="concern", section="retention", body=f"{name} worry {n}",
                                      language=user.preferred_locale).id for n in range(2)]
    return proposal_id, ids


def test_only_people_who_opted_in_are_emailed_in_their_language(app, make_open_proposal, make_user, monkeypatch):
    proposal_id, ids = _people_with_comments(app, make_open_proposal, make_user)
    staff = staff_browser(app)
    write_entry(staff, f"/d/riverside/proposals/{proposal_id}/log/", comments=ids["lucia"] + ids["amal"] + ids["jordan"])
    with app.app_context():
        assert db.session.scalar(sa.select(ResponseEntry.sequence)) == 1
        messages = list(outbox())
    assert len(messages) == 1
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
    # One click stops them, without signing in: the mail program's POST (RFC 8058), or the page's button.
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" and unsubscribe in text
    path = unsubscribe.removeprefix("http://localhost")
    stranger = app.test_client()
    assert "<form" in stranger.get(path).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(User.email_when_answered).where(User.username == "lucia")) is True
    assert stranger.post(path).status_code == 200  # no CSRF token: the signed token is the permission
    with app.app_context():
        assert db.session.scalar(sa.select(User.email_when_answered).where(User.username == "lucia")) is False
    assert stranger.get(path[:-4] + "abcd").status_code == 410  # changed on the way
    assert stranger.post("/unsubscribe/not-a-token").status_code == 410
    from codesign.notifications import service as notifications

    monkeypatch.setattr(notifications, "UNSUBSCRIBE_LIFETIME", timedelta(seconds=-1))
    assert stranger.get(path).status_code == 410  # too old


def test_a_mail_server_failure_never_undoes_the_publication(app, make_open_proposal, make_user, monkeypatch, caplog):
    import codesign.mail

    proposal_id, ids = _people_with_comments(app, make_open_proposal, make_user)

    def refuse(message):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setattr(codesign.mail, "_send_smtp", refuse)
    staff = staff_browser(app)
    with caplog.at_level(logging.ERROR):
        write_entry(staff, f"/d/riverside/proposals/{proposal_id}/log/", comments=ids["lucia"])
    with app.app_context():
        assert db.session.scalar(sa.select(ResponseEntry.sequence)) == 1
    assert "Could not send email to lucia@example.net" in caplog.text


def test_development_writes_mail_to_the_log(app, make_open_proposal, make_user, monkeypatch, caplog):
    proposal_id, ids = _people_with_comments(app, make_open_proposal, make_user)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "log")
    staff = staff_browser(app)
    with caplog.at_level(logging.INFO):
        write_entry(staff, f"/d/riverside/proposals/{proposal_id}/log/", comments=ids["lucia"])
    assert "To: lucia@example.net" in caplog.text


def test_choose_emails_on_the_account_page(app, make_user):
    make_user("lucia", email="lucia@example.net")
    make_user("jordan")
    lucia = Browser(app.test_client())
    lucia.sign_in("lucia")
    assert "Email me when the district answers my input" in lucia.get("/account").get_data(as_text=True)
    lucia.post("/account/email", {"email_when_answered": "y"}, token_from="/account")
    with app.app_context():
        assert db.session.scalar(sa.select(User.email_when_answered).where(User.username == "lucia")) is True
    page = lucia.post("/account/email", {}, token_from="/account", follow_redirects=True).get_data(as_text=True)
    assert "Your email choices are saved." in page
    with app.app_context():
        assert db.session.scalar(sa.select(User.email_when_answered).where(User.username == "lucia")) is False
    jordan = Browser(app.test_client())
    jordan.sign_in("jordan")
    assert "You did not give an email" in jordan.get("/account").get_data(as_text=True)
    # A forged opt-in without an email is refused with a clear message.
    page = jordan.post("/account/email", {"email_when_answered": "y"}, token_from="/account",
                       follow_redirects=True).get_data(as_text=True)
    assert "Your account has no email" in page
    with app.app_context():
        assert db.session.scalar(sa.select(User.email_when_answered).where(User.username == "jordan")) is False


def test_opt_in_when_registering(app, browser):
    form = {"age_13_or_older": "yes", "username": "lucia", "email": "lucia@example.net", "password": "password123",
            "confirm": "password123", "stakeholder_group": "family", "preferred_locale": "es",
            "email_when_answered": "y"}
    assert browser.post("/register", form).status_code == 303
    other = Browser(app.test_client())
    assert other.post("/register", dict(form, username="jordan", email="")).status_code == 303
    with app.app_context():
        chosen = dict(db.session.execute(sa.select(User.username, User.email_when_answered)).all())
    assert chosen == {"lucia": True, "jordan": False}
