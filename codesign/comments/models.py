"""Structured comments on a proposal version, and "me too"s."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy.orm import Mapped, mapped_column, relationship

from codesign.accounts.models import StakeholderGroup
from codesign.db import TimestampMixin, UTCDateTime, enum_type
from codesign.enums import LabelledEnum, with_labels
from codesign.extensions import db
from codesign.proposals.models import DATA_CARD_FIELDS, Proposal

BODY_MIN = 5
BODY_MAX = 4_000
ANSWER_MAX = 4_000
EDIT_WINDOW_MINUTES = 15


class Kind(LabelledEnum):
    QUESTION = "question"
    CONCERN = "concern"
    SUGGESTION = "suggestion"
    SUPPORT = "support"


KIND_LABELS = with_labels(Kind, {
    Kind.QUESTION: _l("Question"),
    Kind.CONCERN: _l("Concern"),
    Kind.SUGGESTION: _l("Suggestion"),
    Kind.SUPPORT: _lp("kind of comment", "Support"),
})

GENERAL_SECTION = "general"
SECTION_LABELS = {GENERAL_SECTION: _l("The proposal in general"), **dict(DATA_CARD_FIELDS)}


class Channel(LabelledEnum):
    """How input reached the district: online, at a community session, or on a paper form."""

    ONLINE = "online"
    SESSION = "session"
    PAPER = "paper"


CHANNEL_LABELS = with_labels(Channel, {
    Channel.ONLINE: _l("Online"),
    Channel.SESSION: _l("Community session"),
    Channel.PAPER: _l("Paper form"),
})


class Disposition(LabelledEnum):
    OPEN = "open"
    ANSWERED = "answered"
    RESPONSE_LOG = "response_log"
    OUT_OF_SCOPE = "out_of_scope"
    DUPLICATE = "duplicate"


DISPOSITION_LABELS = with_labels(Disposition, {
    Disposition.OPEN: _l("Open"),
    Disposition.ANSWERED: _l("Answered"),
    Disposition.RESPONSE_LOG: _l("Will be addressed in the response log"),
    Disposition.OUT_OF_SCOPE: _l("Out of scope"),
    Disposition.DUPLICATE: _l("Duplicate"),
})


class Moderation(LabelledEnum):
    """Whether a comment's text is public: shown, held for a moderator, or hidden by one."""

    VISIBLE = "visible"
    HELD = "held"
    HIDDEN = "hidden"


class HideCategory(LabelledEnum):
    """Why moderators hid or cut a comment; shown publicly in its place."""

    PERSONAL_INFORMATION = "personal_information"
    HARASSMENT = "harassment"
    OFF_TOPIC = "off_topic"
    SPAM = "spam"


HIDE_CATEGORY_LABELS = with_labels(HideCategory, {
    HideCategory.PERSONAL_INFORMATION: _l("Personal information"),
    HideCategory.HARASSMENT: _l("Harassment"),
    HideCategory.OFF_TOPIC: _l("Off-topic"),
    HideCategory.SPAM: _l("Spam"),
})


