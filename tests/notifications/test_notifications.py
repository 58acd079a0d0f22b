"""Following proposals and being told what happened: a new version, an answer to one's input in
the response log, the decision — in the app, with an unread count in the header."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from codesign.db import utcnow
from codesign.extensions import db
from tests.conftest import Browser


def _signed_in(app, name):
    person = Browser(app.test_client())
    person.sign_in(name)
    return person


def _kinds(app, username) -> list[str]:
    from codesign.accounts.models import User
    from codesign.notifications.models import Notification

    with app.app_context():
        return sorted(n.kind.value for n in db.session.scalars(
            sa.select(Notification).join(User, User.id == Notification.user_id).where(User.username == username)))


def test_commenting_voting_or_choosing_follows_and_followers_hear_what_happens(app, make_open_proposal, make_user):
    from codesign.comments import service as comments
    from codesign.comments.models import Kind
    from codesign.proposals import service as proposals
    from codesign.proposals.models import Decision, Proposal
    from codesign.responselog import service as log
    from codesign.responselog.models import Outcome
    from codesign.votes import service as votes
    from codesign.votes.models import Stance

    proposal_id = make_open_proposal()
    for name in ("commenter", "voter", "reader", "quitter"):
        make_user(name, locale="es" if name == "commenter" else "en")
    url = f"/d/riverside/proposals/{proposal_id}/"
    reader, quitter = _signed_in(app, "reader"), _signed_in(app, "quitter")
    assert "Follow this proposal" in reader.get(url).get_data(as_text=True)
    for person in (reader, quitter):
        assert person.post(url + "follow", {"follow": "1"}, token_from=url).status_code == 303
    assert "Stop following" in reader.get(url).get_data(as_text=True)
    quitter.post(url + "follow", {"follow": "0"}, token_from=url)
    assert "Follow this proposal" in quitter.get(url).get_data(as_text=True)
    with app.test_request_context():
        from codesign.accounts.service import find_user_by_login
        from codesign.districts.service import load_district_or_404

        load_district_or_404("riverside")
        proposal = db.session.get(Proposal, proposal_id)
        staff = find_user_by_login("staff")
        comment = comments.post_comment(proposal, find_user_by_login("commenter"), kind=Kind.CONCERN,
                                        section="retention", body="Tres años es demasiado.", language="es")
        votes.record_vote(proposal, find_user_by_login("voter"), Stance.OPPOSE)
        # A new version, an entry answering the comment, then the decision.
        draft = proposals.start_revision(proposal, staff)
        proposals.update_draft(draft, {"retention": "One school year."})
        now = utcnow()
        proposals.publish_version(proposal, opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=7),
                                  what_changed="Kept for one year.")
        entry = log.create_entry(proposal, staff, heard="Three years is too long.", outcome=Outcome.CHANGED,
                                 reasons="One year is enough.", from_version_id=None, to_version_id=None,
                                 amends_id=None)
        log.link_comments(entry, [comment.id])
        log.publish_entry(entry)
        proposals.record_decision(proposal, Decision.ADOPTED, note="Adopted with one year.",
                                  confirm_open_comments=True)
    assert _kinds(app, "commenter") == ["answered", "decided", "new_version"]
    assert _kinds(app, "voter") == ["decided", "new_version"]
    assert _kinds(app, "reader") == ["decided", "new_version"]
    assert _kinds(app, "quitter") == []
    # In the app: the count in the header, the list, where each leads, then read.
    commenter = _signed_in(app, "commenter")
    page = commenter.get("/account/notifications").get_data(as_text=True)
    assert page.count("notification--unread") == 3 and 'lang="es"' in page
    assert 'href="/account/notifications"' in commenter.get(url).get_data(as_text=True)
    links = [line.split('href="')[1].split('"')[0] for line in page.splitlines() if "/account/notifications/" in line
             and 'href="' in line]
    targets = {commenter.get(link).headers["Location"] for link in links}
    assert {"/d/riverside/log/1", f"/d/riverside/proposals/{proposal_id}/changes",
            f"/d/riverside/proposals/{proposal_id}/"} == {t.split("?")[0] for t in targets}
    assert _signed_in(app, "voter").get(links[0]).status_code == 404  # not theirs
    commenter.post("/account/notifications/read", token_from="/account/notifications")
    assert "notification--unread" not in commenter.get("/account/notifications").get_data(as_text=True)


def test_the_header_counts_unread_and_the_page_costs_the_same_at_more(app, make_open_proposal, make_user,
                                                                     count_queries):
    from codesign.notifications.models import Notification, NotificationKind

    proposal_id = make_open_proposal()
    maria = make_user("maria")
    person = _signed_in(app, "maria")

    def add(count, start):
        with app.app_context():
            db.session.add_all(Notification(user_id=maria.id, proposal_id=proposal_id, kind=NotificationKind.DECIDED,
                                            subject_id=start + n) for n in range(count))
            db.session.commit()

    add(2, 0)
    assert "Notifications (2 new)" in person.get("/d/riverside/").get_data(as_text=True)
    person.get("/account/notifications")
    with count_queries() as few:
        person.get("/account/notifications")
    add(20, 100)
    with count_queries() as many:
        page = person.get("/account/notifications").get_data(as_text=True)
    assert page.count("notification--unread") == 22 and many["n"] == few["n"]


def test_followers_hear_three_days_ahead_that_input_closes_once_per_period(app, make_open_proposal, make_user,
                                                                          runner):
    from codesign.proposals.models import Proposal

    proposal_id = make_open_proposal()
    make_user("reader")
    reader = _signed_in(app, "reader")
    url = f"/d/riverside/proposals/{proposal_id}/"
    reader.post(url + "follow", {"follow": "1"}, token_from=url)

    def closes_in(days):
        with app.app_context():
            db.session.get(Proposal, proposal_id).comment_closes_at = utcnow() + timedelta(days=days)
            db.session.commit()

    closes_in(5)
    assert runner.invoke(args=["notify-closing"]).output == "0 proposals closing soon; their followers are told.\n"
    assert _kinds(app, "reader") == []
    closes_in(2)
    assert runner.invoke(args=["notify-closing"]).output.startswith("1 proposals")
    runner.invoke(args=["notify-closing"])  # the next day: told once
    assert _kinds(app, "reader") == ["closing_soon"]
    page = reader.get("/account/notifications").get_data(as_text=True)
    assert "There is still time to comment or vote." in page
