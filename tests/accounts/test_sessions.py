"""Sessions end after a while unused and after an absolute lifetime, sooner for staff."""
import pytest

from codesign.accounts import sessions
from codesign.districts.models import Role
from tests.conftest import Browser


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves forward."""
    moment = {"now": 1_800_000_000}
    monkeypatch.setattr(sessions, "now", lambda: moment["now"])

    def advance(seconds):
        moment["now"] += seconds

    return advance


def signed_in(app, name):
    browser = Browser(app.test_client())
    browser.sign_in(name)
    return browser


def is_signed_in(browser) -> bool:
    return browser.get("/account").status_code == 200


def test_a_participant_stays_signed_in_while_using_the_site_then_is_signed_out_when_idle(app, make_user, clock):
    make_user("lucia")
    lucia = signed_in(app, "lucia")
    for _ in range(5):  # a day and more, but never a day without a visit
        clock(6 * 3600)
        assert is_signed_in(lucia)
    clock(24 * 3600 + 1)
    response = lucia.get("/account")
    assert response.status_code == 303 and "/login?next=/account" in response.headers["Location"]
    page = lucia.get(response.headers["Location"]).get_data(as_text=True)
    assert "was not used for a while" in page
    assert not is_signed_in(lucia)


def test_staff_are_signed_out_sooner(app, make_user, make_district, clock):
    district = make_district()
    make_user("staff", roles={district: [Role.STAFF]})
    make_user("lucia")
    staff, lucia = signed_in(app, "staff"), signed_in(app, "lucia")
    clock(61 * 60)
    assert not is_signed_in(staff)
    assert is_signed_in(lucia)


def test_every_session_has_an_absolute_lifetime(app, make_user, clock):
    make_user("lucia")
    lucia = signed_in(app, "lucia")
    for _ in range(30 * 2 + 1):  # active every 12 hours, for more than 30 days
        clock(12 * 3600)
        if not is_signed_in(lucia):
            break
    else:
        pytest.fail("still signed in after 30 days")
    assert "please sign in again" in lucia.get("/login").get_data(as_text=True).lower()


def test_a_signed_out_form_post_goes_to_sign_in_and_changes_nothing(app, make_user, make_open_proposal, clock):
    from codesign.comments.models import Comment
    from codesign.extensions import db

    proposal_id = make_open_proposal()
    make_user("lucia")
    lucia = signed_in(app, "lucia")
    url = f"/d/riverside/proposals/{proposal_id}/"
    page = lucia.get(url)
    from tests.conftest import csrf_from

    token = csrf_from(page)
    clock(25 * 3600)
    response = lucia.client.post(url + "comments/", data={"csrf_token": token, "kind": "concern", "section": "general",
                                                          "language": "en", "body": "Too late to say this?"})
    assert response.status_code in (303, 400)
    with app.app_context():
        assert db.session.query(Comment).count() == 0
