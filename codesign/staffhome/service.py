"""What needs district staff, gathered for their home page: each part one aggregate query (or
a bounded list), so the page costs the same however much is waiting."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from codesign.comments.models import Comment, Disposition, Moderation
from codesign.community.models import Organization, Session
from codesign.db import utcnow
from codesign.extensions import db
from codesign.moderation.service import reported_since_decision
from codesign.proposals.models import Proposal, ProposalStatus, ProposalVersion
from codesign.responselog.models import Contest, ResponseEntry

CLOSING_SOON = timedelta(days=7)
LIST_LIMIT = 50  # rows per part; the count says when there are more


@dataclass(frozen=True)
class Awaiting:
    """A proposal's comments with no disposition yet: how many, and the oldest (to start from)."""

    proposal_id: int
    title: str
    count: int
    oldest_id: int
    oldest_at: datetime


@dataclass(frozen=True)
class Contested:
    """A published log entry that people say does not address their concern, not yet amended
    by a later entry."""

    sequence: int
    proposal_title: str
    count: int
    latest_at: datetime


@dataclass(frozen=True)
class TranslationWork:
    locale: str
    missing: int  # missing or partly translated
    outdated: int
    requests: int  # readers who asked for a translation of something not (fully) translated


@dataclass(frozen=True)
class Unconfirmed:
    session_id: int
    title: str
    organization: str
    ended_at: datetime


@dataclass(frozen=True)
class Closing:
    proposal_id: int
    title: str
    closes_at: datetime


@dataclass
class StaffHome:
    awaiting: list[Awaiting]
    held: int
    flagged: int
    contested: list[Contested]
    translations: list[TranslationWork]
    unconfirmed: list[Unconfirmed]
    closing: list[Closing]

    @property
    def nothing_waits(self) -> bool:
        return not (self.awaiting or self.held or self.flagged or self.contested or self.unconfirmed or self.closing
                    or any(t.missing or t.outdated for t in self.translations))


def _titled(query):
    """Join a query on Proposal to its current version's title."""
    return query.join(ProposalVersion, ProposalVersion.id == Proposal.current_version_id)


def awaiting_disposition(district) -> list[Awaiting]:
    """Per proposal, the public comments (not replies, not withdrawn) still without a
    disposition, the proposal whose oldest has waited longest first. The counts come from the
    comment counters; each proposal's oldest is found from its index, so three queries cost
    the same at a million comments."""
    from codesign.comments.models import CommentCount

    counts = dict(db.session.execute(
        sa.select(CommentCount.proposal_id, sa.func.sum(CommentCount.comments))
        .join(Proposal, Proposal.id == CommentCount.proposal_id)
        .where(Proposal.district_id == district.id, CommentCount.disposition == Disposition.OPEN,
               CommentCount.moderation == Moderation.VISIBLE, CommentCount.reply.is_(False),
               CommentCount.withdrawn.is_(False))
        .group_by(CommentCount.proposal_id).having(sa.func.sum(CommentCount.comments) > 0)).all())
    if not counts:
        return []
    oldest_open = (sa.select(Comment.id).where(
        Comment.proposal_id == Proposal.id, Comment.parent_id.is_(None), Comment.disposition == Disposition.OPEN,
        Comment.moderation == Moderation.VISIBLE, Comment.withdrawn_at.is_(None))
        .order_by(Comment.id).limit(1).correlate(Proposal).scalar_subquery())
    rows = db.session.execute(_titled(sa.select(Proposal.id, ProposalVersion.title, oldest_open))
                              .where(Proposal.id.in_(counts))).all()
    oldest = {row[2] for row in rows if row[2] is not None}
    created = dict(db.session.execute(sa.select(Comment.id, Comment.created_at).where(Comment.id.in_(oldest))).all())
    waiting = [Awaiting(pid, title, int(counts[pid]), first, created[first]) for pid, title, first in rows
               if first in created]
    waiting.sort(key=lambda item: (item.oldest_at, item.proposal_id))
    return waiting[:LIST_LIMIT]


