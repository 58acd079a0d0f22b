"""Districts and the roles people hold in them."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from codesign.accounts.models import User
from codesign.db import TimestampMixin, enum_type
from codesign.enums import LabelledEnum, with_labels
from codesign.extensions import db

SLUG_MAX = 63
NAME_MAX = 200


class Role(LabelledEnum):
    """A role someone holds in one district. Platform admins are flagged on the user."""

    STAFF = "staff"
    BOARD = "board"
    FACILITATOR = "facilitator"
    PARTICIPANT = "participant"


ROLE_LABELS = with_labels(Role, {
    Role.STAFF: _l("District staff"),
    Role.BOARD: _l("School board member"),
    Role.FACILITATOR: _l("Community facilitator"),
    Role.PARTICIPANT: _l("Participant"),
})


class District(TimestampMixin, db.Model):
    """An organization that posts proposed data initiatives."""

    __tablename__ = "district"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(SLUG_MAX), unique=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    # Space-separated locale codes the district offers, in the order it lists them.
    languages: Mapped[str] = mapped_column(sa.String(200), default="en")
    default_locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="America/Los_Angeles")
    suppression_threshold: Mapped[int] = mapped_column(default=10)
    privacy_contact: Mapped[str] = mapped_column(sa.String(NAME_MAX), default="")
    # How the district's student ID numbers look ("S#######": # a digit, @ a letter), comma
    # separated; comments containing one are held for a moderator.
    student_id_formats: Mapped[str] = mapped_column(sa.String(200), default="")
    # Staff and board members must use two-step sign-in to act as such here.
    require_two_factor: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        sa.CheckConstraint("suppression_threshold >= 1", name="suppression_threshold_positive"),
    )

    @property
    def language_codes(self) -> list[str]:
        return self.languages.split()

    @language_codes.setter
    def language_codes(self, codes: list[str]) -> None:
        self.languages = " ".join(dict.fromkeys(codes))

    def __repr__(self) -> str:
        return f"<District {self.slug}>"


class Membership(TimestampMixin, db.Model):
    """One role held by one person in one district."""

    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    district_id: Mapped[int] = mapped_column(
        sa.ForeignKey("district.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_type(Role, 20))

    user: Mapped[User] = relationship()
    district: Mapped[District] = relationship()

    __table_args__ = (sa.UniqueConstraint("user_id", "district_id", "role"),)
