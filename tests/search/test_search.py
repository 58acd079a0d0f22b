"""Search through the app, against each engine: languages, filters, what is never shown,
bad input, and the index keeping up with changes."""
import re
import time

import pytest
import sqlalchemy as sa

from codesign.extensions import db
from tests.conftest import Browser
from tests.search.conftest import catch_up, comment, search

RESULT = re.compile(r'<li class="search-result">(.*?)</li>', re.S)


def results(page: str) -> list[str]:
    return RESULT.findall(page)


def links(page: str) -> list[str]:
    return re.findall(r'<h3 class="search-result__title"><a href="([^"]+)"', page)


def test_every_kind_of_content_is_found_and_links_to_its_place(app, world):
    page = search(app, "retention")
    found = links(page)
    assert f"/d/riverside/proposals/{world['proposal']}/comments/{world['comment_en']}/" in found  # the permalink
    assert f"/d/riverside/log/{world['entry_sequence']}" in found
    assert f"/d/riverside/surveys/{world['survey']}/" in found
    assert f"/d/riverside/sessions/{world['session']}/" in found
    assert "<mark>retention</mark>" in page
    proposal_page = search(app, "principals")  # in the proposal's summary
    assert f"/d/riverside/proposals/{world['proposal']}/" in links(proposal_page)


def test_each_language_is_matched_in_its_own_way(app, world):
    # Spanish stemming: "correr" finds "corriendo"; accents are optional.
    assert f"comments/{world['comment_es']}/" in "".join(links(search(app, "correr")))
    assert f"comments/{world['comment_es']}/" in "".join(links(search(app, "calificacion")))
    assert "<mark>corriendo</mark>" in search(app, "correr")
    # English stemming: "records" finds "record".
    assert f"comments/{world['comment_en']}/" in "".join(links(search(app, "record")))
    # Chinese and Korean are found by words inside unbroken text.
    assert f"comments/{world['comment_zh']}/" in "".join(links(search(app, "出勤记录")))
    assert f"comments/{world['comment_ko']}/" in "".join(links(search(app, "출석")))
    # Vietnamese word for word; Arabic in its script.
    assert f"comments/{world['comment_vi']}/" in "".join(links(search(app, "dữ liệu")))
    assert f"comments/{world['comment_ar']}/" in "".join(links(search(app, "المدرسة")))
    # Translations are searched too, and open in their language.
    assert f"/d/riverside/proposals/{world['proposal']}/?lang=es" in links(search(app, "escolar"))


def test_a_question_in_spanish_finds_the_comment_that_asks_it(app, world):
    page = search(app, "¿quién puede ver las calificaciones?")
    assert f"comments/{world['comment_es']}/" in links(page)[0]


def test_what_is_not_public_never_appears(app, world):
    from codesign.accounts.service import find_user_by_login
    from codesign.proposals import service as proposals
    from codesign.proposals.models import Proposal

    with app.app_context():  # a revision being drafted is not public either
        proposal = db.session.get(Proposal, world["proposal"])
        proposals.start_revision(proposal, find_user_by_login("staff"))
        proposals.update_draft(proposals.draft_of(proposal), {"summary": "A zebra in the next version."})
    catch_up(app)
    for word in ("zebra", "Zebra crossing", "secret"):
        page = search(app, word)
        assert results(page) == [], word
    # Nor through the filters, nor across districts.
    assert results(search(app, "zebra", url="/search", type="survey")) == []


def test_filters_narrow_the_results(app, world):
    only_comments = search(app, "retention", type="comment")
    assert links(only_comments) and all("/comments/" in link for link in links(only_comments))
    spanish = search(app, "asistencia", language="es")
    assert links(spanish) and all("lang=es" in link or "/comments/" in link for link in links(spanish))
    concerns = search(app, "records", type="comment", kind="question")
    assert links(concerns) == []  # the English comment is a concern, not a question
    by_part = search(app, "retention", type="comment", section="retention")
    assert f"comments/{world['comment_en']}/" in "".join(links(by_part))
    assert results(search(app, "retention", type="comment", group="student")) == []
    assert links(search(app, "retention", proposal=str(world["proposal"])))
    assert results(search(app, "retention", proposal="999999")) == []


