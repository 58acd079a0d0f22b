"""Comment state changes and the comment list, without a query per row."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from codesign.accounts.models import StakeholderGroup
from codesign.audit.service import record as audit
from codesign.comments.models import (
    EDIT_WINDOW_MINUTES,
    SECTION_LABELS,
    Channel,
    Comment,
    CommentCount,
    CommentPeople,
    Disposition,
    Flag,
    FlagReason,
    Kind,
    MeToo,
    Moderation,
    district_id_of,
)
from codesign.db import dialect_insert, utcnow
from codesign.extensions import db
from codesign.moderation.service import screen
from codesign.proposals.models import Proposal
from codesign.suppression import SuppressedBreakdown, suppress_small_counts

PAGE_SIZE = 20
REPEAT_WINDOW = timedelta(minutes=1)  # the same text again within this time is stored once


class CommentError(Exception):
    def __init__(self, code: str, field: str = "body"):
        super().__init__(code)
        self.code = code
        self.field = field


def clean_body(text: str) -> str:
    """Plain text as typed: surrounding space trimmed, Windows line ends made plain."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def post_comment(proposal: Proposal, user, *, kind: Kind, section: str, body: str,
                 language: str, parent_id: int | None = None) -> Comment:
    """Add a comment (or a reply to a top-level comment) on the current version."""
    if not proposal.is_open_for_input() or proposal.current_version_id is None:
        raise CommentError("closed")
    if section not in SECTION_LABELS:
        raise CommentError("bad_section", "section")
    parent = None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.proposal_id != proposal.id or parent.parent_id is not None:
            raise CommentError("bad_parent")
        if not parent.public:
            raise CommentError("not_public")
    text = clean_body(body)
    repeated = db.session.scalar(db.select(Comment).where(
        Comment.author_id == user.id, Comment.proposal_id == proposal.id,
        Comment.parent_id.is_(None) if parent is None else Comment.parent_id == parent.id,
        db.or_(Comment.body == text, Comment.moderated_body == text),
        Comment.created_at >= utcnow() - REPEAT_WINDOW).limit(1))
    if repeated is not None:  # a double submission (or a robot): stored once
        return repeated
    comment = Comment(
        proposal_id=proposal.id,
        version_id=proposal.current_version_id,
        author_id=user.id,
        parent_id=parent.id if parent else None,
        kind=kind,
        section=parent.section if parent else section,
        stakeholder_group=user.stakeholder_group,
        language=language,
    )
    screen(comment, text, _district(proposal.district_id))
    db.session.add(comment)
    from codesign.notifications.service import follow

    follow(user, proposal.id)  # commenting follows the proposal
    # Committed without expiring what the session holds: the caller reads back only what was just
    # written (whether it is held, and why; its id), which would otherwise cost a query.
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    return comment


def get_comment(proposal: Proposal, comment_id: int) -> Comment | None:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.proposal_id != proposal.id:
        return None
    return comment


def can_edit(comment: Comment, user, now=None) -> bool:
    """The author may edit for 15 minutes after posting, unless withdrawn."""
    now = now or utcnow()
    return (
        user is not None and user.is_authenticated and comment.author_id == user.id
        and not comment.withdrawn and comment.moderation != Moderation.HIDDEN
        and now - comment.created_at <= timedelta(minutes=EDIT_WINDOW_MINUTES)
    )


def edit_comment(comment: Comment, user, body: str) -> Comment:
    if comment.author_id != user.id:
        raise CommentError("not_yours")
    if not can_edit(comment, user):
        raise CommentError("edit_window")
    screen(comment, clean_body(body), _district(district_id_of(comment)))
    comment.edited_at = utcnow()
    db.session.commit()
    return comment


def withdraw_comment(comment: Comment, user) -> None:
    """The text disappears; that a comment was withdrawn stays in the record and the counts."""
    if comment.author_id != user.id:
        raise CommentError("not_yours")
    if comment.withdrawn:
        return
    comment.body = comment.moderated_body = ""
    comment.withdrawn_at = utcnow()
    db.session.commit()


def me_too(comment: Comment, user) -> None:
    """Agree with someone else's comment, once."""
    if comment.author_id == user.id:
        raise CommentError("own_comment")
    if comment.withdrawn:
        raise CommentError("withdrawn")
    if not comment.public:
        raise CommentError("not_public")
    db.session.execute(
        dialect_insert(MeToo).values(comment_id=comment.id, user_id=user.id, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=[MeToo.comment_id, MeToo.user_id])
    )
    count = db.select(db.func.count(MeToo.id)).where(MeToo.comment_id == comment.id).scalar_subquery()
    db.session.execute(db.update(Comment).where(Comment.id == comment.id).values(metoo_count=count))
    db.session.commit()
    db.session.refresh(comment)


