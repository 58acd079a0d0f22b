"""A proposal's whole public record as one JSON file, or as CSV tables a spreadsheet opens."""
from __future__ import annotations

import json

from flask import abort, g
from flask_babel import lazy_gettext as _l

from codesign.downloads import csv_download, download
from codesign.opendata import export_bp as bp
from codesign.opendata import service
from codesign.proposals.service import published_proposal_or_404


def _count_columns(prefix: str, shown: dict) -> dict:
    return {prefix: shown["value"], f"{prefix}_suppressed": shown["suppressed"] or ""}


def _proposal_rows(record: dict) -> list[dict]:
    row = {key: value for key, value in record["proposal"].items() if not key.endswith("_url") and key != "url"}
    return [row]


def _version_rows(record: dict) -> list[dict]:
    return [{key: value for key, value in version.items() if key != "data_card"} | version["data_card"]
            for version in record["versions"]]


def _comment_rows(record: dict) -> list[dict]:
    rows = []
    for comment in record["comments"]:
        row = {key: value for key, value in comment.items() if key != "me_too"}
        row.update(_count_columns("me_too", comment["me_too"]))
        rows.append(row)
    return rows


def _vote_rows(record: dict) -> list[dict]:
    rows = []
    for version in record["tallies"]["votes"]:
        def add(group, stance, shown, number=version["version"]):
            rows.append({"version": number, "stakeholder_group": group, "stance": stance,
                         **_count_columns("people", shown)})

        for group, by_group in version["by_group"].items():
            for stance, shown in by_group["by_stance"].items():
                add(group, stance, shown)
            add(group, "all", by_group["total"])
        for stance, shown in version["by_stance"].items():
            add("all", stance, shown)
        add("all", "all", version["total"])
    return rows


def _log_rows(record: dict) -> list[dict]:
    rows = []
    for entry in record["log"]:
        row = {key: value for key, value in entry.items()
               if key not in ("people_answered", "people_answered_by_group", "people_answered_by_channel", "contests")}
        row.update(_count_columns("people_answered", entry["people_answered"]))
        row.update(_count_columns("contests", entry["contests"]))
        rows.append(row)
    return rows


TABLE_LABELS = (
    ("proposal", _l("The proposal (CSV)")),
    ("versions", _l("Versions (CSV)")),
    ("comments", _l("Comments (CSV)")),
    ("votes", _l("Vote counts (CSV)")),
    ("log", _l("Response log (CSV)")),
)
TABLES = {
    "proposal": _proposal_rows,
    "versions": _version_rows,
    "comments": _comment_rows,
    "votes": _vote_rows,
    "log": _log_rows,
}


@bp.app_context_processor
def export_links():
    return {"export_tables": TABLE_LABELS}


def _record(proposal_id: int) -> tuple:
    proposal = published_proposal_or_404(g.district, proposal_id)
    return proposal, service.proposal_record(proposal, g.district)


@bp.route("/proposals/<int:proposal_id>/record.json")
def record_json(proposal_id: int):
    """Everything public about a proposal in one JSON file."""
    proposal, record = _record(proposal_id)
    body = json.dumps(record, ensure_ascii=False, indent=1)
    return download(body, "application/json", f"{g.district.slug}-proposal-{proposal.id}.json")


@bp.route("/proposals/<int:proposal_id>/record/<table>.csv")
def record_csv(proposal_id: int, table: str):
    """One table of a proposal's public record as CSV (UTF-8 with a byte-order mark for spreadsheets)."""
    if table not in TABLES:
        abort(404)
    proposal, record = _record(proposal_id)
    rows = TABLES[table](record)
    header = list(rows[0]) if rows else []
    return csv_download(header, ([row[key] for key in header] for row in rows),
                        f"{g.district.slug}-proposal-{proposal.id}-{table}.csv")
