"""Organizations, sessions and the input a session brings in.

A session's record (attendance, comments, show-of-hands tallies, paper surveys) is written by
its organization's facilitators or by staff. Once a facilitator confirms it as a true account
of the session, only staff may change it, and each change is kept in the session's history.
Every batch is checked in full before anything is saved: nothing partial is ever stored.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import NamedTuple

from codesign.accounts.models import StakeholderGroup
from codesign.audit.service import record as audit
from codesign.authz import has_role
from codesign.comments.models import (
    BODY_MAX,
    BODY_MIN,
    SECTION_LABELS,
    Channel,
    Comment,
    Kind,
)
from codesign.community.models import (
    CAPACITY_MAX,
    Organization,
    OrganizationFacilitator,
    Session,
    SessionAttendance,
    SessionChange,
    SessionMode,
    SessionProposal,
    SessionTally,
)
from codesign.db import utcnow
from codesign.districts.models import Role
from codesign.extensions import db
from codesign.i18n import CONTENT_LANGUAGES
from codesign.moderation.service import screen
from codesign.proposals.models import Proposal, ProposalVersion
from codesign.text import without_controls
from codesign.votes.models import Stance

CSV_COLUMNS = ("proposal", "kind", "section", "stakeholder_group", "language", "comment")
CSV_MAX_ROWS = 2_000
COUNT_MAX = 100_000


class CommunityError(Exception):
    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


# ---------------------------------------------------------------- organizations

def save_organization(district, organization: Organization | None, *, name: str, description: str,
                      languages: list[str], contact: str) -> Organization:
    if organization is None:
        organization = Organization(district_id=district.id)
        db.session.add(organization)
    organization.name = name.strip()
    organization.description = description.strip()
    organization.languages = " ".join(dict.fromkeys(code for code in languages if code in CONTENT_LANGUAGES))
    organization.contact = contact.strip()
    db.session.commit()
    return organization


def organizations_of(district) -> list[Organization]:
    return list(db.session.scalars(
        db.select(Organization).where(Organization.district_id == district.id).order_by(Organization.name)))


def add_facilitator(district, organization: Organization, login: str) -> None:
    """Let a person facilitate for an organization; they get the district's facilitator role too."""
    from codesign.accounts.service import find_user_by_login
    from codesign.districts.service import grant_role

    user = find_user_by_login(login or "")
    if user is None:
        raise CommunityError("no_such_person", "login")
    grant_role(district, user, Role.FACILITATOR)
    exists = db.session.scalar(db.select(OrganizationFacilitator.id).where(
        OrganizationFacilitator.organization_id == organization.id, OrganizationFacilitator.user_id == user.id))
    if exists is None:
        db.session.add(OrganizationFacilitator(organization_id=organization.id, user_id=user.id))
    db.session.commit()


def remove_facilitator(organization: Organization, user_id: int) -> None:
    db.session.execute(db.delete(OrganizationFacilitator).where(
        OrganizationFacilitator.organization_id == organization.id, OrganizationFacilitator.user_id == user_id))
    db.session.commit()


def facilitators_of(organization: Organization) -> list:
    from codesign.accounts.models import User

    return list(db.session.scalars(
        db.select(User).join(OrganizationFacilitator, OrganizationFacilitator.user_id == User.id)
        .where(OrganizationFacilitator.organization_id == organization.id).order_by(User.username)))


def organizations_facilitated_by(user, district) -> list[Organization]:
    """The organizations a person may schedule and record sessions for (staff: all of them)."""
    if has_role(user, district, Role.STAFF):
        return organizations_of(district)
    if not user.is_authenticated:
        return []
    return list(db.session.scalars(
        db.select(Organization).join(OrganizationFacilitator, OrganizationFacilitator.organization_id == Organization.id)
        .where(Organization.district_id == district.id, OrganizationFacilitator.user_id == user.id)
        .order_by(Organization.name)))


def may_run(user, district, organization_id: int) -> bool:
    """Staff, or a facilitator of this organization (and of this district)."""
    if has_role(user, district, Role.STAFF):
        return True
    if not has_role(user, district, Role.FACILITATOR):
        return False
    return db.session.scalar(db.select(OrganizationFacilitator.id).where(
        OrganizationFacilitator.organization_id == organization_id,
        OrganizationFacilitator.user_id == user.id)) is not None


