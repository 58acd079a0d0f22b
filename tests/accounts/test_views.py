"""Registration, sign-in, sign-out and password changes, through the app."""
from __future__ import annotations

import sqlalchemy as sa

from codesign.accounts.models import User
from codesign.districts.models import Membership, Role
from codesign.extensions import db

REGISTRATION = {
    "age_13_or_older": "yes",
    "username": "Lucia_M",
    "email": "",
    "display_name": "Lucía",
    "password": "correct horse",
    "confirm": "correct horse",
    "stakeholder_group": "family",
    "preferred_locale": "es",
}


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(User.id)))


def test_register_without_email_signs_in_and_joins_district(app, browser, make_district):
    make_district()
    response = browser.post("/register?district=riverside", REGISTRATION)
    assert response.status_code == 303
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.username == "lucia_m"  # one account whatever the capitalisation
        assert user.email is None
        assert user.preferred_locale == "es"
        assert user.password_hash.startswith("$argon2id$")
        roles = db.session.scalars(sa.select(Membership.role)).all()
        assert roles == [Role.PARTICIPANT]
    page = browser.get("/account")
    assert page.status_code == 200
    assert "lucia_m" in page.get_data(as_text=True)


def test_register_rejects_duplicate_username_in_any_case(app, browser, make_user):
    make_user("lucia_m")
    response = browser.post("/register", REGISTRATION)
    assert response.status_code == 422
    assert "That username is taken" in response.get_data(as_text=True)
    assert count_users(app) == 1


def test_register_rejects_duplicate_email(app, browser, make_user):
    make_user("someone", email="lucia@example.org")
    response = browser.post("/register", dict(REGISTRATION, email="Lucia@Example.org"))
    assert response.status_code == 422
    assert "An account already uses that email" in response.get_data(as_text=True)
    assert count_users(app) == 1


