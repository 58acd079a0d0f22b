"""Demo: lucia (Spanish) and amal (Arabic) follow proposals and have been told what happened, so
the notifications page, its unread count and the follow button show something at once."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from codesign.db import utcnow
from codesign.extensions import db


def load_demo_follows(district, people, proposals_by_key) -> bool:
    """Once: each follows the dashboard, the climate survey and the bus proposal, and has a
    notice of the dashboard's version 2 (unread) and of the bus decision (read)."""
    from codesign.notifications.models import Follow, Notification, NotificationKind

    people = [person for person in people if person is not None]
    wanted = [proposals_by_key.get(key) for key in ("attendance", "climate", "bus")]
    if not people or None in wanted or db.session.scalar(
            sa.select(Follow.id).where(Follow.user_id.in_([p.id for p in people])).limit(1)):
        return False
    attendance, _climate, bus = wanted
    now = utcnow()
    for person in people:
        for proposal in wanted:
            db.session.add(Follow(user_id=person.id, proposal_id=proposal.id, created_at=now - timedelta(days=30)))
        db.session.add(Notification(user_id=person.id, proposal_id=attendance.id, kind=NotificationKind.NEW_VERSION,
                                    subject_id=attendance.current_version_id, created_at=now - timedelta(days=5)))
        db.session.add(Notification(user_id=person.id, proposal_id=bus.id, kind=NotificationKind.DECIDED,
                                    subject_id=bus.id, created_at=now - timedelta(days=120),
                                    read_at=now - timedelta(days=119)))
    db.session.commit()
    return True