# ---------------------------------------------------------------- sessions

@dataclass
class SessionFields:
    title: str
    starts_at: object
    ends_at: object
    mode: SessionMode
    place: str = ""
    online_link: str = ""
    step_free: bool = False
    childcare: bool = False
    food: bool = False
    interpretation: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    capacity: int | None = None
    proposal_ids: list[int] = field(default_factory=list)


def _check_session(district, fields: SessionFields, *, now) -> list[int]:
    if fields.ends_at <= fields.starts_at:
        raise CommunityError("ends_before_start", "ends_at")
    if fields.starts_at <= now:
        raise CommunityError("in_the_past", "starts_at")
    if fields.mode == SessionMode.IN_PERSON and not fields.place.strip():
        raise CommunityError("place_required", "place")
    if fields.mode == SessionMode.ONLINE and not fields.online_link.strip().startswith(("https://", "http://")):
        raise CommunityError("link_required", "online_link")
    if fields.capacity is not None and not 1 <= fields.capacity <= CAPACITY_MAX:
        raise CommunityError("bad_capacity", "capacity")
    ids = sorted(set(fields.proposal_ids))
    if not ids:
        raise CommunityError("no_proposal", "proposals")
    found = set(db.session.scalars(db.select(Proposal.id).where(
        Proposal.id.in_(ids), Proposal.district_id == district.id, Proposal.current_version_id.is_not(None))))
    if found != set(ids):
        raise CommunityError("bad_proposal", "proposals")
    return ids


def schedule_session(district, organization: Organization, user, fields: SessionFields, now=None) -> Session:
    """A new upcoming session (facilitators of the organization, or staff)."""
    if organization.district_id != district.id or not may_run(user, district, organization.id):
        raise CommunityError("not_yours")
    ids = _check_session(district, fields, now=now or utcnow())
    session = Session(district_id=district.id, organization_id=organization.id, created_by_id=user.id)
    _apply(session, fields)
    db.session.add(session)
    db.session.flush()
    _set_proposals(session, ids)
    db.session.commit()
    return session


def update_session(session: Session, district, user, fields: SessionFields, now=None) -> Session:
    if not may_run(user, district, session.organization_id):
        raise CommunityError("not_yours")
    if not session.is_upcoming(now):
        raise CommunityError("already_held")
    ids = _check_session(district, fields, now=now or utcnow())
    _apply(session, fields)
    _set_proposals(session, ids)
    db.session.commit()
    return session


def _apply(session: Session, fields: SessionFields) -> None:
    session.title = fields.title.strip()
    session.starts_at = fields.starts_at
    session.ends_at = fields.ends_at
    session.mode = fields.mode
    session.place = fields.place.strip() if fields.mode == SessionMode.IN_PERSON else ""
    session.online_link = fields.online_link.strip() if fields.mode == SessionMode.ONLINE else ""
    session.step_free, session.childcare, session.food = fields.step_free, fields.childcare, fields.food
    session.interpretation = " ".join(c for c in dict.fromkeys(fields.interpretation) if c in CONTENT_LANGUAGES)
    session.languages = " ".join(c for c in dict.fromkeys(fields.languages) if c in CONTENT_LANGUAGES)
    session.capacity = fields.capacity


def _set_proposals(session: Session, proposal_ids: list[int]) -> None:
    db.session.execute(db.delete(SessionProposal).where(SessionProposal.session_id == session.id))
    db.session.add_all(SessionProposal(session_id=session.id, proposal_id=pid) for pid in proposal_ids)


def proposals_of(session: Session) -> list[Proposal]:
    from sqlalchemy.orm import joinedload

    return list(db.session.scalars(
        db.select(Proposal).options(joinedload(Proposal.current_version))
        .join(SessionProposal, SessionProposal.proposal_id == Proposal.id)
        .where(SessionProposal.session_id == session.id).order_by(Proposal.id)))