class Comment(TimestampMixin, db.Model):
    """What someone said about one part of a proposal version; never shown with their name."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal_version.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    kind: Mapped[Kind] = mapped_column(enum_type(Kind, 16))
    section: Mapped[str] = mapped_column(sa.String(32), default=GENERAL_SECTION)
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(enum_type(StakeholderGroup, 32))
    language: Mapped[str] = mapped_column(sa.String(16))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, 16), default=Channel.ONLINE)
    # The community session that brought this comment in (channel "session"); no author then.
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("community_session.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    metoo_count: Mapped[int] = mapped_column(default=0)
    official_answer: Mapped[str] = mapped_column(sa.Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disposition: Mapped[Disposition] = mapped_column(enum_type(Disposition, 16), default=Disposition.OPEN)
    disposition_reason: Mapped[str] = mapped_column(sa.Text, default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment.id", ondelete="SET NULL"))
    # The published response-log entry that answered this comment.
    addressed_in_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("response_entry.id", ondelete="SET NULL")
    )
    # Moderation. `body` only ever holds text anyone may read; text held for a moderator or
    # hidden by one waits in `moderated_body`, which no public page or export reads.
    moderation: Mapped[Moderation] = mapped_column(enum_type(Moderation, 16), default=Moderation.VISIBLE)
    moderated_body: Mapped[str] = mapped_column(sa.Text, default="")
    held_for: Mapped[str] = mapped_column(sa.String(100), default="")  # what it seemed to contain
    hidden_category: Mapped[HideCategory | None] = mapped_column(enum_type(HideCategory, 32))
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the last decision
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    redaction_category: Mapped[HideCategory | None] = mapped_column(enum_type(HideCategory, 32))

    replies: Mapped[list[Comment]] = relationship(
        foreign_keys=[parent_id], order_by="Comment.id", lazy="raise_on_sql", viewonly=True
    )

    __table_args__ = (
        sa.Index("ix_comment_proposal_id_parent_id_id", "proposal_id", "parent_id", "id"),
        # Someone's comments (their own page), and what they posted in the last minute (a post's
        # check for the same text sent twice reads only those, however long the thread).
        sa.Index("ix_comment_author_id_created_at", "author_id", "created_at"),
        # A proposal's comments still waiting for the district's answer, oldest first: the board's
        # and staff's lists of them would otherwise read past every comment answered before them.
        # (A partial index of the open ones would be smaller, but SQLite, which plans without
        # statistics, keeps using the proposal/parent index above instead of it.)
        sa.Index("ix_comment_proposal_id_disposition_parent_id_id", "proposal_id", "disposition", "parent_id", "id"),
        # Small partial indexes for the few comments that lists look for among very many: those
        # waiting for or hidden by a moderator, and those someone said "me too" to.
        sa.Index("ix_comment_moderated", "moderation", "id", postgresql_where=sa.text("moderation <> 'visible'"),
                 sqlite_where=sa.text("moderation <> 'visible'")),
        sa.Index("ix_comment_metoo", "proposal_id", "metoo_count", postgresql_where=sa.text("metoo_count > 0"),
                 sqlite_where=sa.text("metoo_count > 0")),
    )

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def held(self) -> bool:
        return self.moderation == Moderation.HELD

    @property
    def hidden(self) -> bool:
        return self.moderation == Moderation.HIDDEN

    @property
    def public(self) -> bool:
        """Whether its text is part of the public record (not withdrawn, held or hidden)."""
        return self.moderation == Moderation.VISIBLE and not self.withdrawn

    @property
    def section_label(self) -> str:
        return str(SECTION_LABELS.get(self.section, self.section))


def district_id_of(comment: Comment) -> int | None:
    """The district a comment belongs to (through its proposal), for audit events."""
    return db.session.scalar(db.select(Proposal.district_id).where(Proposal.id == comment.proposal_id))


def person_key():
    """Who a comment counts as, when counting people: its author's account, or, for input from a
    community session (no account), the comment itself."""
    return sa.func.coalesce(Comment.author_id, -Comment.id)


class MeToo(TimestampMixin, db.Model):
    """Someone agrees with a comment; once per person per comment."""

    __tablename__ = "me_too"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)

    __table_args__ = (sa.UniqueConstraint("comment_id", "user_id"),)


class FlagReason(LabelledEnum):
    PERSONAL_INFORMATION = "personal_information"
    HARASSMENT = "harassment"
    OFF_TOPIC = "off_topic"
    SPAM = "spam"
    OTHER = "other"


FLAG_REASON_LABELS = with_labels(FlagReason, {
    FlagReason.PERSONAL_INFORMATION: _l("It shares someone's personal information"),
    FlagReason.HARASSMENT: _l("It is hurtful or harassing"),
    FlagReason.OFF_TOPIC: _l("It is not about this proposal"),
    FlagReason.SPAM: _l("It is spam or advertising"),
    FlagReason.OTHER: _l("Something else"),
})
FLAG_NOTE_MAX = 500


class Flag(TimestampMixin, db.Model):
    """Someone asks the district's moderators to look at a comment; once per person."""

    __tablename__ = "flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    reason: Mapped[FlagReason] = mapped_column(enum_type(FlagReason, 32))
    note: Mapped[str] = mapped_column(sa.String(FLAG_NOTE_MAX), default="")

    __table_args__ = (sa.UniqueConstraint("comment_id", "user_id"),)


# ---------------------------------------------------------------- counters
# Kept by database triggers (codesign/comments/counters.py) in the same transaction as every
# change to `comment`, so that counts on big proposals cost the same as on small ones.

class CommentCount(db.Model):
    """How many comments a proposal has with each combination of these properties."""

    __tablename__ = "comment_count"

    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[Kind] = mapped_column(enum_type(Kind, 16), primary_key=True)
    section: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(enum_type(StakeholderGroup, 32), primary_key=True)
    language: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, 16), primary_key=True)
    disposition: Mapped[Disposition] = mapped_column(enum_type(Disposition, 16), primary_key=True)
    moderation: Mapped[Moderation] = mapped_column(enum_type(Moderation, 16), primary_key=True)
    hidden_category: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # "" when none
    reply: Mapped[bool] = mapped_column(primary_key=True)
    withdrawn: Mapped[bool] = mapped_column(primary_key=True)
    comments: Mapped[int]


class CommentPerson(db.Model):
    """How many comments one person made on a proposal under one value of a dimension
    ("group": stakeholder group, "channel"): what the distinct-people counts are kept from."""

    __tablename__ = "comment_person"

    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True)
    dimension: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    person: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # see person_key()
    comments: Mapped[int]


class CommentPeople(db.Model):
    """How many distinct people commented on a proposal, per value of a dimension."""

    __tablename__ = "comment_people"

    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True)
    dimension: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    people: Mapped[int]
