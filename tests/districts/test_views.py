"""The home page, district pages and privacy pages."""


def test_home_goes_straight_to_the_only_district(client, make_district):
    make_district()
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/d/riverside/"


def test_home_lists_districts_when_there_are_several(client, make_district):
    make_district()
    make_district("lakeview", "Lakeview School District")
    page = client.get("/").get_data(as_text=True)
    assert "Riverside Unified School District" in page
    assert "Lakeview School District" in page
    assert 'href="/d/lakeview/"' in page


def test_home_without_districts_says_so(client):
    assert "No district has joined yet." in client.get("/").get_data(as_text=True)


def test_district_page(client, make_district):
    make_district()
    page = client.get("/d/riverside/").get_data(as_text=True)
    assert '<h1><span lang="en" dir="auto">Riverside Unified School District</span></h1>' in page
    assert 'href="/register?district=riverside"' in page


def test_unknown_district_is_a_translated_404(client):
    response = client.get("/d/nowhere/", headers={"Accept-Language": "es"})
    assert response.status_code == 404
    assert '<html lang="es"' in response.get_data(as_text=True)
    assert "We could not find that page" not in response.get_data(as_text=True)


def test_district_privacy_page_names_contact_and_threshold(client, make_district):
    make_district(threshold=12, privacy_contact="Office of Data Privacy")
    page = client.get("/d/riverside/privacy").get_data(as_text=True)
    assert "Office of Data Privacy" in page
    assert "fewer than 12 people" in page


def test_footer_links_to_the_privacy_page(client, make_district):
    make_district()
    assert 'href="/d/riverside/privacy"' in client.get("/d/riverside/").get_data(as_text=True)
    assert 'href="/privacy"' in client.get("/register").get_data(as_text=True)