def test_bad_input_gives_results_or_a_clear_message(app, world):
    assert "Type a word or two" in search(app, "")
    assert "Type a word or two" in search(app, "   ")
    long_page = search(app, "retention " * 1000)  # 10,000 characters
    assert "only its beginning was used" in long_page and links(long_page)
    for hostile in ('retention AND', '"retention', "retention*", "(retention", "retention) OR (",
                    "'; DROP TABLE comment; --", "1=1 OR retention", "<script>alert(1)</script>",
                    "{{7*7}}", "\u202eretention", "retention\u200b", "المدرسة retention 出勤"):
        page = search(app, hostile)
        assert "<script>alert(1)</script>" not in page
    assert "too common" in search(app, "the and of")
    assert "too common" in search(app, "* ( ) \" AND")
    page = search(app, "retention", type="bogus", kind="nope", proposal="abc")
    assert "was not one we know" in page and links(page)
    with app.app_context():
        from codesign.comments.models import Comment

        assert db.session.scalar(sa.select(sa.func.count(Comment.id))) >= 7  # nothing was dropped


def test_results_are_paginated(app, world, make_user):
    comment(app, world["proposal"], *(f"Suggestion number {n} about the purpose of the dashboard." for n in range(14)))
    catch_up(app)
    first = search(app, "suggestion")
    assert "14 results" in first and len(results(first)) == 10 and 'rel="next"' in first
    second = search(app, "suggestion", page="2")
    assert len(results(second)) == 4 and 'rel="prev"' in second


def test_live_results_are_a_fragment_of_the_same_page(app, world):
    browser = Browser(app.test_client())
    fragment = browser.get("/d/riverside/search", query_string={"q": "retention"}, headers={"HX-Request": "true", "HX-Target": "search-results"})
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="search-results"') and "<html" not in body
    boosted = browser.get("/d/riverside/search", query_string={"q": "retention"},
                          headers={"HX-Request": "true", "HX-Boosted": "true"}).get_data(as_text=True)
    assert "<h1>" in boosted  # a boosted form (the header's search box) gets the whole page
    full = search(app, "retention")
    assert 'data-hx-get="/d/riverside/search"' in full and 'role="search"' in full and 'id="search-results"' in full


def test_across_all_districts_and_the_header_box(app, world):
    page = search(app, "retention", url="/search")
    assert links(page) and "Riverside" in page
    home = Browser(app.test_client()).get("/d/riverside/").get_data(as_text=True)
    assert 'action="/d/riverside/search"' in home


def test_changes_reach_the_index_through_the_outbox(app, world):
    from codesign.accounts.service import find_user_by_login
    from codesign.comments import service as comments
    from codesign.comments.models import Comment, Kind
    from codesign.proposals.models import Proposal
    from codesign.search.models import SearchOutbox

    with app.app_context():
        proposal = db.session.get(Proposal, world["proposal"])
        lucia = find_user_by_login("lucia")
        comments.post_comment(proposal, lucia, kind=Kind.QUESTION, section="access", language="en",
                              body="What about the giraffe program?")
        assert db.session.scalar(sa.select(sa.func.count(SearchOutbox.id))) >= 1
    assert results(search(app, "giraffe")) == []  # not yet applied
    catch_up(app)
    assert len(results(search(app, "giraffe"))) == 1
    # Withdrawing removes it; editing a comment's text re-indexes it.
    with app.app_context():
        comment = db.session.scalar(sa.select(Comment).where(Comment.body.contains("giraffe")))
        comments.withdraw_comment(comment, find_user_by_login("lucia"))
        spanish = db.session.get(Comment, world["comment_es"])
        spanish.body = "Ahora hablo de jirafas."
        db.session.commit()
    catch_up(app)
    assert results(search(app, "giraffe")) == []
    assert results(search(app, "correr")) == [] or f"comments/{world['comment_es']}/" not in search(app, "correr")
    assert len(results(search(app, "jirafas"))) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SearchOutbox.id))) == 0


