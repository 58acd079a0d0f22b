"""A proposal's whole public record as JSON and as CSV tables."""
from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from codesign.comments.models import Comment
from codesign.extensions import db


def rows(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_json_record_holds_everything_public(app, client, demo):
    published, _drafts = demo
    proposal_id = published[0]
    response = client.get(f"/d/riverside/proposals/{proposal_id}/record.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="riverside-proposal-{proposal_id}.json"'
    record = response.get_json()
    assert set(record) == {"district", "proposal", "versions", "comments", "tallies", "log"}
    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count(Comment.id)).where(Comment.proposal_id == proposal_id))
    assert len(record["comments"]) == total == record["tallies"]["comments"]["total"]
    assert [v["number"] for v in record["versions"]] == [1, 2]
    assert record["log"] and all(entry["proposal_id"] == proposal_id for entry in record["log"])
    # The same records as the API, so both can be checked against the published chain.
    api = client.get(f"/api/v1/districts/riverside/log?proposal={proposal_id}&per_page=100").get_json()
    assert record["log"] == api["data"]
    text = response.get_data(as_text=True)
    assert "@example.org" not in text and "privacy@" not in text


def test_csv_tables_open_in_a_spreadsheet(client, demo):
    published, _drafts = demo
    proposal_id = published[0]
    base = f"/d/riverside/proposals/{proposal_id}/record/"
    record = client.get(f"/d/riverside/proposals/{proposal_id}/record.json").get_json()
    proposal = rows(client.get(base + "proposal.csv"))
    assert len(proposal) == 1 and proposal[0]["title"] == record["proposal"]["title"]
    versions = rows(client.get(base + "versions.csv"))
    assert [v["number"] for v in versions] == ["1", "2"] and versions[1]["retention"]
    comments = rows(client.get(base + "comments.csv"))
    assert len(comments) == len(record["comments"])
    assert {"id", "kind", "section", "stakeholder_group", "language", "body", "me_too", "me_too_suppressed"} <= set(comments[0])
    assert any(c["language"] == "ar" for c in comments) and any(c["language"] == "vi" for c in comments)
    votes = rows(client.get(base + "votes.csv"))
    for row in votes:
        assert row["people"] in ("", "0") or int(row["people"]) >= 10
        assert (row["people"] == "") == (row["people_suppressed"] != "")
    assert any(row["stakeholder_group"] == "all" and row["stance"] == "all" and row["people"] for row in votes)
    log = rows(client.get(base + "log.csv"))
    assert [int(e["sequence"]) for e in log] == [e["sequence"] for e in record["log"]]
    assert log[0]["entry_hash"] == record["log"][0]["entry_hash"]
    response = client.get(base + "comments.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]


def test_cells_that_look_like_formulas_stay_text(app, client, make_open_proposal, make_user):
    from codesign.accounts.service import find_user_by_login
    from codesign.comments.service import post_comment
    from codesign.proposals.models import Proposal

    proposal_id = make_open_proposal()
    make_user("lucia")
    with app.app_context():
        post_comment(db.session.get(Proposal, proposal_id), find_user_by_login("lucia"), kind="concern",
                     section="general", body='=HYPERLINK("http://evil.example","click")', language="en")
    comments = rows(client.get(f"/d/riverside/proposals/{proposal_id}/record/comments.csv"))
    assert comments[0]["body"] == '\'=HYPERLINK("http://evil.example","click")'


def test_drafts_and_unknown_tables_are_not_found(client, demo):
    published, drafts = demo
    assert client.get(f"/d/riverside/proposals/{drafts[0]}/record.json").status_code == 404
    assert client.get(f"/d/riverside/proposals/{drafts[0]}/record/comments.csv").status_code == 404
    assert client.get(f"/d/riverside/proposals/{published[0]}/record/users.csv").status_code == 404


def test_the_proposal_page_offers_the_downloads(client, demo):
    published, _drafts = demo
    page = client.get(f"/d/riverside/proposals/{published[0]}/").get_data(as_text=True)
    assert f'/d/riverside/proposals/{published[0]}/record.json' in page
    for table in ("proposal", "versions", "comments", "votes", "log"):
        assert f'/d/riverside/proposals/{published[0]}/record/{table}.csv' in page
    assert f'/api/v1/districts/riverside/proposals/{published[0]}' in page
