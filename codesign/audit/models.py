"""Audit events: written once, never changed or removed (the ORM refuses, and on PostgreSQL a
trigger refuses too)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from codesign.db import UTCDateTime, utcnow
from codesign.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Who: the account's id and its username as it was (no foreign key: the record outlives accounts).
    actor_id: Mapped[int | None] = mapped_column()
    actor: Mapped[str] = mapped_column(sa.String(64), default="")
    district_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(sa.String(64), index=True)  # e.g. "proposal.publish"
    subject: Mapped[str] = mapped_column(sa.String(64), default="")  # e.g. "proposal:3"
    before: Mapped[str] = mapped_column(sa.Text, default="")  # JSON
    after: Mapped[str] = mapped_column(sa.Text, default="")  # JSON


class AppendOnly(Exception):
    """Audit events cannot be changed or removed."""


@sa.event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper, _connection, _target):
    raise AppendOnly("audit events cannot be changed")


@sa.event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(_mapper, _connection, _target):
    raise AppendOnly("audit events cannot be removed")


# The database refuses too, whatever code runs against it (created by the migration).
GUARDS = {
    "postgresql": [
        "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'audit events cannot be changed or removed'; END $$",
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    ],
    "sqlite": [
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit events cannot be removed'); END",
    ],
}
UNGUARDS = {
    "postgresql": ["DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
                   "DROP FUNCTION IF EXISTS audit_event_append_only()"],
    "sqlite": ["DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"],
}
