"""Community organizations, the sessions they host, and the input each session brings in."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from codesign.accounts.models import StakeholderGroup
from codesign.db import TimestampMixin, UTCDateTime, enum_type, utcnow
from codesign.enums import LabelledEnum, with_labels
from codesign.extensions import db
from codesign.votes.models import Stance

NAME_MAX = 200
TEXT_MAX = 4_000
PLACE_MAX = 300
LINK_MAX = 500
CAPACITY_MAX = 10_000


class Organization(TimestampMixin, db.Model):
    """A community organization registered with a district; it hosts sessions."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    languages: Mapped[str] = mapped_column(sa.String(200), default="")  # space-separated codes
    contact: Mapped[str] = mapped_column(sa.String(NAME_MAX), default="")  # public contact

    @property
    def language_codes(self) -> list[str]:
        return self.languages.split()


class OrganizationFacilitator(TimestampMixin, db.Model):
    """A person who facilitates for an organization (they also hold the district's facilitator role)."""

    __tablename__ = "organization_facilitator"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)

    __table_args__ = (sa.UniqueConstraint("organization_id", "user_id"),)


class SessionMode(LabelledEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"


SESSION_MODE_LABELS = with_labels(SessionMode, {
    SessionMode.IN_PERSON: _l("In person"),
    SessionMode.ONLINE: _l("Online"),
})


class Session(TimestampMixin, db.Model):
    """A community session about one or more proposals."""

    __tablename__ = "community_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    mode: Mapped[SessionMode] = mapped_column(enum_type(SessionMode, 16), default=SessionMode.IN_PERSON)
    place: Mapped[str] = mapped_column(sa.String(PLACE_MAX), default="")
    online_link: Mapped[str] = mapped_column(sa.String(LINK_MAX), default="")  # shown only after signing up
    step_free: Mapped[bool] = mapped_column(default=False)
    childcare: Mapped[bool] = mapped_column(default=False)
    food: Mapped[bool] = mapped_column(default=False)
    interpretation: Mapped[str] = mapped_column(sa.String(200), default="")  # space-separated codes
    languages: Mapped[str] = mapped_column(sa.String(200), default="")  # languages spoken
    capacity: Mapped[int | None] = mapped_column()
    coming: Mapped[int] = mapped_column(default=0)  # people who said they will come (a count only)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    __table_args__ = (
        sa.CheckConstraint("coming >= 0", name="coming_not_negative"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    @property
    def language_codes(self) -> list[str]:
        return self.languages.split()

    @property
    def interpretation_codes(self) -> list[str]:
        return self.interpretation.split()

    def is_upcoming(self, now: datetime | None = None) -> bool:
        return self.ends_at > (now or utcnow())

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.coming >= self.capacity


class SessionProposal(db.Model):
    """A proposal a session is about."""

    __tablename__ = "community_session_proposal"

    session_id: Mapped[int] = mapped_column(sa.ForeignKey("community_session.id", ondelete="CASCADE"),
                                            primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True,
                                             index=True)


class SessionAttendance(db.Model):
    """How many people of one stakeholder group came: counts only, never names."""

    __tablename__ = "community_session_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("community_session.id", ondelete="CASCADE"), index=True)
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(enum_type(StakeholderGroup, 32))
    count: Mapped[int] = mapped_column()

    __table_args__ = (
        sa.UniqueConstraint("session_id", "stakeholder_group"),
        sa.CheckConstraint("count >= 0", name="attendance_not_negative"),
    )


class SessionTally(db.Model):
    """A show of hands on one proposal version: support / neutral / oppose counts by group."""

    __tablename__ = "community_session_tally"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("community_session.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal_version.id", ondelete="CASCADE"), index=True)
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(enum_type(StakeholderGroup, 32))
    stance: Mapped[Stance] = mapped_column(enum_type(Stance, 16))
    count: Mapped[int] = mapped_column()

    __table_args__ = (
        sa.UniqueConstraint("session_id", "version_id", "stakeholder_group", "stance"),
        sa.CheckConstraint("count >= 0", name="tally_not_negative"),
    )


class SessionChange(TimestampMixin, db.Model):
    """What staff changed in a session's record after the facilitator confirmed it."""

    __tablename__ = "community_session_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("community_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    what: Mapped[str] = mapped_column(sa.String(64))  # attendance, comments, tally, survey, details
    detail: Mapped[str] = mapped_column(sa.Text, default="")
