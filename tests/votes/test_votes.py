"""Voting on the current version: one vote per person, changeable, closed periods refuse."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from codesign.accounts.models import StakeholderGroup
from codesign.db import utcnow
from codesign.extensions import db
from codesign.proposals import service as proposals
from codesign.votes.models import Stance, Vote


@pytest.fixture
def proposal_id(make_open_proposal):
    return make_open_proposal(threshold=3)


def votes(app):
    with app.app_context():
        return db.session.execute(sa.select(Vote.user_id, Vote.stance)).all()


def vote(browser, proposal_id, stance, **kw):
    return browser.post(f"/d/riverside/proposals/{proposal_id}/vote", {"stance": stance},
                        token_from=f"/d/riverside/proposals/{proposal_id}/", **kw)


def test_vote_and_change_it(app, browser, make_user, proposal_id):
    make_user("lucia")
    browser.sign_in("lucia")
    response = vote(browser, proposal_id, "oppose")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/proposals/{proposal_id}/#vote")
    assert vote(browser, proposal_id, "support").status_code == 303
    assert [stance for _user, stance in votes(app)] == [Stance.SUPPORT]
    page = browser.get(f"/d/riverside/proposals/{proposal_id}/").get_data(as_text=True)
    assert 'value="support" class="vote__button"\n                aria-pressed="true"' in page
    assert "Your vote: Support." in page


def test_htmx_vote_returns_the_widget_only(app, browser, make_user, proposal_id):
    make_user("lucia")
    browser.sign_in("lucia")
    response = vote(browser, proposal_id, "neutral", headers={"HX-Request": "true"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert text.lstrip().startswith('<section id="vote"') and "<html" not in text
    assert "HX-Request" in response.headers["Vary"]
    assert "Your vote is saved." in text


def test_guests_are_asked_to_sign_in(client, browser, proposal_id):
    page = client.get(f"/d/riverside/proposals/{proposal_id}/").get_data(as_text=True)
    assert "Sign in to vote" in page
    response = vote(browser, proposal_id, "support")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_invalid_stance_is_refused(app, browser, make_user, proposal_id):
    make_user("lucia")
    browser.sign_in("lucia")
    response = vote(browser, proposal_id, "maybe", follow_redirects=True)
    assert "Please choose support, neutral or oppose." in response.get_data(as_text=True)
    assert votes(app) == []


def test_closed_period_refuses_votes_and_keeps_existing_ones(app, browser, make_user, proposal_id):
    from codesign.proposals.models import Proposal

    make_user("lucia")
    browser.sign_in("lucia")
    vote(browser, proposal_id, "support")
    with app.app_context():
        db.session.get(Proposal, proposal_id).comment_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = vote(browser, proposal_id, "oppose", follow_redirects=True)
    assert "Voting is closed for this proposal" in response.get_data(as_text=True)
    assert [stance for _user, stance in votes(app)] == [Stance.SUPPORT]


def test_vote_on_another_districts_proposal_is_404(browser, make_user, make_district, proposal_id):
    make_district("lakeview", "Lakeview")
    make_user("lucia")
    browser.sign_in("lucia")
    response = browser.post(f"/d/lakeview/proposals/{proposal_id}/vote", {"stance": "support"},
                            token_from="/d/lakeview/")
    assert response.status_code == 404


def test_tallies_suppress_small_groups(app, client, make_user, proposal_id):
    from tests.conftest import Browser

    groups = [StakeholderGroup.FAMILY] * 4 + [StakeholderGroup.STUDENT]
    stances = ["support", "support", "support", "oppose", "support"]
    for n, (group, stance) in enumerate(zip(groups, stances, strict=True)):
        make_user(f"voter{n}", group=group)
        voter = Browser(app.test_client())
        voter.sign_in(f"voter{n}")
        assert vote(voter, proposal_id, stance).status_code == 303
    page = client.get(f"/d/riverside/proposals/{proposal_id}/").get_data(as_text=True)
    tally = page[page.index("Votes so far"):]
    # threshold 3: oppose (1) is small; support (4) is hidden too, or 5 - 4 would reveal it.
    assert '<span class="tally__label">Support</span> <span class="tally__count">not shown</span>' in tally
    assert '<span class="tally__label">Oppose</span> <span class="tally__count">fewer than 3</span>' in tally
    assert '<span class="tally__label">Neutral</span> <span class="tally__count">0</span>' in tally
    by_group = tally[tally.index("Votes by group"):]
    family_row = by_group[by_group.index("Parent, guardian or family member"):]
    family_row = family_row[:family_row.index("</tr>")]
    # family: support 3 hidden (or 4 - 3 reveals the one oppose), oppose 1 small, neutral 0
    assert family_row.count("<td>not shown</td>") == 2 and "<td>fewer than 3</td>" in family_row
    assert "<td>0</td>" in family_row


def test_one_vote_per_person_per_version_is_a_database_rule(app, proposal_id, make_user):
    user = make_user("lucia")
    with app.app_context():
        from codesign.proposals.models import Proposal

        version_id = db.session.get(Proposal, proposal_id).current_version_id
        db.session.add(Vote(version_id=version_id, user_id=user.id, stance=Stance.SUPPORT,
                            stakeholder_group=StakeholderGroup.FAMILY))
        db.session.commit()
        db.session.add(Vote(version_id=version_id, user_id=user.id, stance=Stance.OPPOSE,
                            stakeholder_group=StakeholderGroup.FAMILY))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_racing_votes_leave_one(app, proposal_id, make_user):
    """Two requests at once from the same person (threads, real connections) leave one vote."""
    import threading

    from codesign.accounts.service import find_user_by_login
    from codesign.proposals.models import Proposal
    from codesign.votes.service import record_vote

    make_user("lucia")
    barrier = threading.Barrier(4)
    errors = []

    def cast(stance):
        try:
            with app.app_context():
                proposal = db.session.get(Proposal, proposal_id)
                user = find_user_by_login("lucia")
                barrier.wait(timeout=10)
                record_vote(proposal, user, stance)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=cast, args=(stance,)) for stance in
               (Stance.SUPPORT, Stance.OPPOSE, Stance.NEUTRAL, Stance.SUPPORT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not [e for e in errors if "locked" not in str(e)], errors
    assert len(votes(app)) == 1


def test_voters_on_the_last_version_are_asked_to_vote_again(app, browser, make_user, proposal_id):
    from codesign.accounts.service import find_user_by_login
    from codesign.proposals.models import Proposal

    make_user("lucia")
    browser.sign_in("lucia")
    vote(browser, proposal_id, "oppose")
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        proposals.start_revision(proposal, find_user_by_login("staff"))
        proposals.update_draft(proposals.draft_of(proposal), {"retention": "One year."})
        proposals.publish_version(proposal, opens_at=utcnow() - timedelta(days=1),
                                  closes_at=utcnow() + timedelta(days=7), what_changed="Kept for one year.")
    page = browser.get(f"/d/riverside/proposals/{proposal_id}/").get_data(as_text=True)
    assert "You voted “Oppose” on version 1." in page and "Kept for one year." in page
    assert 'aria-pressed="true"' not in page  # no vote yet on version 2
    vote(browser, proposal_id, "support")
    page = browser.get(f"/d/riverside/proposals/{proposal_id}/").get_data(as_text=True)
    assert "You voted “Oppose” on version 1." not in page
    assert len(votes(app)) == 2  # the version 1 vote stays, for support over versions


def test_guest_vote_returns_to_the_proposal_after_sign_in(browser, make_user, proposal_id):
    make_user("lucia")
    page_url = f"/d/riverside/proposals/{proposal_id}/"
    response = browser.post(f"/d/riverside/proposals/{proposal_id}/vote", {"stance": "support"},
                            token_from=page_url, headers={"Referer": "http://localhost" + page_url})
    assert response.status_code == 302
    login_url = response.headers["Location"]
    signed_in = browser.post(login_url, {"login": "lucia", "password": "password123"})
    assert signed_in.headers["Location"] == page_url
    # A Referer from elsewhere is never followed.
    browser.sign_out()
    response = browser.post(f"/d/riverside/proposals/{proposal_id}/vote", {"stance": "support"},
                            token_from=page_url, headers={"Referer": "https://evil.example/x"})
    assert "evil" not in response.headers["Location"]
