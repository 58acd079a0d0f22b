"""No query per row: no page type costs more queries with much more of everything than with a
little (benchmarks/data.py grows the district: people, proposals,
comments held, hidden and reported, replies, me-toos, votes, survey answers, log entries,
organizations, sessions). The pages are the ones a crawl of the demo reaches as each role. On
SQLite the test also reads the plan of every statement those pages ran at large data: none may
scan a whole table, but for the few in READ_WHOLE."""
from __future__ import annotations

import re

import pytest

from codesign.extensions import db
from tests.conftest import Browser, put_demo
from tests.test_crawl import crawl


@pytest.fixture
def demo(app):
    put_demo(app)


# Tables a page may read whole, and why.
READ_WHOLE = {
    "district": "the list of districts on the front page (a state has a few hundred)",
    "flag": "the reports: few, and the moderation queue and staff's home start from them",
    "audit_event": "the audit log (admins): its page counts every event and lists the actions "
                   "recorded, and its CSV is the whole log",
}


def _queries(browser, count_queries, url, statements: dict | None = None) -> int:
    browser.get(url).close()  # warm: anything done once per process or session is not per page
    with count_queries() as counted:
        response = browser.get(url)
        response.close()
    assert response.status_code < 500, url
    if statements is not None:
        for statement, parameters in counted["statements"].items():
            statements.setdefault(statement, (parameters, url))
    return counted["n"]


def _full_scans(app, statements: dict) -> list[str]:
    """Where SQLite's plan for a statement reads a whole table (not through an index), and that
    table is not one of READ_WHOLE: such a page gets slower with every row."""
    found = []
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            for statement, (parameters, url) in statements.items():
                plan = [row[-1] for row in cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)]
                for line in plan:
                    scanned = re.match(r"SCAN (\w+)", line)
                    if (scanned and scanned.group(1) != "CONSTANT" and not scanned.group(1).startswith("anon_")
                            and re.sub(r"_\d+$", "", scanned.group(1)) not in READ_WHOLE):
                        found.append(f"{url}: {line}\n  in {' '.join(statement.split())[:300]}")
        finally:
            connection.close()
    return found


# Two groups of roles, each sharing one build of the data (it costs more than a role's crawl),
# so that the two can run side by side.
@pytest.mark.long  # half a minute or more each: started first (tests/conftest.py), not left for the end
@pytest.mark.parametrize("roles", [(None, "lucia", "facilitator", "board"), ("staff", "admin")],
                         ids=["public-lucia-facilitator-board", "staff-admin"])
def test_every_page_costs_the_same_queries_with_much_more_data(app, demo, roles, count_queries):
    from benchmarks.data import grow
    from codesign.districts.service import get_district

    # "Small" has a few of everything (so no list is empty, which can save a query), "large"
    # five times as much again.
    with app.test_request_context():
        grow(get_district("riverside"), scale=1)
    browsers, small = {}, {}
    for role in roles:
        browser = browsers[role] = Browser(app.test_client())
        if role:
            browser.sign_in(role, "codesign-demo")
        _problems, urls = crawl(browser)
        small[role] = {url: _queries(browser, count_queries, url) for url in urls}
    with app.test_request_context():
        added = grow(get_district("riverside"), scale=5)
    assert added["comments"] > 5000 and added["sessions"] == 15
    grew, statements = {}, {}
    for role, browser in browsers.items():
        for url, before in small[role].items():
            after = _queries(browser, count_queries, url, statements)
            # Fewer is fine: a lookup is skipped when nothing on the page needs it (say,
            # translations when the newest log entries have none). More means something is
            # fetched row by row.
            if after > before:
                grew[f"{url} (as {role or 'a reader'})"] = (before, after)
    assert not grew, "queries per page changed with the data (small → large):\n" + "\n".join(
        f"{url}: {before} → {after}" for url, (before, after) in sorted(grew.items()))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):  # (PostgreSQL plans from statistics)
        scans = _full_scans(app, statements)
        assert not scans, "pages that read a whole table (SQLite's plan, at large data):\n" + "\n".join(scans)
