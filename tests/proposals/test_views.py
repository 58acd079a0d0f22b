"""Staff draft and publish proposals; everyone reads the published versions."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from codesign.db import utcnow
from codesign.districts.models import Role
from codesign.extensions import db
from codesign.proposals.models import (
    VERSION_FIELD_LABELS,
    Proposal,
    ProposalStatus,
    ProposalVersion,
)

CARD = {
    "title": "Attendance dashboard",
    "summary": "A dashboard that shows each school's daily attendance to principals.",
    "body": "## Why\n\nChronic absence is rising. <script>alert(1)</script>",
    "data_collected": "Daily attendance marks and reasons for absence.",
    "purpose": "To reach families sooner when a student misses school.",
    "access": "Principals and attendance clerks at the student's school.",
    "retention": "Three years, then deleted.",
    "sharing": "Nobody outside the district.",
    "opt_out": "Families cannot opt out of attendance records, which state law requires.",
}


@pytest.fixture
def staff(browser, make_district, make_user):
    district = make_district()
    make_user("staff", roles={district: [Role.STAFF]})
    browser.sign_in("staff")
    return browser


def local(delta_days=0):
    # Form values are in the district's time zone, as a browser sends a datetime-local input.
    from zoneinfo import ZoneInfo

    moment = utcnow().astimezone(ZoneInfo("America/Los_Angeles")) + timedelta(days=delta_days)
    return moment.strftime("%Y-%m-%dT%H:%M")


def create(staff, **changes):
    response = staff.post("/d/riverside/proposals/new", dict(CARD, **changes))
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rstrip("/").split("/")[-1]


def publish(staff, proposal_id, what_changed="", opens=-1, closes=30):
    return staff.post(f"/d/riverside/proposals/{proposal_id}/publish",
                      {"opens_at": local(opens), "closes_at": local(closes), "what_changed": what_changed})


def test_staff_draft_is_hidden_until_published(app, staff, client):
    from tests.conftest import Browser

    proposal_id = create(staff)
    assert "Attendance dashboard" in staff.get("/d/riverside/").get_data(as_text=True)
    guest = Browser(app.test_client())
    assert guest.get(f"/d/riverside/proposals/{proposal_id}/").status_code == 404
    assert "Attendance dashboard" not in guest.get("/d/riverside/").get_data(as_text=True)
    response = publish(staff, proposal_id)
    assert response.status_code == 303
    page = guest.get(f"/d/riverside/proposals/{proposal_id}/").get_data(as_text=True)
    assert "Attendance dashboard" in page
    assert "Three years, then deleted." in page
    assert "Open for input until" in page
    assert "<script>alert(1)</script>" not in page
    assert "<h2>Why</h2>" in page
    listing = guest.get("/d/riverside/").get_data(as_text=True)
    assert "Attendance dashboard" in listing and "Open for input" in listing


def test_publishing_needs_the_whole_data_card(app, staff):
    proposal_id = create(staff, retention="", sharing="  ")
    page = staff.get(f"/d/riverside/proposals/{proposal_id}/publish").get_data(as_text=True)
    assert "How long it is kept" in page and "Who it is shared with" in page
    response = publish(staff, proposal_id)
    assert response.status_code == 422
    assert "every part of the data card" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Proposal.status)) == ProposalStatus.DRAFT


def test_comment_period_must_close_after_it_opens(app, staff):
    proposal_id = create(staff)
    response = publish(staff, proposal_id, opens=5, closes=1)
    assert response.status_code == 422
    assert "must close after it opens" in response.get_data(as_text=True)
    response = staff.post(f"/d/riverside/proposals/{proposal_id}/publish",
                          {"opens_at": "not a date", "closes_at": local(3)})
    assert response.status_code == 422
    assert "Not a valid datetime value." in response.get_data(as_text=True)


def test_second_version_needs_what_changed_and_keeps_the_first(app, staff):
    proposal_id = create(staff)
    publish(staff, proposal_id)
    response = staff.post(f"/d/riverside/proposals/{proposal_id}/revise", {},
                          token_from=f"/d/riverside/proposals/{proposal_id}/")
    assert response.status_code == 303
    edited = dict(CARD, retention="One year, then deleted.")
    assert staff.post(f"/d/riverside/proposals/{proposal_id}/draft", edited).status_code == 303
    response = publish(staff, proposal_id, what_changed="")
    assert response.status_code == 422
    assert "Say what changed" in response.get_data(as_text=True)
    response = publish(staff, proposal_id, what_changed="Kept for one year instead of three.")
    assert response.status_code == 303
    page = staff.get(f"/d/riverside/proposals/{proposal_id}/").get_data(as_text=True)
    assert "One year, then deleted." in page and "Kept for one year instead of three." in page
    assert "Version 2" in page
    first = staff.get(f"/d/riverside/proposals/{proposal_id}/versions/1").get_data(as_text=True)
    assert "Three years, then deleted." in first and "You are reading an earlier version." in first
    history = staff.get(f"/d/riverside/proposals/{proposal_id}/versions/").get_data(as_text=True)
    assert "Version 1" in history and "Version 2" in history
    with app.app_context():
        numbers = db.session.scalars(sa.select(ProposalVersion.number).order_by(ProposalVersion.number)).all()
        assert numbers == [1, 2]


def test_only_staff_of_the_district_may_write(app, browser, make_district, make_user):
    riverside = make_district()
    lakeview = make_district("lakeview", "Lakeview")
    make_user("board", roles={riverside: [Role.BOARD, Role.PARTICIPANT]})
    make_user("other_staff", roles={lakeview: [Role.STAFF]})
    assert browser.get("/d/riverside/proposals/new").status_code == 302
    for username in ("board", "other_staff"):
        browser.sign_in(username)
        assert browser.get("/d/riverside/proposals/new").status_code == 403
        response = browser.post("/d/riverside/proposals/new", CARD, token_from="/d/riverside/")
        assert response.status_code == 403
        browser.sign_out()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 0


def test_another_districts_proposal_is_not_found(staff, make_district):
    proposal_id = create(staff)
    publish(staff, proposal_id)
    make_district("lakeview", "Lakeview")
    assert staff.get(f"/d/lakeview/proposals/{proposal_id}/").status_code == 404


def test_draft_fields_are_checked(app, staff):
    response = staff.post("/d/riverside/proposals/new", dict(CARD, title="", summary="x" * 501))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This field is required." in text and "Use at most 500 characters." in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 0


def test_district_page_queries_do_not_grow_with_proposals(staff, client, count_queries):
    def cost():
        with count_queries() as counter:
            assert client.get("/d/riverside/").status_code == 200
        return counter["n"]

    publish(staff, create(staff))
    few = cost()
    for n in range(8):
        publish(staff, create(staff, title=f"Proposal {n}"))
    assert cost() == few


def test_review_and_decision_close_input(app, staff, client):
    proposal_id = create(staff)
    publish(staff, proposal_id)
    page_url = f"/d/riverside/proposals/{proposal_id}/"
    assert staff.post(f"/d/riverside/proposals/{proposal_id}/review", {}, token_from=page_url).status_code == 303
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        assert proposal.status == ProposalStatus.REVIEW and not proposal.is_open_for_input()
    response = staff.post(f"/d/riverside/proposals/{proposal_id}/decide",
                          {"decision": "adopted_with_changes", "note": "", "board_meeting_on": "2026-12-10"})
    assert response.status_code == 422 and "This field is required." in response.get_data(as_text=True)
    response = staff.post(f"/d/riverside/proposals/{proposal_id}/decide",
                          {"decision": "adopted_with_changes", "note": "Adopted with one-year retention.",
                           "board_meeting_on": "2026-12-10"})
    assert response.status_code == 303
    page = client.get(page_url).get_data(as_text=True)
    assert "Decision: Adopted with changes" in page and "December 10, 2026" in page
    assert "Adopted with one-year retention." in page
    response = staff.post(f"/d/riverside/proposals/{proposal_id}/decide",
                          {"decision": "withdrawn", "note": "Changed our minds"})
    assert response.status_code == 422 and "cannot be decided now" in response.get_data(as_text=True)
    # A decided proposal gets no new versions.
    assert "Start a new version" not in staff.get(page_url).get_data(as_text=True)
    response = staff.post(f"/d/riverside/proposals/{proposal_id}/revise", {}, token_from=page_url,
                          follow_redirects=True)
    assert "This proposal is decided; it cannot get a new version." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ProposalVersion.id))) == 1


def test_only_staff_move_the_lifecycle(app, browser, staff, make_user):
    proposal_id = create(staff)
    publish(staff, proposal_id)
    make_user("lucia")
    from tests.conftest import Browser

    lucia = Browser(app.test_client())
    lucia.sign_in("lucia")
    page_url = f"/d/riverside/proposals/{proposal_id}/"
    assert lucia.post(f"/d/riverside/proposals/{proposal_id}/review", {}, token_from=page_url).status_code == 403
    assert lucia.post(f"/d/riverside/proposals/{proposal_id}/decide", {"decision": "adopted", "note": "x"},
                      token_from=page_url).status_code == 403
    with app.app_context():
        assert db.session.get(Proposal, proposal_id).status == ProposalStatus.OPEN


def test_changes_page_shows_word_level_differences(app, staff, client):
    proposal_id = create(staff)
    publish(staff, proposal_id)
    page_url = f"/d/riverside/proposals/{proposal_id}/"
    assert "only one version" in client.get(page_url + "changes").get_data(as_text=True)
    staff.post(f"/d/riverside/proposals/{proposal_id}/revise", {}, token_from=page_url)
    staff.post(f"/d/riverside/proposals/{proposal_id}/draft", dict(CARD, retention="One year, then deleted."))
    publish(staff, proposal_id, what_changed="One year instead of three.")
    page = client.get(page_url + "changes").get_data(as_text=True)
    assert '<del><span class="visually-hidden">[removed: </span>Three years,<span class="visually-hidden">]</span></del>' in page
    assert '<ins><span class="visually-hidden">[added: </span>One year,<span class="visually-hidden">]</span></ins>' in page
    assert page.count("No change.") == len(VERSION_FIELD_LABELS) - 1
    assert "One year instead of three." in page
    same = client.get(page_url + "changes?from=2&to=2", follow_redirects=True).get_data(as_text=True)
    assert "Choose two different versions of this proposal." in same
    assert client.get(page_url + "changes?from=abc&to=9").status_code == 200


def test_district_list_filters_sorts_and_pages(app, staff, client):
    ids = []
    for n in range(12):
        proposal_id = create(staff, title=f"Proposal number {n:02d}")
        publish(staff, proposal_id, closes=40 - n)
        ids.append(proposal_id)
    page_url = f"/d/riverside/proposals/{ids[0]}/"
    staff.post(f"/d/riverside/proposals/{ids[0]}/review", {}, token_from=page_url)
    first = client.get("/d/riverside/").get_data(as_text=True)
    assert first.count('class="badge') >= 10 and "Page 1 of 2" in first
    assert "Proposal number 11" in first and "Proposal number 00" not in first  # open first, newest
    second = client.get("/d/riverside/?page=2").get_data(as_text=True)
    assert "Proposal number 00" in second and "Page 2 of 2" in second
    review = client.get("/d/riverside/?status=review").get_data(as_text=True)
    assert "Proposal number 00" in review and "Proposal number 05" not in review
    closing = client.get("/d/riverside/?sort=closing").get_data(as_text=True)
    assert closing.index("Proposal number 11") < closing.index("Proposal number 10")
    assert client.get("/d/riverside/?status=bogus&sort=evil&page=-3").status_code == 200
    assert client.get("/d/riverside/?status=draft").status_code == 200


def test_most_input_sort(app, staff, client, make_user):
    from codesign.accounts.service import find_user_by_login
    from codesign.comments.service import post_comment

    quiet, busy = create(staff, title="Quiet proposal"), create(staff, title="Busy proposal")
    publish(staff, quiet)
    publish(staff, busy)
    make_user("lucia")
    with app.app_context():
        proposal = db.session.get(Proposal, int(busy))
        for n in range(3):
            post_comment(proposal, find_user_by_login("lucia"), kind="concern", section="general",
                         body=f"Comment {n} here", language="en")
    page = client.get("/d/riverside/?sort=input").get_data(as_text=True)
    assert page.index("Busy proposal") < page.index("Quiet proposal")


def test_proposal_page_shows_time_left(app, staff, client):
    proposal_id = create(staff)
    publish(staff, proposal_id, closes=3)
    # Closes in 3 days less the seconds since the minute began: 2 whole days left.
    assert "2 days left." in client.get(f"/d/riverside/proposals/{proposal_id}/").get_data(as_text=True)


def test_deciding_with_open_comments_needs_confirmation_and_shows_the_count(app, staff, client, make_user):
    from codesign.accounts.service import find_user_by_login
    from codesign.comments.service import post_comment

    proposal_id = create(staff)
    publish(staff, proposal_id)
    make_user("lucia")
    with app.app_context():
        proposal = db.session.get(Proposal, int(proposal_id))
        for n in range(2):
            post_comment(proposal, find_user_by_login("lucia"), kind="concern", section="general",
                         body=f"Still waiting {n}", language="en")
    decision = {"decision": "adopted", "note": "Adopted as proposed.", "board_meeting_on": ""}
    response = staff.post(f"/d/riverside/proposals/{proposal_id}/decide", decision)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Some comments are still open." in text and "2 comments are still open" in text
    with app.app_context():
        assert db.session.get(Proposal, int(proposal_id)).status == ProposalStatus.OPEN
    response = staff.post(f"/d/riverside/proposals/{proposal_id}/decide", dict(decision, confirm_open="y"))
    assert response.status_code == 303
    page = client.get(f"/d/riverside/proposals/{proposal_id}/").get_data(as_text=True)
    assert "2 comments had no answer yet when this was decided." in page
