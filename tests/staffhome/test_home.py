"""The staff home page: what needs district staff, each item linking to where it is handled,
from aggregate queries (as many at five times the data), and where staff land on signing in."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from codesign.db import utcnow
from codesign.extensions import db
from tests.conftest import Browser, district_named

HOME = "/d/riverside/staff/"


def _world(app, proposal_id: int, make_user, copies: int = 1) -> dict:
    """Comments open, answered, held and reported; log entries contested (one since amended);
    sessions ended unconfirmed, confirmed and to come — `copies` of each."""
    from codesign.comments import service as comments
    from codesign.comments.models import (
        Comment,
        Disposition,
        Flag,
        FlagReason,
        Kind,
        Moderation,
    )
    from codesign.community.models import Organization, Session
    from codesign.proposals.models import Proposal
    from codesign.responselog.models import Contest, Outcome, ResponseEntry

    people = [make_user(f"person{copies}_{n}") for n in range(4)]
    now = utcnow()
    with app.test_request_context():
        from codesign.districts.service import load_district_or_404

        district = load_district_or_404("riverside")
        proposal = db.session.get(Proposal, proposal_id)
        made = {}
        for n in range(copies):
            made["open"] = [comments.post_comment(proposal, db.session.merge(person), kind=Kind.CONCERN,
                                                  section="retention", body=f"Open comment {n} {person.username}",
                                                  language="en") for person in people]
            answered, held, reported = made["open"][:3]
            answered.disposition = Disposition.ANSWERED
            held.moderation = Moderation.HELD
            db.session.add(Flag(comment_id=reported.id, user_id=people[0].id, reason=FlagReason.SPAM))
            base = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(ResponseEntry.sequence), 0)))
            entries = [ResponseEntry(district_id=district.id, proposal_id=proposal.id, sequence=base + i + 1,
                                     heard="Heard", outcome=Outcome.CHANGED, reasons="Because",
                                     published_at=now - timedelta(days=3)) for i in range(3)]
            db.session.add_all(entries)
            db.session.flush()
            entries[2].amends_id = entries[1].id  # the second entry's contest is answered by the third
            entries[2].published_at = now - timedelta(hours=1)
            db.session.add_all([Contest(entry_id=entries[0].id, user_id=people[1].id, reason="Not my concern",
                                        created_at=now - timedelta(days=2)),
                                Contest(entry_id=entries[1].id, user_id=people[1].id, reason="Not this either",
                                        created_at=now - timedelta(days=2))])
            organization = Organization(district_id=district.id, name=f"Parents United {n}")
            db.session.add(organization)
            db.session.flush()
            db.session.add_all([
                Session(district_id=district.id, organization_id=organization.id, title=f"Unconfirmed evening {n}",
                        starts_at=now - timedelta(days=2, hours=2), ends_at=now - timedelta(days=2)),
                Session(district_id=district.id, organization_id=organization.id, title=f"Confirmed evening {n}",
                        starts_at=now - timedelta(days=3, hours=2), ends_at=now - timedelta(days=3),
                        confirmed_at=now - timedelta(days=1)),
                Session(district_id=district.id, organization_id=organization.id, title=f"Coming evening {n}",
                        starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=2)),
            ])
        proposal.comment_closes_at = now + timedelta(days=3)
        db.session.commit()
        oldest = db.session.scalar(sa.select(sa.func.min(Comment.id)).where(
            Comment.proposal_id == proposal_id, Comment.disposition == Disposition.OPEN,
            Comment.moderation == Moderation.VISIBLE))
        return {"oldest": oldest, "sequences": [entry.sequence for entry in entries]}


def test_staff_see_what_waits_for_them_with_links(app, make_open_proposal, make_user):
    proposal_id = make_open_proposal()
    world = _world(app, proposal_id, make_user)
    staff = Browser(app.test_client())
    staff.sign_in("staff")
    response = staff.get(HOME)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # Comments without a disposition: the open, public ones (not the answered or the held one).
    assert "2 comments waiting since" in page
    assert f'href="/d/riverside/proposals/{proposal_id}/comments/{world["oldest"]}/"' in page
    # Moderation: one held, one reported, and the way to the queue.
    assert "1 comment held for a moderator to read" in page and "1 reported comment" in page
    assert 'href="/d/riverside/moderation/"' in page
    # The contested entry that no later entry amends; not the amended one.
    first, second, _third = world["sequences"]
    assert f'href="/d/riverside/log/{first}"' in page and "1 person says it does not address their concern" in page
    assert f'href="/d/riverside/log/{second}"' not in page
    # Sessions that ended unconfirmed, linked to their record; not the confirmed or the coming one.
    assert "Unconfirmed evening 0" in page and "Confirmed evening 0" not in page and "Coming evening 0" not in page
    assert 'href="/d/riverside/sessions/' in page and '/record"' in page
    # The comment period ending in three days; translations still to do (Spanish and Arabic).
    assert "Comment periods ending soon" in page and f'href="/d/riverside/proposals/{proposal_id}/"' in page
    assert 'href="/d/riverside/translations"' in page
    assert "Nothing needs you right now." not in page


def test_an_empty_district_says_nothing_needs_them(app, make_district, make_user):
    from codesign.districts.models import Role

    district = make_district(languages=("en",))
    make_user("staff", roles={district: [Role.STAFF]})
    staff = Browser(app.test_client())
    staff.sign_in("staff")
    page = staff.get(HOME).get_data(as_text=True)
    assert "Nothing needs you right now." in page and page.count("Nothing is waiting.") == 5


def test_the_page_costs_the_same_queries_with_five_times_as_much_waiting(app, make_open_proposal, make_user,
                                                                         count_queries):
    proposal_id = make_open_proposal()
    _world(app, proposal_id, make_user)
    staff = Browser(app.test_client())
    staff.sign_in("staff")
    staff.get(HOME)
    with count_queries() as small:
        assert staff.get(HOME).status_code == 200
    _world(app, proposal_id, make_user, copies=5)
    with count_queries() as large:
        page = staff.get(HOME).get_data(as_text=True)
    assert "Unconfirmed evening 4" in page and "6 reported comments" in page
    assert large["n"] == small["n"], (small, large)


def test_only_staff_open_it(app, make_open_proposal, make_user, client):
    from codesign.districts.models import Role

    make_open_proposal()
    make_user("parent")
    assert client.get(HOME).status_code in (302, 303)  # to sign in
    parent = Browser(app.test_client())
    parent.sign_in("parent")
    assert parent.get(HOME).status_code == 403
    make_user("trustee", roles={district_named(app): [Role.BOARD]})
    trustee = Browser(app.test_client())
    trustee.sign_in("trustee")
    assert trustee.get(HOME).status_code == 403


@pytest.mark.parametrize("next_url, lands", [(None, HOME), ("/d/riverside/surveys/", "/d/riverside/surveys/")])
def test_staff_land_on_it_when_they_sign_in(app, make_open_proposal, make_user, next_url, lands):
    make_open_proposal()
    staff = Browser(app.test_client())
    response = staff.post("/login" + (f"?next={next_url}" if next_url else ""),
                          {"login": "staff", "password": "password123"}, token_from="/login")
    assert response.status_code == 303 and response.headers["Location"].endswith(lands)
    assert 'href="/d/riverside/staff/"' in staff.get("/d/riverside/").get_data(as_text=True)  # and in the header


def test_people_who_are_not_staff_of_one_district_land_as_before(app, make_open_proposal, make_district, make_user):
    from codesign.districts.models import Role

    make_open_proposal()
    lakeview = make_district(slug="lakeview", name="Lakeview")
    make_user("both", roles={district_named(app): [Role.STAFF], lakeview: [Role.STAFF]})
    make_user("parent")
    for login in ("both", "parent"):
        response = Browser(app.test_client()).sign_in(login)
        assert "/staff/" not in response.headers["Location"]
