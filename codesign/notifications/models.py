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

    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", "subject_id"),  # told once about each thing
        sa.Index("ix_notification_user_id_id", "user_id", "id"),
    )
