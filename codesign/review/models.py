"""What the board compares participation with: the district's reference shares."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from codesign.db import TimestampMixin, enum_type
from codesign.enums import LabelledEnum, with_labels
from codesign.extensions import db


class Dimension(LabelledEnum):
    """What a set of reference shares describes; participants are counted the same way."""

    GROUP = "group"
    LANGUAGE = "language"


DIMENSION_LABELS = with_labels(Dimension, {
    Dimension.GROUP: _l("Stakeholder group"),
    Dimension.LANGUAGE: _l("Home language"),
})


class ReferenceShare(TimestampMixin, db.Model):
    """The share of the district's community in one group (e.g. 18% of families speak Spanish at home)."""

    __tablename__ = "reference_share"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id", ondelete="CASCADE"), index=True)
    dimension: Mapped[Dimension] = mapped_column(enum_type(Dimension, 16))
    key: Mapped[str] = mapped_column(sa.String(40))  # a stakeholder group or a language code
    percent: Mapped[float] = mapped_column(sa.Float)
    source: Mapped[str] = mapped_column(sa.String(300), default="")  # where the figure comes from

    __table_args__ = (
        sa.UniqueConstraint("district_id", "dimension", "key"),
        sa.CheckConstraint("percent >= 0 AND percent <= 100", name="percent_in_range"),
    )


# ---------------------------------------------------------------- participant counters
# Kept by database triggers (codesign/review/participants.py) in the same transaction as every
# comment, vote and survey answer, and every change of a person's group or language.

class Participant(db.Model):
    """Someone with an account who gave input on a proposal: how many comments, votes and survey
    answers (on surveys linked to it) they gave."""

    __tablename__ = "participant"

    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    inputs: Mapped[int]


class ParticipantCount(db.Model):
    """How many people with an account gave input on a proposal, by their group and language now."""

    __tablename__ = "participant_count"

    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True)
    stakeholder_group: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    locale: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    people: Mapped[int]
