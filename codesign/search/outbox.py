"""Recording what changed, in the same transaction as the change.

Every flush that adds, changes or deletes something searchable also writes its subject to
`search_outbox`. A worker outside the web request applies those rows to the index and deletes
them; since rows are only written by committed transactions and only deleted once applied, no
change is ever lost, whatever crashes.
"""
from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import Session as OrmSession

from codesign.db import utcnow
from codesign.search.models import SearchOutbox


@cache
def _rules() -> dict[type, tuple[str, str]]:
    """Model → (kind of subject, attribute holding its id)."""
    from codesign.comments.models import Comment
    from codesign.community.models import Session
    from codesign.content_translations.models import ProposalTranslation
    from codesign.proposals.models import Proposal, ProposalVersion
    from codesign.responselog.models import ResponseEntry
    from codesign.surveys.models import Survey, SurveyOption, SurveyQuestion, SurveyText

    return {
        Comment: ("comment", "id"), Proposal: ("proposal", "id"), ProposalVersion: ("proposal", "proposal_id"),
        ProposalTranslation: ("proposal", "proposal_id"), ResponseEntry: ("entry", "id"), Session: ("session", "id"),
        Survey: ("survey", "id"), SurveyQuestion: ("survey", "survey_id"), SurveyText: ("survey", "survey_id"),
        SurveyOption: ("survey_question", "question_id"),  # resolved to its survey when applied
    }


def _subject_of(instance) -> str | None:
    """The search subject a changed row belongs to, if any."""
    from codesign.content_translations.models import ContentTranslation

    rule = _rules().get(type(instance))
    if rule is not None:
        ident = getattr(instance, rule[1])
        return f"{rule[0]}:{ident}" if ident is not None else None
    if isinstance(instance, ContentTranslation) and instance.kind in ("entry", "session"):
        return f"{instance.kind}:{instance.subject_id}"
    return None


def _record(session: OrmSession, _flush_context) -> None:
    subjects = set()
    for instance in (*session.new, *session.dirty, *session.deleted):
        if instance in session.dirty and not session.is_modified(instance, include_collections=False):
            continue
        found = _subject_of(instance)
        if found:
            subjects.add(found)
    if subjects:
        now = utcnow()
        session.connection().execute(sa.insert(SearchOutbox.__table__),
                                     [{"subject": item, "created_at": now} for item in sorted(subjects)])


def install() -> None:
    """Listen to every ORM session's flushes (once per process)."""
    if not sa.event.contains(OrmSession, "after_flush", _record):
        sa.event.listen(OrmSession, "after_flush", _record)
