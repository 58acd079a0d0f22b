"""What else the district writes, besides proposals and surveys, that can be translated.

Each kind names its model, the fields a translator sees, which rows are public enough to
translate, and where a reader finds one. Proposals keep their own table (a translation there
also remembers the version it was made from); surveys have their own texts (surveys/).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from codesign.community.models import Organization, Session
from codesign.db import utcnow
from codesign.responselog.models import ResponseEntry


@dataclass(frozen=True)
class Kind:
    name: str
    label: Any  # lazy string: what the dashboard calls it
    model: type
    fields: tuple[tuple[str, Any], ...]  # (attribute, lazy label)
    public: Callable[[], Any]  # extra WHERE clause: which rows readers can see
    title: Callable[[Any], str]
    reader_url: Callable[..., str]  # (subject, **url arguments)
    pending: Callable[[], Any]  # extra WHERE clause: which rows the staff dashboard lists
    due: Callable[[Any], datetime | None] = lambda subject: None  # sooner first on the dashboard

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(name for name, _label in self.fields)


def _entry_title(entry: ResponseEntry) -> str:
    from flask_babel import gettext

    return gettext("Entry %(number)s", number=entry.sequence)


PROPOSAL_LABEL = _l("Proposal")
SURVEY_LABEL = _l("Survey")

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            name="session", label=_l("Community session"), model=Session,
            fields=(("title", _l("Title")), ("place", _l("Place"))),
            public=lambda: Session.id.is_not(None),
            pending=lambda: Session.ends_at > utcnow(),
            title=lambda s: s.title,
            reader_url=lambda s, **kw: url_for("community.session_page", session_id=s.id, **kw),
            due=lambda s: s.starts_at,
        ),
        Kind(
            name="entry", label=_l("Response-log entry"), model=ResponseEntry,
            fields=(("heard", _l("What we heard")), ("reasons", _l("Our reasons"))),
            public=lambda: ResponseEntry.sequence.is_not(None),
            pending=lambda: ResponseEntry.sequence.is_not(None),
            title=_entry_title,
            reader_url=lambda e, **kw: url_for("responselog.entry", sequence=e.sequence, **kw),
        ),
        Kind(
            name="organization", label=_l("Organization"), model=Organization,
            fields=(("description", _l("Description")),),
            public=lambda: Organization.id.is_not(None),
            pending=lambda: Organization.id.is_not(None),
            title=lambda o: o.name,
            reader_url=lambda o, **kw: url_for("community.organization", organization_id=o.id, **kw),
        ),
    )
}
