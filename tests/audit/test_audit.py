"""The audit log: staff actions are recorded with who, when, what, before and after; admins read
and export it; nothing can change or remove an event."""
import csv
import io
import json
import re

import pytest
import sqlalchemy as sa

from codesign.audit.models import AppendOnly, AuditEvent
from codesign.districts.models import Role
from codesign.extensions import db
from tests.conftest import Browser


def events(app, action=None):
    with app.app_context():
        query = sa.select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        found = db.session.scalars(query).all()
        db.session.expunge_all()
        return found


@pytest.fixture
def staff_browser(app, make_open_proposal, make_user):
    proposal_id = make_open_proposal()
    make_user("lucia")
    browser = Browser(app.test_client())
    browser.sign_in("staff")
    return browser, proposal_id


def test_staff_actions_are_recorded_with_who_and_what_changed(app, staff_browser):
    from codesign.accounts.service import find_user_by_login
    from codesign.comments import service as comments
    from codesign.comments.models import Kind
    from codesign.proposals.models import Proposal

    browser, proposal_id = staff_browser
    assert [e.action for e in events(app)] == ["district.create", "role.grant", "proposal.publish"]  # the fixture
    # A role granted through the app.
    assert browser.post("/d/riverside/roles", {"login": "lucia", "role": "facilitator"}).status_code == 303
    grant = events(app, "role.grant")[-1]
    assert grant.actor == "staff" and grant.actor_id is not None and grant.district_id is not None
    assert json.loads(grant.after) == {"role": "facilitator"}  # people are named by number only
    with app.app_context():
        from codesign.accounts.service import find_user_by_login

        assert grant.subject == f"user:{find_user_by_login('lucia').id}"
    # A disposition, with what it was before.
    with app.app_context():
        comment = comments.post_comment(db.session.get(Proposal, proposal_id), find_user_by_login("lucia"),
                                        kind=Kind.CONCERN, section="general", body="Too long.", language="en")
        comment_id = comment.id
    url = f"/d/riverside/proposals/{proposal_id}/comments/{comment_id}/"
    browser.post(url + "disposition", {"disposition": "out_of_scope", "reason": "About buses."}, token_from=url)
    event = events(app, "comment.disposition")[-1]
    assert event.actor == "staff" and event.subject == f"comment:{comment_id}"
    assert json.loads(event.before)["disposition"] == "open"
    assert json.loads(event.after) == {"disposition": "out_of_scope", "reason": "About buses.", "duplicate_of": None}
    # A translation saved in the editor.
    editor = f"/d/riverside/proposals/{proposal_id}/translate/es"
    hashes = dict(re.findall(r'name="(h-[a-z_]+)" value="([0-9a-f]*)"', browser.get(editor).get_data(as_text=True)))
    browser.post(editor, {**hashes, "t-title": "Panel de asistencia"})
    saved = events(app, "translation.save")[-1]
    assert saved.actor == "staff" and json.loads(saved.after)["locale"] == "es"
    # An export of review data.
    browser.get(f"/d/riverside/proposals/{proposal_id}/review/participation.csv")
    assert json.loads(events(app, "review.export")[-1].after) == {"file": "participation.csv"}
    # Nothing is recorded for what participants do.
    assert not [e for e in events(app) if e.actor == "lucia"]


def test_events_cannot_be_changed_or_removed(app, staff_browser):
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).limit(1))
        event.after = "{}"
        with pytest.raises(AppendOnly):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(AppendOnly):
            db.session.delete(db.session.scalar(sa.select(AuditEvent).limit(1)))
            db.session.commit()
        db.session.rollback()
    # Not even behind the application's back: the database refuses.
    for statement in ("UPDATE audit_event SET after = '{}'", "DELETE FROM audit_event"):
        with app.app_context():
            with pytest.raises(sa.exc.DBAPIError):
                with db.engine.begin() as conn:
                    conn.execute(sa.text(statement))
    assert len(events(app)) == 3


def test_admins_read_and_export_the_log_and_others_may_not(app, staff_browser, make_user):
    browser, _proposal_id = staff_browser
    assert browser.get("/admin/audit/").status_code == 403
    assert browser.get("/admin/audit/audit.csv").status_code == 403
    make_user("root", is_admin=True)
    admin = Browser(app.test_client())
    admin.sign_in("root")
    page = admin.get("/admin/audit/").get_data(as_text=True)
    assert "proposal.publish" in page and "role.grant" in page
    assert "proposal.publish" not in admin.get("/admin/audit/?action=role.grant").get_data(as_text=True).split("<tbody>")[1]
    exported = admin.get("/admin/audit/audit.csv")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "at", "actor_id"] and len(rows) == 5  # the export itself is in it
    assert events(app)[-1].action == "audit.export" and events(app)[-1].actor == "root"
    assert "/admin/audit/" in admin.get("/admin/").get_data(as_text=True)


def test_an_action_that_fails_leaves_no_event(app, staff_browser, make_user):
    from codesign.accounts.service import find_user_by_login
    from codesign.districts.service import get_district, grant_role

    make_user("amal")
    with app.app_context():
        district = get_district("riverside")
        before = len(events(app))
        grant_role(district, find_user_by_login("amal"), Role.BOARD)
        assert len(events(app)) == before + 1
        grant_role(district, find_user_by_login("amal"), Role.BOARD)  # already held: nothing happens
        assert len(events(app)) == before + 1
