"""Pieces kept in the fragment cache (codesign/fragments.py: comment rows, the comment form and
filters, the vote counts, the moderation queue's items and their forms) read exactly as pieces
made fresh: for every reader and language, and after any change to a comment or to what its row
shows; forms kept carry each reader's own token."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from codesign.extensions import db
from tests.conftest import Browser

TOKEN = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
DEMO_PASSWORD = "codesign-demo"


@pytest.fixture
def demo_proposal(app, demo_data):
    from codesign.proposals.models import Proposal, ProposalVersion

    with app.app_context():
        return db.session.scalar(
            sa.select(Proposal.id).join(ProposalVersion, ProposalVersion.id == Proposal.current_version_id)
            .where(ProposalVersion.title == "Attendance early-warning dashboard"))


def reader(app, who):
    browser = Browser(app.test_client())
    if who:
        browser.sign_in(who, DEMO_PASSWORD)
    return browser


def page(app, browser, url, *, kept: bool) -> str:
    """The page with rows from the cache (made once, then read back) or made fresh."""
    cache = app.extensions.pop("codesign.fragments")
    try:
        if kept:
            app.extensions["codesign.fragments"] = cache
            browser.get(url)  # (fills the cache)
            hits = cache.hits
        html = browser.get(url).get_data(as_text=True)
        if kept:
            assert cache.hits > hits, "the second view read no row from the cache"
    finally:
        app.extensions["codesign.fragments"] = cache
    return TOKEN.sub("", html)


def assert_same(app, browser, url):
    kept, fresh = page(app, browser, url, kept=True), page(app, browser, url, kept=False)
    assert kept == fresh


@pytest.mark.parametrize("who", [None, "lucia", "amal", "staff"])
def test_kept_rows_read_as_fresh_ones_for_every_reader_and_language(app, demo_proposal, who):
    browser = reader(app, who)
    for lang in ("en", "ar", "vi"):  # (each after the rows of the one before were kept)
        for url in (f"/d/riverside/proposals/{demo_proposal}/?lang={lang}",
                    f"/d/riverside/proposals/{demo_proposal}/?kind=concern&section=retention&lang={lang}",
                    f"/d/riverside/proposals/{demo_proposal}/comments/?sort=metoo&lang={lang}"):
            assert_same(app, browser, url)


def _comment(proposal_id, n=0, *where):
    from codesign.comments.models import Comment

    return db.session.scalars(sa.select(Comment).where(
        Comment.proposal_id == proposal_id, Comment.parent_id.is_(None), *where).order_by(Comment.id.desc())
        .offset(n).limit(1)).one()


def _hide(pid):
    from codesign.comments.models import HideCategory, Moderation

    comment = _comment(pid, 0)
    comment.moderation, comment.hidden_category = Moderation.HIDDEN, HideCategory.OFF_TOPIC


def _hold_lucias_comment(pid):
    from codesign.accounts.service import find_user_by_login
    from codesign.comments.models import Moderation

    comment = _comment(pid, 1)
    comment.author_id = find_user_by_login("lucia").id
    comment.moderation, comment.moderated_body, comment.held_for = Moderation.HELD, "Call 555-0100", "phone"


def _withdraw(pid):
    from codesign.db import utcnow

    _comment(pid, 2).withdrawn_at = utcnow()


def _edit(pid):
    from codesign.db import utcnow

    comment = _comment(pid, 3)
    comment.body, comment.edited_at = comment.body + " (and one more thing)", utcnow()


def _redact(pid):
    from codesign.comments.models import HideCategory
    from codesign.db import utcnow

    comment = _comment(pid, 4)
    comment.body, comment.redacted_at, comment.redaction_category = "[removed]", utcnow(), HideCategory.PERSONAL_INFORMATION


def _answer(pid):
    from codesign.comments.models import Disposition

    comment = _comment(pid, 5)
    comment.official_answer, comment.disposition = "We will keep it for one year.", Disposition.ANSWERED


def _me_too_past_the_threshold(pid):
    _comment(pid, 6).metoo_count = 25


def _fewer_me_toos(pid):
    _comment(pid, 6).metoo_count = 2


def _answered_in_the_log(pid):
    from codesign.responselog.models import ResponseEntry

    entry = db.session.scalars(sa.select(ResponseEntry).where(ResponseEntry.published_at.is_not(None))
                               .order_by(ResponseEntry.id).limit(1)).one()
    _comment(pid, 7).addressed_in_id = entry.id


def _reply(pid):
    from codesign.accounts.service import find_user_by_login
    from codesign.comments.models import Comment, Kind, Moderation

    parent = _comment(pid, 0, Comment.moderation == Moderation.VISIBLE)
    db.session.add(Comment(proposal_id=pid, version_id=parent.version_id, author_id=find_user_by_login("amal").id,
                           parent_id=parent.id, kind=Kind.QUESTION, section=parent.section,
                           stakeholder_group=parent.stakeholder_group, language="ar", body="هل هذا صحيح؟"))


def _rename_the_session(pid):
    from codesign.comments.models import Comment
    from codesign.community.models import Session

    said = _comment(pid, 0, Comment.session_id.is_not(None))
    db.session.get(Session, said.session_id).title = "Evening listening session (renamed)"


def _district(pid, **values):
    from codesign.districts.models import District

    district = db.session.scalars(sa.select(District).where(District.slug == "riverside")).one()
    for name, value in values.items():
        setattr(district, name, value)


def _older(pid):
    comment = _comment(pid, 8)
    comment.created_at = comment.created_at - timedelta(days=40)


def _more_votes(pid):
    from codesign.accounts.models import StakeholderGroup
    from codesign.proposals.models import Proposal
    from codesign.votes.models import Stance, VoteCount

    version_id = db.session.get(Proposal, pid).current_version_id
    counted = db.session.get(VoteCount, (version_id, Stance.SUPPORT, StakeholderGroup.FAMILY))
    if counted is None:
        db.session.add(VoteCount(version_id=version_id, stance=Stance.SUPPORT, stakeholder_group=StakeholderGroup.FAMILY,
                                 votes=40))
    else:
        counted.votes += 40


CHANGES = {
    "hidden": _hide, "held for its author": _hold_lucias_comment, "withdrawn": _withdraw, "edited": _edit,
    "redacted": _redact, "answered": _answer, "me too past the threshold": _me_too_past_the_threshold,
    "fewer me toos": _fewer_me_toos, "answered in the log": _answered_in_the_log, "a reply": _reply,
    "the session renamed": _rename_the_session, "dated earlier": _older,
    "the threshold raised": lambda pid: _district(pid, suppression_threshold=30),
    "the district's language": lambda pid: _district(pid, default_locale="es"),
    "more votes": _more_votes,
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_changed_row_is_never_read_from_the_cache(app, demo_proposal, change):
    """Every reader sees each change at once, whatever rows were kept before it."""
    readers = [reader(app, who) for who in (None, "lucia", "staff")]
    url = f"/d/riverside/proposals/{demo_proposal}/"
    before = [page(app, browser, url, kept=True) for browser in readers]
    with app.app_context():
        CHANGES[change](demo_proposal)
        db.session.commit()
    for browser, old in zip(readers, before, strict=True):
        kept, fresh = page(app, browser, url, kept=True), page(app, browser, url, kept=False)
        assert kept == fresh
        assert fresh != old, "the change did not show on the page (the test would prove nothing)"


def test_a_held_comment_is_shown_with_its_words_to_its_author_only(app, demo_proposal):
    with app.app_context():
        _hold_lucias_comment(demo_proposal)
        db.session.commit()
    url = f"/d/riverside/proposals/{demo_proposal}/?lang=en"
    lucia, amal = reader(app, "lucia"), reader(app, "amal")
    for _ in range(2):  # and again, when rows were kept
        assert "Call 555-0100" in lucia.get(url).get_data(as_text=True)
        assert "Call 555-0100" not in amal.get(url).get_data(as_text=True)
        assert "Call 555-0100" not in Browser(app.test_client()).get(url).get_data(as_text=True)


def test_a_new_time_zone_redates_kept_rows(app, demo_proposal):
    from datetime import datetime, timezone

    with app.app_context():
        _comment(demo_proposal, 0).created_at = datetime(2026, 3, 5, 3, 30, tzinfo=timezone.utc)  # (4 March in LA)
        _district(demo_proposal, timezone="America/Los_Angeles")
        db.session.commit()
    browser, url = reader(app, None), f"/d/riverside/proposals/{demo_proposal}/?lang=en"
    before = page(app, browser, url, kept=True)
    with app.app_context():
        _district(demo_proposal, timezone="Pacific/Kiritimati")
        db.session.commit()
    kept, fresh = page(app, browser, url, kept=True), page(app, browser, url, kept=False)
    assert kept == fresh and fresh != before


def test_the_cache_keeps_the_most_recently_read_pieces_up_to_its_size():
    from codesign.fragments import FragmentCache, digest

    cache = FragmentCache(2)
    first, second, third = digest("a"), digest("b"), digest(("a",))
    assert len({first, second, third}) == 3
    cache.put(first, "1")
    cache.put(second, "2")
    assert cache.get(first) == "1"  # (now the most recently read)
    cache.put(third, "3")
    assert cache.get(second) is None and cache.get(first) == "1" and cache.get(third) == "3"
    assert len(cache.pieces) == 2


def test_with_the_cache_off_pages_render_every_row(other_app, demo_data, demo_proposal):
    app = other_app(FRAGMENT_CACHE_SIZE="0")
    assert "codesign.fragments" not in app.extensions
    html = app.test_client().get(f"/d/riverside/proposals/{demo_proposal}/").get_data(as_text=True)
    assert html.count('class="comment__footer"') == 20


def test_a_row_key_reads_the_same_columns_whether_loaded_or_not(app, demo_proposal):
    from codesign.comments.fragments import COLUMNS, comment_columns

    with app.app_context():
        comment = _comment(demo_proposal, 0)
        loaded = comment_columns(comment)
        db.session.expire(comment, ["body", "metoo_count"])
        assert "body" not in comment.__dict__
        assert comment_columns(comment) == loaded == tuple(getattr(comment, name) for name in COLUMNS)
        assert len(COLUMNS) > 20 and "moderated_body" in COLUMNS and "hidden_category" in COLUMNS


def test_a_refused_comment_comes_back_with_what_was_typed_not_the_kept_blank_form(app, demo_proposal):
    from tests.conftest import csrf_from

    lucia = reader(app, "lucia")
    url = f"/d/riverside/proposals/{demo_proposal}/"
    blank = lucia.get(url)
    lucia.get(url)  # (the blank form's fields are kept now)
    response = lucia.client.post(url + "comments/", data={
        "csrf_token": csrf_from(blank), "kind": "question", "section": "retention", "language": "es", "body": "¿?"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "¿?</textarea>" in html and 'class="form-errors"' in html
    chosen = [tag for tag in re.findall(r"<input[^>]*>", html) if 'name="kind"' in tag and "checked" in tag]
    assert len(chosen) == 1 and 'value="question"' in chosen[0], chosen
    assert "¿?</textarea>" not in lucia.get(url).get_data(as_text=True)


def test_only_a_form_nobody_posted_is_kept(app, make_district):
    from codesign.comments.forms import CommentForm
    from codesign.districts.service import load_district_or_404
    from codesign.fragments import blank_form_key

    make_district()
    with app.test_request_context("/d/riverside/"):
        load_district_or_404("riverside")
        blank = CommentForm()
        assert isinstance(blank_form_key(blank), bytes)
        blank.form_errors.append("This proposal is closed.")  # (an error of the service, not of a field)
        assert blank_form_key(blank) is None
    with app.test_request_context("/d/riverside/", method="POST", data={"body": "hello"}):
        load_district_or_404("riverside")
        assert blank_form_key(CommentForm()) is None


def test_a_key_refuses_values_whose_repr_is_not_their_content(app, demo_proposal):
    from codesign.fragments import digest

    with app.app_context():
        comment = _comment(demo_proposal, 0)
        assert digest("row", (1, "two", None), {"a": [1.5]}) == digest("row", (1, "two", None), {"a": [1.5]})
        with pytest.raises(TypeError):
            digest("row", comment)  # (its repr is its address)
        with pytest.raises(TypeError):
            digest("row", {"nested": [object()]})


# ---------------------------------------------------------------- the moderation queue

MODERATION = "/d/riverside/moderation/"
ANY_TOKEN = re.compile(r'name="[\w-]*csrf_token" type="hidden" value="([^"]+)"')


def queue_page(app, browser, *, kept: bool, url: str = MODERATION) -> str:
    html = page(app, browser, url, kept=kept)
    assert html.count('class="queue-item"') >= 3, "the demo's queue is empty (the test would prove nothing)"
    return ANY_TOKEN.sub("", html)


def _held(pid):
    from codesign.comments.models import Comment, Moderation

    return db.session.scalars(sa.select(Comment).where(Comment.moderation == Moderation.HELD)
                              .order_by(Comment.id)).first()


def _report_again(pid):
    from codesign.comments.models import Flag, FlagReason
    from codesign.moderation.service import queue

    with_reports = [item.comment for item in queue(_riverside()).flagged]
    db.session.add(Flag(comment_id=with_reports[0].id, user_id=_held(pid).author_id, reason=FlagReason.OFF_TOPIC,
                        note="A second report, just now"))


def _riverside():
    from codesign.districts.models import District

    return db.session.scalars(sa.select(District).where(District.slug == "riverside")).one()


def _retitle(pid):
    from codesign.proposals.models import Proposal, ProposalVersion

    proposal = db.session.get(Proposal, _held(pid).proposal_id)
    db.session.get(ProposalVersion, proposal.current_version_id).title += " (renamed)"


def _reword_held(pid):
    _held(pid).moderated_body += " And one more sentence."


QUEUE_CHANGES = {"reported again": _report_again, "its proposal renamed": _retitle,
                 "a held comment reworded": _reword_held,
                 "the district's time zone": lambda pid: _district(pid, timezone="Pacific/Kiritimati")}


def test_kept_queue_items_read_as_fresh_ones_in_every_language(app, demo_proposal):
    staff = reader(app, "staff")
    for lang in ("en", "ar", "vi"):
        url = f"{MODERATION}?lang={lang}"
        assert queue_page(app, staff, url=url, kept=True) == queue_page(app, staff, url=url, kept=False)


@pytest.mark.parametrize("change", list(QUEUE_CHANGES))
def test_a_changed_queue_item_is_never_read_from_the_cache(app, demo_proposal, change):
    staff = reader(app, "staff")
    before = queue_page(app, staff, kept=True)
    with app.app_context():
        QUEUE_CHANGES[change](demo_proposal)
        db.session.commit()
    kept, fresh = queue_page(app, staff, kept=True), queue_page(app, staff, kept=False)
    assert kept == fresh
    assert fresh != before, "the change did not show on the page (the test would prove nothing)"


def test_each_moderator_finds_their_own_token_in_the_kept_forms_and_it_works(app, demo_proposal, make_user):
    from codesign.comments.models import Comment, Moderation
    from codesign.districts.models import Role

    with app.app_context():
        riverside = _riverside()
    make_user("second-moderator", roles={riverside: [Role.STAFF]})
    first = reader(app, "staff")
    first_tokens = set(ANY_TOKEN.findall(first.get(MODERATION).get_data(as_text=True)))
    second = Browser(app.test_client())
    second.sign_in("second-moderator")
    hits = app.extensions["codesign.fragments"].hits
    html = second.get(MODERATION).get_data(as_text=True)
    assert app.extensions["codesign.fragments"].hits > hits, "no item was read from the cache"
    tokens = ANY_TOKEN.findall(html)
    assert len(tokens) > 3 and len(set(tokens)) == 1 and not set(tokens) & first_tokens
    # The token in a kept form publishes a held comment for the moderator whose page it is on.
    found = re.search(r'action="/d/riverside/moderation/(\d+)/hide" novalidate>\s*<input name="hide-\1-csrf_token" '
                      r'type="hidden" value="([^"]+)"', html)
    held_id = int(found.group(1))
    response = second.client.post(f"{MODERATION}{held_id}/publish", data={"csrf_token": found.group(2)})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Comment, held_id).moderation == Moderation.VISIBLE


def test_a_refused_redaction_comes_back_as_typed_though_its_forms_were_kept(app, demo_proposal):
    staff = reader(app, "staff")
    staff.get(MODERATION)
    html = staff.get(MODERATION).get_data(as_text=True)  # (every item's forms are kept now)
    held_id = int(re.search(r'action="/d/riverside/moderation/(\d+)/redact"', html).group(1))
    token = ANY_TOKEN.search(html).group(1)
    response = staff.client.post(f"{MODERATION}{held_id}/redact", data={
        "csrf_token": token, f"redact-{held_id}-passages": "words that are not in it",
        f"redact-{held_id}-category": "personal_information"})
    refused = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "words that are not in it</textarea>" in refused and 'class="form-errors"' in refused
    assert "<details open>" in refused
    assert "words that are not in it" not in staff.get(MODERATION).get_data(as_text=True)


def test_a_comment_published_then_reported_is_offered_the_reported_items_actions(app, demo_proposal, make_user):
    from codesign.comments.models import Flag, FlagReason

    staff = reader(app, "staff")
    html = staff.get(MODERATION).get_data(as_text=True)  # (its actions as a held comment are kept)
    held_id = int(re.search(r'action="/d/riverside/moderation/(\d+)/publish"', html).group(1))
    assert staff.post(f"{MODERATION}{held_id}/publish", token_from=MODERATION).status_code == 303
    with app.app_context():
        db.session.add(Flag(comment_id=held_id, user_id=make_user("reader").id, reason=FlagReason.OFF_TOPIC))
        db.session.commit()
    html = staff.get(MODERATION).get_data(as_text=True)
    assert f'action="/d/riverside/moderation/{held_id}/keep"' in html
    assert f'action="/d/riverside/moderation/{held_id}/publish"' not in html
