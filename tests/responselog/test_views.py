"""Staff write the log through the app; everyone reads it; comments show where they were answered."""
import sqlalchemy as sa

from codesign.comments.models import Comment, Disposition
from codesign.extensions import db
from codesign.responselog.models import ResponseEntry
from tests.conftest import Browser
from tests.responselog.test_chain import proposal_with_comments  # noqa: F401 (fixture)

ENTRY = {"heard": "Families said three years is too long.", "outcome": "changed",
         "reasons": "We agree: one year is enough.", "change": "none", "amends": ""}


def write_entry(staff, base, *, comments=(), publish=True, **changes):
    """Write (and by default publish) an entry through the app; returns its id and edit URL."""
    data = dict(ENTRY, **changes)
    edit_url = staff.post(base + "new", data).headers["Location"]
    entry_id = int(edit_url.rstrip("/").split("/")[-2])
    if comments:
        staff.post(edit_url, dict(data, comments=[str(c) for c in comments]))
    if publish:
        staff.post(base + f"{entry_id}/publish", {}, token_from=base)
    return entry_id, edit_url


def staff_browser(app):
    browser = Browser(app.test_client())
    browser.sign_in("staff")
    return browser


def test_write_link_publish_and_read(app, client, proposal_with_comments):  # noqa: F811
    proposal_id, ids = proposal_with_comments
    staff = staff_browser(app)
    base = f"/d/riverside/proposals/{proposal_id}/log/"
    response = staff.post(base + "new", ENTRY)
    assert response.status_code == 303
    edit_url = response.headers["Location"]
    page = staff.get(edit_url).get_data(as_text=True)
    assert "Worry 0" in page and "Worry 2" in page
    assert staff.post(edit_url, dict(ENTRY, comments=[str(ids[0]), str(ids[1])])).status_code == 303
    # Filtering the picker and saving keeps the links the filter hid.
    assert staff.post(edit_url + "?kind=question", dict(ENTRY)).status_code == 303
    with app.app_context():
        entry = db.session.scalar(sa.select(ResponseEntry))
        entry_id = entry.id
    assert staff.get(base).status_code == 200
    guest_log = client.get(base).get_data(as_text=True)
    assert "Families said three years" not in guest_log  # drafts are for staff
    response = staff.post(base + f"{entry_id}/publish", {}, token_from=base)
    assert response.status_code == 303 and response.headers["Location"].endswith("/d/riverside/log/1")
    entry_page = client.get("/d/riverside/log/1").get_data(as_text=True)
    assert "Families said three years is too long." in entry_page and "It answers 2 comments." in entry_page
    assert "Worry 0" in entry_page and "Worry 2" not in entry_page
    # One person (lucia) wrote them: fewer than the threshold, by group and by channel.
    assert entry_page.count("fewer than 10") == 2 and "How they took part" in entry_page
    with app.app_context():
        linked = db.session.scalars(sa.select(Comment).where(Comment.addressed_in_id == entry_id)).all()
        assert {c.id for c in linked} == set(ids[:2])
        assert all(c.disposition == Disposition.RESPONSE_LOG for c in linked)
    proposal_page = client.get(f"/d/riverside/proposals/{proposal_id}/").get_data(as_text=True)
    assert proposal_page.count("Answered in entry 1") == 2
    assert "67% of comments have an answer or a status (2 of 3)." in proposal_page
    log = client.get(base).get_data(as_text=True)
    assert "67% of comments have an answer or a status (2 of 3)." in log
    assert "Families said three years" in client.get("/d/riverside/log/").get_data(as_text=True)
    verify = client.get("/d/riverside/log/verify").get_data(as_text=True)
    assert "All 1 entry matches its fingerprint." in verify


def test_published_entries_cannot_be_edited_and_corrections_link_both_ways(app, client, proposal_with_comments):  # noqa: F811
    proposal_id, ids = proposal_with_comments
    staff = staff_browser(app)
    base = f"/d/riverside/proposals/{proposal_id}/log/"
    entry_id, edit_url = write_entry(staff, base)
    response = staff.post(edit_url, dict(ENTRY, heard="Rewritten history"), token_from=base, follow_redirects=True)
    assert "Published entries cannot be changed." in response.get_data(as_text=True)
    correction = staff.post(base + "new", dict(ENTRY, heard="A correction", outcome="partly_changed",
                                               amends=str(entry_id)))
    correction_id = int(correction.headers["Location"].rstrip("/").split("/")[-2])
    staff.post(base + f"{correction_id}/publish", {}, token_from=base)
    first = client.get("/d/riverside/log/1").get_data(as_text=True)
    second = client.get("/d/riverside/log/2").get_data(as_text=True)
    assert "Corrected by" in first and "This entry corrects" in second
    with app.app_context():
        assert db.session.get(ResponseEntry, entry_id).heard == ENTRY["heard"]


