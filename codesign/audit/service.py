"""Writing audit events (in the caller's transaction, so an action and its record commit or
fail together) and reading them for admins."""
from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum

from codesign.audit.models import AuditEvent
from codesign.extensions import db

PAGE_SIZE = 50


class _Nobody:
    """The actor of what a person does to their own account (a recovery code, a new password):
    the event names the account by number only, so erasing the account leaves no name behind."""

    id = None
    username = ""


NOBODY = _Nobody()


def _plain(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _json(data) -> str:
    if data is None:
        return ""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=_plain)


def record(action: str, subject: str = "", *, before=None, after=None, district_id: int | None = None,
           actor=None) -> AuditEvent:
    """Add an event to the session; the caller's commit writes it with the change itself.
    The actor defaults to whoever is signed in for this request."""
    if actor is None:
        actor = _current_actor()
    event = AuditEvent(action=action, subject=subject, before=_json(before), after=_json(after),
                       district_id=district_id, actor_id=getattr(actor, "id", None),
                       actor=getattr(actor, "username", "") or "")
    db.session.add(event)
    return event


def _current_actor():
    from flask import has_request_context
    from flask_login import current_user

    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user
    return None


def events(*, district_id: int | None = None, action: str | None = None, page: int = 1):
    query = db.select(AuditEvent).order_by(AuditEvent.id.desc())
    if district_id is not None:
        query = query.where(AuditEvent.district_id == district_id)
    if action:
        query = query.where(AuditEvent.action == action)
    return db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)


def people_named(events) -> dict[str, str]:
    """"user:<id>" subjects → the account's username now ("" once erased): events name people by
    number only, so erasing an account leaves no name in the log. One query."""
    from codesign.accounts.models import User

    ids = {int(e.subject[5:]) for e in events if e.subject.startswith("user:") and e.subject[5:].isdigit()}
    if not ids:
        return {}
    return {f"user:{user_id}": "" if erased else username for user_id, username, erased in db.session.execute(
        db.select(User.id, User.username, User.erased_at).where(User.id.in_(ids)))}


def actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def all_events(district_id: int | None = None, action: str | None = None):
    """Every event, oldest first, streamed (for the CSV export)."""
    query = db.select(AuditEvent).order_by(AuditEvent.id)
    if district_id is not None:
        query = query.where(AuditEvent.district_id == district_id)
    if action:
        query = query.where(AuditEvent.action == action)
    return db.session.scalars(query.execution_options(yield_per=500))