def test_a_failed_transaction_leaves_nothing_in_the_outbox(app, world):
    from codesign.comments.models import Comment
    from codesign.search.models import SearchOutbox

    with app.app_context():
        db.session.get(Comment, world["comment_en"]).body = "Changed, then rolled back."
        db.session.flush()
        assert db.session.scalar(sa.select(sa.func.count(SearchOutbox.id))) == 1
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(SearchOutbox.id))) == 0


def test_reindex_rebuilds_from_the_database(app, world, runner):
    from codesign.search import service

    with app.app_context():
        service.engine().clear()
    assert results(search(app, "retention")) == []
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "documents" in result.output
    assert len(results(search(app, "retention"))) >= 4


def test_search_queries_cost_the_same_at_few_and_many_results(app, world, count_queries):

    counts = []
    for extra in (3, 27):  # 3 results, then 30
        comment(app, world["proposal"], *(f"Comentario {extra}-{n} sobre la retención de datos." for n in range(extra)),
                kind="concern", section="access", language="es")
        catch_up(app)
        browser = Browser(app.test_client())
        browser.get("/d/riverside/search", query_string={"q": "retención"})
        with count_queries() as counter:
            browser.get("/d/riverside/search", query_string={"q": "retención"})
        counts.append(counter["n"])
    assert counts[0] == counts[1]


def test_a_missing_or_damaged_index_is_rebuilt_while_search_says_so(app, world, search_engine):
    import shutil

    from codesign.search import service

    if search_engine != "whoosh":
        pytest.skip("PostgreSQL's index is the database itself")
    with app.app_context():
        folder = service.engine().folder
    for damage in ("missing", "damaged"):
        current = folder / (folder / "CURRENT").read_text().strip()
        if damage == "missing":
            shutil.rmtree(current)
        else:
            for part in current.iterdir():
                part.write_bytes(b"not an index")
        page = search(app, "retention")
        assert "Search is being rebuilt" in page, damage
        with app.app_context():
            service.wait_for_rebuild()
        deadline = time.monotonic() + 10
        while "Search is being rebuilt" in (page := search(app, "retention")) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(results(page)) >= 4, damage


def test_a_very_broad_search_shows_an_estimate_and_at_most_a_hundred_pages(app, world, search_engine, monkeypatch):
    from codesign.search import engines, service

    comment(app, world["proposal"], *(f"Walrus idea {n}: " + "walrus " * n for n in range(12)))
    catch_up(app)
    monkeypatch.setattr(engines, "EXACT_COUNT_MAX", 5)  # counting stops being worth it sooner
    monkeypatch.setattr(service, "MAX_PAGES", 1)
    page = search(app, "walrus")
    if search_engine == "whoosh":
        assert "About 12 results" in page or "About 1" in page
    assert len(results(page)) == 10 and 'rel="next"' not in page  # one page only, here
    assert len(results(search(app, "walrus", page="5"))) == 10  # asking further shows the last allowed page


def test_a_district_search_never_shows_another_districts_content(app, world, make_district):
    from datetime import timedelta

    from codesign.accounts.service import find_user_by_login
    from codesign.comments import service as comments
    from codesign.comments.models import Kind
    from codesign.db import utcnow
    from codesign.proposals import service as proposals
    from tests.proposals.test_views import CARD

    lakeview = make_district("lakeview", "Lakeview")
    with app.app_context():
        staff = find_user_by_login("staff")
        theirs = proposals.create_proposal(db.session.merge(lakeview), staff, dict(CARD, title="Lakeview retention plan"))
        proposals.publish_version(theirs, opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=7))
        comments.post_comment(theirs, find_user_by_login("lucia"), kind=Kind.CONCERN, section="retention",
                              language="en", body="Lakeview families worry about retention too.")
    catch_up(app)
    ours = links(search(app, "retention"))
    assert ours and all(link.startswith("/d/riverside/") for link in ours)
    everywhere = links(search(app, "retention", url="/search"))
    assert any(link.startswith("/d/lakeview/") for link in everywhere)
    # After the index changes (a new generation), the district's set of documents is renewed.
    comment(app, world["proposal"], "Another riverside worry about retention.", kind="concern", section="retention")
    catch_up(app)
    again = links(search(app, "retention", type="comment"))
    assert len(again) == 2 and all(link.startswith("/d/riverside/") for link in again)
    assert len(links(search(app, "retention"))) == len(ours) + 1