def answer_comment(comment: Comment, text: str) -> None:
    """The district's official answer, shown with the comment; answering marks it answered."""
    before = {"answer": comment.official_answer, "disposition": comment.disposition}
    comment.official_answer = clean_body(text)
    comment.answered_at = utcnow()
    if comment.disposition == Disposition.OPEN:
        comment.disposition = Disposition.ANSWERED
    audit("comment.answer", f"comment:{comment.id}", district_id=district_id_of(comment), before=before,
          after={"answer": comment.official_answer, "disposition": comment.disposition})
    db.session.commit()


def set_disposition(comment: Comment, disposition: Disposition, *, reason: str = "",
                    duplicate_of_id: int | None = None) -> None:
    """Where a comment stands in the loop; out of scope needs a reason, duplicate a target."""
    reason = clean_body(reason)
    if disposition == Disposition.OUT_OF_SCOPE and not reason:
        raise CommentError("reason_required", "reason")
    duplicate = None
    if disposition == Disposition.DUPLICATE:
        duplicate = db.session.get(Comment, duplicate_of_id) if duplicate_of_id else None
        if duplicate is None or duplicate.proposal_id != comment.proposal_id or duplicate.id == comment.id:
            raise CommentError("bad_duplicate", "duplicate_of")
    before = {"disposition": comment.disposition, "reason": comment.disposition_reason,
              "duplicate_of": comment.duplicate_of_id}
    comment.disposition = disposition
    comment.disposition_reason = reason if disposition == Disposition.OUT_OF_SCOPE else ""
    comment.duplicate_of_id = duplicate.id if duplicate else None
    audit("comment.disposition", f"comment:{comment.id}", district_id=district_id_of(comment), before=before,
          after={"disposition": disposition, "reason": comment.disposition_reason,
                 "duplicate_of": comment.duplicate_of_id})
    db.session.commit()


def _district(district_id: int):
    from codesign.districts.models import District

    return db.session.get(District, district_id)


@dataclass
class CommentFilters:
    kind: Kind | None = None
    section: str | None = None
    group: StakeholderGroup | None = None
    language: str | None = None
    sort: str = "newest"  # or "metoo"

    def as_args(self) -> dict:
        args = {"kind": self.kind, "section": self.section, "group": self.group,
                "language": self.language, "sort": self.sort if self.sort != "newest" else None}
        return {key: str(value) for key, value in args.items() if value}


@dataclass
class CommentPage:
    comments: list[Comment]
    replies: dict[int, list[Comment]] = field(default_factory=dict)
    my_metoos: set[int] = field(default_factory=set)
    entry_sequences: dict[int, int] = field(default_factory=dict)
    sessions: dict[int, tuple[str, str]] = field(default_factory=dict)  # provenance of session input
    has_more: bool = False
    offset: int = 0
    next: Cursor | None = None  # where the next page starts, when there is one

    def next_args(self, filters: CommentFilters) -> dict:
        """The next page's address arguments: it starts after this page's last comment (a cursor,
        as fast however deep), numbered on from this one (offset), with the same filters."""
        args = {"offset": self.offset + len(self.comments), "after": self.next.id, **filters.as_args()}
        if filters.sort == "metoo":
            args["metoo"] = self.next.metoo
        return args


@dataclass(frozen=True)
class Cursor:
    """A page starts after this comment, in the list's order: the next page is found from the
    index (keyset), so the 250th page costs what the second does; OFFSET would read and skip
    every comment before it."""

    id: int
    metoo: int = 0  # the comment's me-too count, when the list is sorted by it


def filtered(query, filters: CommentFilters):
    """Narrow a query of comments by kind, section, stakeholder group and language."""
    if filters.kind:
        query = query.where(Comment.kind == filters.kind)
    if filters.section:
        query = query.where(Comment.section == filters.section)
    if filters.group:
        query = query.where(Comment.stakeholder_group == filters.group)
    if filters.language:
        query = query.where(Comment.language == filters.language)
    return query