def test_bad_links_and_non_staff_are_refused(app, proposal_with_comments, make_open_proposal, make_user):  # noqa: F811
    proposal_id, ids = proposal_with_comments
    staff = staff_browser(app)
    base = f"/d/riverside/proposals/{proposal_id}/log/"
    _entry_id, edit_url = write_entry(staff, base, publish=False)
    response = staff.post(edit_url, dict(ENTRY, comments=[str(ids[0]), "999999"]))
    assert response.status_code == 422
    assert "Only this proposal's comments can be linked." in response.get_data(as_text=True)
    response = staff.post(base + "new", dict(ENTRY, change="1:999"))
    assert response.status_code == 422 and "Not a valid choice." in response.get_data(as_text=True)
    lucia = Browser(app.test_client())
    lucia.sign_in("lucia")
    assert lucia.get(base + "new").status_code == 403
    assert lucia.post(base + "new", ENTRY, token_from=base).status_code == 403
    with app.app_context():
        entry_id = db.session.scalar(sa.select(ResponseEntry.id))
    assert lucia.post(base + f"{entry_id}/publish", {}, token_from=base).status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(ResponseEntry.sequence)) is None


def test_exported_json_verifies_with_the_cli(app, client, runner, tmp_path, proposal_with_comments):  # noqa: F811
    proposal_id, ids = proposal_with_comments
    staff = staff_browser(app)
    base = f"/d/riverside/proposals/{proposal_id}/log/"
    for n in range(2):
        write_entry(staff, base, comments=[ids[n]], heard=f"Heard {n}")
    response = client.get("/d/riverside/log.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert [e["sequence"] for e in data["entries"]] == [1, 2]
    assert data["chain_head"] == data["entries"][-1]["entry_hash"]
    assert "@" not in response.get_data(as_text=True)
    exported = tmp_path / "log.json"
    exported.write_bytes(response.get_data())
    result = runner.invoke(args=["verify-log", "--file", str(exported)])
    assert result.exit_code == 0, result.output
    assert data["chain_head"] in client.get("/d/riverside/log/verify").get_data(as_text=True)


def test_atom_feeds(app, client, proposal_with_comments):  # noqa: F811
    import xml.etree.ElementTree as ET

    proposal_id, ids = proposal_with_comments
    staff = staff_browser(app)
    base = f"/d/riverside/proposals/{proposal_id}/log/"
    for n in range(2):
        entry_id, edit_url = write_entry(staff, base, heard=f"Heard number {n}")
    staff.post(base + "new", dict(ENTRY, heard="An unpublished draft"))
    for url in ("/d/riverside/log.atom", f"/d/riverside/proposals/{proposal_id}/log.atom"):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "application/atom+xml"
        root = ET.fromstring(response.get_data())
        ns = {"a": "http://www.w3.org/2005/Atom"}
        titles = [e.find("a:title", ns).text for e in root.findall("a:entry", ns)]
        assert titles == ["2. Changed", "1. Changed"]
        assert b"An unpublished draft" not in response.get_data()
        assert root.find("a:entry/a:link", ns).get("href").endswith("/d/riverside/log/2")


def test_participants_contest_an_entry_once_and_the_count_is_suppressed(app, client, proposal_with_comments, make_user):  # noqa: F811
    from codesign.responselog.models import Contest

    proposal_id, ids = proposal_with_comments
    staff = staff_browser(app)
    base = f"/d/riverside/proposals/{proposal_id}/log/"
    entry_id, edit_url = write_entry(staff, base)
    lucia = Browser(app.test_client())
    lucia.sign_in("lucia")
    response = lucia.post("/d/riverside/log/1/contest", {"reason": "no"}, token_from="/d/riverside/log/1",
                          follow_redirects=True)
    assert "Use between 5 and 500 characters." in response.get_data(as_text=True)
    for _ in range(2):
        lucia.post("/d/riverside/log/1/contest", {"reason": "One year is still too long for us."},
                   token_from="/d/riverside/log/1")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Contest.id))) == 1
    public = client.get("/d/riverside/log/1").get_data(as_text=True)
    assert "People who said it does not address their concern: fewer than 10." in public
    assert "One year is still too long" not in public
    assert "One year is still too long" in staff.get("/d/riverside/log/1").get_data(as_text=True)
    assert "You said this entry does not address your concern." in lucia.get("/d/riverside/log/1").get_data(as_text=True)
    guest = Browser(app.test_client())
    response = guest.post("/d/riverside/log/1/contest", {"reason": "Anonymous try"}, token_from="/d/riverside/log/1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_what_happened_to_my_input(app, proposal_with_comments, count_queries):  # noqa: F811
    proposal_id, ids = proposal_with_comments
    staff = staff_browser(app)
    base = f"/d/riverside/proposals/{proposal_id}/log/"
    write_entry(staff, base, comments=[ids[0]])
    lucia = Browser(app.test_client())
    lucia.sign_in("lucia")
    with count_queries() as counter:
        page = lucia.get("/account/input").get_data(as_text=True)
    assert page.count("Worry") == 3 and "Answered in entry 1" in page
    assert "Will be addressed in the response log" in page
    assert counter["n"] <= 4
    assert lucia.get("/account").get_data(as_text=True).count('href="/account/input"') == 1
    assert Browser(app.test_client()).get("/account/input").status_code == 302
