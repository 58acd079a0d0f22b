"""Proposal state changes: drafts, revisions and publishing versions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import joinedload

from codesign.audit.service import record as audit
from codesign.db import utcnow
from codesign.districts.models import District
from codesign.extensions import db
from codesign.proposals.models import (
    VERSION_TEXT_FIELDS,
    Proposal,
    ProposalStatus,
    ProposalVersion,
)


class ProposalError(Exception):
    """A change that cannot be made; `field` names the form field to blame."""

    def __init__(self, field: str, code: str, detail: list[str] | None = None):
        super().__init__(code)
        self.field = field
        self.code = code
        self.detail = detail or []


def _apply_text(version: ProposalVersion, fields: dict) -> None:
    for name in VERSION_TEXT_FIELDS:
        if name in fields:
            setattr(version, name, (fields[name] or "").strip())


def create_proposal(district: District, author, fields: dict) -> Proposal:
    """Start a proposal as a draft in district."""
    proposal = Proposal(district=district, status=ProposalStatus.DRAFT)
    version = ProposalVersion(proposal=proposal, author_id=author.id if author else None)
    _apply_text(version, fields)
    db.session.add_all([proposal, version])
    db.session.commit()
    return proposal


def get_proposal(district: District, proposal_id: int, *, with_version: bool = True) -> Proposal | None:
    """The proposal with this id in this district (never another district's), with its current
    version's texts unless with_version is false (a vote or a comment needs only the proposal's
    own columns: the version's texts are most of what the row would bring)."""
    statement = db.select(Proposal).where(Proposal.id == proposal_id, Proposal.district_id == district.id)
    if with_version:
        statement = statement.options(joinedload(Proposal.current_version))
    return db.session.scalar(statement)


def published_proposal_or_404(district: District, proposal_id: int, *, with_version: bool = True) -> Proposal:
    """The district's proposal with this id if it has been published; 404 otherwise."""
    from flask import abort

    proposal = get_proposal(district, proposal_id, with_version=with_version)
    if proposal is None or proposal.current_version_id is None:
        abort(404)
    return proposal


def draft_of(proposal: Proposal) -> ProposalVersion | None:
    """The version being prepared, if any."""
    return db.session.scalar(
        db.select(ProposalVersion).where(
            ProposalVersion.proposal_id == proposal.id, ProposalVersion.number.is_(None)
        )
    )


def published_versions(proposal: Proposal) -> list[ProposalVersion]:
    return list(
        db.session.scalars(
            db.select(ProposalVersion)
            .where(ProposalVersion.proposal_id == proposal.id, ProposalVersion.number.is_not(None))
            .order_by(ProposalVersion.number)
        )
    )


def get_version(proposal: Proposal, number: int) -> ProposalVersion | None:
    return db.session.scalar(
        db.select(ProposalVersion).where(
            ProposalVersion.proposal_id == proposal.id, ProposalVersion.number == number
        )
    )


def update_draft(draft: ProposalVersion, fields: dict) -> ProposalVersion:
    """Change a draft's text; published versions never change."""
    if not draft.is_draft:
        raise ProposalError("title", "not_a_draft")
    before = {name: getattr(draft, name) for name in fields if hasattr(draft, name)}
    _apply_text(draft, fields)
    after = {name: getattr(draft, name) for name in before}
    changed = [name for name in before if before[name] != after[name]]
    if changed:
        audit("proposal.edit", f"proposal:{draft.proposal_id}", district_id=draft.proposal.district_id,
              before={name: before[name] for name in changed}, after={name: after[name] for name in changed})
    db.session.commit()
    return draft


def start_revision(proposal: Proposal, author) -> ProposalVersion:
    """A new draft copied from the current version (or the existing draft, if one is open)."""
    if proposal.status == ProposalStatus.DECIDED:
        raise ProposalError("what_changed", "already_decided")
    existing = draft_of(proposal)
    if existing is not None:
        return existing
    current = proposal.current_version
    draft = ProposalVersion(proposal=proposal, author_id=author.id if author else None)
    if current is not None:
        _apply_text(draft, {name: getattr(current, name) for name in VERSION_TEXT_FIELDS})
    db.session.add(draft)
    db.session.commit()
    return draft


def publish_version(
    proposal: Proposal,
    *,
    opens_at: datetime,
    closes_at: datetime,
    what_changed: str = "",
    now: datetime | None = None,
) -> ProposalVersion:
    """Publish the draft as the next version and (re)open the comment period.

    Every data-card field is required; a version after the first must say what changed.
    """
    draft = draft_of(proposal)
    if draft is None:
        raise ProposalError("what_changed", "no_draft")
    missing = draft.missing_card_fields()
    if missing or not draft.title.strip() or not draft.summary.strip():
        raise ProposalError("card", "card_incomplete", missing)
    if closes_at <= opens_at:
        raise ProposalError("closes_at", "closes_before_opens")
    is_first = proposal.current_version_id is None
    if not is_first and not what_changed.strip():
        raise ProposalError("what_changed", "what_changed_required")
    if proposal.status == ProposalStatus.DECIDED:
        raise ProposalError("what_changed", "already_decided")
    latest = db.session.scalar(
        db.select(db.func.max(ProposalVersion.number)).where(ProposalVersion.proposal_id == proposal.id)
    )
    draft.number = (latest or 0) + 1
    draft.what_changed = what_changed.strip()
    draft.published_at = now or utcnow()
    proposal.current_version = draft
    proposal.comment_opens_at = opens_at
    proposal.comment_closes_at = closes_at
    proposal.status = ProposalStatus.OPEN
    audit("proposal.publish", f"proposal:{proposal.id}", district_id=proposal.district_id,
          after={"version": draft.number, "opens": opens_at, "closes": closes_at, "what_changed": draft.what_changed})
    db.session.flush()
    from codesign.notifications.service import tell_new_version

    tell_new_version(proposal, draft)
    db.session.commit()
    return draft


PROPOSALS_PER_PAGE = 10
SORTS = ("newest", "closing", "input")


def list_proposals(district: District, *, include_drafts: bool = False,
                   status: ProposalStatus | None = None, sort: str = "newest", page: int = 1):
    """A page of the district's proposals, open ones first, each with its current version.

    sort: "newest", "closing" (soonest end of comment period first) or "input" (most comments).
    """
    from codesign.comments.models import Comment

    query = (
        db.select(Proposal)
        .options(joinedload(Proposal.current_version))
        .where(Proposal.district_id == district.id)
    )
    if not include_drafts:
        query = query.where(Proposal.current_version_id.is_not(None))
    if status is not None:
        query = query.where(Proposal.status == status)
    open_first = db.case((Proposal.status == ProposalStatus.OPEN, 0), else_=1)
    if sort == "closing":
        order = [open_first, Proposal.comment_closes_at.is_(None), Proposal.comment_closes_at]
    elif sort == "input":
        comments = (
            db.select(db.func.count(Comment.id)).where(Comment.proposal_id == Proposal.id)
            .correlate(Proposal).scalar_subquery()
        )
        order = [comments.desc()]
    else:
        order = [open_first, Proposal.created_at.desc()]
    query = query.order_by(*order, Proposal.id.desc())
    return db.paginate(query, page=page, per_page=PROPOSALS_PER_PAGE, error_out=False, count=True)


def drafts_for(proposals: list[Proposal]) -> dict[int, ProposalVersion]:
    """Each proposal's draft, if any, in one query (for staff lists)."""
    ids = [proposal.id for proposal in proposals]
    if not ids:
        return {}
    rows = db.session.scalars(
        db.select(ProposalVersion).where(
            ProposalVersion.proposal_id.in_(ids), ProposalVersion.number.is_(None)
        )
    )
    return {version.proposal_id: version for version in rows}


def move_to_review(proposal: Proposal, now: datetime | None = None) -> None:
    """Stop taking input and start weighing it: the comment period ends now if it had not."""
    if proposal.status != ProposalStatus.OPEN:
        raise ProposalError("status", "not_open")
    now = now or utcnow()
    proposal.status = ProposalStatus.REVIEW
    if proposal.comment_closes_at is None or proposal.comment_closes_at > now:
        proposal.comment_closes_at = now
    audit("proposal.review", f"proposal:{proposal.id}", district_id=proposal.district_id,
          before={"status": ProposalStatus.OPEN}, after={"status": proposal.status})
    db.session.commit()


def open_comment_count(proposal: Proposal) -> int:
    """Comments whose disposition is still "open"."""
    from codesign.comments.models import Comment, Disposition

    return db.session.scalar(db.select(db.func.count(Comment.id)).where(
        Comment.proposal_id == proposal.id, Comment.disposition == Disposition.OPEN)) or 0


def record_decision(proposal: Proposal, decision, *, note: str, board_meeting_on=None,
                    confirm_open_comments: bool = False, now: datetime | None = None) -> None:
    """The decision, with the district's note and the board meeting it was taken at.

    With comments still open, staff must confirm; the count is kept on the decision.
    """
    if proposal.status not in (ProposalStatus.OPEN, ProposalStatus.REVIEW):
        raise ProposalError("decision", "not_decidable")
    if not note.strip():
        raise ProposalError("note", "note_required")
    still_open = open_comment_count(proposal)
    if still_open and not confirm_open_comments:
        raise ProposalError("confirm_open", "open_comments")
    proposal.open_comments_at_decision = still_open
    now = now or utcnow()
    proposal.status = ProposalStatus.DECIDED
    proposal.decision = decision
    proposal.decision_note = note.strip()
    proposal.board_meeting_on = board_meeting_on
    if proposal.comment_closes_at is None or proposal.comment_closes_at > now:
        proposal.comment_closes_at = now
    audit("proposal.decide", f"proposal:{proposal.id}", district_id=proposal.district_id,
          after={"decision": decision, "note": proposal.decision_note, "board_meeting_on": board_meeting_on,
                 "open_comments": still_open})
    from codesign.notifications.service import tell_decided

    tell_decided(proposal)
    db.session.commit()


def version_diff(old: ProposalVersion, new: ProposalVersion) -> list[dict]:
    """Each text field of two versions, word by word: name, label, pieces and whether it changed."""
    from codesign.proposals.diff import changed, word_diff
    from codesign.proposals.models import VERSION_FIELD_LABELS

    fields = []
    for name, label in VERSION_FIELD_LABELS:
        pieces = word_diff(getattr(old, name), getattr(new, name))
        fields.append({"name": name, "label": label, "pieces": pieces, "changed": changed(pieces)})
    return fields
