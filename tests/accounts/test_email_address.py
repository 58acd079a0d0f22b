"""Adding, changing and removing the account's email: a link sent to the new address confirms it
(once, for a day); nothing changes until then, and nothing says whether another account uses an
address until its owner opens the link."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from codesign.accounts.models import User
from codesign.extensions import db
from codesign.mail import outbox
from codesign.notifications.models import EmailHow
from tests.conftest import Browser


def _email_of(app, username):
    with app.app_context():
        return db.session.scalar(sa.select(User.email).where(User.username == username))


def _link(app) -> str:
    with app.app_context():
        text = outbox()[-1].get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/account/email-address/confirm/\S+)", text).group(1)


def test_a_person_without_email_adds_one_by_confirming_a_link(app, make_user):
    make_user("rosa", locale="es")
    rosa = Browser(app.test_client())
    rosa.sign_in("rosa")
    page = rosa.get("/account").get_data(as_text=True)
    assert 'action="/account/email-address"' in page and 'name="answered"' not in page  # no email yet
    response = rosa.post("/account/email-address", {"email": " Rosa@Example.net "}, token_from="/account")
    assert response.status_code == 303
    response.close()  # the server sends the email once the page has gone
    assert _email_of(app, "rosa") is None  # nothing changes until the link is opened
    with app.app_context():
        [message] = outbox()
    assert message["To"] == "rosa@example.net" and message["Content-Language"] == "es"
    link = _link(app)
    stranger = Browser(app.test_client())  # opened on her phone, signed out: a GET changes nothing
    assert "rosa@example.net" in stranger.get(link).get_data(as_text=True)
    assert _email_of(app, "rosa") is None
    done = stranger.post(link, {}, token_from=link)
    assert done.status_code == 303 and _email_of(app, "rosa") == "rosa@example.net"
    assert stranger.get(link).status_code == 410  # it worked once
    with app.app_context():
        from codesign.audit.models import AuditEvent

        assert db.session.scalar(sa.select(AuditEvent.actor).where(AuditEvent.action == "account.email_confirmed")) \
            == "rosa"
    # Now she can choose emails.
    assert 'name="answered"' in rosa.get("/account").get_data(as_text=True)


def test_bad_addresses_old_changed_and_taken_links(app, make_user, monkeypatch):
    from codesign.accounts import service

    make_user("rosa", email="rosa@example.net")
    make_user("ana", email="ana@example.net")
    rosa = Browser(app.test_client())
    rosa.sign_in("rosa")
    page = rosa.post("/account/email-address", {"email": "not an address"}, token_from="/account",
                     follow_redirects=True).get_data(as_text=True)
    assert "Enter an email address like name@example.org." in page
    page = rosa.post("/account/email-address", {"email": "ROSA@example.net"}, token_from="/account",
                     follow_redirects=True).get_data(as_text=True)
    assert "That is already your email." in page
    # Ana's address: the same answer as any other (nothing tells Rosa it is taken)...
    response = rosa.post("/account/email-address", {"email": "ana@example.net"}, token_from="/account")
    response.close()
    link = _link(app)
    # ... and the link, which only Ana could open, says so and changes nothing.
    anyone = Browser(app.test_client())
    refused = anyone.post(link, {}, token_from=link)
    assert refused.status_code == 422 and "Another account has used this email" in refused.get_data(as_text=True)
    assert _email_of(app, "rosa") == "rosa@example.net"
    assert anyone.get(link[:-4] + "abcd").status_code == 410  # changed on the way
    rosa.post("/account/email-address", {"email": "rosa.new@example.net"}, token_from="/account").close()
    first = _link(app)
    rosa.post("/account/email-address", {"email": "rosa.other@example.net"}, token_from="/account").close()
    second = _link(app)
    assert anyone.post(second, {}, token_from=second).status_code == 303
    assert anyone.get(first).status_code == 410  # an older link stops once the address changed
    monkeypatch.setattr(service, "EMAIL_LINK_LIFETIME", timedelta(seconds=-1))
    rosa.post("/account/email-address", {"email": "late@example.net"}, token_from="/account").close()
    assert anyone.get(_link(app)).status_code == 410  # too old


def test_removing_the_email_turns_every_email_off(app, make_user):
    make_user("rosa", email="rosa@example.net")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "rosa"))
        user.email_answered, user.email_new_version = EmailHow.NOW, EmailHow.WEEKLY
        db.session.commit()
    rosa = Browser(app.test_client())
    rosa.sign_in("rosa")
    page = rosa.post("/account/email-address/remove", {}, token_from="/account",
                     follow_redirects=True).get_data(as_text=True)
    assert "Your account has no email now" in page
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "rosa"))
        assert user.email is None and user.email_answered == user.email_new_version == EmailHow.OFF
