"""Moderation: comments held because they seem to contain personal information, comments people
reported, and what moderators do with them (publish, keep, hide, cut a passage, restore).

A comment's `body` only ever holds text anyone may read. Held or hidden text waits in
`moderated_body`; cutting a passage removes it for good (the audit log keeps only how much).
"""
from __future__ import annotations

from dataclasses import dataclass

from codesign.audit.service import record as audit
from codesign.comments.models import (
    Comment,
    CommentCount,
    Flag,
    HideCategory,
    Moderation,
    district_id_of,
)
from codesign.db import utcnow
from codesign.extensions import db
from codesign.moderation import pii
from codesign.proposals.models import Proposal, ProposalVersion

REDACTION_MARK = "████"
QUEUE_LIMIT = 100


class ModerationError(Exception):
    def __init__(self, code: str, field: str = ""):
        super().__init__(code)
        self.code = code
        self.field = field


def screen(comment: Comment, text: str, district) -> None:
    """Put a comment's (new) text where it belongs: public, or held for a moderator when it seems
    to contain personal information. A comment moderators hid stays hidden."""
    found = pii.detect(text, pii.student_id_pattern(district.student_id_formats))
    if comment.moderation == Moderation.HIDDEN:
        comment.moderated_body = text
    elif found:
        comment.moderation = Moderation.HELD
        comment.body, comment.moderated_body = "", text
        comment.held_for = " ".join(found)
    else:
        comment.moderation = Moderation.VISIBLE
        comment.body, comment.moderated_body = text, ""
        comment.held_for = ""


def text_of(comment: Comment) -> str:
    """What the comment says, for its author and for moderators."""
    return comment.moderated_body if comment.moderation != Moderation.VISIBLE else comment.body


def _decided(comment: Comment, action: str, before: dict) -> None:
    comment.moderated_at = utcnow()
    audit(action, f"comment:{comment.id}", district_id=district_id_of(comment), before=before,
          after=_state(comment))
    db.session.commit()


def _state(comment: Comment) -> dict:
    return {"moderation": comment.moderation, "category": comment.hidden_category,
            "held_for": comment.held_for}


def publish(comment: Comment) -> None:
    """A held comment is fine as it is: it joins the public record."""
    if comment.moderation != Moderation.HELD:
        raise ModerationError("not_held")
    before = _state(comment)
    comment.moderation = Moderation.VISIBLE
    comment.body, comment.moderated_body = comment.moderated_body, ""
    _decided(comment, "moderation.publish", before)


def keep(comment: Comment) -> None:
    """The reports about a visible comment are answered: it stays as it is."""
    if comment.moderation != Moderation.VISIBLE or comment.withdrawn:
        raise ModerationError("not_visible")
    _decided(comment, "moderation.keep", _state(comment))


def hide(comment: Comment, category: HideCategory) -> None:
    """Take the text off the public record; a placeholder with the category stays in its place."""
    if comment.withdrawn:
        raise ModerationError("withdrawn")
    before = _state(comment)
    if comment.moderation == Moderation.VISIBLE:
        comment.moderated_body = comment.body
    comment.body = ""
    comment.moderation = Moderation.HIDDEN
    comment.hidden_category = category
    _decided(comment, "moderation.hide", before)


def restore(comment: Comment) -> None:
    """Undo a hide: the text is public again."""
    if comment.moderation != Moderation.HIDDEN:
        raise ModerationError("not_hidden")
    before = _state(comment)
    comment.moderation = Moderation.VISIBLE
    comment.body, comment.moderated_body = comment.moderated_body, ""
    comment.hidden_category = None
    comment.held_for = ""
    _decided(comment, "moderation.restore", before)


