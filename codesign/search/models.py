"""The search outbox (changes waiting to reach the index) and, for the PostgreSQL engine, the
shared index itself."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from codesign.db import UTCDateTime, utcnow
from codesign.extensions import db


class SearchOutbox(db.Model):
    """A searchable thing that changed ("comment:12", "proposal:3", ...). Written in the same
    transaction as the change itself, so the index can never miss one; removed once applied."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# PostgreSQL's own types; plain text elsewhere, where this table stays empty.
TSVECTOR = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")
INT_ARRAY = sa.Text().with_variant(postgresql.ARRAY(sa.Integer()), "postgresql")


class SearchDocument(db.Model):
    """One searchable text (a proposal in one language, a comment, ...) for the PostgreSQL
    engine: every app server reads the same rows, matched through a GIN index on `tsv`."""

    __tablename__ = "search_document"

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(40), index=True)
    type: Mapped[str] = mapped_column(sa.String(16))
    district_id: Mapped[int] = mapped_column(index=True)
    proposal_ids = mapped_column(INT_ARRAY, nullable=True)
    language: Mapped[str] = mapped_column(sa.String(16))
    kind: Mapped[str] = mapped_column(sa.String(32), default="")
    section: Mapped[str] = mapped_column(sa.String(32), default="")
    grp: Mapped[str] = mapped_column(sa.String(32), default="")
    title: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    target: Mapped[str] = mapped_column(sa.String(40), default="")
    tsv = mapped_column(TSVECTOR, nullable=True)

    __table_args__ = (sa.Index("ix_search_document_tsv", "tsv", postgresql_using="gin"),)
