"""Translating a proposal's text and data card, knowing when a translation is out of date.

A translation stores the hash of the source text its translator saw (sent back by the editor
form, not read again at save time). If the proposal changed meanwhile — even while the
translator was typing — the translation is saved as outdated, never silently current.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from codesign.audit.service import record as audit
from codesign.content_translations.kinds import (
    KINDS,
    PROPOSAL_LABEL,
    SURVEY_LABEL,
    Kind,
)
from codesign.content_translations.models import (
    ContentTranslation,
    ContentTranslationRequest,
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
from codesign.text import without_controls

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


def translated_titles(proposal_ids, locales) -> dict[tuple[int, str], str]:
    """Proposal titles the district translated, by (proposal id, locale), for lists that name
    proposals in their readers' languages (notifications, their emails): one query, however
    many (and even for none, so a page costs the same whatever it lists)."""
    return {(proposal_id, locale): text for proposal_id, locale, text in db.session.execute(
        db.select(ProposalTranslation.proposal_id, ProposalTranslation.locale, ProposalTranslation.text).where(
            ProposalTranslation.field == "title", ProposalTranslation.proposal_id.in_(set(proposal_ids)),
            ProposalTranslation.locale.in_(set(locales)))) if text.strip()}


def localize(proposal: Proposal, version: ProposalVersion, locale: str, original: str) -> Localized:
    """The version's texts in the reader's language where translated, else the original."""
    if locale == original:
        fields = {name: FieldText(name, getattr(version, name), original, "original") for name in FIELDS}
        return Localized(fields, locale, "original", None, None)
    saved = translations_of(proposal.id, locale)
    versions = [t.source_version for t in saved.values()]
    return _localized(version, FIELDS, saved, locale, original, min(versions) if versions else None)


def localize_current(proposals: list[Proposal], locale: str, original: str) -> dict[int, Localized]:
    """Many proposals' current versions in the reader's language, by proposal id, in one query."""
    if locale == original:
        return {p.id: localize(p, p.current_version, locale, original) for p in proposals}
    saved: dict[int, dict[str, ProposalTranslation]] = {}
    if proposals:
        for row in db.session.scalars(db.select(ProposalTranslation).where(
                ProposalTranslation.proposal_id.in_([p.id for p in proposals]), ProposalTranslation.locale == locale)):
            saved.setdefault(row.proposal_id, {})[row.field] = row
    result = {}
    for proposal in proposals:
        versions = [t.source_version for t in saved.get(proposal.id, {}).values()]
        result[proposal.id] = _localized(proposal.current_version, FIELDS, saved.get(proposal.id, {}), locale,
                                         original, min(versions) if versions else None)
    return result


def _localized(subject, names, saved: dict, locale: str, original: str, from_version: int | None) -> Localized:
    """Each field in the reader's language where a translation exists, else the original."""
    fields = {}
    for name in names:
        source = getattr(subject, name) or ""
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
        overall = "missing" if states else "original"
    elif "missing" in states:
        overall = "partial"
    elif "outdated" in states:
        overall = "outdated"
    else:
        overall = "current"
    origins = {t.origin for t in saved.values()}
    return Localized(fields, locale, overall, origins.pop() if len(origins) == 1 else None, from_version)


def _check(district, locale: str, names, texts: dict[str, str]) -> None:
    if locale not in district.language_codes or locale == district.default_locale:
        raise TranslationError("bad_locale")
    if set(texts) - set(names):
        raise TranslationError("bad_field")
    for name, text in texts.items():
        if len(text) > TEXT_MAX:
            raise TranslationError("too_long", name)


def store_texts(existing: dict, make_row, texts: dict[str, str], seen: dict[str, str], origin: Origin, translator,
                confirmed: frozenset[str] = frozenset(), **extra) -> None:
    """Write each field's text with the hash of the source its translator was shown, so a
    source that changed meanwhile leaves the translation outdated. An unchanged text keeps the
    hash it had — saving the form does not make an outdated translation current — unless the
    translator confirms it is still right for the new source. Empty text removes it."""
    now = utcnow()
    translator_id = translator.id if translator else None
    for name, text in texts.items():
        text = without_controls(text).replace("\r\n", "\n").strip()
        row = existing.get(name)
        if not text:
            if row is not None:
                db.session.delete(row)
            continue
        if row is not None and row.text == text and (name not in confirmed or row.source_hash == seen.get(name)):
            continue
        if row is None:
            row = make_row(name)
            db.session.add(row)
        with db.session.no_autoflush:
            row.text = text
            row.source_hash = seen.get(name) or ""
            row.origin = origin
            row.translator_id = translator_id
            row.updated_at = now
            for key, value in extra.items():
                setattr(row, key, value)
    db.session.commit()