def list_comments(proposal: Proposal, filters: CommentFilters, *, offset: int = 0, after: Cursor | None = None,
                  limit: int = PAGE_SIZE, user=None) -> CommentPage:
    """One page of top-level comments with their replies: three queries whatever the size.

    The page starts after the cursor when there is one (the "show more" links carry it); offset
    then only numbers the list. Without a cursor it skips offset comments (older links)."""
    query = filtered(db.select(Comment).where(Comment.proposal_id == proposal.id, Comment.parent_id.is_(None)),
                     filters)
    by_metoo = filters.sort == "metoo"
    if by_metoo:
        query = query.order_by(Comment.metoo_count.desc(), Comment.id.desc())
    else:
        query = query.order_by(Comment.id.desc())
    if after is not None:
        query = query.where(db.or_(Comment.metoo_count < after.metoo,
                                   db.and_(Comment.metoo_count == after.metoo, Comment.id < after.id))
                            if by_metoo else Comment.id < after.id)
    else:
        query = query.offset(offset)
    rows = list(db.session.scalars(query.limit(limit + 1)))
    page = CommentPage(comments=rows[:limit], has_more=len(rows) > limit, offset=offset)
    if page.has_more:
        last = page.comments[-1]
        page.next = Cursor(last.id, last.metoo_count if by_metoo else 0)
    ids = [comment.id for comment in page.comments]
    if ids:
        for reply in db.session.scalars(
            db.select(Comment).where(Comment.parent_id.in_(ids)).order_by(Comment.id)
        ):
            page.replies.setdefault(reply.parent_id, []).append(reply)
        from codesign.responselog.service import sequences_of

        page.entry_sequences = sequences_of({c.addressed_in_id for c in page.comments if c.addressed_in_id})
        from codesign.community.service import session_labels

        page.sessions = session_labels({c.session_id for c in page.comments if c.session_id})
        if user is not None and user.is_authenticated:
            all_ids = ids + [r.id for replies in page.replies.values() for r in replies]
            page.my_metoos = set(db.session.scalars(
                db.select(MeToo.comment_id).where(MeToo.user_id == user.id, MeToo.comment_id.in_(all_ids))
            ))
    return page


@dataclass(frozen=True)
class CommentTally:
    comments: int
    people_by_group: SuppressedBreakdown
    by_kind: dict[Kind, int]
    people_by_channel: SuppressedBreakdown | None = None


def tally(proposal: Proposal, threshold: int) -> CommentTally:
    """Comment counts by kind, and distinct commenters by group and by channel (suppressed), from
    the counters (codesign/comments/counters.py): the same cost at ten comments or a million."""
    by_kind = {kind: 0 for kind in Kind}
    by_kind.update(counted(proposal.id, CommentCount.kind))
    people = people_counted(proposal.id)
    return CommentTally(sum(by_kind.values()),
                        suppress_small_counts(_people_by(people, "group", StakeholderGroup), threshold),
                        by_kind, suppress_small_counts(_people_by(people, "channel", Channel), threshold))


def counted(proposal_id: int, *by, where=()) -> dict:
    """Comments on a proposal grouped by columns of CommentCount (one value per group when by is
    one column, a tuple otherwise), only those matching the conditions in where."""
    rows = db.session.execute(
        db.select(*by, db.func.sum(CommentCount.comments))
        .where(CommentCount.proposal_id == proposal_id, *where).group_by(*by))
    return {(tuple(row[:-1]) if len(by) > 1 else row[0]): int(row[-1]) for row in rows}


def people_counted(proposal_id: int) -> dict[tuple[str, str], int]:
    """Distinct people who commented on a proposal, by (dimension, value): ("group", "family")."""
    return {(dimension, value): people for dimension, value, people in db.session.execute(
        db.select(CommentPeople.dimension, CommentPeople.value, CommentPeople.people)
        .where(CommentPeople.proposal_id == proposal_id))}


def _people_by(people: dict, dimension: str, values) -> dict:
    return {value: people.get((dimension, value.value), 0) for value in values}


def list_replies(parent: Comment) -> list[Comment]:
    return list(db.session.scalars(
        db.select(Comment).where(Comment.parent_id == parent.id).order_by(Comment.id)
    ))


def flag_comment(comment: Comment, user, reason: FlagReason, note: str = "") -> bool:
    """Ask moderators to look at a comment; False if this person had already flagged it."""
    if comment.author_id == user.id:
        raise CommentError("own_comment_flag")
    if not comment.public:
        raise CommentError("not_public")
    result = db.session.execute(
        dialect_insert(Flag).values(comment_id=comment.id, user_id=user.id, reason=reason,
                            note=clean_body(note), created_at=utcnow())
        .on_conflict_do_nothing(index_elements=[Flag.comment_id, Flag.user_id])
    )
    db.session.commit()
    return result.rowcount == 1


def flags_of(comment: Comment) -> list[Flag]:
    return list(db.session.scalars(db.select(Flag).where(Flag.comment_id == comment.id).order_by(Flag.id)))


def input_of(user, limit: int = 200) -> list[tuple]:
    """The person's comments with where they stand: (comment, district, proposal, title, entry sequence).

    One query, newest first; a comment's answer and log entry travel with it.
    """
    from codesign.districts.models import District
    from codesign.proposals.models import ProposalVersion
    from codesign.responselog.models import ResponseEntry

    return list(db.session.execute(
        db.select(Comment, District, Proposal, ProposalVersion.title, ResponseEntry.sequence)
        .join(Proposal, Proposal.id == Comment.proposal_id)
        .join(District, District.id == Proposal.district_id)
        .join(ProposalVersion, ProposalVersion.id == Proposal.current_version_id)
        .outerjoin(ResponseEntry, ResponseEntry.id == Comment.addressed_in_id)
        .where(Comment.author_id == user.id)
        .order_by(Comment.id.desc())
        .limit(limit)
    ).all())
