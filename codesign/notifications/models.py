"""Following a proposal, and what its followers are told about it."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from codesign.db import TimestampMixin, UTCDateTime, enum_type
from codesign.enums import LabelledEnum, with_labels
from codesign.extensions import db


class Follow(TimestampMixin, db.Model):
    """Someone wants to hear about a proposal (commenting or voting follows it too)."""

    __tablename__ = "follow"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)

    __table_args__ = (sa.UniqueConstraint("user_id", "proposal_id"),)


class NotificationKind(LabelledEnum):
    NEW_VERSION = "new_version"
    CLOSING_SOON = "closing_soon"  # about the current version's comment period
    ANSWERED = "answered"
    DECIDED = "decided"


class EmailHow(LabelledEnum):
    """Whether a person with an email also gets one kind of notification by email, and when."""

    OFF = "off"
    NOW = "now"
    WEEKLY = "weekly"  # gathered into one email a week


EMAIL_HOW_LABELS = with_labels(EmailHow, {
    EmailHow.OFF: _l("No email"),
    EmailHow.NOW: _l("An email right away"),
    EmailHow.WEEKLY: _l("In a weekly summary email"),
})


# Each kind as a person chooses it by email (the account page, and the page that stops an email).
EMAIL_CHOICE_LABELS = {
    NotificationKind.NEW_VERSION: _l("A new version of a proposal I follow"),
    NotificationKind.CLOSING_SOON: _l("Input on a proposal I follow closes in three days"),
    NotificationKind.ANSWERED: _l("The district answers my input"),
    NotificationKind.DECIDED: _l("The decision on a proposal I follow"),
}


def email_choice_column(kind: NotificationKind) -> str:
    """The person's column (accounts.models.User) that says how they want this kind by email."""
    return f"email_{kind.value}"


NOTIFICATION_LABELS = with_labels(NotificationKind, {
    NotificationKind.NEW_VERSION: _l("A new version"),
    NotificationKind.CLOSING_SOON: _l("Input closes soon"),
    NotificationKind.ANSWERED: _l("Your input was answered"),
    NotificationKind.DECIDED: _l("The decision"),
})


class Notification(TimestampMixin, db.Model):
    """One thing one person is told, in the app. Its words are made when it is shown, in the
    person's language then; `subject_id` is the version, log entry or proposal it is about."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NotificationKind] = mapped_column(enum_type(NotificationKind, 16))
    subject_id: Mapped[int] = mapped_column()
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Its email (codesign/notifications/emails.py), if the person chose one: when it is next due
    # (None: nothing to send, or sent, or given up), when it was sent, how many tries failed,
    # and whether it goes in the weekly summary rather than on its own.
    email_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    email_weekly: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", "subject_id"),  # told once about each thing
        sa.Index("ix_notification_user_id_id", "user_id", "id"),
        sa.Index("ix_notification_email_due_at", "email_due_at",
                 postgresql_where=sa.text("email_due_at IS NOT NULL"),
                 sqlite_where=sa.text("email_due_at IS NOT NULL")),
    )