def say_coming(session: Session, now=None) -> bool:
    """Count one more person coming, in one statement that respects the capacity."""
    now = now or utcnow()
    result = db.session.execute(
        db.update(Session).where(
            Session.id == session.id, Session.ends_at > now,
            db.or_(Session.capacity.is_(None), Session.coming < Session.capacity))
        .values(coming=Session.coming + 1))
    db.session.commit()
    db.session.refresh(session)
    return result.rowcount == 1


def list_sessions(district, *, upcoming: bool, proposal_id: int | None = None, organization_id: int | None = None,
                  limit: int = 50, now=None) -> list[tuple[Session, Organization]]:
    now = now or utcnow()
    query = (db.select(Session, Organization).join(Organization, Organization.id == Session.organization_id)
             .where(Session.district_id == district.id))
    if proposal_id is not None:
        query = query.join(SessionProposal, SessionProposal.session_id == Session.id).where(
            SessionProposal.proposal_id == proposal_id)
    if organization_id is not None:
        query = query.where(Session.organization_id == organization_id)
    if upcoming:
        query = query.where(Session.ends_at > now).order_by(Session.starts_at)
    else:
        query = query.where(Session.ends_at <= now).order_by(Session.starts_at.desc())
    return list(db.session.execute(query.limit(limit)).all())


# ---------------------------------------------------------------- recording input

def check_recording(session: Session, district, user, now=None) -> bool:
    """May this person record now? Returns True when it is a staff change to a confirmed record."""
    if session.district_id != district.id or not may_run(user, district, session.organization_id):
        raise CommunityError("not_yours")
    if session.starts_at > (now or utcnow()):
        raise CommunityError("not_yet")
    if session.is_confirmed:
        if not has_role(user, district, Role.STAFF):
            raise CommunityError("confirmed")
        return True
    return False


def _history(session: Session, user, what: str, detail: str) -> None:
    db.session.add(SessionChange(session_id=session.id, user_id=user.id, what=what, detail=detail))


def note_change(session: Session, user, what: str, detail: str = "") -> None:
    """Keep a staff change to a confirmed record in the session's history."""
    _history(session, user, what, detail)
    db.session.commit()


def attendance_of(session: Session) -> dict[StakeholderGroup, int]:
    counts = {group: 0 for group in StakeholderGroup}
    for group, count in db.session.execute(db.select(SessionAttendance.stakeholder_group, SessionAttendance.count)
                                           .where(SessionAttendance.session_id == session.id)):
        counts[group] = count
    return counts


def parse_count(raw) -> int | None:
    """A count typed by a person: a whole number from 0; None when it is not one."""
    text = str(raw if raw is not None else "").strip()
    if text == "":
        return 0
    if not text.isdigit() or int(text) > COUNT_MAX:
        return None
    return int(text)


def save_attendance(session: Session, district, user, counts: dict[StakeholderGroup, int]) -> None:
    staff_change = check_recording(session, district, user)
    if any(count is None or count < 0 for count in counts.values()):
        raise CommunityError("bad_count")
    by_group = _tally_by_group(session)
    for (_version, group), hands in by_group.items():
        if hands > counts.get(group, 0):
            raise CommunityError("tally_exceeds")
    db.session.execute(db.delete(SessionAttendance).where(SessionAttendance.session_id == session.id))
    db.session.add_all(SessionAttendance(session_id=session.id, stakeholder_group=group, count=count)
                       for group, count in counts.items() if count)
    if staff_change:
        _history(session, user, "attendance", ", ".join(f"{g.value}={c}" for g, c in counts.items()))
    db.session.commit()


def _tally_by_group(session: Session) -> dict[tuple[int, StakeholderGroup], int]:
    """Hands raised per (version, group) in this session's tallies."""
    return {(version_id, group): total for version_id, group, total in db.session.execute(
        db.select(SessionTally.version_id, SessionTally.stakeholder_group, db.func.sum(SessionTally.count))
        .where(SessionTally.session_id == session.id)
        .group_by(SessionTally.version_id, SessionTally.stakeholder_group))}


def tallies_of(session: Session) -> dict[int, dict[tuple[StakeholderGroup, Stance], int]]:
    tallies: dict[int, dict] = {}
    for version_id, group, stance, count in db.session.execute(
        db.select(SessionTally.version_id, SessionTally.stakeholder_group, SessionTally.stance, SessionTally.count)
        .where(SessionTally.session_id == session.id)
    ):
        tallies.setdefault(version_id, {})[(group, stance)] = count
    return tallies


