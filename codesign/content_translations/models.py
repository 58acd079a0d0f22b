"""Translations of what the district writes, each knowing which source text it translates."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from codesign.db import TimestampMixin, UTCDateTime, enum_type, utcnow
from codesign.enums import LabelledEnum, with_labels
from codesign.extensions import db


class Origin(LabelledEnum):
    DISTRICT = "district"
    COMMUNITY_REVIEWED = "community_reviewed"


ORIGIN_LABELS = with_labels(Origin, {
    Origin.DISTRICT: _l("Translated by the district"),
    Origin.COMMUNITY_REVIEWED: _l("Translated and reviewed by community members"),
})


class ProposalTranslation(TimestampMixin, db.Model):
    """One field of a proposal in another language. source_hash is the SHA-256 of the source
    text the translator saw: when the proposal's text changes, the translation is outdated."""

    __tablename__ = "proposal_translation"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    locale: Mapped[str] = mapped_column(sa.String(16))
    field: Mapped[str] = mapped_column(sa.String(32))
    text: Mapped[str] = mapped_column(sa.Text)
    source_hash: Mapped[str] = mapped_column(sa.String(64))
    source_version: Mapped[int] = mapped_column()  # the version number it was made from
    origin: Mapped[Origin] = mapped_column(enum_type(Origin, 32), default=Origin.DISTRICT)
    translator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[object] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (sa.UniqueConstraint("proposal_id", "locale", "field"),)


class TranslationRequest(TimestampMixin, db.Model):
    """Someone asked for a proposal in their language: once per person, or per browser."""

    __tablename__ = "translation_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    locale: Mapped[str] = mapped_column(sa.String(16))
    requester: Mapped[str] = mapped_column(sa.String(64), index=True)  # "user:<id>" or "browser:<random>"

    __table_args__ = (sa.UniqueConstraint("proposal_id", "locale", "requester"),)


class _OfSubject:
    """Which session, entry or organization (`kind` names one of kinds.KINDS), and which language."""

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("district.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    subject_id: Mapped[int] = mapped_column()
    locale: Mapped[str] = mapped_column(sa.String(16))


class ContentTranslation(_OfSubject, TimestampMixin, db.Model):
    """One field of a session, response-log entry or organization in another language.
    `kind` names which (see kinds.py); source_hash is the SHA-256 of the text the translator saw."""

    __tablename__ = "content_translation"

    field: Mapped[str] = mapped_column(sa.String(32))
    text: Mapped[str] = mapped_column(sa.Text)
    source_hash: Mapped[str] = mapped_column(sa.String(64))
    origin: Mapped[Origin] = mapped_column(enum_type(Origin, 32), default=Origin.DISTRICT)
    translator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[object] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (sa.UniqueConstraint("kind", "subject_id", "locale", "field"),)


class ContentTranslationRequest(_OfSubject, TimestampMixin, db.Model):
    """Someone asked for a session, entry or organization in their language (once each)."""

    __tablename__ = "content_translation_request"

    requester: Mapped[str] = mapped_column(sa.String(64), index=True)

    __table_args__ = (sa.UniqueConstraint("kind", "subject_id", "locale", "requester"),)
