"""No query per row: no page type costs more queries with much more of everything than with a
little (benchmarks/data.py grows the district: people, proposals,
comments held, hidden and reported, replies, me-toos, votes, survey answers, log entries,
organizations, sessions). The pages are the ones a crawl of the demo reaches as each role."""
from __future__ import annotations

import pytest

from tests.conftest import Browser, put_demo
from tests.test_crawl import crawl


@pytest.fixture
def demo(app):
    put_demo(app)


def _queries(browser, count_queries, url) -> int:
    browser.get(url).close()  # warm: anything done once per process or session is not per page
    with count_queries() as counted:
        response = browser.get(url)
        response.close()
    assert response.status_code < 500, url
    return counted["n"]


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
    grew = {}
    for role, browser in browsers.items():
        for url, before in small[role].items():
            after = _queries(browser, count_queries, url)
            # Fewer is fine: a lookup is skipped when nothing on the page needs it (say,
            # translations when the newest log entries have none). More means something is
            # fetched row by row.
            if after > before:
                grew[f"{url} (as {role or 'a reader'})"] = (before, after)
    assert not grew, "queries per page changed with the data (small → large):\n" + "\n".join(
        f"{url}: {before} → {after}" for url, (before, after) in sorted(grew.items()))