def save_tally(session: Session, district, user, version_id: int,
               counts: dict[tuple[StakeholderGroup, Stance], int | None]) -> None:
    """A show of hands on one version of a proposal the session is about."""
    staff_change = check_recording(session, district, user)
    version = db.session.get(ProposalVersion, version_id)
    if version is None or version.number is None or version.proposal_id not in {p.id for p in proposals_of(session)}:
        raise CommunityError("bad_version")
    if any(count is None or count < 0 for count in counts.values()):
        raise CommunityError("bad_count")
    attendance = attendance_of(session)
    for group in StakeholderGroup:
        if sum(counts.get((group, stance), 0) or 0 for stance in Stance) > attendance[group]:
            raise CommunityError("tally_exceeds")
    db.session.execute(db.delete(SessionTally).where(SessionTally.session_id == session.id,
                                                     SessionTally.version_id == version_id))
    db.session.add_all(SessionTally(session_id=session.id, version_id=version_id, stakeholder_group=group,
                                    stance=stance, count=count)
                       for (group, stance), count in counts.items() if count)
    if staff_change:
        _history(session, user, "tally", f"version {version.number}: "
                 + ", ".join(f"{g.value}/{s.value}={c}" for (g, s), c in counts.items() if c))
    db.session.commit()


@dataclass
class RowError:
    row: int  # 1-based, as people count rows (a CSV's header is row 1, so data starts at 2)
    field: str
    code: str


def check_comment_rows(session: Session, rows: list[dict], *, first_row: int = 1,
                       form_rows: bool = False) -> tuple[list[dict], list[RowError]]:
    """Validate every row of comments; return (clean rows, errors). Empty rows are skipped; in
    the on-screen form (whose selects always have a value) so is every row without a comment."""
    proposals = {p.id: p for p in proposals_of(session)}
    clean, errors = [], []
    for number, row in enumerate(rows, start=first_row):
        values = {key: without_controls(str(row.get(key) or "")).strip() for key in CSV_COLUMNS}
        if not any(values.values()) or (form_rows and not values["comment"]):
            continue
        row_errors = []
        proposal_id = int(values["proposal"]) if values["proposal"].isdigit() else None
        if proposal_id not in proposals:
            row_errors.append(RowError(number, "proposal", "bad_proposal"))
        if values["kind"] not in {k.value for k in Kind}:
            row_errors.append(RowError(number, "kind", "bad_choice"))
        if values["section"] not in SECTION_LABELS:
            row_errors.append(RowError(number, "section", "bad_choice"))
        if values["stakeholder_group"] not in {g.value for g in StakeholderGroup}:
            row_errors.append(RowError(number, "stakeholder_group", "bad_choice"))
        if values["language"] not in CONTENT_LANGUAGES:
            row_errors.append(RowError(number, "language", "bad_choice"))
        body = values["comment"].replace("\r\n", "\n")
        if not BODY_MIN <= len(body) <= BODY_MAX:
            row_errors.append(RowError(number, "comment", "bad_length"))
        if row_errors:
            errors += row_errors
        else:
            clean.append(dict(values, proposal=proposal_id, comment=body))
    return clean, errors


class Added(NamedTuple):
    comments: int
    held: int  # of which held for a moderator (they seemed to contain personal information)


def add_comments(session: Session, district, user, rows: list[dict], *, form_rows: bool = False) -> Added:
    """Save a batch of session comments, all or nothing (each row checked first)."""
    staff_change = check_recording(session, district, user)
    proposals = {p.id: p for p in proposals_of(session)}
    _clean, errors = check_comment_rows(session, rows, form_rows=form_rows)
    if errors:
        raise CommunityError("invalid_rows")
    held = 0
    for row in _clean:
        proposal = proposals[row["proposal"]]
        comment = Comment(
            proposal_id=proposal.id, version_id=proposal.current_version_id, author_id=None, parent_id=None,
            kind=Kind(row["kind"]), section=row["section"], stakeholder_group=StakeholderGroup(row["stakeholder_group"]),
            language=row["language"], channel=Channel.SESSION, session_id=session.id)
        screen(comment, row["comment"], district)  # personal information waits for a moderator
        held += comment.held
        db.session.add(comment)
    if staff_change:
        _history(session, user, "comments", str(len(_clean)))
    db.session.commit()
    return Added(len(_clean), held)


