"""Platform admins create districts and grant roles; nobody else can."""
import sqlalchemy as sa

from codesign.districts.models import District, Role
from codesign.extensions import db

NEW_DISTRICT = {
    "name": "Lakeview School District",
    "slug": "lakeview",
    "languages": ["en", "es"],
    "default_locale": "es",
    "timezone": "America/Chicago",
    "suppression_threshold": "5",
    "privacy_contact": "privacy@lakeview.example.org",
}


def test_admin_pages_refuse_guests_and_non_admins(browser, make_user, make_district):
    make_district()
    make_user("staff", roles={})
    for url in ("/admin/", "/admin/districts/new", "/admin/districts/riverside/edit"):
        assert browser.get(url).status_code == 302  # guests are sent to sign in
    browser.sign_in("staff")
    for url in ("/admin/", "/admin/districts/new", "/admin/districts/riverside/edit"):
        response = browser.get(url)
        assert response.status_code == 403
        assert "You do not have access to this page" in response.get_data(as_text=True)


def test_district_staff_are_not_platform_admins(browser, make_user, make_district):
    district = make_district()
    make_user("staff", roles={district: [Role.STAFF]})
    browser.sign_in("staff")
    assert browser.get("/admin/").status_code == 403
    response = browser.post("/admin/districts/new", NEW_DISTRICT, token_from="/privacy")
    assert response.status_code == 403


def test_admin_creates_a_district(app, browser, make_user):
    make_user("root", is_admin=True)
    browser.sign_in("root")
    response = browser.post("/admin/districts/new", NEW_DISTRICT)
    assert response.status_code == 303
    with app.app_context():
        district = db.session.scalar(sa.select(District))
        assert district.language_codes == ["en", "es"]
        assert district.default_locale == "es"
        assert district.suppression_threshold == 5
        assert district.timezone == "America/Chicago"


def test_district_form_rejects_bad_input_and_saves_nothing(app, browser, make_user, make_district):
    make_district("lakeview", "Existing")
    make_user("root", is_admin=True)
    browser.sign_in("root")
    cases = [
        (dict(NEW_DISTRICT), "Another district already uses this web address name."),
        (dict(NEW_DISTRICT, slug="Lake View"), "Use lowercase letters, numbers and single dashes."),
        (dict(NEW_DISTRICT, slug="other", default_locale="ar"),
         "The default language must be one of the languages offered."),
        (dict(NEW_DISTRICT, slug="other", timezone="Mars/Olympus"), "Enter a time zone name"),
        (dict(NEW_DISTRICT, slug="other", suppression_threshold="0"), "Enter a whole number from 1 to 1000."),
        (dict(NEW_DISTRICT, slug="other", suppression_threshold="ten"), "Not a valid integer value."),
        (dict(NEW_DISTRICT, slug="other", name=""), "This field is required."),
        (dict(NEW_DISTRICT, slug="other", name="x" * 201), "Use at most 200 characters."),
        (dict(NEW_DISTRICT, slug="other", languages=["en", "tlh"]), "is not a valid choice"),
    ]
    for data, message in cases:
        response = browser.post("/admin/districts/new", data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), message
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(District.id))) == 1


def test_admin_edits_district_settings(app, browser, make_user, make_district):
    make_district()
    make_user("root", is_admin=True)
    browser.sign_in("root")
    page = browser.get("/admin/districts/riverside/edit").get_data(as_text=True)
    assert 'value="Riverside Unified School District"' in page
    response = browser.post("/admin/districts/riverside/edit", dict(NEW_DISTRICT, name="Riverside USD"))
    assert response.status_code == 303
    with app.app_context():
        district = db.session.scalar(sa.select(District))
        assert district.name == "Riverside USD"
        assert district.slug == "riverside"  # the address never changes