def redact(comment: Comment, passages: list[str], category: HideCategory) -> None:
    """Cut each passage out of the comment (for good) and publish the rest."""
    if comment.withdrawn:
        raise ModerationError("withdrawn")
    passages = [p.strip() for p in passages if p.strip()]
    if not passages:
        raise ModerationError("no_passage", "passages")
    text = text_of(comment)
    if any(passage not in text for passage in passages):
        raise ModerationError("passage_not_found", "passages")
    before = _state(comment)
    removed = 0
    for passage in sorted(passages, key=len, reverse=True):
        removed += text.count(passage) * len(passage)
        text = text.replace(passage, REDACTION_MARK)
    comment.moderation = Moderation.VISIBLE
    comment.body, comment.moderated_body = text, ""
    comment.hidden_category = None
    comment.redacted_at = utcnow()
    comment.redaction_category = category
    before["characters_removed"] = removed  # never the text itself: it may be what had to go
    _decided(comment, "moderation.redact", before)


@dataclass
class QueueItem:
    comment: Comment
    proposal_title: str
    flags: list[Flag]


@dataclass
class Queue:
    held: list[QueueItem]
    flagged: list[QueueItem]
    hidden: list[QueueItem]
    hidden_total: int


def in_moderation(state: Moderation):
    """Comments held for or hidden by a moderator (few among very many), found through the
    partial index of those (ix_comment_moderated). SQLite uses a partial index only when the
    query states the index's own condition, so it is stated again beside the state asked for."""
    return db.and_(Comment.moderation == state, Comment.moderation != Moderation.VISIBLE)


def reported_since_decision():
    """Public comments with a report made since the last moderation decision on them, found
    from the reports (few) by their comment ids: joined the other way, SQLite read every comment
    of the district to find the reported ones."""
    new_report = db.exists().where(Flag.comment_id == Comment.id,
                                   db.or_(Comment.moderated_at.is_(None), Flag.created_at > Comment.moderated_at))
    return db.and_(Comment.id.in_(db.select(Flag.comment_id)), Comment.moderation == Moderation.VISIBLE,
                   Comment.withdrawn_at.is_(None), new_report)


def queue(district) -> Queue:
    """What waits for this district's moderators, oldest first; a fixed number of queries."""
    base = (db.select(Comment, ProposalVersion.title)
            .join(Proposal, Proposal.id == Comment.proposal_id)
            .join(ProposalVersion, ProposalVersion.id == Proposal.current_version_id)
            .where(Proposal.district_id == district.id))
    held = db.session.execute(base.where(in_moderation(Moderation.HELD), Comment.withdrawn_at.is_(None))
                              .order_by(Comment.id).limit(QUEUE_LIMIT)).all()
    flagged = db.session.execute(base.where(reported_since_decision()).order_by(Comment.id).limit(QUEUE_LIMIT)).all()
    hidden = db.session.execute(base.where(in_moderation(Moderation.HIDDEN), Comment.withdrawn_at.is_(None))
                                .order_by(Comment.moderated_at.desc(), Comment.id.desc()).limit(QUEUE_LIMIT)).all()
    hidden_total = db.session.scalar(
        db.select(db.func.count(Comment.id)).join(Proposal, Proposal.id == Comment.proposal_id)
        .where(Proposal.district_id == district.id, in_moderation(Moderation.HIDDEN),
               Comment.withdrawn_at.is_(None)))
    ids = [c.id for c, _t in held + flagged + hidden]
    flags: dict[int, list[Flag]] = {}
    if ids:
        for flag in db.session.scalars(db.select(Flag).where(Flag.comment_id.in_(ids)).order_by(Flag.id)):
            flags.setdefault(flag.comment_id, []).append(flag)

    def items(rows):
        return [QueueItem(c, title, flags.get(c.id, [])) for c, title in rows]

    return Queue(items(held), items(flagged), items(hidden), hidden_total)


def hidden_counts(proposal_id: int) -> dict[HideCategory, int]:
    """Comments on a proposal hidden by moderators, by category (shown publicly), from the counters."""
    from codesign.comments.service import counted

    counts = counted(proposal_id, CommentCount.hidden_category,
                     where=(CommentCount.moderation == Moderation.HIDDEN, CommentCount.withdrawn.is_(False)))
    return {category: counts[category.value] for category in HideCategory if counts.get(category.value)}


def get_district_comment(district, comment_id: int) -> Comment | None:
    row = db.session.execute(
        db.select(Comment).join(Proposal, Proposal.id == Comment.proposal_id)
        .where(Comment.id == comment_id, Proposal.district_id == district.id)
    ).scalar_one_or_none()
    return row
