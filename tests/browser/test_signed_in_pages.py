"""Signed-in pages of every role pass axe-core in English and Arabic, with JS on and off."""
import pytest

from codesign.districts.models import Role
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PAGES = ["/account", "/account/password", "/account/input", "/account/data/", "/admin/", "/admin/districts/new",
         "/admin/districts/riverside/edit", "/admin/audit/", "/d/riverside/roles", "/d/riverside/"]


@pytest.mark.parametrize("language", ["English", "العربية"])
def test_admin_pages_are_accessible(page, make_district, make_user, check_accessibility, language):
    district = make_district()
    make_user("root", is_admin=True, roles={district: [Role.STAFF]})
    sign_in(page, "root")
    page.goto("/d/riverside/")
    page.get_by_role("button", name=language).click()
    page.wait_for_load_state()
    for url in PAGES:
        page.goto(url)
        assert page.locator("h1").count() == 1
        check_accessibility(page)
    # And a form showing its errors.
    page.goto("/admin/districts/new")
    page.locator("button.primary").click()
    page.wait_for_selector(".field-error")
    check_accessibility(page)
