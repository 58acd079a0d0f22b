"""What the board sees about a proposal: participation, representativeness, support over
versions, what people raised and what changed. Every count of people is suppressed together
with its breakdown (codesign/suppression.py), because the board packet is a public record.

A fixed number of aggregate queries per proposal, whatever the amount of input.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from codesign.accounts.models import StakeholderGroup
from codesign.comments import service as comments_service
from codesign.comments.models import (
    SECTION_LABELS,
    Channel,
    Comment,
    CommentCount,
    Disposition,
    Kind,
    Moderation,
)
from codesign.community.models import SessionAttendance, SessionProposal, SessionTally
from codesign.db import utcnow
from codesign.extensions import db
from codesign.i18n import CONTENT_LANGUAGES
from codesign.proposals.models import Proposal, ProposalVersion
from codesign.review.models import Dimension, ParticipantCount, ReferenceShare
from codesign.suppression import (
    ShownCount,
    SuppressedBreakdown,
    show_count,
    suppress_small_counts,
    suppress_table,
)
from codesign.surveys.models import Survey, SurveyResponse
from codesign.text import one_line, without_controls
from codesign.votes.models import Stance, VoteCount

UNKNOWN = "unknown"  # language not recorded (people counted at sessions)
METRICS = ("people", "comments", "votes", "responses", "attendance")
UNDER_HEARD_RATIO = 0.5  # a group heard from at less than half its share of the community
TOP_PER_SECTION = 3
UNANSWERED_SHOWN = 10


class ReviewError(Exception):
    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


# ---------------------------------------------------------------- participation

@dataclass
class Participation:
    total: ShownCount
    by_group: dict[str, SuppressedBreakdown]  # metric -> breakdown by stakeholder group
    by_channel: SuppressedBreakdown
    by_language: SuppressedBreakdown
    raw_people_by_group: dict = field(default_factory=dict, repr=False)  # for shares, never shown
    raw_people_by_language: dict = field(default_factory=dict, repr=False)


def _count_by(query) -> dict:
    return {key: int(count or 0) for key, count in db.session.execute(query)}


def participation(proposal: Proposal, threshold: int) -> Participation:
    version_ids = db.select(ProposalVersion.id).where(ProposalVersion.proposal_id == proposal.id).scalar_subquery()
    survey_ids = db.select(Survey.id).where(Survey.proposal_id == proposal.id).scalar_subquery()
    # People with an account who gave input, by group and language now: kept by triggers
    # (codesign/review/participants.py), so this costs the same at any size.
    online = [(StakeholderGroup(group), locale, people) for group, locale, people in db.session.execute(
        db.select(ParticipantCount.stakeholder_group, ParticipantCount.locale, ParticipantCount.people)
        .where(ParticipantCount.proposal_id == proposal.id))]
    attendance = _count_by(
        db.select(SessionAttendance.stakeholder_group, db.func.sum(SessionAttendance.count))
        .join(SessionProposal, SessionProposal.session_id == SessionAttendance.session_id)
        .where(SessionProposal.proposal_id == proposal.id).group_by(SessionAttendance.stakeholder_group))
    paper = db.session.execute(
        db.select(SurveyResponse.stakeholder_group, SurveyResponse.language, db.func.count())
        .where(SurveyResponse.survey_id.in_(survey_ids), SurveyResponse.user_id.is_(None),
               SurveyResponse.channel != Channel.ONLINE,  # an erased account's answers are not paper
               SurveyResponse.session_id.is_(None))  # paper forms from a session are its attendees
        .group_by(SurveyResponse.stakeholder_group, SurveyResponse.language)).all()
    comments = comments_service.counted(proposal.id, CommentCount.stakeholder_group)
    votes = _count_by(db.select(VoteCount.stakeholder_group, db.func.sum(VoteCount.votes))
                      .where(VoteCount.version_id.in_(version_ids)).group_by(VoteCount.stakeholder_group))
    responses = _count_by(db.select(SurveyResponse.stakeholder_group, db.func.count())
                          .where(SurveyResponse.survey_id.in_(survey_ids)).group_by(SurveyResponse.stakeholder_group))

    groups = list(StakeholderGroup)
    people = {group: 0 for group in groups}
    languages: dict[str, int] = {}
    channels = {Channel.ONLINE: 0, Channel.SESSION: 0, Channel.PAPER: 0}
    for group, locale, count in online:
        people[group] += count
        languages[locale] = languages.get(locale, 0) + count
        channels[Channel.ONLINE] += count
    for group, count in attendance.items():
        people[group] += count
        channels[Channel.SESSION] += count
        languages[UNKNOWN] = languages.get(UNKNOWN, 0) + count
    for group, language, count in paper:
        people[group] += count
        languages[language] = languages.get(language, 0) + count
        channels[Channel.PAPER] += count
    language_keys = list(dict.fromkeys([*proposal.district.language_codes, *sorted(k for k in languages if k != UNKNOWN),
                                        UNKNOWN]))
    per_group = {
        "people": people,
        "comments": {g: comments.get(g, 0) for g in groups},
        "votes": {g: votes.get(g, 0) for g in groups},
        "responses": {g: responses.get(g, 0) for g in groups},
        "attendance": {g: attendance.get(g, 0) for g in groups},
    }
    by_group = {metric: suppress_small_counts(counts, threshold) for metric, counts in per_group.items()}
    return Participation(
        total=by_group["people"].total, by_group=by_group,
        by_channel=suppress_small_counts(channels, threshold),
        by_language=suppress_small_counts({key: languages.get(key, 0) for key in language_keys}, threshold),
        raw_people_by_group=people, raw_people_by_language=languages,
    )


# ---------------------------------------------------------------- representativeness

@dataclass
class ShareRow:
    key: str
    reference: float
    participants: float | None  # None when the people behind it are not shown
    under_heard: bool


def reference_shares(district) -> dict[Dimension, list[ReferenceShare]]:
    shares: dict[Dimension, list[ReferenceShare]] = {dimension: [] for dimension in Dimension}
    for share in db.session.scalars(db.select(ReferenceShare).where(ReferenceShare.district_id == district.id)
                                    .order_by(ReferenceShare.percent.desc())):
        shares[share.dimension].append(share)
    return shares


def dimension_keys(district, dimension: Dimension) -> list[str]:
    if dimension == Dimension.GROUP:
        return [group.value for group in StakeholderGroup]
    return list(dict.fromkeys([*district.language_codes, *CONTENT_LANGUAGES]))


def save_reference_shares(district, dimension: Dimension, values: dict[str, str], source: str) -> None:
    """Replace one dimension's shares. They must be numbers from 0 to 100 adding up to 100%
    (within half a point, for rounding); all empty removes them."""
    keys = set(dimension_keys(district, dimension))
    if set(values) - keys:
        raise ReviewError("bad_key")
    parsed = {}
    for key, raw in values.items():
        text = (raw or "").strip().replace(",", ".").rstrip("%").strip()
        if not text:
            continue
        try:
            number = float(text)
        except ValueError as error:
            raise ReviewError("not_a_number", key) from error
        if not 0 <= number <= 100:
            raise ReviewError("not_a_number", key)
        parsed[key] = number
    total = sum(parsed.values())
    if parsed and abs(total - 100) > 0.5:
        raise ReviewError("not_100", f"{total:g}")
    db.session.execute(db.delete(ReferenceShare).where(ReferenceShare.district_id == district.id,
                                                       ReferenceShare.dimension == dimension))
    db.session.add_all(ReferenceShare(district_id=district.id, dimension=dimension, key=key, percent=number,
                                      source=without_controls(one_line(source)).strip()) for key, number in parsed.items())
    db.session.commit()


def representativeness(district, taking_part: Participation) -> dict[Dimension, list[ShareRow]]:
    """Each group's share of participants next to its share of the community."""
    rows: dict[Dimension, list[ShareRow]] = {}
    shown = {Dimension.GROUP: taking_part.by_group["people"], Dimension.LANGUAGE: taking_part.by_language}
    raw = {Dimension.GROUP: {g.value: n for g, n in taking_part.raw_people_by_group.items()},
           Dimension.LANGUAGE: {k: n for k, n in taking_part.raw_people_by_language.items() if k != UNKNOWN}}
    for dimension, shares in reference_shares(district).items():
        if not shares:
            continue
        total = sum(raw[dimension].values())
        cells = {str(key.value if hasattr(key, "value") else key): cell for key, cell in shown[dimension].cells.items()}
        rows[dimension] = []
        for share in shares:
            cell = cells.get(share.key)
            count = raw[dimension].get(share.key, 0)
            visible = cell is not None and not cell.suppressed and total > 0
            participants = count / total if visible else None
            under = (participants if participants is not None else 0.0) < share.percent / 100 * UNDER_HEARD_RATIO
            rows[dimension].append(ShareRow(share.key, share.percent / 100, participants, under and share.percent > 0))
    return rows