def test_under_13_gets_no_account_and_a_kind_page(app, browser):
    response = browser.post("/register", dict(REGISTRATION, age_13_or_older="no"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/register/under-13")
    page = browser.get("/register/under-13").get_data(as_text=True)
    assert "We did not save anything you typed" in page
    assert count_users(app) == 0


def test_register_requires_the_age_question(app, browser):
    data = dict(REGISTRATION)
    del data["age_13_or_older"]
    response = browser.post("/register", data)
    assert response.status_code == 422
    assert "Please choose one." in response.get_data(as_text=True)
    assert count_users(app) == 0


def test_register_validates_every_field_with_clear_messages(app, browser):
    response = browser.post("/register", dict(
        REGISTRATION, username="a b", email="not-an-email", password="short", confirm="other",
        display_name="x" * 81, stakeholder_group="astronaut", preferred_locale="xx",
    ))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Use only letters, numbers, dots, dashes and underscores." in text
    assert "Enter an email address like name@example.org" in text
    assert "Use between 8 and 128 characters." in text
    assert "The two passwords do not match." in text
    assert "Use at most 80 characters." in text
    assert "Not a valid choice." in text
    assert count_users(app) == 0


def test_register_rejects_overlong_password_and_empty_fields(app, browser):
    response = browser.post("/register", dict(REGISTRATION, password="p" * 129, confirm="p" * 129))
    assert "Use between 8 and 128 characters." in response.get_data(as_text=True)
    response = browser.post("/register", dict(REGISTRATION, username="   "))
    assert "This field is required." in response.get_data(as_text=True)
    assert count_users(app) == 0


def test_register_rejects_control_characters_in_names(app, browser):
    response = browser.post("/register", dict(REGISTRATION, display_name="Lu\x00cía"))
    assert response.status_code == 422
    assert "invisible control characters" in response.get_data(as_text=True)


def test_sign_in_by_username_or_email(browser, make_user):
    make_user("maria", email="maria@example.org")
    browser.sign_in("MARIA")
    browser.sign_out()
    browser.sign_in("maria@example.org")
    assert browser.get("/account").status_code == 200


def test_failed_sign_in_says_the_same_for_known_and_unknown_accounts(browser, make_user):
    make_user("maria")
    wrong = browser.post("/login", {"login": "maria", "password": "wrong password"})
    unknown = browser.post("/login", {"login": "nobody", "password": "wrong password"})
    assert wrong.status_code == unknown.status_code == 422
    message = "That username or email and password do not match an account."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_sign_in_returns_to_the_page_asked_for_but_never_offsite(browser, make_user):
    make_user("maria")
    response = browser.post("/login?next=/account", {"login": "maria", "password": "password123"})
    assert response.headers["Location"] == "/account"
    browser.sign_out()
    response = browser.post("/login?next=https://evil.example/", {"login": "maria", "password": "password123"})
    assert "evil" not in response.headers["Location"]
    browser.sign_out()
    response = browser.post("/login?next=//evil.example/", {"login": "maria", "password": "password123"})
    assert "evil" not in response.headers["Location"]


def test_guest_is_sent_to_sign_in_and_back(browser, make_user):
    make_user("maria")
    response = browser.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    follow = browser.post(response.headers["Location"], {"login": "maria", "password": "password123"})
    assert follow.headers["Location"] == "/account"


def test_sign_in_starts_a_new_session(app, client, browser, make_user):
    make_user("maria")
    client.get("/login")
    before = client.get_cookie("session").value
    browser.sign_in("maria")
    assert client.get_cookie("session").value != before


def test_sign_out_ends_every_session_of_the_person(app, make_user):
    from tests.conftest import Browser

    make_user("maria")
    phone, laptop = Browser(app.test_client()), Browser(app.test_client())
    phone.sign_in("maria")
    laptop.sign_in("maria")
    assert laptop.get("/account").status_code == 200
    phone.sign_out()
    assert phone.get("/account").status_code == 302
    assert laptop.get("/account").status_code == 302


def test_password_change_keeps_this_session_and_ends_the_others(app, make_user):
    from tests.conftest import Browser

    make_user("maria")
    phone, laptop = Browser(app.test_client()), Browser(app.test_client())
    phone.sign_in("maria")
    laptop.sign_in("maria")
    response = phone.post("/account/password", {
        "current_password": "password123", "new_password": "new password 1",
        "confirm": "new password 1",
    })
    assert response.status_code == 303
    assert phone.get("/account").status_code == 200
    assert laptop.get("/account").status_code == 302
    phone.sign_out()
    phone.sign_in("maria", "new password 1")


def test_password_change_needs_the_current_password(app, browser, make_user):
    make_user("maria")
    browser.sign_in("maria")
    response = browser.post("/account/password", {
        "current_password": "wrong one!", "new_password": "new password 1",
        "confirm": "new password 1",
    })
    assert response.status_code == 422
    assert "Your current password is not right." in response.get_data(as_text=True)
    browser.sign_out()
    browser.sign_in("maria", "password123")


def test_sign_in_is_rate_limited_with_a_translated_page(app, browser, make_user):
    make_user("maria")
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        for _ in range(3):
            assert browser.post("/login", {"login": "maria", "password": "bad password"}).status_code == 422
        blocked = browser.post("/login", {"login": "maria", "password": "password123"})
        assert blocked.status_code == 429
        assert "Too many tries" in blocked.get_data(as_text=True)
        blocked = browser.post("/login", {"login": "maria", "password": "password123"},
                               headers={"Accept-Language": "es"})
        assert blocked.status_code == 429
        assert "Demasiados intentos" in blocked.get_data(as_text=True)
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "10 per minute;50 per hour"


def test_sign_in_limit_also_holds_per_account_across_addresses(app, browser, make_user):
    make_user("maria")
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        for n in range(3):
            browser.post("/login", {"login": "maria", "password": "bad password"},
                         environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
        blocked = browser.post("/login", {"login": "maria", "password": "password123"},
                               environ_base={"REMOTE_ADDR": "10.0.0.99"})
        assert blocked.status_code == 429
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "10 per minute;50 per hour"


def test_missing_csrf_token_is_refused_with_a_translated_page(app, client, make_user):
    make_user("maria")
    response = client.post("/login", data={"login": "maria", "password": "password123"},
                           headers={"Accept-Language": "es"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert '<html lang="es"' in text
    assert "This form has expired" not in text
    assert client.get("/account").status_code == 302  # not signed in


def test_tampered_session_cookie_signs_out_with_a_message(app, client, browser, make_user):
    make_user("maria")
    browser.sign_in("maria")
    value = client.get_cookie("session").value
    client.set_cookie("session", value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB"))
    page = client.get("/privacy")
    assert page.status_code == 200
    assert "could not be checked, so you were signed out" in page.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_sign_out_requires_post(browser, make_user):
    make_user("maria")
    browser.sign_in("maria")
    assert browser.get("/logout").status_code == 405
    assert browser.get("/account").status_code == 200
