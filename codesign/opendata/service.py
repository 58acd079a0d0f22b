"""The public record as plain data: what the API serves and the exports contain.

Only what the public pages show goes in: published versions, comments without their
authors, suppressed counts of people, published log entries with their hashes. Every
builder batches its lookups, so a page or an export costs the same number of queries
however many rows it holds.
"""
from __future__ import annotations

from flask import url_for

from codesign.accounts.models import StakeholderGroup
from codesign.comments import service as comments_service
from codesign.comments.models import SECTION_LABELS, Comment, CommentCount
from codesign.districts.models import District
from codesign.extensions import db
from codesign.proposals.models import (
    DATA_CARD_FIELDS,
    Proposal,
    ProposalStatus,
    ProposalVersion,
)
from codesign.responselog import service as log_service
from codesign.responselog.models import ResponseEntry
from codesign.suppression import ShownCount, show_count
from codesign.votes import service as votes_service
from codesign.votes.models import Stance

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
PUBLIC_STATUSES = (ProposalStatus.OPEN, ProposalStatus.REVIEW, ProposalStatus.DECIDED)
SECTIONS = tuple(SECTION_LABELS)


def _time(moment) -> str | None:
    return moment.isoformat() if moment else None


def count(shown: ShownCount) -> dict:
    """A count of people as the public may see it: the number, or why it is not shown."""
    if not shown.suppressed:
        return {"value": shown.value, "suppressed": None}
    return {"value": None, "suppressed": "complementary" if shown.complementary else "below_threshold"}


def district_data(district: District) -> dict:
    return {
        "slug": district.slug,
        "name": district.name,
        "languages": district.language_codes,
        "default_language": district.default_locale,
        "timezone": district.timezone,
        "suppression_threshold": district.suppression_threshold,
        "url": url_for("api.district", slug=district.slug, _external=True),
        "html_url": url_for("districts.show", district_slug=district.slug, _external=True),
    }


def list_districts(page: int, per_page: int):
    return db.paginate(db.select(District).order_by(District.slug), page=page, per_page=per_page,
                       error_out=False, count=True)


def public_proposals(district: District, *, status: ProposalStatus | None, page: int, per_page: int):
    """Published proposals of a district, newest first (drafts never)."""
    from sqlalchemy.orm import joinedload

    query = (db.select(Proposal).options(joinedload(Proposal.current_version))
             .where(Proposal.district_id == district.id, Proposal.current_version_id.is_not(None)))
    if status is not None:
        query = query.where(Proposal.status == status)
    query = query.order_by(Proposal.created_at.desc(), Proposal.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)


def proposal_data(proposal: Proposal, district: District) -> dict:
    version = proposal.current_version
    args = {"slug": district.slug, "proposal_id": proposal.id, "_external": True}
    return {
        "id": proposal.id,
        "district": district.slug,
        "status": str(proposal.status),
        "title": version.title,
        "summary": version.summary,
        "current_version": version.number,
        "comment_opens_at": _time(proposal.comment_opens_at),
        "comment_closes_at": _time(proposal.comment_closes_at),
        "decision": str(proposal.decision) if proposal.decision else None,
        "decision_note": proposal.decision_note if proposal.decision else "",
        "board_meeting_on": proposal.board_meeting_on.isoformat() if proposal.board_meeting_on else None,
        "open_comments_at_decision": proposal.open_comments_at_decision,
        "url": url_for("api.proposal", **args),
        "versions_url": url_for("api.versions", **args),
        "comments_url": url_for("api.comments", **args),
        "tallies_url": url_for("api.tallies", **args),
        "log_url": url_for("api.log", slug=district.slug, proposal=proposal.id, _external=True),
        "html_url": url_for("proposals.show", district_slug=district.slug, proposal_id=proposal.id, _external=True),
    }


def version_data(version: ProposalVersion) -> dict:
    return {
        "number": version.number,
        "title": version.title,
        "summary": version.summary,
        "body": version.body,
        "data_card": {name: getattr(version, name) for name, _label in DATA_CARD_FIELDS},
        "what_changed": version.what_changed,
        "published_at": _time(version.published_at),
    }


def version_numbers(proposal: Proposal) -> dict[int, int]:
    """Published version numbers by version id, in one query."""
    return dict(db.session.execute(
        db.select(ProposalVersion.id, ProposalVersion.number)
        .where(ProposalVersion.proposal_id == proposal.id, ProposalVersion.number.is_not(None))
    ).all())


def comments_query(proposal: Proposal, filters: comments_service.CommentFilters, version: int | None = None):
    """Every comment and reply of a proposal, oldest first, filtered like the comment list."""
    query = comments_service.filtered(db.select(Comment).where(Comment.proposal_id == proposal.id), filters)
    if version is not None:
        query = query.join(ProposalVersion, ProposalVersion.id == Comment.version_id).where(
            ProposalVersion.number == version)
    return query.order_by(Comment.id)


def public_comments(proposal: Proposal, filters: comments_service.CommentFilters, version: int | None, *,
                    page: int, per_page: int):
    if version is not None:
        return db.paginate(comments_query(proposal, filters, version), page=page, per_page=per_page,
                           error_out=False, count=True)
    # The total from the counters rather than a count of every matching comment.
    pagination = db.paginate(comments_query(proposal, filters), page=page, per_page=per_page,
                             error_out=False, count=False)
    pagination.total = sum(comments_service.counted(proposal.id, CommentCount.proposal_id, where=[
        column == value for column, value in ((CommentCount.kind, filters.kind), (CommentCount.section, filters.section),
                                              (CommentCount.stakeholder_group, filters.group),
                                              (CommentCount.language, filters.language)) if value]).values())
    return pagination


