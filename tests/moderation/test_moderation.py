"""Held and reported comments, and what moderators do with them: publish, keep, hide with a public
category, cut a passage, restore — with placeholders and counts that keep the record honest."""
import json

import pytest
import sqlalchemy as sa

from codesign.comments.models import Comment, Moderation
from codesign.districts.models import Role
from codesign.extensions import db
from tests.comments.test_comments import comments, post, signed_in, url
from tests.conftest import Browser

QUEUE = "/d/riverside/moderation/"
PHONE = "Call me at 555-123-4567 about the bus data"


@pytest.fixture
def world(app, make_open_proposal, make_user, make_district):
    proposal_id = make_open_proposal(threshold=2)
    lakeview = make_district("lakeview", "Lakeview")
    make_user("lake_staff", roles={lakeview: [Role.STAFF]})
    staff = Browser(app.test_client())
    staff.sign_in("staff")
    return {"proposal": proposal_id, "staff": staff}


def moderate(staff, comment_id, action, **data):
    return staff.post(f"{QUEUE}{comment_id}/{action}", data, token_from=QUEUE)


def only(app) -> Comment:
    [comment] = comments(app)
    return comment


def test_personal_information_is_held_and_the_author_told_why_in_their_language(app, client, make_user, world):
    pid = world["proposal"]
    lucia = signed_in(app, make_user, "lucia", locale="es")
    response = post(lucia, pid, body=PHONE)
    assert response.status_code == 303
    page = lucia.get(response.headers["Location"]).get_data(as_text=True)
    assert "un número de teléfono" in page  # the flash and the note beside their comment, in Spanish
    assert PHONE in page  # the author still sees their own words
    comment = only(app)
    assert (comment.moderation, comment.body, comment.moderated_body, comment.held_for) == (
        Moderation.HELD, "", PHONE, "phone")
    public = client.get(url(pid)).get_data(as_text=True)
    assert "555-123-4567" not in public and "This comment is waiting for a moderator." in public
    record = json.loads(client.get(url(pid, "record.json")).get_data(as_text=True))
    assert record["comments"][0]["body"] == "" and record["comments"][0]["moderation"] == "held"
    assert "555-123-4567" not in client.get(url(pid, "record/comments.csv")).get_data(as_text=True)
    search = client.get("/d/riverside/search?q=bus+data").get_data(as_text=True)
    assert "555-123-4567" not in search
    # It is still theirs: on "what happened to my input" and in their data.
    assert PHONE in lucia.get("/account/input").get_data(as_text=True)
    mine = json.loads(lucia.get("/account/data/data.json").get_data(as_text=True))["comments"][0]
    assert (mine["text"], mine["moderation"]) == (PHONE, "held")
    # Nobody can agree with, report or reply to text they cannot read.
    amal = signed_in(app, make_user, "amal")
    comment_page = url(pid, f"comments/{comment.id}/")
    for action, data in (("metoo", {}), ("flag", {"reason": "spam"}), ("reply", {"body": "Yes indeed"})):
        response = amal.post(url(pid, f"comments/{comment.id}/{action}"), data, token_from=comment_page,
                             follow_redirects=True)
        assert "That comment is not public" in response.get_data(as_text=True), action
    # Editing the number out within 15 minutes publishes it (the form starts from their words).
    assert PHONE in lucia.get(url(pid, f"comments/{comment.id}/edit")).get_data(as_text=True)
    edited = lucia.post(url(pid, f"comments/{comment.id}/edit"), {"body": "Call the office about the bus data"})
    assert edited.status_code == 303
    assert only(app).moderation == Moderation.VISIBLE and only(app).body == "Call the office about the bus data"
    assert "Call the office about the bus data" in client.get(url(pid)).get_data(as_text=True)


