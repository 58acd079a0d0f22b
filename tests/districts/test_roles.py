"""District staff (and platform admins) grant and revoke roles in their own district only."""
import sqlalchemy as sa

from codesign.districts.models import Membership, Role
from codesign.extensions import db


def count_memberships(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Membership.id)))


def test_staff_grant_and_revoke_roles(app, browser, make_user, make_district):
    district = make_district()
    make_user("staff", roles={district: [Role.STAFF]})
    make_user("maria", email="maria@example.org")
    browser.sign_in("staff")
    page = browser.get("/d/riverside/").get_data(as_text=True)
    assert 'href="/d/riverside/roles"' in page  # staff see it in their navigation
    response = browser.post("/d/riverside/roles", {"login": "maria@example.org", "role": "facilitator"})
    assert response.status_code == 303
    again = browser.post("/d/riverside/roles", {"login": "MARIA", "role": "facilitator"})
    assert again.status_code == 303
    assert count_memberships(app) == 2  # granting twice changes nothing
    page = browser.get("/d/riverside/roles").get_data(as_text=True)
    assert "maria" in page and "Community facilitator" in page
    assert "maria@example.org" not in page
    with app.app_context():
        membership_id = db.session.scalar(
            sa.select(Membership.id).where(Membership.role == Role.FACILITATOR))
    response = browser.post(f"/d/riverside/roles/{membership_id}/revoke", {},
                            token_from="/d/riverside/roles")
    assert response.status_code == 303
    assert count_memberships(app) == 1


def test_admin_manages_roles_in_any_district(app, browser, make_user, make_district):
    make_district()
    make_user("root", is_admin=True)
    make_user("maria")
    browser.sign_in("root")
    response = browser.post("/d/riverside/roles", {"login": "maria", "role": "staff"})
    assert response.status_code == 303
    assert count_memberships(app) == 1


def test_others_may_not_see_or_change_roles(app, browser, make_user, make_district):
    riverside = make_district()
    lakeview = make_district("lakeview", "Lakeview")
    make_user("board", roles={riverside: [Role.BOARD, Role.FACILITATOR, Role.PARTICIPANT]})
    make_user("lakeview_staff", roles={lakeview: [Role.STAFF]})
    before = count_memberships(app)
    assert browser.get("/d/riverside/roles").status_code == 302  # guests go to sign in
    for username in ("board", "lakeview_staff"):
        browser.sign_in(username)
        assert 'href="/d/riverside/roles"' not in browser.get("/d/riverside/").get_data(as_text=True)
        assert browser.get("/d/riverside/roles").status_code == 403
        response = browser.post("/d/riverside/roles", {"login": username, "role": "staff"},
                                token_from="/d/riverside/")
        assert response.status_code == 403
        browser.sign_out()
    assert count_memberships(app) == before


def test_grant_role_to_unknown_account_says_so(browser, make_user, make_district):
    district = make_district()
    make_user("staff", roles={district: [Role.STAFF]})
    browser.sign_in("staff")
    response = browser.post("/d/riverside/roles", {"login": "ghost", "role": "staff"})
    assert response.status_code == 422
    assert "No account has that username or email." in response.get_data(as_text=True)
    response = browser.post("/d/riverside/roles", {"login": "staff", "role": "superuser"})
    assert response.status_code == 422
    assert "Not a valid choice." in response.get_data(as_text=True)


def test_revoke_from_another_district_is_404(app, browser, make_user, make_district):
    riverside = make_district()
    lakeview = make_district("lakeview", "Lakeview")
    make_user("lakeview_staff", roles={lakeview: [Role.STAFF]})
    maria = make_user("maria", roles={riverside: [Role.STAFF]})
    with app.app_context():
        membership_id = db.session.scalar(sa.select(Membership.id).where(Membership.user_id == maria.id))
    browser.sign_in("lakeview_staff")
    response = browser.post(f"/d/lakeview/roles/{membership_id}/revoke", {}, token_from="/d/lakeview/roles")
    assert response.status_code == 404
    assert count_memberships(app) == 2
