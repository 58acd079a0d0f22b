"""Following proposals, and telling followers what happened: each notice to all followers is
one INSERT ... SELECT (never a row per person in Python), in the transaction of the change
that caused it; a person is told about each thing once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from codesign.db import UTCDateTime, built_once, dialect_insert, utcnow
from codesign.extensions import db
from codesign.notifications.models import (
    EmailHow,
    Follow,
    Notification,
    NotificationKind,
    email_choice_column,
)

PAGE_SIZE = 50


def follow(user, proposal_id: int) -> None:
    """Follow a proposal (nothing if already following); the caller commits."""
    db.session.execute(_follow_insert(), dict(user_id=user.id, proposal_id=proposal_id, created_at=utcnow()))


@built_once
def _follow_insert():
    return dialect_insert(Follow.__table__).on_conflict_do_nothing(index_elements=[Follow.user_id, Follow.proposal_id])


def unfollow(user, proposal_id: int) -> None:
    db.session.execute(sa.delete(Follow).where(Follow.user_id == user.id, Follow.proposal_id == proposal_id))


def is_following(user, proposal_id: int) -> bool:
    if not user.is_authenticated:
        return False
    return db.session.scalar(sa.select(Follow.id).where(Follow.user_id == user.id,
                                                        Follow.proposal_id == proposal_id)) is not None


def _tell(people, proposal_id: int, kind: NotificationKind, subject_id: int) -> None:
    """Notify everyone the select `people` (of user ids) gives, once each; for those with an
    email who chose this kind by email, its email is due now or at the next weekly summary."""
    from codesign.accounts.models import User
    from codesign.notifications import emails

    now = utcnow()
    choice = getattr(User, email_choice_column(kind))
    by_email = User.email.is_not(None)
    due = sa.case((sa.and_(by_email, choice == EmailHow.NOW), sa.literal(now, type_=UTCDateTime())),
                  (sa.and_(by_email, choice == EmailHow.WEEKLY),
                   sa.literal(emails.next_summary_at(now), type_=UTCDateTime())), else_=sa.null())
    chosen = people.subquery()
    rows = (sa.select(chosen.c[0], sa.literal(proposal_id), sa.literal(kind.value), sa.literal(subject_id),
                      sa.literal(now, type_=UTCDateTime()), due, sa.and_(by_email, choice == EmailHow.WEEKLY))
            .join(User, User.id == chosen.c[0]).where(User.erased_at.is_(None)).distinct())
    db.session.execute(dialect_insert(Notification).from_select(
        ["user_id", "proposal_id", "kind", "subject_id", "created_at", "email_due_at", "email_weekly"], rows)
        .on_conflict_do_nothing(index_elements=[Notification.user_id, Notification.kind, Notification.subject_id]))
    emails.mark_pending()


def _followers(proposal_id: int):
    return sa.select(Follow.user_id).where(Follow.proposal_id == proposal_id)


def tell_new_version(proposal, version) -> None:
    """Followers hear of a version after the first (the first is the proposal itself)."""
    if version.number > 1:
        _tell(_followers(proposal.id), proposal.id, NotificationKind.NEW_VERSION, version.id)


def tell_answered(entry) -> None:
    """The people whose comments a published log entry answers (following or not)."""
    from codesign.comments.models import Comment
    from codesign.responselog.models import EntryComment

    authors = (sa.select(Comment.author_id).join(EntryComment, EntryComment.comment_id == Comment.id)
               .where(EntryComment.entry_id == entry.id, Comment.author_id.is_not(None)))
    _tell(authors, entry.proposal_id, NotificationKind.ANSWERED, entry.id)


CLOSING_NOTICE = timedelta(days=3)


def tell_closing_soon(now: datetime | None = None) -> int:
    """Tell followers of every proposal whose comment period ends within three days (run daily;
    each version's period is told once). Returns how many proposals."""
    from codesign.proposals.models import Proposal, ProposalStatus

    now = now or utcnow()
    closing = list(db.session.execute(sa.select(Proposal.id, Proposal.current_version_id).where(
        Proposal.status == ProposalStatus.OPEN, Proposal.comment_closes_at > now,
        Proposal.comment_closes_at <= now + CLOSING_NOTICE)))
    for proposal_id, version_id in closing:
        _tell(_followers(proposal_id), proposal_id, NotificationKind.CLOSING_SOON, version_id)
    db.session.commit()
    return len(closing)


def tell_decided(proposal) -> None:
    _tell(_followers(proposal.id), proposal.id, NotificationKind.DECIDED, proposal.id)


def unread_count(user) -> int:
    """Unread notifications the list shows (about proposals still published)."""
    from codesign.proposals.models import Proposal, ProposalStatus

    return db.session.scalar(sa.select(sa.func.count(Notification.id))
                             .join(Proposal, Proposal.id == Notification.proposal_id).where(
        Notification.user_id == user.id, Notification.read_at.is_(None), Proposal.status != ProposalStatus.DRAFT)) or 0


@dataclass(frozen=True)
class Shown:
    """A notification with what it links to: the proposal's title, and the entry's number."""

    notification: Notification
    title: str  # in the reader's language if the district translated it
    title_lang: str | None  # that language, or None for the district's own
    sequence: int | None  # of the log entry that answered (answered only)
    version_number: int | None  # new_version only
    closes_at: datetime | None  # closing_soon only


def notifications_of(user) -> list[Shown]:
    """The person's newest notifications, with titles in the reader's language where the district
    translated them: four queries, however many."""
    from codesign.content_translations.service import translated_titles
    from codesign.i18n import current_locale_code
    from codesign.proposals.models import Proposal, ProposalStatus, ProposalVersion
    from codesign.responselog.models import ResponseEntry

    rows = db.session.execute(
        sa.select(Notification, ProposalVersion.title, Proposal.comment_closes_at)
        .join(Proposal, Proposal.id == Notification.proposal_id)
        .join(ProposalVersion, ProposalVersion.id == Proposal.current_version_id)
        .where(Notification.user_id == user.id, Proposal.status != ProposalStatus.DRAFT)  # still published
        .order_by(Notification.id.desc()).limit(PAGE_SIZE)).all()
    entries = {n.subject_id for n, _t, _c in rows if n.kind == NotificationKind.ANSWERED}
    versions = {n.subject_id for n, _t, _c in rows if n.kind == NotificationKind.NEW_VERSION}
    # (Both looked up even when empty: the page costs the same whatever it lists.)
    sequences = dict(db.session.execute(sa.select(ResponseEntry.id, ResponseEntry.sequence)
                                        .where(ResponseEntry.id.in_(entries))).all())
    numbers = dict(db.session.execute(sa.select(ProposalVersion.id, ProposalVersion.number)
                                      .where(ProposalVersion.id.in_(versions))).all())
    locale = current_locale_code()
    titles = translated_titles({n.proposal_id for n, _t, _c in rows}, [locale])
    return [Shown(n, titles.get((n.proposal_id, locale), title),
                  locale if (n.proposal_id, locale) in titles else None, sequences.get(n.subject_id) if n.kind == NotificationKind.ANSWERED else None,
                  numbers.get(n.subject_id) if n.kind == NotificationKind.NEW_VERSION else None,
                  closes if n.kind == NotificationKind.CLOSING_SOON else None) for n, title, closes in rows]


def target_of(user, notification_id: int) -> tuple[str, dict] | None:
    """(endpoint, url values) of the page a person's notification leads to, or None."""
    from codesign.districts.models import District
    from codesign.notifications.emails import destination
    from codesign.proposals.models import Proposal
    from codesign.responselog.models import ResponseEntry

    row = db.session.execute(
        sa.select(Notification, District.slug).join(Proposal, Proposal.id == Notification.proposal_id)
        .join(District, District.id == Proposal.district_id)
        .where(Notification.id == notification_id, Notification.user_id == user.id)).first()
    if row is None:
        return None
    notification, slug = row
    sequence = None
    if notification.kind == NotificationKind.ANSWERED:
        sequence = db.session.scalar(sa.select(ResponseEntry.sequence).where(ResponseEntry.id == notification.subject_id))
    return destination(notification.kind, slug, notification.proposal_id, sequence)


def mark_all_read(user) -> None:
    db.session.execute(sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                       .values(read_at=utcnow()))
    db.session.commit()


# ---------------------------------------------------------------- stopping emails

UNSUBSCRIBE_LIFETIME = timedelta(days=180)
_UNSUBSCRIBE_SALT = "codesign.unsubscribe"
# The emails a person can stop from a link in them: one kind, or the weekly summary (every kind
# they get that way).
EMAIL_KINDS = tuple(kind.value for kind in NotificationKind) + ("weekly",)


def unsubscribe_token(user, kind: str) -> str:
    """A signed, expiring token that stops one kind of email for one person, without signing in."""
    from codesign.security import signed_token

    return signed_token(_UNSUBSCRIBE_SALT, {"u": user.id, "k": kind})


def unsubscribe_target(token: str):
    """(person, kind) a genuine, unexpired token is for; None otherwise (changed, old, erased)."""
    from codesign.accounts.models import User
    from codesign.security import read_signed_token

    data = read_signed_token(_UNSUBSCRIBE_SALT, token, UNSUBSCRIBE_LIFETIME)
    if data is None or data.get("k") not in EMAIL_KINDS:
        return None
    user = db.session.get(User, data.get("u"))
    if user is None or user.erased_at is not None:
        return None
    return user, data["k"]


def unsubscribe(user, kind: str) -> None:
    """Stop one kind of email, or (kind "weekly") the weekly summary; emails already due for it
    are not sent (the sender checks the choice again)."""
    for each in NotificationKind:
        column = email_choice_column(each)
        if each.value == kind or (kind == "weekly" and getattr(user, column) == EmailHow.WEEKLY):
            setattr(user, column, EmailHow.OFF)
    db.session.commit()


def set_email_choices(user, choices: dict[NotificationKind, EmailHow]) -> None:
    """Which notifications the person also wants by email, and when. Without an email address
    there is nothing to choose (ChoiceError)."""
    if not user.email and any(how != EmailHow.OFF for how in choices.values()):
        raise ChoiceError("no_email")
    for kind, how in choices.items():
        setattr(user, email_choice_column(kind), how)
    db.session.commit()


class ChoiceError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