def test_moderators_publish_held_comments_and_keep_or_hide_reported_ones(app, client, make_user, world, count_queries):
    pid, staff = world["proposal"], world["staff"]
    lucia = signed_in(app, make_user, "lucia")
    post(lucia, pid, body=PHONE)
    post(lucia, pid, body="The buses are always late and nobody cares", kind="concern")
    held, reported = comments(app)
    amal = signed_in(app, make_user, "amal")
    amal.post(url(pid, f"comments/{reported.id}/flag"), {"reason": "off_topic", "note": "About buses"},
              token_from=url(pid, f"comments/{reported.id}/"))
    page = staff.get(QUEUE).get_data(as_text=True)
    assert PHONE in page and "Seems to contain a phone number." in page
    assert "It is not about this proposal" in page and "About buses" in page
    assert "Moderation" in staff.get(url(pid)).get_data(as_text=True)  # in the staff navigation
    assert moderate(staff, held.id, "publish").status_code == 303
    assert PHONE in client.get(url(pid)).get_data(as_text=True)
    assert moderate(staff, held.id, "publish", ).status_code == 303  # twice: told, nothing changes
    assert moderate(staff, reported.id, "keep").status_code == 303
    assert "nobody cares" not in staff.get(QUEUE).get_data(as_text=True)  # answered: out of the queue
    # A new report after the decision brings it back.
    make_user("omar")
    omar = Browser(app.test_client())
    omar.sign_in("omar")
    omar.post(url(pid, f"comments/{reported.id}/flag"), {"reason": "harassment"},
              token_from=url(pid, f"comments/{reported.id}/"))
    assert "nobody cares" in staff.get(QUEUE).get_data(as_text=True)
    missing = moderate(staff, reported.id, "hide", **{f"hide-{reported.id}-category": "gossip"})
    assert missing.status_code == 303 and only_visible(app) == 2
    assert moderate(staff, reported.id, "hide", **{f"hide-{reported.id}-category": "off_topic"}).status_code == 303
    public = client.get(url(pid)).get_data(as_text=True)
    assert "nobody cares" not in public
    assert "Hidden by the district's moderators: Off-topic." in public
    assert "1 comment was hidden by the district's moderators:" in public and "Off-topic (1)" in public
    assert "nobody cares" not in client.get(url(pid, "record.json")).get_data(as_text=True)
    queue = staff.get(QUEUE).get_data(as_text=True)
    assert "Hidden as: Off-topic" in queue and "nobody cares" in queue  # moderators can still read it
    assert moderate(staff, reported.id, "restore").status_code == 303
    assert "nobody cares" in client.get(url(pid)).get_data(as_text=True)
    # The queue costs the same number of queries at one item and at many.
    post(lucia, pid, body="Reach me on 555-123-4599 any time")
    with count_queries() as few:
        staff.get(QUEUE)
    for n in range(5):
        post(lucia, pid, body=f"Reach me on 555-123-45{n}{n} any time")
    with count_queries() as many:
        assert staff.get(QUEUE).get_data(as_text=True).count("Seems to contain a phone number.") == 6
    assert few["n"] == many["n"]


def only_visible(app) -> int:
    return sum(c.moderation == Moderation.VISIBLE for c in comments(app))