def moderation_waiting(district) -> tuple[int, int]:
    """(comments held for a moderator, public comments reported since their last decision): the
    first from the comment counters, the second from the reports (few), never a scan of comments."""
    from codesign.comments.models import CommentCount

    held = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(CommentCount.comments), 0))
        .join(Proposal, Proposal.id == CommentCount.proposal_id)
        .where(Proposal.district_id == district.id, CommentCount.moderation == Moderation.HELD,
               CommentCount.withdrawn.is_(False)))
    flagged = db.session.scalar(
        sa.select(sa.func.count(Comment.id)).join(Proposal, Proposal.id == Comment.proposal_id)
        .where(Proposal.district_id == district.id, reported_since_decision()))
    return int(held or 0), int(flagged or 0)


def contested_entries(district) -> list[Contested]:
    """Published entries with contests that no later published entry amending them answers,
    the most recently contested first."""
    amending = aliased(ResponseEntry)
    answered = sa.exists().where(amending.amends_id == ResponseEntry.id, amending.published_at.is_not(None),
                                 amending.published_at > Contest.created_at)
    latest = sa.func.max(Contest.created_at)
    rows = db.session.execute(_titled(
        db.select(ResponseEntry.sequence, ProposalVersion.title, sa.func.count(Contest.id), latest)
        .join(ResponseEntry, ResponseEntry.id == Contest.entry_id)
        .join(Proposal, Proposal.id == ResponseEntry.proposal_id))
        .where(ResponseEntry.district_id == district.id, ResponseEntry.sequence.is_not(None), ~answered)
        .group_by(ResponseEntry.sequence, ProposalVersion.title).order_by(latest.desc()).limit(LIST_LIMIT))
    return [Contested(*row) for row in rows]


def translation_work(district) -> list[TranslationWork]:
    """Per offered language: how much is untranslated or outdated, and how many asked."""
    from codesign.content_translations.service import dashboard

    return [TranslationWork(locale, sum(r.state in ("missing", "partial") for r in rows),
                            sum(r.state == "outdated" for r in rows), sum(r.requests for r in rows))
            for locale, rows in dashboard(district).items()]


def unconfirmed_sessions(district, now: datetime | None = None) -> list[Unconfirmed]:
    """Sessions that have ended with their record not yet confirmed by the facilitator, oldest first."""
    rows = db.session.execute(
        db.select(Session.id, Session.title, Organization.name, Session.ends_at)
        .join(Organization, Organization.id == Session.organization_id)
        .where(Session.district_id == district.id, Session.ends_at <= (now or utcnow()),
               Session.confirmed_at.is_(None))
        .order_by(Session.ends_at, Session.id).limit(LIST_LIMIT))
    return [Unconfirmed(*row) for row in rows]


def closing_soon(district, now: datetime | None = None) -> list[Closing]:
    """Proposals open for comment whose period ends within a week, soonest first."""
    now = now or utcnow()
    rows = db.session.execute(_titled(
        db.select(Proposal.id, ProposalVersion.title, Proposal.comment_closes_at))
        .where(Proposal.district_id == district.id, Proposal.status == ProposalStatus.OPEN,
               Proposal.comment_closes_at > now, Proposal.comment_closes_at <= now + CLOSING_SOON)
        .order_by(Proposal.comment_closes_at).limit(LIST_LIMIT))
    return [Closing(*row) for row in rows]


def staff_district_slug(user) -> str | None:
    """The district a person is staff of, when they are staff of exactly one: signing in takes
    them to what needs them there."""
    from codesign.districts.models import District, Membership, Role

    slugs = list(db.session.scalars(
        db.select(District.slug).join(Membership, Membership.district_id == District.id)
        .where(Membership.user_id == user.id, Membership.role == Role.STAFF).limit(2)))
    return slugs[0] if len(slugs) == 1 else None


def staff_home(district) -> StaffHome:
    held, flagged = moderation_waiting(district)
    return StaffHome(awaiting_disposition(district), held, flagged, contested_entries(district),
                     translation_work(district), unconfirmed_sessions(district), closing_soon(district))
