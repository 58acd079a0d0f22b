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


def test_a_vote_and_a_comment_cost_a_fixed_few_statements(app, make_open_proposal, make_user, count_queries):
    """The writes people make most: what they need and the writes, nothing read again after the
    commit (the language is chosen before it; links use the district's address kept aside)."""
    from tests.conftest import Browser, csrf_from

    proposal_id = make_open_proposal()
    make_user("lucia", locale="es")
    lucia = Browser(app.test_client())
    lucia.sign_in("lucia")
    url = f"/d/riverside/proposals/{proposal_id}/"
    for stance, budget in (("support", 5), ("oppose", 5)):  # a first vote, then a change
        page = lucia.get(url)
        with count_queries() as counter:
            response = lucia.client.post(url + "vote", data={"stance": stance, "csrf_token": csrf_from(page)})
        assert response.status_code == 303
        # district, person, proposal, the vote, the follow
        assert counter["n"] <= budget, counter["n"]
    page = lucia.get(url)
    with count_queries() as counter:
        response = lucia.client.post(url + "comments/", data={
            "kind": "concern", "section": "retention", "language": "es", "body": "Un año basta.",
            "csrf_token": csrf_from(page)})
    assert response.status_code == 303
    # district, person, proposal, a repeat of the same words?, the comment, the search outbox, the
    # follow (its number and whether it is held are known without reading it back)
    assert counter["n"] <= 7, counter["n"]
    from codesign.comments.models import Comment
    from codesign.extensions import db

    with app.app_context():
        newest = db.session.scalar(db.select(db.func.max(Comment.id)))
    assert response.headers["Location"].endswith(f"#comment-{newest}")


def test_a_vote_by_htmx_renders_its_widget_without_the_header(app, make_open_proposal, make_user, count_queries):
    """The widget htmx swaps in has no header, so nothing of the navigation (roles, the count of
    unread notifications) is looked up for it; the full page still shows both."""
    import sqlalchemy as sa

    from codesign.extensions import db
    from tests.conftest import Browser, csrf_from

    proposal_id = make_open_proposal()
    make_user("lucia")
    lucia = Browser(app.test_client())
    lucia.sign_in("lucia")
    url = f"/d/riverside/proposals/{proposal_id}/"
    page = lucia.get(url)
    assert "/account/notifications" in page.get_data(as_text=True)
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = lucia.client.post(url + "vote", data={"stance": "support", "csrf_token": csrf_from(page)},
                                     headers={"HX-Request": "true", "HX-Target": "vote"})
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    assert 'id="vote"' in response.get_data(as_text=True) and "site-header" not in response.get_data(as_text=True)
    assert not [s for s in statements if "FROM notification" in s or "FROM membership" in s], statements
    assert len(statements) <= 11, len(statements)
