"""A page costs the same number of queries however many rows there are."""
from codesign.districts.models import Role


def test_role_page_queries_do_not_grow_with_members(browser, make_user, make_district, count_queries):
    district = make_district()
    make_user("staff", roles={district: [Role.STAFF]})
    browser.sign_in("staff")

    def queries_for_page():
        with count_queries() as counter:
            assert browser.get("/d/riverside/roles").status_code == 200
        return counter["n"]

    few = queries_for_page()
    for n in range(30):
        make_user(f"member{n}", roles={district: [Role.PARTICIPANT, Role.FACILITATOR]})
    assert queries_for_page() == few
    assert few <= 6


def test_public_pages_have_small_fixed_budgets(client, make_district, count_queries):
    make_district()
    for url, budget in (("/d/riverside/", 3), ("/d/riverside/privacy", 1), ("/privacy", 0), ("/login", 0)):
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        assert counter["n"] <= budget, (url, counter["n"])
