"""Two-step sign-in: staff, board members and admins add a code from an authenticator app; each
code works once; a district can require it of its staff and board."""
import re
import time

import pyotp
import pytest

from codesign.districts.models import Role
from codesign.extensions import db
from tests.conftest import Browser

SETUP = "/account/two-factor"


@pytest.fixture
def staff(app, make_district, make_user):
    district = make_district()
    make_user("staff", roles={district: [Role.STAFF]})
    make_user("parent")
    browser = Browser(app.test_client())
    browser.sign_in("staff")
    return browser


def code_at(secret, moment):
    return pyotp.TOTP(secret).at(moment)


def turn_on(browser) -> str:
    page = browser.get(SETUP).get_data(as_text=True)
    assert "<svg" in page and "QR code to add this account" in page
    secret = re.search(r'<code dir="ltr" class="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    wrong = browser.post(SETUP, {"code": "000000" if code_at(secret, time.time()) != "000000" else "111111"})
    assert wrong.status_code == 422 and "That code is not right" in wrong.get_data(as_text=True)
    assert browser.post(SETUP, {"code": code_at(secret, time.time())}).status_code == 303
    return secret


def sign_in_with_password(app, username="staff"):
    browser = Browser(app.test_client())
    response = browser.post("/login", {"login": username, "password": "password123"})
    return browser, response


def test_turn_it_on_then_sign_in_with_a_code_that_works_once(app, staff):
    from codesign.accounts.service import find_user_by_login

    assert "Set up two-step sign-in" in staff.get("/account").get_data(as_text=True)
    secret = turn_on(staff)
    with app.app_context():
        assert find_user_by_login("staff").totp_secret == secret
    used = code_at(secret, time.time())
    browser, response = sign_in_with_password(app)
    assert response.status_code == 303 and response.headers["Location"].endswith("/login/code")
    assert browser.get("/account").status_code == 302  # not signed in until the code
    reused = browser.post("/login/code", {"code": used})  # the code that turned it on
    assert reused.status_code == 422 and "already used" in reused.get_data(as_text=True)
    fresh = code_at(secret, time.time() + 30)  # the next code (a phone a little ahead)
    assert browser.post("/login/code", {"code": fresh}).status_code == 303
    assert browser.get("/account").status_code == 200
    # That code cannot open a second session, even straight away.
    again, _response = sign_in_with_password(app)
    assert again.post("/login/code", {"code": fresh}).status_code == 422


def test_wrong_codes_end_the_attempt_and_the_code_step_expires(app, staff, monkeypatch):
    turn_on(staff)
    browser, _response = sign_in_with_password(app)
    for _ in range(4):
        assert browser.post("/login/code", {"code": "12345x"}).status_code == 422
    last = browser.post("/login/code", {"code": "12345x"}, follow_redirects=True)
    assert "Too many wrong codes" in last.get_data(as_text=True)
    assert browser.get("/login/code", follow_redirects=True).request.path == "/login"
    import codesign.twofactor.views as views

    browser, _response = sign_in_with_password(app)
    monkeypatch.setattr(views, "PENDING_SECONDS", -1)
    page = browser.get("/login/code", follow_redirects=True).get_data(as_text=True)
    assert "the code step waits only five minutes" in page


def test_a_district_can_require_it_of_its_staff(app, staff, make_user):
    from codesign.districts.service import get_district

    with app.app_context():
        get_district("riverside").require_two_factor = True
        db.session.commit()
    browser, response = sign_in_with_password(app)
    assert response.headers["Location"].endswith(SETUP)
    page = browser.get(SETUP).get_data(as_text=True)
    assert "Required by:" in page and "Riverside" in page
    assert browser.get("/d/riverside/moderation/").status_code == 403  # the role waits for it
    turn_on(browser)
    assert browser.get("/d/riverside/moderation/").status_code == 200


def test_only_staff_board_and_admins_set_it_up_and_switching_off_needs_both(app, staff, runner):
    parent = Browser(app.test_client())
    parent.sign_in("parent")
    assert parent.get(SETUP).status_code == 403
    assert "two-step" not in parent.get("/account").get_data(as_text=True).lower()
    secret = turn_on(staff)
    assert "Switch it off" in staff.get(SETUP).get_data(as_text=True)
    wrong = staff.post(SETUP + "/disable", {"password": "nope-nope", "code": code_at(secret, time.time() + 30)},
                       token_from=SETUP)
    assert wrong.status_code == 422 and "That is not your password." in wrong.get_data(as_text=True)
    done = staff.post(SETUP + "/disable", {"password": "password123", "code": code_at(secret, time.time() + 30)},
                      token_from=SETUP)
    assert done.status_code == 303
    _browser, response = sign_in_with_password(app)
    assert not response.headers["Location"].endswith("/login/code")
    # An admin switches it off from the command line for someone who lost their phone.
    turn_on(staff)
    result = runner.invoke(args=["two-factor-off", "staff"])
    assert result.exit_code == 0 and "off for staff" in result.output
    assert runner.invoke(args=["two-factor-off", "staff"]).exit_code != 0


def test_a_code_is_claimed_once_even_when_checked_twice(app_ctx, make_user):
    from codesign.accounts.service import find_user_by_login
    from codesign.twofactor import service

    make_user("admin", is_admin=True)
    user = find_user_by_login("admin")
    secret = service.new_secret()
    now = time.time()
    service.enable(user, secret, code_at(secret, now - 60), now=now - 60)
    code = code_at(secret, now)
    assert service.check(user, code, now=now)
    assert not service.check(user, code, now=now)
    assert not service.check(user, code_at(secret, now - 30), now=now)  # older than the last one used
    assert not service.check(user, code_at(secret, now + 90), now=now)  # too far ahead
    assert not service.check(user, "abcdef", now=now)