def save(proposal: Proposal, district, translator, locale: str, texts: dict[str, str], seen: dict[str, str],
         origin: Origin, confirmed: frozenset[str] = frozenset()) -> None:
    """Save a language's translation of the current version. `seen` maps each field to the
    hash of the source text the translator was shown."""
    _check(district, locale, FIELDS, texts)
    audit("translation.save", f"proposal:{proposal.id}", district_id=district.id, actor=translator,
          after={"locale": locale, "origin": origin, "fields": sorted(name for name, text in texts.items() if text)})
    store_texts(translations_of(proposal.id, locale),
                lambda name: ProposalTranslation(proposal_id=proposal.id, locale=locale, field=name),
                texts, seen, origin, translator, confirmed, source_version=proposal.current_version.number)


def _ask(model, unique: dict, requester: str, **other) -> bool:
    """Record one request per (subject, language, requester); False when already asked."""
    result = db.session.execute(
        dialect_insert(model).values(**unique, **other, requester=requester, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=[*(getattr(model, key) for key in unique), model.requester]))
    db.session.commit()
    return result.rowcount == 1


def _asked(model, unique: dict, requesters: list[str]) -> bool:
    if not requesters:
        return False
    return db.session.scalar(db.select(model.id).where(
        *(getattr(model, key) == value for key, value in unique.items()),
        model.requester.in_(requesters)).limit(1)) is not None


def request_translation(proposal: Proposal, locale: str, requester: str) -> bool:
    """Ask for a proposal in a language; False when this person or browser already asked."""
    return _ask(TranslationRequest, {"proposal_id": proposal.id, "locale": locale}, requester)


def has_requested(proposal: Proposal, locale: str, requesters: list[str]) -> bool:
    return _asked(TranslationRequest, {"proposal_id": proposal.id, "locale": locale}, requesters)


# ------------------------------------------------ sessions, response-log entries, organizations

def texts_of(kind: Kind, subject_ids: list[int], locale: str) -> dict[int, dict[str, ContentTranslation]]:
    """Saved translations of many subjects of one kind into one language, in one query."""
    found: dict[int, dict[str, ContentTranslation]] = {}
    if subject_ids:
        for row in db.session.scalars(db.select(ContentTranslation).where(
                ContentTranslation.kind == kind.name, ContentTranslation.subject_id.in_(subject_ids),
                ContentTranslation.locale == locale)):
            found.setdefault(row.subject_id, {})[row.field] = row
    return found


def localize_all(kind: Kind, subjects: list, locale: str, original: str) -> dict[int, Localized]:
    """Each subject's texts in the reader's language where translated (one query for a page)."""
    saved = {} if locale == original else texts_of(kind, [s.id for s in subjects], locale)
    result = {}
    for subject in subjects:
        if locale == original:
            fields = {name: FieldText(name, getattr(subject, name) or "", original, "original")
                      for name in kind.field_names}
            result[subject.id] = Localized(fields, locale, "original", None, None)
        else:
            result[subject.id] = _localized(subject, kind.field_names, saved.get(subject.id, {}), locale, original,
                                            None)
    return result


def save_texts(kind: Kind, subject, district, translator, locale: str, texts: dict[str, str], seen: dict[str, str],
               origin: Origin, confirmed: frozenset[str] = frozenset()) -> None:
    """Save a language's translation of a session, entry or organization (see `save`)."""
    _check(district, locale, kind.field_names, texts)
    audit("translation.save", f"{kind.name}:{subject.id}", district_id=district.id, actor=translator,
          after={"locale": locale, "origin": origin, "fields": sorted(name for name, text in texts.items() if text)})
    store_texts(texts_of(kind, [subject.id], locale).get(subject.id, {}),
                lambda name: ContentTranslation(district_id=district.id, kind=kind.name, subject_id=subject.id,
                                                locale=locale, field=name),
                texts, seen, origin, translator, confirmed)


def request_text(kind_name: str, subject, district, locale: str, requester: str) -> bool:
    """Ask for a session, entry, organization or survey ("survey") in a language, once each."""
    return _ask(ContentTranslationRequest, {"kind": kind_name, "subject_id": subject.id, "locale": locale},
                requester, district_id=district.id)


def has_requested_text(kind_name: str, subject, locale: str, requesters: list[str]) -> bool:
    return _asked(ContentTranslationRequest, {"kind": kind_name, "subject_id": subject.id, "locale": locale},
                  requesters)


@dataclass
class DashboardRow:
    kind: str  # "proposal", or the name of one of KINDS
    label: object
    subject_id: int
    title: str
    state: str
    requests: int
    due: object  # when its comment period closes or the session starts, if it matters


