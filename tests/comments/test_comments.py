"""Structured comments: post, list with filters and "show more", reply, edit, withdraw, me too,
and the district's answers and statuses."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from codesign.accounts.models import StakeholderGroup
from codesign.comments.models import Comment, Disposition, MeToo
from codesign.db import utcnow
from codesign.extensions import db
from codesign.proposals import service as proposals
from tests.conftest import Browser
from tests.proposals.test_views import CARD

COMMENT = {"kind": "concern", "section": "retention", "body": "Three years is too long.\nWhy?",
           "language": "es"}


@pytest.fixture
def proposal_id(make_open_proposal):
    return make_open_proposal(threshold=2)


def url(proposal_id, rest=""):
    return f"/d/riverside/proposals/{proposal_id}/{rest}"


def post(browser, proposal_id, **changes):
    return browser.post(url(proposal_id, "comments/"), dict(COMMENT, **changes), token_from=url(proposal_id))


def comments(app):
    with app.app_context():
        return db.session.scalars(sa.select(Comment).order_by(Comment.id)).all()


def signed_in(app, make_user, username, **kw):
    make_user(username, **kw)
    browser = Browser(app.test_client())
    browser.sign_in(username)
    return browser


def test_post_a_comment_and_read_it_without_an_email_or_name(app, make_user, client, proposal_id):
    lucia = signed_in(app, make_user, "lucia", email="lucia@example.org", group=StakeholderGroup.FAMILY)
    response = post(lucia, proposal_id)
    assert response.status_code == 303
    [comment] = comments(app)
    assert response.headers["Location"].endswith(f"#comment-{comment.id}")
    assert (comment.kind, comment.section, comment.language) == ("concern", "retention", "es")
    assert comment.stakeholder_group == StakeholderGroup.FAMILY
    page = client.get(url(proposal_id)).get_data(as_text=True)
    assert "Three years is too long.\nWhy?" in page
    assert 'lang="es"' in page and "How long it is kept" in page
    assert "lucia" not in page and "lucia@example.org" not in page


@pytest.mark.parametrize("body,message", [
    ("   ", "This field is required."),
    ("abc", "Use between 5 and 4000 characters."),
    ("x" * 4001, "Use between 5 and 4000 characters."),
    ("bad \x07 bell", "invisible control characters"),
])
def test_bad_comments_are_refused_and_what_was_typed_is_kept(app, make_user, proposal_id, body, message):
    lucia = signed_in(app, make_user, "lucia")
    response = post(lucia, proposal_id, body=body)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in text
    assert comments(app) == []


def test_script_tags_are_shown_as_text(app, make_user, client, proposal_id):
    lucia = signed_in(app, make_user, "lucia")
    post(lucia, proposal_id, body='<script>alert("x")</script> and http://example.org')
    page = client.get(url(proposal_id)).get_data(as_text=True)
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; and http://example.org" in page
    assert 'href="http://example.org"' not in page


def test_bad_kind_or_section_is_refused(app, make_user, proposal_id):
    lucia = signed_in(app, make_user, "lucia")
    assert post(lucia, proposal_id, kind="rant").status_code == 422
    assert post(lucia, proposal_id, section="password").status_code == 422
    assert comments(app) == []


def test_closed_or_other_district_proposals_refuse_comments(app, make_user, make_district, proposal_id):
    from codesign.proposals.models import Proposal

    lucia = signed_in(app, make_user, "lucia")
    make_district("lakeview", "Lakeview")
    response = lucia.post(f"/d/lakeview/proposals/{proposal_id}/comments/", COMMENT, token_from="/d/lakeview/")
    assert response.status_code == 404
    with app.app_context():
        db.session.get(Proposal, proposal_id).comment_closes_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = post(lucia, proposal_id)
    assert response.status_code == 422
    assert "not open for comments now" in response.get_data(as_text=True)
    assert comments(app) == []


def test_guests_are_sent_to_sign_in_and_back(client, browser, proposal_id):
    assert "Sign in to comment" in client.get(url(proposal_id)).get_data(as_text=True)
    response = post(browser, proposal_id)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_reply_edit_and_withdraw(app, make_user, proposal_id):
    lucia = signed_in(app, make_user, "lucia")
    amal = signed_in(app, make_user, "amal")
    post(lucia, proposal_id)
    parent = comments(app)[0]
    response = amal.post(url(proposal_id, f"comments/{parent.id}/reply"), {"body": "I agree, one year."},
                         token_from=url(proposal_id, f"comments/{parent.id}/"))
    assert response.status_code == 303
    reply = comments(app)[1]
    assert reply.parent_id == parent.id and reply.section == "retention"
    # Replies to replies are refused: one level only.
    response = amal.post(url(proposal_id, f"comments/{reply.id}/reply"), {"body": "A reply to a reply"},
                         token_from=url(proposal_id), follow_redirects=True)
    assert "You can reply only to a comment on this proposal." in response.get_data(as_text=True)
    assert len(comments(app)) == 2
    # Editing someone else's comment is forbidden; your own works.
    assert amal.post(url(proposal_id, f"comments/{parent.id}/edit"), {"body": "hijacked!"}).status_code == 403
    assert lucia.post(url(proposal_id, f"comments/{parent.id}/edit"), {"body": "Five years is too long."}).status_code == 303
    assert comments(app)[0].body == "Five years is too long." and comments(app)[0].edited_at
    assert amal.post(url(proposal_id, f"comments/{parent.id}/withdraw"), {},
                     token_from=url(proposal_id)).status_code == 403
    assert lucia.post(url(proposal_id, f"comments/{parent.id}/withdraw"), {},
                      token_from=url(proposal_id)).status_code == 303
    withdrawn = comments(app)[0]
    assert withdrawn.body == "" and withdrawn.withdrawn_at is not None
    page = lucia.get(url(proposal_id)).get_data(as_text=True)
    assert "The author withdrew this comment." in page
    assert "2 comments so far." in page  # the fact stays in the counts


def test_edit_window_closes_after_15_minutes(app, make_user, proposal_id):
    lucia = signed_in(app, make_user, "lucia")
    post(lucia, proposal_id)
    comment_id = comments(app)[0].id
    with app.app_context():
        db.session.get(Comment, comment_id).created_at = utcnow() - timedelta(minutes=16)
        db.session.commit()
    response = lucia.post(url(proposal_id, f"comments/{comment_id}/edit"), {"body": "Too late to change"})
    assert response.status_code == 422
    assert "15 minutes" in response.get_data(as_text=True)
    assert comments(app)[0].body.startswith("Three years")


def test_me_too_once_per_person_and_not_on_your_own(app, make_user, proposal_id):
    lucia = signed_in(app, make_user, "lucia")
    amal = signed_in(app, make_user, "amal")
    post(lucia, proposal_id)
    comment_id = comments(app)[0].id
    metoo = url(proposal_id, f"comments/{comment_id}/metoo")
    for _ in range(2):
        assert amal.post(metoo, {}, token_from=url(proposal_id)).status_code == 303
    response = lucia.post(metoo, {}, token_from=url(proposal_id), follow_redirects=True)
    assert "You cannot say “me too” to your own comment." in response.get_data(as_text=True)
    assert comments(app)[0].metoo_count == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(MeToo.id))) == 1
    page = amal.get(url(proposal_id)).get_data(as_text=True)
    # One person is fewer than the threshold (2 here): the count of people is not shown.
    assert "Fewer than 2 people say “me too”" in page and "You said “me too”" in page
    assert "1 person says" not in page
    jordan = signed_in(app, make_user, "jordan")
    jordan.post(metoo, {}, token_from=url(proposal_id))
    assert "2 people say “me too”" in amal.get(url(proposal_id)).get_data(as_text=True)


def test_filters_and_sorting(app, make_user, client, proposal_id):
    lucia = signed_in(app, make_user, "lucia", group=StakeholderGroup.FAMILY)
    jordan = signed_in(app, make_user, "jordan", group=StakeholderGroup.STUDENT)
    post(lucia, proposal_id, body="Family concern about retention")
    post(jordan, proposal_id, kind="question", section="access", body="Student question about access",
         language="en")
    page = client.get(url(proposal_id) + "?group=student").get_data(as_text=True)
    assert "Student question about access" in page and "Family concern" not in page
    page = client.get(url(proposal_id) + "?kind=concern&section=retention&language=es").get_data(as_text=True)
    assert "Family concern" in page and "Student question" not in page
    page = client.get(url(proposal_id) + "?kind=nonsense&group=aliens&sort=evil").get_data(as_text=True)
    assert "Family concern" in page and "Student question" in page


def _lucia_comments(app, make_user, proposal_id: int, count: int, text: str) -> None:
    """count comments by lucia, numbered from 00: "<text> 00", "<text> 01", ..."""
    from codesign.accounts.service import find_user_by_login
    from codesign.comments.service import post_comment
    from codesign.proposals.models import Proposal

    make_user("lucia")
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        user = find_user_by_login("lucia")
        for n in range(count):
            post_comment(proposal, user, kind="concern", section="general", body=f"{text} {n:02d}", language="en")


def _more_link(html: str) -> str | None:
    """Where the page's "show more" link leads, or None when there is no more."""
    found = re.search(r'<a href="([^"]*/comments/\?[^"]*)" data-hx-get', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_show_more_pages_by_20_with_and_without_htmx(app, make_user, client, proposal_id, count_queries):
    _lucia_comments(app, make_user, proposal_id, 45, "Comment body")
    page = client.get(url(proposal_id)).get_data(as_text=True)
    assert page.count('class="comment"') == 20
    assert "Comment body 44" in page and "Comment body 24" not in page
    more_url = _more_link(page)
    assert more_url.startswith(f"/d/riverside/proposals/{proposal_id}/comments/?offset=20&after=")
    more = client.get(more_url)
    assert "<html" in more.get_data(as_text=True) and "Comment body 24" in more.get_data(as_text=True)
    assert 'start="21"' in more.get_data(as_text=True)  # numbered on from the first page
    fragment = client.get(more_url, headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and text.count('class="comment"') == 20
    assert "Comment body 24" in text and "Comment body 05" in text and "Comment body 04" not in text
    assert "offset=40&amp;after=" in text and "HX-Request" in fragment.headers["Vary"]
    last_url = _more_link(text)
    last = client.get(last_url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert last.count('class="comment"') == 5 and "Show more comments" not in last
    # A link from before the cursors (offset only) still works.
    older = client.get(url(proposal_id, "comments/?offset=40"), headers={"HX-Request": "true"}).get_data(as_text=True)
    assert older.count('class="comment"') == 5


@pytest.mark.parametrize("sort", ["newest", "metoo"])
def test_show_more_by_cursor_pages_like_offset_and_never_skips(app, make_user, client, proposal_id, sort):
    """Following "show more" page by page gives every comment once, in the same order as
    numbered pages would, even with many comments on the same me-too count; and the query that
    finds a later page starts from the cursor, not by skipping rows (OFFSET)."""
    from codesign.comments.models import Comment

    _lucia_comments(app, make_user, proposal_id, 53, "Cursor comment")
    with app.app_context():
        ids = list(db.session.scalars(sa.select(Comment.id).where(Comment.proposal_id == proposal_id)
                                      .order_by(Comment.id)))
        for index, comment_id in enumerate(ids):  # many ties: counts 0, 1 and 2
            db.session.execute(sa.update(Comment).where(Comment.id == comment_id).values(metoo_count=index % 3))
        db.session.commit()
    suffix = "?sort=metoo" if sort == "metoo" else ""
    queries = []
    with app.app_context():
        engine = db.engine

    def record(_connection, _cursor, statement, parameters, *rest):
        queries.append((statement, parameters))

    page = client.get(url(proposal_id, "comments/" + suffix)).get_data(as_text=True)
    seen = re.findall(r"Cursor comment (\d\d)", page)
    while (more_url := _more_link(page)) is not None:
        assert "after=" in more_url and ("metoo=" in more_url) == (sort == "metoo")
        queries.clear()
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            page = client.get(more_url, headers={"HX-Request": "true"}).get_data(as_text=True)
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        listing = [(q, p) for q, p in queries if "FROM comment" in q and "LIMIT" in q]
        # The page is found from the cursor; SQLite writes "OFFSET 0" after every LIMIT.
        assert len(listing) == 1 and "comment.id <" in listing[0][0], listing
        assert "OFFSET" not in listing[0][0] or list(listing[0][1])[-1] == 0, listing
        seen += re.findall(r"Cursor comment (\d\d)", page)
    expected = [f"{n:02d}" for n in range(52, -1, -1)]
    if sort == "metoo":
        expected.sort(key=lambda n: (-(int(n) % 3), -int(n)))
    assert seen == expected


def test_proposal_page_costs_the_same_at_5_and_5000_comments_and_stays_small(
        app, make_user, client, proposal_id, count_queries):
    import gzip

    from codesign.accounts.service import find_user_by_login
    from codesign.proposals.models import Proposal

    make_user("lucia")
    make_user("amal")

    def add(count):
        with app.app_context():
            proposal = db.session.get(Proposal, proposal_id)
            lucia, amal = find_user_by_login("lucia"), find_user_by_login("amal")
            base = dict(proposal_id=proposal.id, version_id=proposal.current_version_id, kind="concern",
                        section="retention", language="es", channel="online", metoo_count=3,
                        official_answer="", disposition="open", disposition_reason="",
                        created_at=utcnow())
            db.session.execute(sa.insert(Comment), [
                dict(base, author_id=lucia.id, stakeholder_group="family",
                     body=f"Bulk comment number {n}: three years is far too long to keep this.")
                for n in range(count)])
            parents = db.session.scalars(sa.select(Comment.id).order_by(Comment.id.desc()).limit(25)).all()
            db.session.execute(sa.insert(Comment), [
                dict(base, author_id=amal.id, stakeholder_group="student", parent_id=parent,
                     body="A reply that agrees with this comment.") for parent in parents])
            db.session.commit()

    def measure(browser):
        with count_queries() as counter:
            response = browser.get(url(proposal_id))
        assert response.status_code == 200
        return counter["n"], len(gzip.compress(response.get_data()))

    amal = Browser(app.test_client())
    amal.sign_in("amal")
    add(5)
    small = measure(amal)[0], measure(Browser(client))[0]
    add(4995)
    signed_in_queries, signed_in_bytes = measure(amal)
    guest_queries, guest_bytes = measure(Browser(client))
    assert (signed_in_queries, guest_queries) == small
    assert signed_in_bytes <= 14 * 1024, signed_in_bytes
    assert guest_bytes <= 14 * 1024, guest_bytes


def test_staff_answer_and_set_status(app, make_user, client, proposal_id):
    lucia = signed_in(app, make_user, "lucia")
    post(lucia, proposal_id)
    post(lucia, proposal_id, body="The same worry again, about retention.")
    first, second = (c.id for c in comments(app))
    staff = Browser(app.test_client())
    staff.sign_in("staff")
    comment_url = url(proposal_id, f"comments/{first}/")
    assert staff.post(url(proposal_id, f"comments/{first}/answer"),
                      {"answer": "We are shortening it to one year."}, token_from=comment_url).status_code == 303
    page = client.get(url(proposal_id)).get_data(as_text=True)
    assert "The district's answer" in page and "We are shortening it to one year." in page
    assert "Status: Answered" in page
    response = staff.post(url(proposal_id, f"comments/{first}/disposition"),
                          {"disposition": "out_of_scope", "reason": ""}, token_from=comment_url,
                          follow_redirects=True)
    assert "Give a reason when you mark a comment out of scope." in response.get_data(as_text=True)
    assert comments(app)[0].disposition == Disposition.ANSWERED
    dup_url = url(proposal_id, f"comments/{second}/")
    response = staff.post(url(proposal_id, f"comments/{second}/disposition"),
                          {"disposition": "duplicate", "duplicate_of": str(first)}, token_from=dup_url)
    assert response.status_code == 303
    assert comments(app)[1].disposition == Disposition.DUPLICATE and comments(app)[1].duplicate_of_id == first
    response = staff.post(url(proposal_id, f"comments/{second}/disposition"),
                          {"disposition": "duplicate", "duplicate_of": "999999"}, token_from=dup_url,
                          follow_redirects=True)
    assert "Enter the number of another comment on this proposal." in response.get_data(as_text=True)


def test_participants_may_not_answer_or_set_status(app, make_user, proposal_id):
    lucia = signed_in(app, make_user, "lucia")
    post(lucia, proposal_id)
    comment_id = comments(app)[0].id
    for action, data in (("answer", {"answer": "Official!"}), ("disposition", {"disposition": "answered"})):
        response = lucia.post(url(proposal_id, f"comments/{comment_id}/{action}"), data, token_from=url(proposal_id))
        assert response.status_code == 403
    comment = comments(app)[0]
    assert comment.official_answer == "" and comment.disposition == Disposition.OPEN


def test_commenters_by_group_are_suppressed(app, make_user, client, proposal_id):
    for n in range(3):
        post(signed_in(app, make_user, f"family{n}", group=StakeholderGroup.FAMILY), proposal_id)
    post(signed_in(app, make_user, "student0", group=StakeholderGroup.STUDENT), proposal_id)
    page = client.get(url(proposal_id)).get_data(as_text=True)
    who = page[page.index("Who commented"):page.index("Who commented") + 1500]
    # threshold 2: one student is hidden, and the families too, or 4 - 3 would reveal them
    assert "fewer than 2" in who and "not shown" in who


def test_flag_a_comment_once_with_a_reason(app, make_user, proposal_id):
    from codesign.comments.models import Flag, FlagReason

    lucia = signed_in(app, make_user, "lucia")
    amal = signed_in(app, make_user, "amal")
    post(lucia, proposal_id, body="My neighbour Sam Ortiz agrees with this")
    comment_id = comments(app)[0].id
    flag_url = url(proposal_id, f"comments/{comment_id}/flag")
    page_url = url(proposal_id, f"comments/{comment_id}/")
    response = amal.post(flag_url, {"reason": "bogus"}, token_from=page_url, follow_redirects=True)
    assert "Not a valid choice." in response.get_data(as_text=True)
    for _ in range(2):
        assert amal.post(flag_url, {"reason": "personal_information", "note": "A phone number"},
                         token_from=page_url).status_code == 303
    response = lucia.post(flag_url, {"reason": "spam"}, token_from=page_url, follow_redirects=True)
    assert "You cannot flag your own comment" in response.get_data(as_text=True)
    with app.app_context():
        flags = db.session.execute(sa.select(Flag.reason, Flag.note)).all()
    assert flags == [(FlagReason.PERSONAL_INFORMATION, "A phone number")]
    staff = Browser(app.test_client())
    staff.sign_in("staff")
    page = staff.get(page_url).get_data(as_text=True)
    assert "Reported 1 time" in page and "It shares someone&#39;s personal information" in page
    assert "Reported 1 time" not in amal.get(page_url).get_data(as_text=True)


def test_ten_megabytes_of_text_is_refused_with_a_translated_page(app, make_user, proposal_id):
    lucia = signed_in(app, make_user, "lucia")
    response = post(lucia, proposal_id, body="x" * (10 * 1024 * 1024))
    assert response.status_code == 413
    assert "That was too much to send at once" in response.get_data(as_text=True)
    assert comments(app) == []


def test_draft_proposals_take_no_comments(app, make_user, staff_draft_id):
    lucia = signed_in(app, make_user, "lucia")
    response = lucia.post(url(staff_draft_id, "comments/"), COMMENT, token_from="/d/riverside/")
    assert response.status_code == 404
    assert comments(app) == []


@pytest.fixture
def staff_draft_id(app, proposal_id):
    from codesign.accounts.service import find_user_by_login
    from codesign.districts.service import get_district

    with app.app_context():
        return proposals.create_proposal(get_district("riverside"), find_user_by_login("staff"), CARD).id
