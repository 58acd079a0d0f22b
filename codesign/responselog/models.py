"""The response log: append-only, hash-chained entries saying what the district did with input."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from codesign.db import TimestampMixin, UTCDateTime, enum_type
from codesign.enums import LabelledEnum, with_labels
from codesign.extensions import db

TEXT_MAX = 8_000


class Outcome(LabelledEnum):
    CHANGED = "changed"
    PARTLY_CHANGED = "partly_changed"
    NOT_CHANGED = "not_changed"
    STILL_CONSIDERING = "still_considering"


OUTCOME_LABELS = with_labels(Outcome, {
    Outcome.CHANGED: _l("Changed"),
    Outcome.PARTLY_CHANGED: _l("Partly changed"),
    Outcome.NOT_CHANGED: _l("Not changed"),
    Outcome.STILL_CONSIDERING: _l("Still considering"),
})


class ResponseEntry(TimestampMixin, db.Model):
    """One "you said, we did" entry. Editable while a draft; never changed once published."""

    __tablename__ = "response_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    # Position in the district's chain, from 1; None while a draft.
    sequence: Mapped[int | None] = mapped_column()
    heard: Mapped[str] = mapped_column(sa.Text)
    outcome: Mapped[Outcome] = mapped_column(enum_type(Outcome, 32))
    reasons: Mapped[str] = mapped_column(sa.Text)
    from_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposal_version.id"))
    to_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposal_version.id"))
    # Space-separated names of the version fields that changed from one to the other.
    changed_fields: Mapped[str] = mapped_column(sa.String(300), default="")
    amends_id: Mapped[int | None] = mapped_column(sa.ForeignKey("response_entry.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    previous_hash: Mapped[str | None] = mapped_column(sa.String(64))
    entry_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    __table_args__ = (sa.UniqueConstraint("district_id", "sequence"),)

    @property
    def is_draft(self) -> bool:
        return self.sequence is None


class EntryComment(db.Model):
    """A comment that an entry answers."""

    __tablename__ = "response_entry_comment"

    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("response_entry.id", ondelete="CASCADE"),
                                          primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comment.id", ondelete="CASCADE"),
                                            primary_key=True, index=True)


class EntryQuestion(db.Model):
    """A survey question whose answers an entry responds to."""

    __tablename__ = "response_entry_question"

    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("response_entry.id", ondelete="CASCADE"),
                                          primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_question.id", ondelete="CASCADE"),
                                             primary_key=True, index=True)


CONTEST_REASON_MAX = 500


class Contest(TimestampMixin, db.Model):
    """A participant says an entry does not address their concern; once per person."""

    __tablename__ = "response_contest"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("response_entry.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(CONTEST_REASON_MAX))

    __table_args__ = (sa.UniqueConstraint("entry_id", "user_id"),)
