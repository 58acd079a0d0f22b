"""Getting back into an account without email: the recovery code shown once at registration
(replaced each time it is used), a one-time code from district staff, wrong codes locking a
username for a while, and nothing that tells whether an account exists."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from codesign.db import utcnow
from codesign.extensions import db
from tests.conftest import Browser, district_named

CODE = re.compile(r'<p class="recovery-code"><code>([A-Z0-9-]+)</code></p>')
REGISTRATION = {"age_13_or_older": "yes", "username": "rosa", "password": "first-password-1",
                "confirm": "first-password-1", "stakeholder_group": "family", "preferred_locale": "es"}


def _recover(client, login, code, password="second-password-2"):
    return Browser(client).post("/recover", {"login": login, "code": code, "new_password": password,
                                             "confirm": password})


def test_registration_shows_a_recovery_code_once_and_it_resets_the_password(app):
    person = Browser(app.test_client())
    response = person.post("/register?next=/privacy", REGISTRATION)
    assert response.status_code == 303 and "/account/recovery-code" in response.headers["Location"]
    page = person.get(response.headers["Location"]).get_data(as_text=True)
    code = CODE.search(page).group(1)
    assert len(code.replace("-", "")) == 16 and 'href="/privacy"' in page  # then on where they were going
    assert CODE.search(person.get("/account/recovery-code").get_data(as_text=True)) is None  # not shown again
    with app.app_context():
        from codesign.accounts.models import User

        assert code not in (db.session.scalar(sa.select(User.recovery_code_hash)) or "")  # stored hashed
    elsewhere = Browser(app.test_client())
    elsewhere.sign_in("rosa", "first-password-1")
    # Forgotten password: the code, typed in small letters without dashes, sets a new one.
    client = app.test_client()
    recovered = _recover(client, "Rosa", code.replace("-", " ").lower())
    body = recovered.get_data(as_text=True)
    assert recovered.status_code == 200 and "flash--success" in body  # (in Spanish: her language)
    new_code = CODE.search(body).group(1)
    assert new_code != code
    assert client.get("/account").status_code == 200  # signed in
    assert elsewhere.get("/account").status_code in (302, 303)  # signed out everywhere else
    Browser(app.test_client()).sign_in("rosa", "second-password-2")
    assert Browser(app.test_client()).post("/login", {"login": "rosa", "password": "first-password-1"}).status_code == 422
    # The old code worked once; the new one works.
    assert _recover(app.test_client(), "rosa", code, "third-password-3").status_code == 422
    assert _recover(app.test_client(), "rosa", new_code, "third-password-3").status_code == 200


def test_a_person_can_make_a_new_code_from_their_account(app, make_user):
    make_user("maria")
    person = Browser(app.test_client())
    person.sign_in("maria")
    page = person.get("/account/recovery-code").get_data(as_text=True)
    assert "Make a new recovery code" in page and CODE.search(page) is None
    first = CODE.search(person.post("/account/recovery-code", {}).get_data(as_text=True)).group(1)
    second = CODE.search(person.post("/account/recovery-code", {}).get_data(as_text=True)).group(1)
    assert first != second
    assert _recover(app.test_client(), "maria", first).status_code == 422  # the newer one replaced it
    assert _recover(app.test_client(), "maria", second).status_code == 200


def test_wrong_codes_say_the_same_whoever_and_lock_the_username_for_a_while(app, make_user):
    make_user("maria")
    person = Browser(app.test_client())
    person.sign_in("maria")
    code = CODE.search(person.post("/account/recovery-code", {}).get_data(as_text=True)).group(1)
    wrong = _recover(app.test_client(), "maria", "AAAA-BBBB-CCCC-DDDD")
    nobody = _recover(app.test_client(), "nobody-has-this", "AAAA-BBBB-CCCC-DDDD")
    assert wrong.status_code == nobody.status_code == 422

    def message(response):
        return re.search(r'<div class="form-errors".*?</div>', response.get_data(as_text=True), re.S).group(0)

    assert message(wrong) == message(nobody) and "do not go together" in message(wrong)
    for _ in range(4):
        _recover(app.test_client(), "maria", "AAAA-BBBB-CCCC-DDDD")
        _recover(app.test_client(), "nobody-has-this", "AAAA-BBBB-CCCC-DDDD")
    locked = _recover(app.test_client(), "maria", code)  # even the right code, for now
    assert locked.status_code == 422 and "Too many wrong codes" in locked.get_data(as_text=True)
    assert "Too many wrong codes" in _recover(app.test_client(), "nobody-has-this", code).get_data(as_text=True)
    # Bad input: everything empty, passwords that differ.
    empty = Browser(app.test_client()).post("/recover", {})
    assert empty.status_code == 422 and empty.get_data(as_text=True).count('aria-invalid="true"') == 4
    differ = Browser(app.test_client()).post("/recover", {"login": "x", "code": "y", "new_password": "long-enough-1",
                                                         "confirm": "long-enough-2"})
    assert differ.status_code == 422 and "do not match" in differ.get_data(as_text=True)


def test_staff_give_a_one_time_code_recorded_and_told_at_next_sign_in(app, make_open_proposal, make_user):
    from codesign.audit.models import AuditEvent
    from codesign.districts.models import Role

    make_open_proposal()
    make_user("maria", roles={district_named(app): [Role.PARTICIPANT]})  # registered from the district's page
    make_user("helper", roles={district_named(app): [Role.FACILITATOR]})
    staff = Browser(app.test_client())
    staff.sign_in("staff")
    url = "/d/riverside/reset-codes"
    assert "reset code" in staff.get("/d/riverside/roles").get_data(as_text=True)  # linked from people and roles
    page = staff.post(url, {"login": "maria"}).get_data(as_text=True)
    code = CODE.search(page).group(1)
    assert "The code for maria" in page
    refused = staff.post(url, {"login": "helper"})  # someone with a role recovers with their own code
    assert refused.status_code == 422 and "cannot give a code to someone with a role" in refused.get_data(as_text=True)
    assert staff.post(url, {"login": "no-such-person"}).status_code == 422
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "account.reset_code_issued"))
        assert event.actor == "staff" and "maria" in event.after and code not in event.after
    # Maria signs in (she remembered after all): she is told, once.
    maria = Browser(app.test_client())
    maria.sign_in("maria")
    assert "district staff made a one-time code" in maria.get("/", follow_redirects=True).get_data(as_text=True)
    again = Browser(app.test_client())
    again.sign_in("maria")
    assert "district staff made a one-time code" not in again.get("/", follow_redirects=True).get_data(as_text=True)
    # The code works once.
    assert _recover(app.test_client(), "maria", code).status_code == 200
    assert _recover(app.test_client(), "maria", code, "another-password-9").status_code == 422
    # A code past its day does not work.
    code = CODE.search(staff.post(url, {"login": "maria"}).get_data(as_text=True)).group(1)
    with app.app_context():
        from codesign.accounts.models import User

        db.session.execute(sa.update(User).where(User.username == "maria")
                           .values(staff_code_expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    assert _recover(app.test_client(), "maria", code).status_code == 422


def test_an_emailed_link_works_once_within_the_hour_and_tells_no_one_who_has_an_account(app, make_user, monkeypatch):
    from codesign.mail import outbox
    from codesign.recovery import service

    make_user("ana", email="ana@example.org", locale="es")
    with app.app_context():
        outbox().clear()
    asker = Browser(app.test_client())
    known = asker.post("/recover/email", {"email": " ANA@example.org "})
    with app.app_context():
        assert outbox() == []  # not while the page is on its way: when the server closes the response
    known.close()
    stranger = Browser(app.test_client())
    unknown = stranger.post("/recover/email", {"email": "nobody@example.org"})
    unknown.close()
    assert known.status_code == unknown.status_code == 303
    told = [asker.get(known.headers["Location"]).get_data(as_text=True),
            stranger.get(unknown.headers["Location"]).get_data(as_text=True)]
    assert all("If an account has this email" in page for page in told)
    with app.app_context():
        [message] = outbox()
        assert message["To"] == "ana@example.org" and message["Content-Language"] == "es"
        assert message["Subject"] != "Choose a new Codesign password"  # in her language
        link = re.search(r"http://localhost(/recover/link/\S+)", message.get_body(("plain",)).get_content()).group(1)
    # A link changed on the way does not work; the real one does, once.
    assert Browser(app.test_client()).get(link[:-3] + "xyz").status_code == 410
    person = Browser(app.test_client())
    assert person.get(link).status_code == 200
    short = person.post(link, {"new_password": "short", "confirm": "short"})
    assert short.status_code == 422 and 'aria-invalid="true"' in short.get_data(as_text=True)
    done = person.post(link, {"new_password": "new-password-4", "confirm": "new-password-4"})
    assert done.status_code == 303 and person.get("/account").status_code == 200
    assert Browser(app.test_client()).get(link).status_code == 410  # used
    Browser(app.test_client()).sign_in("ana", "new-password-4")
    # An hour later a new link has stopped working too.
    with app.app_context():
        outbox().clear()
    Browser(app.test_client()).post("/recover/email", {"email": "ana@example.org"}).close()
    with app.app_context():
        link = re.search(r"http://localhost(/recover/link/\S+)", outbox()[0].get_body(("plain",)).get_content()).group(1)
    monkeypatch.setattr(service, "LINK_LIFETIME", timedelta(seconds=-1))
    assert Browser(app.test_client()).get(link).status_code == 410
    # Asking again and again for one address is limited.
    statuses = [Browser(app.test_client()).post("/recover/email", {"email": "ana@example.org"}).status_code
                for _ in range(3)]
    assert statuses[-1] == 429
