"""The one authorization helper: roles per district, admins everywhere."""
import pytest
from flask_login import AnonymousUserMixin

from codesign.authz import has_role
from codesign.districts.models import Role
from codesign.extensions import db


@pytest.fixture
def people(app, make_district, make_user):
    riverside = make_district()
    lakeview = make_district("lakeview", "Lakeview")
    make_user("staff_r", roles={riverside: [Role.STAFF]})
    make_user("board_r", roles={riverside: [Role.BOARD, Role.PARTICIPANT]})
    make_user("root", is_admin=True)
    return riverside, lakeview


def _load(username):
    from codesign.accounts.service import find_user_by_login

    return find_user_by_login(username)


def test_roles_hold_in_their_own_district_only(app_ctx, people):
    riverside, lakeview = (db.session.merge(d) for d in people)
    staff = _load("staff_r")
    assert has_role(staff, riverside, Role.STAFF)
    assert not has_role(staff, riverside, Role.BOARD)
    assert not has_role(staff, lakeview, Role.STAFF)
    board = _load("board_r")
    assert has_role(board, riverside, Role.BOARD)
    assert has_role(board, riverside, Role.STAFF, Role.BOARD)
    assert not has_role(board, riverside, Role.STAFF)


def test_admins_may_everywhere_and_guests_nowhere(app_ctx, people):
    riverside, lakeview = (db.session.merge(d) for d in people)
    root = _load("root")
    assert has_role(root, lakeview, Role.STAFF)
    assert has_role(root, None, Role.STAFF)
    assert not has_role(AnonymousUserMixin(), riverside, Role.PARTICIPANT)
    assert not has_role(None, riverside, Role.PARTICIPANT)
