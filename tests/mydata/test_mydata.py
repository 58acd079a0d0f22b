"""My data: everything a person contributed, as a page and as a JSON file, and nobody else's."""
import json

from codesign.extensions import db
from tests.conftest import Browser


def test_everything_i_gave_is_listed_and_downloadable(app, make_open_proposal, make_user, count_queries):
    from codesign.accounts.service import find_user_by_login
    from codesign.comments import service as comments
    from codesign.comments.models import Kind
    from codesign.proposals.models import Proposal
    from codesign.votes import service as votes
    from codesign.votes.models import Stance

    proposal_id = make_open_proposal()
    make_user("lucia", email="lucia@example.org")
    make_user("amal")
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        lucia, amal = find_user_by_login("lucia"), find_user_by_login("amal")
        mine = comments.post_comment(proposal, lucia, kind=Kind.CONCERN, section="retention", language="es",
                                     body="Tres años es demasiado.")
        comments.post_comment(proposal, amal, kind=Kind.QUESTION, section="access", language="ar",
                              body="من يستطيع رؤية البيانات؟")
        theirs = comments.post_comment(proposal, amal, kind=Kind.SUPPORT, section="purpose", language="en",
                                       body="Calling early helps.")
        comments.me_too(theirs, lucia)
        votes.record_vote(proposal, lucia, Stance.OPPOSE)
        mine_id = mine.id
    browser = Browser(app.test_client())
    browser.sign_in("lucia")
    page = browser.get("/account/data/").get_data(as_text=True)
    assert "Tres años es demasiado." in page and "lucia@example.org" in page
    assert "من يستطيع" not in page and "Calling early helps." not in page  # not hers
    assert "/account/data/data.json" in page
    exported = browser.get("/account/data/data.json")
    assert exported.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(exported.get_data(as_text=True))
    assert data["account"]["username"] == "lucia" and data["account"]["email"] == "lucia@example.org"
    assert [c["id"] for c in data["comments"]] == [mine_id] and data["comments"][0]["text"] == "Tres años es demasiado."
    assert data["votes"][0]["stance"] == "oppose" and data["votes"][0]["proposal_id"] == proposal_id
    assert len(data["me_too"]) == 1
    assert "password" not in json.dumps(data).lower()
    # A fixed number of queries, however much a person gave.
    with count_queries() as few:
        browser.get("/account/data/")
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        for n in range(15):
            comments.post_comment(proposal, find_user_by_login("lucia"), kind=Kind.SUGGESTION, section="purpose",
                                  language="en", body=f"Suggestion {n} for the dashboard.")
    with count_queries() as many:
        browser.get("/account/data/")
    assert few["n"] == many["n"]


def test_my_data_needs_signing_in(app, client):
    assert client.get("/account/data/").status_code == 302
    assert client.get("/account/data/data.json").status_code == 302


def test_the_privacy_page_says_why_who_sees_what_how_long_and_your_rights(app, make_district, make_user):
    make_district()
    make_user("lucia")
    guest = Browser(app.test_client()).get("/d/riverside/privacy").get_data(as_text=True)
    for heading in ("What we collect", "Why", "Who sees what", "How long", "Your rights", "Who to ask"):
        assert f"<h2>{heading}</h2>" in guest, heading
    assert 'href="/account/data/"' not in guest
    lucia = Browser(app.test_client())
    lucia.sign_in("lucia")
    assert 'href="/account/data/"' in lucia.get("/d/riverside/privacy").get_data(as_text=True)


def test_an_export_link_is_refused_after_signing_out_even_with_the_old_cookie(app, make_user):
    make_user("lucia")
    lucia = Browser(app.test_client())
    lucia.sign_in("lucia")
    assert lucia.get("/account/data/data.json").status_code == 200
    old_cookie = lucia.client.get_cookie("session").value
    assert lucia.post("/logout", {}, token_from="/account").status_code == 303
    assert lucia.get("/account/data/data.json").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", old_cookie)
    assert thief.get("/account/data/data.json").status_code == 302