def test_a_passage_is_cut_for_good_and_the_rest_published(app, client, make_user, world):
    from codesign.audit.models import AuditEvent

    pid, staff = world["proposal"], world["staff"]
    lucia = signed_in(app, make_user, "lucia")
    text = "My daughter S1234567 was marked absent.\nCall 555-123-4567.\nThe data is wrong."
    post(lucia, pid, body=text)
    comment = only(app)
    field = f"redact-{comment.id}-"
    wrong = moderate(staff, comment.id, "redact", **{field + "passages": "555-999-0000",
                                                     field + "category": "personal_information"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "Copy each passage exactly" in page and "555-999-0000" in page
    assert only(app).moderation == Moderation.HELD  # nothing changed
    done = moderate(staff, comment.id, "redact", **{field + "passages": "S1234567\r\n555-123-4567",
                                                    field + "category": "personal_information"})
    assert done.status_code == 303
    comment = only(app)
    assert comment.body == "My daughter ████ was marked absent.\nCall ████.\nThe data is wrong."
    assert comment.moderation == Moderation.VISIBLE and comment.moderated_body == ""
    public = client.get(url(pid)).get_data(as_text=True)
    assert "A moderator removed part of this comment: Personal information." in public
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.like("moderation.%"))).all()
        assert [e.action for e in events] == ["moderation.redact"]
        assert "555" not in events[0].before + events[0].after and "S1234567" not in events[0].after
        assert json.loads(events[0].before)["characters_removed"] == len("S1234567") + len("555-123-4567")
        assert all("555-123-4567" not in (c.body + c.moderated_body)
                   for c in db.session.scalars(sa.select(Comment)))


def test_only_the_districts_staff_moderate(app, make_user, world):
    pid = world["proposal"]
    lucia = signed_in(app, make_user, "lucia")
    post(lucia, pid, body=PHONE)
    comment = only(app)
    lake = Browser(app.test_client())
    lake.sign_in("lake_staff")
    assert lucia.get(QUEUE).status_code == 403
    assert lake.get(QUEUE).status_code == 403
    assert lake.get("/d/lakeview/moderation/").status_code == 200
    for who in (lucia, lake):
        assert who.post(f"{QUEUE}{comment.id}/publish", token_from="/privacy").status_code == 403
    # Another district's moderators cannot reach it through their own queue either.
    assert lake.post(f"/d/lakeview/moderation/{comment.id}/publish", token_from="/privacy").status_code == 404
    assert Browser(app.test_client()).get(QUEUE).status_code in (302, 303, 401, 403)
    assert only(app).moderation == Moderation.HELD


def test_student_id_formats_are_a_district_setting(app, make_user, world):
    pid = world["proposal"]
    make_user("root", is_admin=True)
    admin = Browser(app.test_client())
    admin.sign_in("root")
    form = "/admin/districts/riverside/edit"
    base = {"name": "Riverside", "languages": ["en", "es"], "default_locale": "en",
            "timezone": "America/Los_Angeles", "suppression_threshold": "2", "privacy_contact": ""}
    bad = admin.post(form, dict(base, student_id_formats="S#######, (a+)+$"))
    assert bad.status_code == 422 and "is not a format" in bad.get_data(as_text=True)
    assert admin.post(form, dict(base, student_id_formats="S#######")).status_code == 303
    lucia = signed_in(app, make_user, "lucia")
    post(lucia, pid, body="Please check S7654321 attendance")
    assert only(app).held_for == "student_id"


def test_session_comments_with_personal_information_wait_too(app, make_user, world):
    from codesign.community import service
    from codesign.community.models import Session
    from codesign.districts.service import get_district

    pid = world["proposal"]
    with app.app_context():
        district = get_district("riverside")
        org = service.save_organization(district, None, name="Familias Unidas", description="",
                                        languages=["es"], contact="")
        service.add_facilitator(district, org, "staff")
        org_id = org.id
    from tests.community.conftest import hold, schedule

    session_id, fac = schedule(app, {"proposal": pid, "org_a": org_id}, name="staff")
    hold(app, session_id)
    data = {"rows": "2"}
    for index, body in enumerate(("Tres años es demasiado.", "Mi correo es ana@example.org")):
        data.update({f"r{index}-{key}": value for key, value in {
            "proposal": str(pid), "kind": "concern", "section": "retention", "stakeholder_group": "family",
            "language": "es", "comment": body}.items()})
    response = fac.post(f"/d/riverside/sessions/{session_id}/record/comments", data, follow_redirects=True)
    assert "1 of them seems to contain personal information" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Session.id))) == 1
    assert [c.moderation for c in comments(app)] == [Moderation.VISIBLE, Moderation.HELD]
