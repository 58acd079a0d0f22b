"""What is searchable, read from the database: only what the public can see.

A *subject* is one thing that changes ("proposal:3", "comment:12"); it becomes zero or more
*documents* — a proposal in its original language and in each translation, say. A subject
that is not public (a draft, a withdrawn comment, an unpublished entry or survey) has none, so
applying it removes whatever the index held for it.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from codesign.extensions import db

TYPES = ("proposal", "comment", "entry", "survey", "session")
BATCH = 500


@dataclass
class Doc:
    key: str  # unique: subject, then the language for translated texts
    subject: str
    type: str
    district_id: int
    language: str
    title: str
    body: str
    target: str  # what the result links to: a proposal id, a comment id, an entry's sequence...
    proposal_ids: list[int] = field(default_factory=list)
    kind: str = ""
    section: str = ""
    group: str = ""
    more: str = ""  # searchable but not shown (earlier versions of a proposal)

    @property
    def indexed_text(self) -> str:
        return "\n".join(part for part in (self.title, self.title, self.body, self.more) if part)


def subject(kind: str, ident: int) -> str:
    return f"{kind}:{ident}"


def split(subjects: set[str]) -> dict[str, list[int]]:
    """{"comment": [12, 13], ...} from "comment:12" and the like (anything else is ignored)."""
    found: dict[str, list[int]] = {}
    for item in subjects:
        kind, _sep, ident = item.partition(":")
        if ident.isdigit():
            found.setdefault(kind, []).append(int(ident))
    return found


def documents_for(subjects: set[str]) -> list[Doc]:
    """The current documents of these subjects, a few queries per kind of subject."""
    wanted = split(subjects)
    if "survey_question" in wanted:  # an option or question changed: its survey is the subject
        from codesign.surveys.models import SurveyQuestion

        wanted.setdefault("survey", []).extend(db.session.scalars(
            db.select(SurveyQuestion.survey_id).where(SurveyQuestion.id.in_(wanted.pop("survey_question")))))
    docs: list[Doc] = []
    for kind, builder in BUILDERS.items():
        ids = sorted(set(wanted.get(kind, [])))
        for start in range(0, len(ids), BATCH):
            docs += builder(ids[start:start + BATCH])
    return docs


def all_documents() -> Iterator[Doc]:
    """Every public document, in batches (for rebuilding an index)."""
    from codesign.comments.models import Comment
    from codesign.community.models import Session
    from codesign.proposals.models import Proposal
    from codesign.responselog.models import ResponseEntry
    from codesign.surveys.models import Survey

    for kind, model in (("proposal", Proposal), ("comment", Comment), ("entry", ResponseEntry),
                        ("survey", Survey), ("session", Session)):
        last = 0
        while True:
            ids = list(db.session.scalars(db.select(model.id).where(model.id > last).order_by(model.id).limit(BATCH)))
            if not ids:
                break
            yield from BUILDERS[kind](ids)
            db.session.expunge_all()
            last = ids[-1]


def _defaults(district_ids: set[int]) -> dict[int, str]:
    from codesign.districts.models import District

    if not district_ids:
        return {}
    return dict(db.session.execute(db.select(District.id, District.default_locale)
                                   .where(District.id.in_(district_ids))).all())


def _proposals(ids: list[int]) -> list[Doc]:
    from codesign.content_translations.models import ProposalTranslation
    from codesign.proposals.models import VERSION_TEXT_FIELDS, Proposal, ProposalVersion

    proposals = list(db.session.scalars(db.select(Proposal).where(
        Proposal.id.in_(ids), Proposal.current_version_id.is_not(None))))
    if not proposals:
        return []
    found = [p.id for p in proposals]
    versions: dict[int, list[ProposalVersion]] = {}
    for version in db.session.scalars(db.select(ProposalVersion).where(
            ProposalVersion.proposal_id.in_(found), ProposalVersion.number.is_not(None))
            .order_by(ProposalVersion.number.desc())):
        versions.setdefault(version.proposal_id, []).append(version)
    translations: dict[int, dict[str, dict[str, str]]] = {}
    for row in db.session.scalars(db.select(ProposalTranslation).where(ProposalTranslation.proposal_id.in_(found))):
        translations.setdefault(row.proposal_id, {}).setdefault(row.locale, {})[row.field] = row.text
    defaults = _defaults({p.district_id for p in proposals})
    docs = []
    for proposal in proposals:
        history = versions.get(proposal.id, [])
        if not history:
            continue
        current = history[0]
        texts = {name: getattr(current, name) or "" for name in VERSION_TEXT_FIELDS}
        earlier = "\n".join(getattr(v, name) or "" for v in history[1:] for name in VERSION_TEXT_FIELDS
                            if (getattr(v, name) or "") != texts[name])
        base = dict(subject=subject("proposal", proposal.id), type="proposal", district_id=proposal.district_id,
                    target=str(proposal.id), proposal_ids=[proposal.id])
        docs.append(Doc(key=f"proposal:{proposal.id}", language=defaults.get(proposal.district_id, "en"),
                        title=texts["title"], body=_join(texts, "title"), more=earlier, **base))
        for locale, fields in sorted(translations.get(proposal.id, {}).items()):
            docs.append(Doc(key=f"proposal:{proposal.id}:{locale}", language=locale,
                            title=fields.get("title", ""), body=_join(fields, "title"), **base))
    return docs


def _join(texts: dict[str, str], *skip: str) -> str:
    return "\n\n".join(text for name, text in texts.items() if name not in skip and text)


def _comments(ids: list[int]) -> list[Doc]:
    from codesign.comments.models import Comment, Moderation
    from codesign.proposals.models import Proposal

    rows = db.session.execute(
        db.select(Comment, Proposal.district_id).join(Proposal, Proposal.id == Comment.proposal_id)
        .where(Comment.id.in_(ids), Comment.withdrawn_at.is_(None), Comment.moderation == Moderation.VISIBLE,
               Proposal.current_version_id.is_not(None)))
    return [
        Doc(key=f"comment:{comment.id}", subject=subject("comment", comment.id), type="comment",
            district_id=district_id, language=comment.language, title="", body=comment.body,
            target=str(comment.id), proposal_ids=[comment.proposal_id], kind=comment.kind.value,
            section=comment.section, group=comment.stakeholder_group.value)
        for comment, district_id in rows
    ]


def _translated(kind: str, ids: list[int]) -> dict[int, dict[str, dict[str, str]]]:
    """Translations of sessions or log entries: {id: {locale: {field: text}}}."""
    from codesign.content_translations.models import ContentTranslation

    found: dict[int, dict[str, dict[str, str]]] = {}
    for row in db.session.scalars(db.select(ContentTranslation).where(
            ContentTranslation.kind == kind, ContentTranslation.subject_id.in_(ids))):
        found.setdefault(row.subject_id, {}).setdefault(row.locale, {})[row.field] = row.text
    return found


def _entries(ids: list[int]) -> list[Doc]:
    from codesign.proposals.models import Proposal
    from codesign.responselog.models import ResponseEntry

    entries = list(db.session.scalars(
        db.select(ResponseEntry).join(Proposal, Proposal.id == ResponseEntry.proposal_id)
        .where(ResponseEntry.id.in_(ids), ResponseEntry.sequence.is_not(None), Proposal.current_version_id.is_not(None))))
    translations = _translated("entry", [e.id for e in entries]) if entries else {}
    defaults = _defaults({e.district_id for e in entries})
    docs = []
    for entry in entries:
        base = dict(subject=subject("entry", entry.id), type="entry", district_id=entry.district_id,
                    target=str(entry.sequence), proposal_ids=[entry.proposal_id], kind=entry.outcome.value)
        texts = {"heard": entry.heard, "reasons": entry.reasons}
        docs.append(Doc(key=f"entry:{entry.id}", language=defaults.get(entry.district_id, "en"), title="",
                        body=_join(texts), **base))
        for locale, fields in sorted(translations.get(entry.id, {}).items()):
            docs.append(Doc(key=f"entry:{entry.id}:{locale}", language=locale, title="", body=_join(fields), **base))
    return docs


def _surveys(ids: list[int]) -> list[Doc]:
    from sqlalchemy.orm import selectinload

    from codesign.surveys.models import Survey, SurveyStatus, SurveyText
    from codesign.surveys.service import sources_of

    surveys = list(db.session.scalars(db.select(Survey).options(selectinload(Survey.questions)).where(
        Survey.id.in_(ids), Survey.status != SurveyStatus.DRAFT)))
    translations: dict[int, dict[str, dict[str, str]]] = {}
    if surveys:
        for row in db.session.scalars(db.select(SurveyText).where(SurveyText.survey_id.in_([s.id for s in surveys]))):
            translations.setdefault(row.survey_id, {}).setdefault(row.locale, {})[row.key] = row.text
    defaults = _defaults({s.district_id for s in surveys})
    docs = []
    for survey in surveys:
        base = dict(subject=subject("survey", survey.id), type="survey", district_id=survey.district_id,
                    target=str(survey.id), proposal_ids=[survey.proposal_id] if survey.proposal_id else [])
        sources = sources_of(survey, survey.questions)
        docs.append(Doc(key=f"survey:{survey.id}", language=defaults.get(survey.district_id, "en"),
                        title=survey.title, body=_join(sources, "title"), **base))
        for locale, texts in sorted(translations.get(survey.id, {}).items()):
            ordered = {key: texts[key] for key in sources if texts.get(key)}
            docs.append(Doc(key=f"survey:{survey.id}:{locale}", language=locale, title=texts.get("title", ""),
                            body=_join(ordered, "title"), **base))
    return docs


def _sessions(ids: list[int]) -> list[Doc]:
    from codesign.community.models import Organization, Session, SessionProposal

    rows = list(db.session.execute(
        db.select(Session, Organization.name).join(Organization, Organization.id == Session.organization_id)
        .where(Session.id.in_(ids))))
    found = [session.id for session, _name in rows]
    proposals: dict[int, list[int]] = {}
    translations = {}
    if found:
        for session_id, proposal_id in db.session.execute(db.select(
                SessionProposal.session_id, SessionProposal.proposal_id).where(SessionProposal.session_id.in_(found))):
            proposals.setdefault(session_id, []).append(proposal_id)
        translations = _translated("session", found)
    defaults = _defaults({session.district_id for session, _name in rows})
    docs = []
    for session, organization in rows:
        base = dict(subject=subject("session", session.id), type="session", district_id=session.district_id,
                    target=str(session.id), proposal_ids=sorted(proposals.get(session.id, [])))
        docs.append(Doc(key=f"session:{session.id}", language=defaults.get(session.district_id, "en"),
                        title=session.title, body=_join({"place": session.place, "organization": organization}),
                        **base))
        for locale, fields in sorted(translations.get(session.id, {}).items()):
            docs.append(Doc(key=f"session:{session.id}:{locale}", language=locale, title=fields.get("title", ""),
                            body=fields.get("place", ""), **base))
    return docs


BUILDERS = {"proposal": _proposals, "comment": _comments, "entry": _entries, "survey": _surveys,
            "session": _sessions}