def comment_rows(comments: list[Comment], proposal: Proposal, district: District) -> list[dict]:
    """Public fields of comments: never the author, only their group. Two queries for any number."""
    numbers = version_numbers(proposal)
    sequences = log_service.sequences_of({c.addressed_in_id for c in comments if c.addressed_in_id})
    threshold = district.suppression_threshold
    return [
        {
            "id": comment.id,
            "proposal_id": comment.proposal_id,
            "parent_id": comment.parent_id,
            "version": numbers.get(comment.version_id),
            "kind": str(comment.kind),
            "section": comment.section,
            "stakeholder_group": str(comment.stakeholder_group),
            "language": comment.language,
            "channel": str(comment.channel),
            "session_id": comment.session_id,
            "body": "" if comment.withdrawn else comment.body,
            "withdrawn": comment.withdrawn,
            "moderation": str(comment.moderation),
            "hidden_category": str(comment.hidden_category) if comment.hidden_category else None,
            "redaction_category": str(comment.redaction_category) if comment.redaction_category else None,
            "created_at": _time(comment.created_at),
            "edited_at": _time(comment.edited_at),
            "me_too": count(show_count(comment.metoo_count, threshold)),
            "official_answer": comment.official_answer,
            "answered_at": _time(comment.answered_at),
            "disposition": str(comment.disposition),
            "answered_in_entry": sequences.get(comment.addressed_in_id),
            "html_url": url_for("comments.show", district_slug=district.slug, proposal_id=comment.proposal_id,
                                comment_id=comment.id, _external=True),
        }
        for comment in comments
    ]


def tallies_data(proposal: Proposal, district: District) -> dict:
    """Votes per version and comments by kind and group, every count of people suppressed."""
    threshold = district.suppression_threshold
    numbers = version_numbers(proposal)
    tables = votes_service.tallies(sorted(numbers), threshold)
    votes = []
    for version_id, number in sorted(numbers.items(), key=lambda item: item[1]):
        table = tables[version_id]
        votes.append({
            "version": number,
            "total": count(table.total),
            "by_stance": {str(stance): count(table.column_totals[stance]) for stance in Stance},
            "by_group": {
                str(group): {"total": count(table.row_totals[group]),
                             "by_stance": {str(stance): count(table.cells[group][stance]) for stance in Stance}}
                for group in StakeholderGroup
            },
        })
    comment_tally = comments_service.tally(proposal, threshold)
    return {
        "proposal_id": proposal.id,
        "suppression_threshold": threshold,
        "votes": votes,
        "comments": {
            "total": comment_tally.comments,
            "by_kind": {str(kind): number for kind, number in comment_tally.by_kind.items()},
            "people": count(comment_tally.people_by_group.total),
            "people_by_group": {str(group): count(shown)
                                for group, shown in comment_tally.people_by_group.cells.items()},
        },
    }


def public_entries(district: District, *, proposal_id: int | None, page: int, per_page: int):
    """Published entries of a district (or one proposal), oldest first like the chain."""
    query = db.select(ResponseEntry).where(ResponseEntry.district_id == district.id,
                                           ResponseEntry.sequence.is_not(None))
    if proposal_id is not None:
        query = query.where(ResponseEntry.proposal_id == proposal_id)
    return db.paginate(query.order_by(ResponseEntry.sequence), page=page, per_page=per_page,
                       error_out=False, count=True)


def entry_rows(entries: list[ResponseEntry], district: District) -> list[dict]:
    """Published entries with their hashes, the people they answer by group and their contests."""
    details = log_service.entry_details(entries, district.suppression_threshold)
    rows = []
    for entry, record in zip(entries, log_service.records_of(entries), strict=True):
        detail = details[entry.id]
        rows.append({
            **record,
            "from_version": detail.from_number,
            "to_version": detail.to_number,
            "corrected_by": detail.corrected_by,
            "people_answered": count(detail.people_by_group.total),
            "people_answered_by_group": {str(group): count(shown)
                                         for group, shown in detail.people_by_group.cells.items()},
            "people_answered_by_channel": {str(channel): count(shown)
                                           for channel, shown in detail.people_by_channel.cells.items()},
            "contests": count(detail.contests),
            "html_url": url_for("responselog.entry", district_slug=district.slug, sequence=entry.sequence,
                                _external=True),
        })
    return rows


def chain_head(district: District) -> str | None:
    return db.session.scalar(
        db.select(ResponseEntry.entry_hash).where(ResponseEntry.district_id == district.id,
                                                  ResponseEntry.sequence.is_not(None))
        .order_by(ResponseEntry.sequence.desc()).limit(1)
    )


def proposal_record(proposal: Proposal, district: District) -> dict:
    """A proposal's whole public record: the export's content, in a fixed number of queries."""
    versions = list(db.session.scalars(
        db.select(ProposalVersion)
        .where(ProposalVersion.proposal_id == proposal.id, ProposalVersion.number.is_not(None))
        .order_by(ProposalVersion.number)
    ))
    comments = list(db.session.scalars(comments_query(proposal, comments_service.CommentFilters())))
    entries = list(db.session.scalars(
        db.select(ResponseEntry).where(ResponseEntry.proposal_id == proposal.id, ResponseEntry.sequence.is_not(None))
        .order_by(ResponseEntry.sequence)
    ))
    return {
        "district": district_data(district),
        "proposal": proposal_data(proposal, district),
        "versions": [version_data(version) for version in versions],
        "comments": comment_rows(comments, proposal, district),
        "tallies": tallies_data(proposal, district),
        "log": entry_rows(entries, district),
    }
