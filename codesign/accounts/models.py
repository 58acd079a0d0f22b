"""People who sign in. Email is optional: many families have none."""
from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from codesign.db import TimestampMixin, UTCDateTime, enum_type
from codesign.enums import LabelledEnum, with_labels
from codesign.extensions import db
from codesign.notifications.models import EmailHow


class StakeholderGroup(LabelledEnum):
    """Who a person is, in relation to the schools; shown on their input, never their name."""

    STUDENT = "student"
    FAMILY = "family"
    EDUCATOR = "educator"
    COMMUNITY_MEMBER = "community_member"
    COMMUNITY_ORGANIZATION = "community_organization"


STAKEHOLDER_LABELS = with_labels(StakeholderGroup, {
    StakeholderGroup.STUDENT: _l("Student"),
    StakeholderGroup.FAMILY: _l("Parent, guardian or family member"),
    StakeholderGroup.EDUCATOR: _l("Teacher or school staff"),
    StakeholderGroup.COMMUNITY_MEMBER: _l("Community member"),
    StakeholderGroup.COMMUNITY_ORGANIZATION: _l("Community organization"),
})

USERNAME_MAX = 40
EMAIL_MAX = 254
DISPLAY_NAME_MAX = 80


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, TimestampMixin, db.Model):
    """An account. The session token ends every signed-in session when it changes."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased so that "Maria" and "maria" are the same account.
    username: Mapped[str] = mapped_column(sa.String(USERNAME_MAX), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(EMAIL_MAX), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(DISPLAY_NAME_MAX), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(
        enum_type(StakeholderGroup, 32)
    )
    preferred_locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    is_admin: Mapped[bool] = mapped_column(default=False)
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When we emailed that this inactive account will be anonymized (cleared at sign-in).
    inactivity_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Two-step sign-in: the authenticator app's shared secret (base32), and the last 30-second
    # time step whose code was used, so no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # An erased account keeps only its number (so that no new account ever takes it) and this.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # For each kind of notification, whether they also want it by email (only with an email):
    # not at all, right away, or in a weekly summary (codesign/notifications/).
    email_new_version: Mapped[EmailHow] = mapped_column(enum_type(EmailHow, 8), default=EmailHow.OFF,
                                                        server_default=EmailHow.OFF.value)
    email_closing_soon: Mapped[EmailHow] = mapped_column(enum_type(EmailHow, 8), default=EmailHow.OFF,
                                                         server_default=EmailHow.OFF.value)
    email_answered: Mapped[EmailHow] = mapped_column(enum_type(EmailHow, 8), default=EmailHow.OFF,
                                                     server_default=EmailHow.OFF.value)
    email_decided: Mapped[EmailHow] = mapped_column(enum_type(EmailHow, 8), default=EmailHow.OFF,
                                                    server_default=EmailHow.OFF.value)
    # Account recovery without email (codesign/recovery/): the hash of the person's own recovery
    # code (shown once, replaced when used), and of a one-time code district staff gave them,
    # with when it stops working and when it was issued (they are told at their next sign-in).
    recovery_code_hash: Mapped[str | None] = mapped_column(sa.String(255))
    staff_code_hash: Mapped[str | None] = mapped_column(sa.String(255))
    staff_code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    staff_code_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def get_id(self) -> str:
        """Flask-Login stores id and token together; a changed token signs every session out."""
        return f"{self.id}:{self.session_token}"

    @property
    def two_factor(self) -> bool:
        return self.totp_secret is not None

    @property
    def name(self) -> str:
        """What the interface calls this person (never shown next to their input)."""
        return self.display_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username}>"