# ---------------------------------------------------------------- support over versions

@dataclass
class VersionSupport:
    number: int
    online: dict  # stance -> ShownCount, plus "total"
    session: dict


def support_over_versions(proposal: Proposal, threshold: int) -> list[VersionSupport]:
    from codesign.votes import service as votes

    versions = db.session.execute(
        db.select(ProposalVersion.id, ProposalVersion.number)
        .where(ProposalVersion.proposal_id == proposal.id, ProposalVersion.number.is_not(None))
        .order_by(ProposalVersion.number)).all()
    ids = [version_id for version_id, _number in versions]
    online = votes.tallies(ids, threshold)
    hands: dict[int, dict] = {vid: {g: {s: 0 for s in Stance} for g in StakeholderGroup} for vid in ids}
    if ids:
        for version_id, group, stance, total in db.session.execute(
            db.select(SessionTally.version_id, SessionTally.stakeholder_group, SessionTally.stance,
                      db.func.sum(SessionTally.count))
            .where(SessionTally.version_id.in_(ids))
            .group_by(SessionTally.version_id, SessionTally.stakeholder_group, SessionTally.stance)
        ):
            hands[version_id][group][stance] = int(total or 0)
    result = []
    for version_id, number in versions:
        session_table = suppress_table(hands[version_id], threshold)
        result.append(VersionSupport(
            number,
            {**online[version_id].column_totals, "total": online[version_id].total},
            {**session_table.column_totals, "total": session_table.total},
        ))
    return result


