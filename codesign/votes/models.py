"""A participant's stance on one version of a proposal."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from codesign.accounts.models import StakeholderGroup
from codesign.db import TimestampMixin, UTCDateTime, enum_type, utcnow
from codesign.enums import LabelledEnum, with_labels
from codesign.extensions import db


class Stance(LabelledEnum):
    SUPPORT = "support"
    NEUTRAL = "neutral"
    OPPOSE = "oppose"


STANCE_LABELS = with_labels(Stance, {
    Stance.SUPPORT: _l("Support"),
    Stance.NEUTRAL: _l("Neutral"),
    Stance.OPPOSE: _l("Oppose"),
})


class Vote(TimestampMixin, db.Model):
    """One vote per person per version, enforced by the database."""

    __tablename__ = "vote"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposal_version.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    stance: Mapped[Stance] = mapped_column(enum_type(Stance, 16))
    # The voter's group when they voted, so tallies never need to join people.
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(enum_type(StakeholderGroup, 32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (sa.UniqueConstraint("version_id", "user_id"),)


class VoteCount(db.Model):
    """How many votes a version has per stance and group, kept by database triggers
    (codesign/votes/counters.py) in the same transaction as every vote."""

    __tablename__ = "vote_count"

    version_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal_version.id", ondelete="CASCADE"),
                                            primary_key=True)
    stance: Mapped[Stance] = mapped_column(enum_type(Stance, 16), primary_key=True)
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(enum_type(StakeholderGroup, 32), primary_key=True)
    votes: Mapped[int]