def read_csv(data: bytes) -> list[dict]:
    """Rows of a comment-sheet CSV (UTF-8, with or without a byte-order mark).

    Raises CommunityError for an unreadable file, wrong columns or too many rows.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CommunityError("encoding", "file") from error
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in (reader.fieldnames or [])]
    if sorted(header) != sorted(CSV_COLUMNS):
        raise CommunityError("columns", "file")
    reader.fieldnames = header
    rows = []
    for row in reader:
        rows.append(row)
        if len(rows) > CSV_MAX_ROWS:
            raise CommunityError("too_many_rows", "file")
    if not rows:
        raise CommunityError("empty", "file")
    return rows


def confirm_record(session: Session, district, user) -> None:
    """The facilitator says the record is a true account of the session."""
    if session.district_id != district.id or not may_run(user, district, session.organization_id):
        raise CommunityError("not_yours")
    if session.starts_at > utcnow():
        raise CommunityError("not_yet")
    if session.is_confirmed:
        return
    session.confirmed_at = utcnow()
    session.confirmed_by_id = user.id
    audit("session.confirm", f"session:{session.id}", district_id=district.id, actor=user,
          after={"confirmed_at": session.confirmed_at})
    db.session.commit()


def history_of(session: Session) -> list[SessionChange]:
    return list(db.session.scalars(
        db.select(SessionChange).where(SessionChange.session_id == session.id).order_by(SessionChange.id)))


# ---------------------------------------------------------------- what sessions brought in

def session_input_counts(session_ids: list[int]) -> dict[int, dict]:
    """Comments, attendance and paper survey responses per session: three queries for any number."""
    from codesign.surveys.models import SurveyResponse

    counts = {sid: {"comments": 0, "attendance": 0, "responses": 0} for sid in session_ids}
    if not session_ids:
        return counts
    for sid, n in db.session.execute(db.select(Comment.session_id, db.func.count(Comment.id))
                                     .where(Comment.session_id.in_(session_ids)).group_by(Comment.session_id)):
        counts[sid]["comments"] = n
    for sid, n in db.session.execute(db.select(SessionAttendance.session_id, db.func.sum(SessionAttendance.count))
                                     .where(SessionAttendance.session_id.in_(session_ids))
                                     .group_by(SessionAttendance.session_id)):
        counts[sid]["attendance"] = int(n or 0)
    for sid, n in db.session.execute(db.select(SurveyResponse.session_id, db.func.count(SurveyResponse.id))
                                     .where(SurveyResponse.session_id.in_(session_ids))
                                     .group_by(SurveyResponse.session_id)):
        counts[sid]["responses"] = n
    return counts


def session_tally(version_id: int, threshold: int):
    """The show-of-hands tally of a version across every session: group × stance, suppressed."""
    from codesign.suppression import suppress_table

    table = {group: {stance: 0 for stance in Stance} for group in StakeholderGroup}
    for group, stance, total in db.session.execute(
        db.select(SessionTally.stakeholder_group, SessionTally.stance, db.func.sum(SessionTally.count))
        .where(SessionTally.version_id == version_id)
        .group_by(SessionTally.stakeholder_group, SessionTally.stance)
    ):
        table[group][stance] = int(total or 0)
    return suppress_table(table, threshold)


def session_labels(session_ids: set[int], *, even_if_none: bool = False) -> dict[int, tuple[str, str]]:
    """(session title, organization name) by session id, for comments' provenance. With
    even_if_none the query runs when there are no ids too, so that a page that shows one comment
    costs the same queries whatever that comment is."""
    if not session_ids and not even_if_none:
        return {}
    return {sid: (title, name) for sid, title, name in db.session.execute(
        db.select(Session.id, Session.title, Organization.name)
        .join(Organization, Organization.id == Session.organization_id)
        .where(Session.id.in_(session_ids)))}
