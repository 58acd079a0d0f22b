"""Translating a proposal's text and data card, knowing when a translation is out of date.

A translation stores the hash of the source text its translator saw (sent back by the editor
form, not read again at save time). If the proposal changed meanwhile — even while the
translator was typing — the translation is saved as outdated, never silently current.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from codesign.content_translations.models import (
    Origin,
    ProposalTranslation,
    TranslationRequest,
)
from codesign.db import dialect_insert, utcnow
from codesign.extensions import db
from codesign.proposals.models import (
    VERSION_TEXT_FIELDS,
    Proposal,
    ProposalStatus,
    ProposalVersion,
)

FIELDS = VERSION_TEXT_FIELDS  # title, summary, body and the data card
TEXT_MAX = 50_000


class TranslationError(Exception):
    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


def source_hash(text: str) -> str:
    return hashlib.sha256((text or "").encode()).hexdigest()


@dataclass
class FieldText:
    field: str
    text: str  # what the reader sees
    lang: str  # the language it is in
    state: str  # "original", "current", "outdated" or "missing"


@dataclass
class Localized:
    fields: dict[str, FieldText]
    locale: str
    state: str  # "original", "current", "outdated", "missing" or "partial"
    origin: Origin | None
    from_version: int | None  # the version an outdated translation was made from

    def __getitem__(self, name: str) -> FieldText:
        return self.fields[name]

    @property
    def has_outdated(self) -> bool:
        return any(field.state == "outdated" for field in self.fields.values())


def translations_of(proposal_id: int, locale: str) -> dict[str, ProposalTranslation]:
    return {t.field: t for t in db.session.scalars(db.select(ProposalTranslation).where(
        ProposalTranslation.proposal_id == proposal_id, ProposalTranslation.locale == locale))}


def localize(proposal: Proposal, version: ProposalVersion, locale: str, original: str) -> Localized:
    """The version's texts in the reader's language where translated, else the original."""
    if locale == original:
        fields = {name: FieldText(name, getattr(version, name), original, "original") for name in FIELDS}
        return Localized(fields, locale, "original", None, None)
    saved = translations_of(proposal.id, locale)
    fields = {}
    for name in FIELDS:
        source = getattr(version, name) or ""
        found = saved.get(name)
        if not source.strip():
            fields[name] = FieldText(name, source, original, "original")
        elif found is None or not found.text.strip():
            fields[name] = FieldText(name, source, original, "missing")
        else:
            state = "current" if found.source_hash == source_hash(source) else "outdated"
            fields[name] = FieldText(name, found.text, locale, state)
    states = {f.state for f in fields.values() if f.state != "original"}
    if not states or states == {"missing"}:
        overall = "missing"
    elif "missing" in states:
        overall = "partial"
    elif "outdated" in states:
        overall = "outdated"
    else:
        overall = "current"
    origins = {t.origin for t in saved.values()}
    versions = [t.source_version for t in saved.values()]
    return Localized(fields, locale, overall, origins.pop() if len(origins) == 1 else None,
                     min(versions) if versions else None)


def save(proposal: Proposal, district, translator, locale: str, texts: dict[str, str], seen: dict[str, str],
         origin: Origin) -> None:
    """Save a language's translation of the current version. `seen` maps each field to the
    hash of the source text the translator was shown."""
    if locale not in district.language_codes or locale == district.default_locale:
        raise TranslationError("bad_locale")
    if set(texts) - set(FIELDS):
        raise TranslationError("bad_field")
    for name, text in texts.items():
        if len(text) > TEXT_MAX:
            raise TranslationError("too_long", name)
    version = proposal.current_version
    existing = translations_of(proposal.id, locale)
    now = utcnow()
    for name, text in texts.items():
        text = text.replace("\r\n", "\n").strip()
        row = existing.get(name)
        if not text:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = ProposalTranslation(proposal_id=proposal.id, locale=locale, field=name)
            db.session.add(row)
        elif row.text == text and row.source_hash == seen.get(name):
            continue
        row.text = text
        # The hash of what the translator saw: if the source changed since, it stays outdated.
        row.source_hash = seen.get(name) or ""
        row.source_version = version.number
        row.origin = origin
        row.translator_id = translator.id if translator else None
        row.updated_at = now
    db.session.commit()


def request_translation(proposal: Proposal, locale: str, requester: str) -> bool:
    """Ask for a proposal in a language; False when this person or browser already asked."""
    result = db.session.execute(
        dialect_insert(TranslationRequest).values(proposal_id=proposal.id, locale=locale, requester=requester,
                                                  created_at=utcnow())
        .on_conflict_do_nothing(index_elements=[TranslationRequest.proposal_id, TranslationRequest.locale,
                                                TranslationRequest.requester]))
    db.session.commit()
    return result.rowcount == 1


def has_requested(proposal: Proposal, locale: str, requesters: list[str]) -> bool:
    if not requesters:
        return False
    return db.session.scalar(db.select(TranslationRequest.id).where(
        TranslationRequest.proposal_id == proposal.id, TranslationRequest.locale == locale,
        TranslationRequest.requester.in_(requesters)).limit(1)) is not None


@dataclass
class DashboardRow:
    proposal: Proposal
    state: str
    requests: int


def dashboard(district) -> dict[str, list[DashboardRow]]:
    """Per offered language: proposals whose translation is missing, partial or outdated,
    most requested first, then those whose comment period closes soonest. Four queries."""
    from sqlalchemy.orm import joinedload

    proposals = list(db.session.scalars(
        db.select(Proposal).options(joinedload(Proposal.current_version))
        .where(Proposal.district_id == district.id, Proposal.current_version_id.is_not(None),
               Proposal.status != ProposalStatus.DECIDED)))
    ids = [p.id for p in proposals]
    saved: dict[tuple[int, str], dict[str, ProposalTranslation]] = {}
    requests: dict[tuple[int, str], int] = {}
    if ids:
        for row in db.session.scalars(db.select(ProposalTranslation).where(ProposalTranslation.proposal_id.in_(ids))):
            saved.setdefault((row.proposal_id, row.locale), {})[row.field] = row
        for proposal_id, locale, count in db.session.execute(
            db.select(TranslationRequest.proposal_id, TranslationRequest.locale, db.func.count())
            .where(TranslationRequest.proposal_id.in_(ids))
            .group_by(TranslationRequest.proposal_id, TranslationRequest.locale)
        ):
            requests[(proposal_id, locale)] = count
    result: dict[str, list[DashboardRow]] = {}
    for locale in district.language_codes:
        if locale == district.default_locale:
            continue
        rows = []
        for proposal in proposals:
            state = _state(proposal.current_version, saved.get((proposal.id, locale), {}))
            if state != "current":
                rows.append(DashboardRow(proposal, state, requests.get((proposal.id, locale), 0)))
        far = utcnow().replace(year=9999)
        rows.sort(key=lambda r: (-r.requests, r.proposal.comment_closes_at or far))
        result[locale] = rows
    return result


def _state(version: ProposalVersion, saved: dict[str, ProposalTranslation]) -> str:
    states = set()
    for name in FIELDS:
        source = getattr(version, name) or ""
        if not source.strip():
            continue
        row = saved.get(name)
        if row is None:
            states.add("missing")
        else:
            states.add("current" if row.source_hash == source_hash(source) else "outdated")
    if states == {"current"} or not states:
        return "current"
    if states == {"missing"}:
        return "missing"
    return "partial" if "missing" in states else "outdated"