def dashboard(district) -> dict[str, list[DashboardRow]]:
    """Per offered language: what is missing, partial or outdated — proposals still open or in
    review, upcoming sessions, published log entries, organizations — most requested first, then
    the soonest due. A fixed number of queries, however many rows."""
    from sqlalchemy.orm import joinedload

    from codesign.surveys.service import localized_from

    proposals = list(db.session.scalars(
        db.select(Proposal).options(joinedload(Proposal.current_version))
        .where(Proposal.district_id == district.id, Proposal.current_version_id.is_not(None),
               Proposal.status != ProposalStatus.DECIDED)))
    ids = [p.id for p in proposals]
    saved: dict[tuple[str, int, str], dict] = {}
    requests: dict[tuple[str, int, str], int] = {}
    if ids:
        for row in db.session.scalars(db.select(ProposalTranslation).where(ProposalTranslation.proposal_id.in_(ids))):
            saved.setdefault(("proposal", row.proposal_id, row.locale), {})[row.field] = row
        for proposal_id, locale, count in db.session.execute(
            db.select(TranslationRequest.proposal_id, TranslationRequest.locale, db.func.count())
            .where(TranslationRequest.proposal_id.in_(ids))
            .group_by(TranslationRequest.proposal_id, TranslationRequest.locale)
        ):
            requests[("proposal", proposal_id, locale)] = count
    for row in db.session.scalars(db.select(ContentTranslation).where(ContentTranslation.district_id == district.id)):
        saved.setdefault((row.kind, row.subject_id, row.locale), {})[row.field] = row
    for kind_name, subject_id, locale, count in db.session.execute(
        db.select(ContentTranslationRequest.kind, ContentTranslationRequest.subject_id,
                  ContentTranslationRequest.locale, db.func.count())
        .where(ContentTranslationRequest.district_id == district.id)
        .group_by(ContentTranslationRequest.kind, ContentTranslationRequest.subject_id,
                  ContentTranslationRequest.locale)
    ):
        requests[(kind_name, subject_id, locale)] = count
    candidates = [("proposal", PROPOSAL_LABEL, p.current_version, FIELDS, p.id, p.current_version.title,
                   p.comment_closes_at) for p in proposals]
    for kind in KINDS.values():
        for subject in db.session.scalars(db.select(kind.model).where(kind.model.district_id == district.id,
                                                                      kind.pending())):
            candidates.append((kind.name, kind.label, subject, kind.field_names, subject.id, kind.title(subject),
                               kind.due(subject)))
    surveys = _survey_candidates(district)
    far = utcnow().replace(year=9999)
    result: dict[str, list[DashboardRow]] = {}
    for locale in district.language_codes:
        if locale == district.default_locale:
            continue
        rows = []
        for kind_name, label, source, names, subject_id, title, due in candidates:
            key = (kind_name, subject_id, locale)
            state = _localized(source, names, saved.get(key, {}), locale, district.default_locale, None).state
            if state not in ("current", "original"):
                rows.append(DashboardRow(kind_name, label, subject_id, title, state, requests.get(key, 0), due))
        for survey, sources, texts in surveys:
            key = ("survey", survey.id, locale)
            state = localized_from(texts.get(locale, {}), sources, locale).state
            if state != "current":
                rows.append(DashboardRow("survey", SURVEY_LABEL, survey.id, survey.title, state, requests.get(key, 0),
                                         survey.closes_at))
        rows.sort(key=lambda r: (-r.requests, r.due or far))
        result[locale] = rows
    return result


def _survey_candidates(district) -> list[tuple]:
    """Published surveys not yet closed, each with its original texts and its translations by
    language: three queries (surveys, their questions, their options) plus one for the texts."""
    from sqlalchemy.orm import selectinload

    from codesign.surveys.models import Survey, SurveyStatus, SurveyText
    from codesign.surveys.service import sources_of

    surveys = list(db.session.scalars(
        db.select(Survey).options(selectinload(Survey.questions))
        .where(Survey.district_id == district.id, Survey.status == SurveyStatus.PUBLISHED,
               db.or_(Survey.closes_at.is_(None), Survey.closes_at > utcnow()))))
    texts: dict[int, dict[str, dict]] = {}
    if surveys:
        for row in db.session.scalars(db.select(SurveyText).where(SurveyText.survey_id.in_([s.id for s in surveys]))):
            texts.setdefault(row.survey_id, {}).setdefault(row.locale, {})[row.key] = row
    return [(survey, sources_of(survey, survey.questions), texts.get(survey.id, {})) for survey in surveys]
