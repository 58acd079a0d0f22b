"""Proposals, their versions and the data card each version carries."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from codesign.db import TimestampMixin, UTCDateTime, enum_type, utcnow
from codesign.districts.models import District
from codesign.enums import LabelledEnum, with_labels
from codesign.extensions import db

TITLE_MAX = 200
SUMMARY_MAX = 500
BODY_MAX = 50_000
CARD_FIELD_MAX = 4_000
WHAT_CHANGED_MAX = 4_000


class ProposalStatus(LabelledEnum):
    DRAFT = "draft"
    OPEN = "open"
    REVIEW = "review"
    DECIDED = "decided"


STATUS_LABELS = with_labels(ProposalStatus, {
    ProposalStatus.DRAFT: _l("Draft"),
    ProposalStatus.OPEN: _l("Open for input"),
    ProposalStatus.REVIEW: _l("In review"),
    ProposalStatus.DECIDED: _l("Decided"),
})


class Decision(LabelledEnum):
    ADOPTED = "adopted"
    ADOPTED_WITH_CHANGES = "adopted_with_changes"
    NOT_ADOPTED = "not_adopted"
    WITHDRAWN = "withdrawn"


DECISION_LABELS = with_labels(Decision, {
    Decision.ADOPTED: _l("Adopted"),
    Decision.ADOPTED_WITH_CHANGES: _l("Adopted with changes"),
    Decision.NOT_ADOPTED: _l("Not adopted"),
    Decision.WITHDRAWN: _l("Withdrawn"),
})

# The data card: what every family should be able to find out about a data initiative.
DATA_CARD_FIELDS = (
    ("data_collected", _l("What data would be collected")),
    ("purpose", _l("Why")),
    ("access", _l("Who could see it")),
    ("retention", _l("How long it is kept")),
    ("sharing", _l("Who it is shared with")),
    ("opt_out", _l("How a family opts out")),
)
VERSION_TEXT_FIELDS = ("title", "summary", "body") + tuple(name for name, _label in DATA_CARD_FIELDS)
VERSION_FIELD_LABELS = (
    ("title", _l("Title")),
    ("summary", _l("Short summary")),
    *DATA_CARD_FIELDS,
    ("body", _l("Full description")),
)


class Proposal(TimestampMixin, db.Model):
    """A proposed data initiative in a district, from draft to decision."""

    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id", ondelete="CASCADE"), index=True)
    status: Mapped[ProposalStatus] = mapped_column(enum_type(ProposalStatus, 16), default=ProposalStatus.DRAFT)
    comment_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision: Mapped[Decision | None] = mapped_column(enum_type(Decision, 32))
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")
    board_meeting_on: Mapped[date | None] = mapped_column(sa.Date)
    # How many comments were still "open" when the decision was recorded (staff confirmed it).
    open_comments_at_decision: Mapped[int | None] = mapped_column()
    # When staff made the board review of this proposal public (until then: board and staff).
    review_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The newest published version, kept here so lists need no per-row lookup.
    current_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposal_version.id", use_alter=True, ondelete="SET NULL")
    )

    district: Mapped[District] = relationship()
    current_version: Mapped[ProposalVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )

    def days_left(self, now: datetime | None = None) -> int:
        """Whole days until the comment period closes (0 on the last day)."""
        if self.comment_closes_at is None:
            return 0
        return max((self.comment_closes_at - (now or utcnow())).days, 0)

    def is_open_for_input(self, now: datetime | None = None) -> bool:
        """True while the comment period runs and the proposal is open."""
        now = now or utcnow()
        return (
            self.status == ProposalStatus.OPEN
            and self.comment_opens_at is not None
            and self.comment_closes_at is not None
            and self.comment_opens_at <= now < self.comment_closes_at
        )


class ProposalVersion(TimestampMixin, db.Model):
    """One version of a proposal's text and data card; a draft until it has a number."""

    __tablename__ = "proposal_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    number: Mapped[int | None] = mapped_column()  # None while a draft
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    summary: Mapped[str] = mapped_column(sa.String(SUMMARY_MAX), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    data_collected: Mapped[str] = mapped_column(sa.Text, default="")
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    access: Mapped[str] = mapped_column(sa.Text, default="")
    retention: Mapped[str] = mapped_column(sa.Text, default="")
    sharing: Mapped[str] = mapped_column(sa.Text, default="")
    opt_out: Mapped[str] = mapped_column(sa.Text, default="")
    what_changed: Mapped[str] = mapped_column(sa.Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    proposal: Mapped[Proposal] = relationship(foreign_keys=[proposal_id])

    __table_args__ = (sa.UniqueConstraint("proposal_id", "number"),)

    @property
    def is_draft(self) -> bool:
        return self.number is None

    def missing_card_fields(self) -> list[str]:
        """Names of data-card fields still empty (all are required before publishing)."""
        return [name for name, _label in DATA_CARD_FIELDS if not getattr(self, name).strip()]