def support_chart(support: list[VersionSupport]) -> list[dict]:
    """Shares of support / neutral / oppose among online votes per version, where all are shown."""
    bars = []
    for item in support:
        total = item.online["total"]
        cells = [item.online[stance] for stance in Stance]
        if total.suppressed or not total.value or any(cell.suppressed for cell in cells):
            bars.append({"number": item.number, "shares": None})
            continue
        bars.append({"number": item.number,
                     "shares": [(stance, cell.value / total.value) for stance, cell in zip(Stance, cells, strict=True)]})
    return bars


# ---------------------------------------------------------------- what people raised

def raised(proposal: Proposal, threshold: int):
    """Comments by part of the data card and kind (one table, suppressed together)."""
    table = {section: {kind: 0 for kind in Kind} for section in SECTION_LABELS}
    for (section, kind), count in comments_service.counted(proposal.id, CommentCount.section,
                                                            CommentCount.kind).items():
        if section in table:
            table[section][kind] = count
    return suppress_table(table, threshold)


def top_comments(proposal: Proposal) -> dict[str, list[Comment]]:
    """The most "me too"'d visible comments in each part, in one query (a window function)."""
    rank = db.func.row_number().over(partition_by=Comment.section,
                                     order_by=(Comment.metoo_count.desc(), Comment.id)).label("rank")
    ranked = (db.select(Comment.id, rank)
              .where(Comment.proposal_id == proposal.id, Comment.withdrawn_at.is_(None), Comment.parent_id.is_(None),
                     Comment.moderation == Moderation.VISIBLE, Comment.metoo_count > 0)
              .subquery())
    rows = db.session.scalars(
        db.select(Comment).join(ranked, ranked.c.id == Comment.id).where(ranked.c.rank <= TOP_PER_SECTION)
        .order_by(Comment.section, Comment.metoo_count.desc(), Comment.id))
    top: dict[str, list[Comment]] = {}
    for comment in rows:
        top.setdefault(comment.section, []).append(comment)
    return {section: top[section] for section in SECTION_LABELS if section in top}


