"""Writing the response log and proving it was not changed afterwards.

Each published entry stores the previous entry's hash and a SHA-256 over a canonical JSON
serialization of itself (that previous hash included), so the district's log is a chain:
changing any stored entry breaks its own hash, and every later link.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from codesign.audit.service import record as audit
from codesign.comments.models import Channel, Comment, Disposition, person_key
from codesign.db import dialect_insert, utcnow
from codesign.extensions import db
from codesign.proposals.diff import changed, word_diff
from codesign.proposals.models import VERSION_TEXT_FIELDS, Proposal, ProposalVersion
from codesign.responselog.models import (
    Contest,
    EntryComment,
    EntryQuestion,
    Outcome,
    ResponseEntry,
)

GENESIS = "0" * 64


class LogError(Exception):
    def __init__(self, code: str, field: str = "heard"):
        super().__init__(code)
        self.code = code
        self.field = field


def _check_versions(proposal: Proposal, from_id: int | None, to_id: int | None):
    versions = {v.id: v for v in db.session.scalars(
        db.select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id,
                                         ProposalVersion.number.is_not(None)))}
    for version_id in (from_id, to_id):
        if version_id is not None and version_id not in versions:
            raise LogError("bad_version", "to_version")
    if (from_id is None) != (to_id is None):
        raise LogError("bad_version", "to_version")
    if from_id is not None and versions[from_id].number >= versions[to_id].number:
        raise LogError("bad_version", "to_version")
    return versions


def _apply(entry: ResponseEntry, proposal: Proposal, *, heard: str, outcome: Outcome, reasons: str,
           from_version_id: int | None, to_version_id: int | None, amends_id: int | None) -> None:
    versions = _check_versions(proposal, from_version_id, to_version_id)
    if amends_id is not None:
        amended = db.session.get(ResponseEntry, amends_id)
        if amended is None or amended.proposal_id != proposal.id or amended.is_draft:
            raise LogError("bad_amends", "amends")
    entry.heard = heard.strip()
    entry.outcome = outcome
    entry.reasons = reasons.strip()
    entry.from_version_id = from_version_id
    entry.to_version_id = to_version_id
    entry.amends_id = amends_id
    if from_version_id is not None:
        old, new = versions[from_version_id], versions[to_version_id]
        entry.changed_fields = " ".join(
            name for name in VERSION_TEXT_FIELDS
            if changed(word_diff(getattr(old, name), getattr(new, name)))
        )
    else:
        entry.changed_fields = ""


def create_entry(proposal: Proposal, author, **fields) -> ResponseEntry:
    """Start a draft entry on a proposal."""
    entry = ResponseEntry(district_id=proposal.district_id, proposal_id=proposal.id,
                          author_id=author.id if author else None)
    _apply(entry, proposal, **fields)
    db.session.add(entry)
    db.session.flush()
    audit("entry.create", f"entry:{entry.id}", district_id=entry.district_id, actor=author, after=_texts(entry))
    db.session.commit()
    return entry


def _texts(entry: ResponseEntry) -> dict:
    return {"heard": entry.heard, "outcome": entry.outcome, "reasons": entry.reasons}


def update_entry(entry: ResponseEntry, proposal: Proposal, **fields) -> ResponseEntry:
    """Change a draft. Published entries are append-only: correct them with a new entry."""
    if not entry.is_draft:
        raise LogError("published")
    before = _texts(entry)
    _apply(entry, proposal, **fields)
    audit("entry.edit", f"entry:{entry.id}", district_id=entry.district_id, before=before, after=_texts(entry))
    db.session.commit()
    return entry


def link_comments(entry: ResponseEntry, comment_ids: list[int]) -> None:
    """Set the comments a draft answers (only this proposal's comments)."""
    if not entry.is_draft:
        raise LogError("published")
    ids = set(comment_ids)
    found = set(db.session.scalars(
        db.select(Comment.id).where(Comment.id.in_(ids), Comment.proposal_id == entry.proposal_id)
    )) if ids else set()
    if found != ids:
        raise LogError("bad_comment", "comments")
    db.session.execute(db.delete(EntryComment).where(EntryComment.entry_id == entry.id))
    db.session.add_all(EntryComment(entry_id=entry.id, comment_id=cid) for cid in sorted(ids))
    db.session.commit()


def question_choices(proposal: Proposal) -> list:
    """Questions of the published surveys about this proposal, which entries can answer."""
    from codesign.surveys.models import Survey, SurveyQuestion, SurveyStatus

    return list(db.session.execute(
        db.select(SurveyQuestion, Survey.title).join(Survey, Survey.id == SurveyQuestion.survey_id)
        .where(Survey.proposal_id == proposal.id, Survey.status == SurveyStatus.PUBLISHED)
        .order_by(Survey.id, SurveyQuestion.position)
    ).all())


def link_questions(entry: ResponseEntry, question_ids: list[int]) -> None:
    """Set the survey questions a draft answers (only questions of surveys about its proposal)."""
    if not entry.is_draft:
        raise LogError("published")
    proposal = db.session.get(Proposal, entry.proposal_id)
    allowed = {question.id for question, _title in question_choices(proposal)}
    ids = set(question_ids)
    if ids - allowed:
        raise LogError("bad_question", "questions")
    db.session.execute(db.delete(EntryQuestion).where(EntryQuestion.entry_id == entry.id))
    db.session.add_all(EntryQuestion(entry_id=entry.id, question_id=qid) for qid in sorted(ids))
    db.session.commit()


def linked_question_ids(entry: ResponseEntry) -> list[int]:
    return list(db.session.scalars(
        db.select(EntryQuestion.question_id).where(EntryQuestion.entry_id == entry.id).order_by(EntryQuestion.question_id)
    ))


def linked_comment_ids(entry: ResponseEntry) -> list[int]:
    return list(db.session.scalars(
        db.select(EntryComment.comment_id).where(EntryComment.entry_id == entry.id)
        .order_by(EntryComment.comment_id)
    ))


HASHED_FIELDS = (
    "district_id", "sequence", "proposal_id", "heard", "outcome", "reasons", "from_version_id",
    "to_version_id", "changed_fields", "amends_sequence", "comment_ids", "published_at",
    "previous_hash",
)


def record_of(entry: ResponseEntry, comment_ids: list[int], amends_sequence: int | None,
              question_ids: list[int] = ()) -> dict:
    """Every public fact of a published entry, as the hash and the open data see it."""
    return {
        "question_ids": sorted(question_ids),
        "district_id": entry.district_id,
        "sequence": entry.sequence,
        "proposal_id": entry.proposal_id,
        "heard": entry.heard,
        "outcome": str(entry.outcome),
        "reasons": entry.reasons,
        "from_version_id": entry.from_version_id,
        "to_version_id": entry.to_version_id,
        "changed_fields": entry.changed_fields,
        "amends_sequence": amends_sequence,
        "comment_ids": sorted(comment_ids),
        "published_at": entry.published_at.isoformat() if entry.published_at else None,
        "previous_hash": entry.previous_hash,
    }


def digest(record: dict) -> str:
    """SHA-256 over the canonical JSON of a record's hashed fields (sorted keys, no spaces)."""
    body = {key: record.get(key) for key in HASHED_FIELDS}
    body["comment_ids"] = sorted(body["comment_ids"] or [])
    # Survey questions came later: hashed only when there are some, so earlier entries keep
    # the fingerprint they were published with.
    if record.get("question_ids"):
        body["question_ids"] = sorted(record["question_ids"])
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def publish_entry(entry: ResponseEntry) -> ResponseEntry:
    """Append the draft to the district's chain, and mark the comments it answers."""
    if not entry.is_draft:
        raise LogError("published")
    if not entry.heard or not entry.reasons:
        raise LogError("incomplete")
    # Write-lock the district's row first (a no-op UPDATE: a row lock on PostgreSQL, the write
    # lock on SQLite), so two publications, even of the district's very first entry, take
    # turns and cannot take the same place in the chain.
    from codesign.districts.models import District

    db.session.execute(db.update(District).where(District.id == entry.district_id)
                       .values(slug=District.slug))
    head = db.session.scalar(
        db.select(ResponseEntry)
        .where(ResponseEntry.district_id == entry.district_id, ResponseEntry.sequence.is_not(None))
        .order_by(ResponseEntry.sequence.desc()).limit(1)
    )
    entry.sequence = (head.sequence if head else 0) + 1
    entry.previous_hash = head.entry_hash if head else GENESIS
    entry.published_at = utcnow().replace(microsecond=0)
    comment_ids = linked_comment_ids(entry)
    amends = db.session.get(ResponseEntry, entry.amends_id) if entry.amends_id else None
    entry.entry_hash = digest(record_of(entry, comment_ids, amends.sequence if amends else None,
                                        linked_question_ids(entry)))
    if comment_ids:
        db.session.execute(
            db.update(Comment).where(Comment.id.in_(comment_ids))
            .values(addressed_in_id=entry.id, disposition=Disposition.RESPONSE_LOG)
        )
    audit("entry.publish", f"entry:{entry.id}", district_id=entry.district_id,
          after={"sequence": entry.sequence, "hash": entry.entry_hash, "comments": len(comment_ids)})
    from codesign.notifications.service import tell_answered

    tell_answered(entry)
    db.session.commit()
    return entry


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    head: str | None
    first_bad_sequence: int | None = None


def verify_records(records: list[dict]) -> Verification:
    """Check a chain given as records (each with its fields, previous_hash and entry_hash)."""
    previous = GENESIS
    ordered = sorted(records, key=lambda record: record["sequence"])
    for record in ordered:
        if record.get("previous_hash") != previous or digest(record) != record.get("entry_hash"):
            return Verification(False, len(records), None, record["sequence"])
        previous = record["entry_hash"]
    return Verification(True, len(records), previous if records else None)


def export_records(district_id: int) -> list[dict]:
    """The district's published chain as plain records: three queries however long it is."""
    return records_of(list(db.session.scalars(
        db.select(ResponseEntry)
        .where(ResponseEntry.district_id == district_id, ResponseEntry.sequence.is_not(None))
        .order_by(ResponseEntry.sequence)
    )))


def records_of(entries: list[ResponseEntry]) -> list[dict]:
    """Published entries as records with their hashes, in two queries for any number of them."""
    ids = [entry.id for entry in entries]
    links: dict[int, list[int]] = {}
    if ids:
        for entry_id, comment_id in db.session.execute(
            db.select(EntryComment.entry_id, EntryComment.comment_id).where(EntryComment.entry_id.in_(ids))
        ):
            links.setdefault(entry_id, []).append(comment_id)
    questions: dict[int, list[int]] = {}
    if ids:
        for entry_id, question_id in db.session.execute(
            db.select(EntryQuestion.entry_id, EntryQuestion.question_id).where(EntryQuestion.entry_id.in_(ids))
        ):
            questions.setdefault(entry_id, []).append(question_id)
    sequences = sequences_of({entry.amends_id for entry in entries if entry.amends_id})
    records = []
    for entry in entries:
        record = record_of(entry, links.get(entry.id, []), sequences.get(entry.amends_id), questions.get(entry.id, []))
        record["entry_hash"] = entry.entry_hash
        records.append(record)
    return records


def verify_district(district_id: int) -> Verification:
    """Recompute every hash of the district's chain from the database."""
    return verify_records(export_records(district_id))


ENTRIES_PER_PAGE = 20
EXCERPTS_PER_ENTRY = 3


def list_entries(district_id: int, *, proposal_id: int | None = None, include_drafts: bool = False,
                 page: int = 1):
    """A page of entries, newest first (drafts, for staff, before them)."""
    query = db.select(ResponseEntry).where(ResponseEntry.district_id == district_id)
    if proposal_id is not None:
        query = query.where(ResponseEntry.proposal_id == proposal_id)
    if not include_drafts:
        query = query.where(ResponseEntry.sequence.is_not(None))
    query = query.order_by(ResponseEntry.sequence.is_not(None), ResponseEntry.sequence.desc(),
                           ResponseEntry.id.desc())
    return db.paginate(query, page=page, per_page=ENTRIES_PER_PAGE, error_out=False, count=True)


@dataclass
class EntryDetails:
    excerpts: list
    comment_count: int
    people_by_group: object  # SuppressedBreakdown
    people_by_channel: object  # SuppressedBreakdown
    amends_sequence: int | None
    corrected_by: list[int]
    from_number: int | None
    to_number: int | None
    contests: object  # ShownCount: people who said it does not address their concern
    questions: list = None  # (question, survey id, survey title)
    survey_respondents: object = None  # ShownCount: responses answering those questions
    texts: object = None  # content_translations Localized: heard and reasons in the reader's language


def _people_answered(entry_ids: list[int], column, values) -> dict[int, dict]:
    """Distinct people whose comments each entry answers, by one column (group or channel)."""
    people = {entry_id: {value: 0 for value in values} for entry_id in entry_ids}
    for entry_id, value, count in db.session.execute(
        db.select(EntryComment.entry_id, column, db.func.count(db.distinct(person_key())))
        .join(Comment, Comment.id == EntryComment.comment_id)
        .where(EntryComment.entry_id.in_(entry_ids))
        .group_by(EntryComment.entry_id, column)
    ):
        people[entry_id][value] = count
    return people


def _linked_questions(entry_ids: list[int]) -> tuple[dict, dict]:
    """Each entry's survey questions (question, survey id, survey title) and how many responses
    answered them: two queries for any number of entries."""
    from codesign.surveys.models import Survey, SurveyAnswer, SurveyQuestion

    questions: dict[int, list] = {}
    for entry_id, question, survey_id, title in db.session.execute(
        db.select(EntryQuestion.entry_id, SurveyQuestion, Survey.id, Survey.title)
        .join(SurveyQuestion, SurveyQuestion.id == EntryQuestion.question_id)
        .join(Survey, Survey.id == SurveyQuestion.survey_id)
        .where(EntryQuestion.entry_id.in_(entry_ids)).order_by(EntryQuestion.entry_id, Survey.id, SurveyQuestion.position)
    ):
        questions.setdefault(entry_id, []).append((question, survey_id, title))
    respondents = dict(db.session.execute(
        db.select(EntryQuestion.entry_id, db.func.count(db.distinct(SurveyAnswer.response_id)))
        .join(SurveyAnswer, SurveyAnswer.question_id == EntryQuestion.question_id)
        .where(EntryQuestion.entry_id.in_(entry_ids)).group_by(EntryQuestion.entry_id)
    ).all()) if questions else {}
    return questions, respondents


def contest_counts(entry_ids: list[int]) -> dict[int, int]:
    """How many people said each entry does not address their concern (absent: none)."""
    return dict(db.session.execute(
        db.select(Contest.entry_id, db.func.count(Contest.id)).where(Contest.entry_id.in_(entry_ids))
        .group_by(Contest.entry_id)
    ).all()) if entry_ids else {}


def entry_details(entries: list[ResponseEntry], threshold: int, *, all_comments: bool = False,
                  locale: str | None = None, original: str = "en") -> dict:
    """What the log shows beside each entry, for a whole page of entries in a few queries; its
    texts in `locale` where translated (the original when no locale is given)."""
    from codesign.accounts.models import StakeholderGroup
    from codesign.content_translations.kinds import KINDS
    from codesign.content_translations.service import localize_all
    from codesign.suppression import show_count, suppress_small_counts

    ids = [entry.id for entry in entries]
    if not ids:
        return {}
    comments: dict[int, list[Comment]] = {entry_id: [] for entry_id in ids}
    for entry_id, comment in db.session.execute(
        db.select(EntryComment.entry_id, Comment)
        .join(Comment, Comment.id == EntryComment.comment_id)
        .where(EntryComment.entry_id.in_(ids))
        .order_by(EntryComment.entry_id, Comment.id)
    ):
        comments[entry_id].append(comment)
    people = _people_answered(ids, Comment.stakeholder_group, StakeholderGroup)
    channels = _people_answered(ids, Comment.channel, Channel)
    amended_ids = {entry.amends_id for entry in entries if entry.amends_id}
    sequences = dict(db.session.execute(
        db.select(ResponseEntry.id, ResponseEntry.sequence).where(ResponseEntry.id.in_(amended_ids))
    ).all()) if amended_ids else {}
    corrections: dict[int, list[int]] = {entry_id: [] for entry_id in ids}
    for amends_id, sequence in db.session.execute(
        db.select(ResponseEntry.amends_id, ResponseEntry.sequence)
        .where(ResponseEntry.amends_id.in_(ids), ResponseEntry.sequence.is_not(None))
        .order_by(ResponseEntry.sequence)
    ):
        corrections[amends_id].append(sequence)
    contested = contest_counts(ids)
    questions, respondents = _linked_questions(ids)
    texts = localize_all(KINDS["entry"], entries, locale or original, original)
    version_ids = {v for entry in entries for v in (entry.from_version_id, entry.to_version_id) if v}
    numbers = dict(db.session.execute(
        db.select(ProposalVersion.id, ProposalVersion.number).where(ProposalVersion.id.in_(version_ids))
    ).all()) if version_ids else {}
    return {
        entry.id: EntryDetails(
            excerpts=[c for c in comments[entry.id] if not c.withdrawn][: None if all_comments else EXCERPTS_PER_ENTRY],
            comment_count=len(comments[entry.id]),
            people_by_group=suppress_small_counts(people[entry.id], threshold),
            people_by_channel=suppress_small_counts(channels[entry.id], threshold),
            amends_sequence=sequences.get(entry.amends_id),
            corrected_by=corrections[entry.id],
            from_number=numbers.get(entry.from_version_id),
            to_number=numbers.get(entry.to_version_id),
            contests=show_count(contested.get(entry.id, 0), threshold),
            questions=questions.get(entry.id, []),
            survey_respondents=show_count(respondents.get(entry.id, 0), threshold),
            texts=texts[entry.id],
        )
        for entry in entries
    }


def coverage(proposal_id: int) -> tuple[int, int]:
    """(comments with a disposition other than open, all comments) for a proposal, from the counters."""
    from codesign.comments.models import CommentCount
    from codesign.comments.service import counted

    by_disposition = counted(proposal_id, CommentCount.disposition)
    total = sum(by_disposition.values())
    return total - by_disposition.get(Disposition.OPEN, 0), total


def entry_by_sequence(district_id: int, sequence: int) -> ResponseEntry | None:
    return db.session.scalar(db.select(ResponseEntry).where(
        ResponseEntry.district_id == district_id, ResponseEntry.sequence == sequence))


def sequences_of(entry_ids: set[int], *, even_if_none: bool = False) -> dict[int, int]:
    """Entry sequence numbers by id, for "answered in entry N" links (even_if_none: as for
    session_labels)."""
    if not entry_ids and not even_if_none:
        return {}
    return dict(db.session.execute(
        db.select(ResponseEntry.id, ResponseEntry.sequence).where(ResponseEntry.id.in_(entry_ids))
    ).all())


def atom_feed(entries: list[ResponseEntry], *, feed_id: str, title: str, self_url: str,
              alternate_url: str, entry_url, outcome_label) -> bytes:
    """An Atom feed of published entries (newest first), built with feedgen."""
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(title)
    feed.link(href=self_url, rel="self")
    feed.link(href=alternate_url, rel="alternate")
    feed.updated(entries[0].published_at if entries else utcnow())
    for entry in reversed(entries):  # feedgen prepends: add oldest first to list newest first
        item = feed.add_entry()
        url = entry_url(entry)
        item.id(url)
        item.title(f"{entry.sequence}. {outcome_label(entry)}")
        item.link(href=url)
        item.published(entry.published_at)
        item.updated(entry.published_at)
        item.content(f"{entry.heard}\n\n{entry.reasons}", type="text")
    return feed.atom_str(pretty=False)


def contest_entry(entry: ResponseEntry, user, reason: str) -> bool:
    """Record that this entry does not address the person's concern; False if already said."""
        
    if entry.is_draft:
        raise LogError("not_published", "reason")
    result = db.session.execute(
        dialect_insert(Contest).values(entry_id=entry.id, user_id=user.id, reason=reason.strip(), created_at=utcnow())
        .on_conflict_do_nothing(index_elements=[Contest.entry_id, Contest.user_id])
    )
    db.session.commit()
    return result.rowcount == 1


def contests_of(entry: ResponseEntry) -> list[Contest]:
    return list(db.session.scalars(db.select(Contest).where(Contest.entry_id == entry.id).order_by(Contest.id)))


def has_contested(entry: ResponseEntry, user) -> bool:
    if not user.is_authenticated:
        return False
    return db.session.scalar(db.select(Contest.id).where(
        Contest.entry_id == entry.id, Contest.user_id == user.id)) is not None
