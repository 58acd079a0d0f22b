"""Abuse resistance: a honeypot on registration, a comment sent twice stored once, and rate
limits counted per account as well as per address."""
import sqlalchemy as sa

from codesign.extensions import db
from tests.accounts.test_views import REGISTRATION, count_users
from tests.comments.test_comments import comments, post, proposal_id, signed_in  # noqa: F401 (fixture)


def test_a_filled_honeypot_creates_no_account_and_says_so(app, browser):
    page = browser.get("/register").get_data(as_text=True)
    assert 'class="honeypot" aria-hidden="true"' in page and 'name="website"' in page and 'tabindex="-1"' in page
    response = browser.post("/register", dict(REGISTRATION, website="http://spam.example"))
    assert response.status_code == 422
    assert "We could not create the account" in response.get_data(as_text=True)
    assert count_users(app) == 0
    assert browser.post("/register", REGISTRATION).status_code == 303  # a person leaves it empty
    assert count_users(app) == 1


def test_the_same_comment_twice_within_a_minute_is_stored_once(app, make_user, proposal_id):  # noqa: F811
    from datetime import timedelta

    from codesign.comments.models import Comment

    lucia = signed_in(app, make_user, "lucia")
    assert post(lucia, proposal_id, body="Three years is too long for this data.").status_code == 303
    assert post(lucia, proposal_id, body="Three years is too long for this data.").status_code == 303
    assert len(comments(app)) == 1
    assert post(lucia, proposal_id, body="Something else entirely, please.").status_code == 303
    assert len(comments(app)) == 2
    with app.app_context():  # a minute later, saying it again is allowed
        for comment in db.session.scalars(sa.select(Comment)):
            comment.created_at -= timedelta(minutes=2)
        db.session.commit()
    post(lucia, proposal_id, body="Three years is too long for this data.")
    assert len(comments(app)) == 3
    # Another person may say the same thing.
    post(signed_in(app, make_user, "amal"), proposal_id, body="Three years is too long for this data.")
    assert len(comments(app)) == 4


def test_comment_limits_count_per_account_whatever_the_address(app, make_user, proposal_id):  # noqa: F811
    lucia = signed_in(app, make_user, "lucia")
    statuses = []
    for n in range(12):
        address = f"10.0.0.{n}"  # a new address each time: only the account's count stops it
        response = lucia.post(f"/d/riverside/proposals/{proposal_id}/comments/",
                              {"kind": "concern", "section": "general", "language": "en",
                               "body": f"Comment number {n} about the data."},
                              token_from=f"/d/riverside/proposals/{proposal_id}/", environ_base={"REMOTE_ADDR": address})
        statuses.append(response.status_code)
    assert statuses[:10] == [303] * 10 and statuses[10:] == [429, 429]
