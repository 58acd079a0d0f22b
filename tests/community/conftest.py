"""A district (threshold 3) with staff, two organizations each with a facilitator, and an open proposal."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from codesign.db import utcnow
from codesign.districts.models import Role
from codesign.extensions import db
from tests.conftest import Browser


@pytest.fixture
def world(app, make_open_proposal, make_user):
    from codesign.community import service
    from codesign.districts.service import get_district

    proposal_id = make_open_proposal(threshold=3)
    with app.app_context():
        district = get_district("riverside")
        make_user("fac_a")
        make_user("fac_b")
        make_user("board", roles={district: [Role.BOARD]})
        a = service.save_organization(district, None, name="Familias Unidas", description="", languages=["es", "vi"],
                                      contact="555-0100")
        b = service.save_organization(district, None, name="Arabic Parents Circle", description="",
                                      languages=["ar", "so"], contact="")
        service.add_facilitator(district, a, "fac_a")
        service.add_facilitator(district, b, "fac_b")
        return {"proposal": proposal_id, "org_a": a.id, "org_b": b.id}


def browser_for(app, name):
    browser = Browser(app.test_client())
    browser.sign_in(name)
    return browser


def session_form(world, **changes):
    start = utcnow() + timedelta(days=3)
    data = {"organization": str(world["org_a"]), "title": "Charla en la biblioteca",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "mode": "in_person", "place": "Riverside Library, Room 2", "step_free": "y", "childcare": "y",
            "languages": ["es"], "interpretation": ["vi"], "capacity": "30", "proposals": [str(world["proposal"])]}
    data.update(changes)
    return data


def schedule(app, world, name="fac_a", **changes):
    browser = browser_for(app, name)
    response = browser.post("/d/riverside/sessions/new", session_form(world, **changes))
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].rstrip("/").split("/")[-1]), browser


def hold(app, session_id, days_ago=1):
    """Move a session into the past, as if it had taken place."""
    from codesign.community.models import Session

    with app.app_context():
        item = db.session.get(Session, session_id)
        item.starts_at = utcnow() - timedelta(days=days_ago, hours=2)
        item.ends_at = utcnow() - timedelta(days=days_ago)
        db.session.commit()


def comments_of(app, session_id):
    from codesign.comments.models import Comment

    with app.app_context():
        return db.session.scalars(sa.select(Comment).where(Comment.session_id == session_id).order_by(Comment.id)).all()