def unanswered(proposal: Proposal) -> tuple[int, list[Comment]]:
    count = sum(comments_service.counted(proposal.id, CommentCount.reply, where=(
        CommentCount.disposition == Disposition.OPEN, CommentCount.reply.is_(False))).values())
    oldest = list(db.session.scalars(
        db.select(Comment).where(Comment.proposal_id == proposal.id, Comment.disposition == Disposition.OPEN,
                                 Comment.parent_id.is_(None), Comment.withdrawn_at.is_(None),
                                 Comment.moderation == Moderation.VISIBLE)
        .order_by(Comment.id).limit(UNANSWERED_SHOWN)))
    return count, oldest


# ---------------------------------------------------------------- what changed

def first_to_current(proposal: Proposal) -> tuple:
    """(first version, current version, changed fields) — no diff when there is one version."""
    from codesign.proposals.service import published_versions, version_diff

    versions = published_versions(proposal)
    if len(versions) < 2:
        return versions[0] if versions else None, None, []
    return versions[0], versions[-1], version_diff(versions[0], versions[-1])


def published_entries(proposal: Proposal) -> list:
    from codesign.responselog.models import ResponseEntry

    return list(db.session.scalars(
        db.select(ResponseEntry).where(ResponseEntry.proposal_id == proposal.id, ResponseEntry.sequence.is_not(None))
        .order_by(ResponseEntry.sequence)))


# ---------------------------------------------------------------- publishing and the whole review

def set_published(proposal: Proposal, published: bool) -> None:
    proposal.review_published_at = utcnow() if published else None
    db.session.commit()


@dataclass
class Review:
    proposal: Proposal
    participation: Participation
    shares: dict
    support: list
    chart: list
    raised: object
    top: dict
    unanswered_count: int
    unanswered: list
    coverage: tuple
    entries: list
    contests: dict  # entry id: ShownCount of people who said it does not address their concern
    entry_details: dict  # (only for the packet, which prints each entry whole)
    first: object
    current: object
    diff: list


def build(proposal: Proposal, district, *, with_entry_details: bool = True) -> Review:
    """The whole review; `with_entry_details` for the packet, which prints the log's entries whole
    (the page shows only how many people contest each)."""
    from codesign.responselog import service as log

    threshold = district.suppression_threshold
    taking_part = participation(proposal, threshold)
    support = support_over_versions(proposal, threshold)
    entries = published_entries(proposal)
    count, oldest = unanswered(proposal)
    first, current, diff = first_to_current(proposal)
    details = log.entry_details(entries, threshold, all_comments=True) if entries and with_entry_details else {}
    return Review(
        proposal=proposal, participation=taking_part, shares=representativeness(district, taking_part),
        support=support, chart=support_chart(support), raised=raised(proposal, threshold), top=top_comments(proposal),
        unanswered_count=count, unanswered=oldest, coverage=log.coverage(proposal.id), entries=entries,
        contests={entry_id: d.contests for entry_id, d in details.items()} if details else contests(entries, threshold),
        entry_details=details,
        first=first, current=current, diff=diff,
    )


def contests(entries: list, threshold: int) -> dict:
    """Each entry's count of people who said it does not address their concern, as shown."""
    from codesign.responselog.service import contest_counts

    counts = contest_counts([entry.id for entry in entries])
    return {entry.id: show_count(counts.get(entry.id, 0), threshold) for entry in entries}


def visible_comments(proposal: Proposal):
    """Every visible comment, by part of the data card, for the packet's appendix: streamed rows of
    what it prints (section, kind, stakeholder_group, channel, language, body), not model
    instances, since a packet may list a quarter of a million comments."""
    return db.session.execute(
        db.select(Comment.section, Comment.kind, Comment.stakeholder_group, Comment.channel, Comment.language,
                  Comment.body)
        .where(Comment.proposal_id == proposal.id, Comment.withdrawn_at.is_(None),
               Comment.moderation == Moderation.VISIBLE)
        .order_by(Comment.section, Comment.id).execution_options(yield_per=2000))

