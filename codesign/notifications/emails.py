"""Notification emails: for the people who chose them, each notification is also emailed, right
away or in a weekly summary, in the person's language.

The notification row is the queue: `_tell` (service.py) sets `email_due_at` in the same INSERT
that tells people in the app, so an email is never due without its notification, and a failed
send never touches the notification. Sending happens outside the request that caused it: just
after its response has gone (`send_after_response`), and every minute from `flask send-email`,
which also retries failures (5, 10, 20, 40, 80 minutes, then gives up) and sends the weekly
summaries when they fall due. Each batch is claimed with one UPDATE ... RETURNING, so two senders
never take the same email; a sender that dies mid-batch leaves its claim to lapse (`LEASE`), and
its emails are tried again (at least once, not exactly once).

Whether to send is decided again when it is sent: nothing goes to an erased account, an address
that was removed, a kind the person has since turned off, or about a proposal they can no longer
see (not published).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_date, format_time
from flask import current_app, g, has_request_context, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from codesign import mail
from codesign.db import utcnow
from codesign.extensions import db
from codesign.notifications.models import (
    EmailHow,
    Notification,
    NotificationKind,
    email_choice_column,
)

BATCH = 50
AFTER_RESPONSE_BATCH = 10  # a worker sends no more than this after a response; the job sends the rest
MAX_ATTEMPTS = 6
LEASE = timedelta(minutes=15)


def retry_after(attempts: int) -> timedelta:
    """How long to wait after the attempts-th failure: 5, 10, 20, 40, 80 minutes."""
    return timedelta(minutes=5 * 2 ** (attempts - 1))


def next_summary_at(now: datetime) -> datetime:
    """When the weekly summaries next go out (DIGEST_WEEKDAY, 0 = Monday, at DIGEST_HOUR UTC)."""
    config = current_app.config
    moment = now.replace(hour=int(config["DIGEST_HOUR"]), minute=0, second=0, microsecond=0)
    moment += timedelta(days=(int(config["DIGEST_WEEKDAY"]) - now.weekday()) % 7)
    return moment if moment > now else moment + timedelta(days=7)


# ---------------------------------------------------------------- after the response

def mark_pending() -> None:
    """Someone may have an email due now: try sending once this request's response has gone."""
    if has_request_context():
        g.notification_emails_pending = True


def send_after_response(response):
    """(after_request) Send what this request made due, after the response reaches the person,
    so a slow or broken mail server never holds up or breaks the page."""
    if g.get("notification_emails_pending") and current_app.config["MAIL_SEND_AFTER_RESPONSE"]:
        app, base_url = current_app._get_current_object(), request.host_url

        def send_now():
            with app.test_request_context(base_url=base_url):
                try:
                    send_due(limit=AFTER_RESPONSE_BATCH)
                except Exception:  # `flask send-email` will try again
                    app.logger.exception("Sending notification emails after a response failed")
                    db.session.rollback()

        response.call_on_close(send_now)
    return response


# ---------------------------------------------------------------- sending

@dataclass
class Item:
    """One claimed notification with what its email says."""

    notification: Notification
    user: object
    title: str  # in the person's language if the district translated it
    title_lang: str  # the language the title is in
    slug: str
    timezone: str
    content_lang: str  # the district's language, which its own words are in
    visible: bool
    details: dict


def send_due(now: datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """Send one batch of due emails; counts of those "sent", "failed", "skipped" (no longer
    wanted) and left for "later" (after a failure the batch stops: the mail server is in
    trouble). Needs a request context for its links (the CLI makes one for PUBLIC_URL)."""
    now = now or utcnow()
    ids = _claim(now, limit)
    if not ids:
        return {"sent": 0, "failed": 0, "skipped": 0, "later": 0}
    items = _load(ids)
    sent, failed, skipped = [], [], []
    single, weekly = [], defaultdict(list)
    for item in items:
        choice = getattr(item.user, email_choice_column(item.notification.kind))
        if item.user.erased_at is not None or not item.user.email or choice == EmailHow.OFF or not item.visible:
            skipped.append(item.notification)
        elif item.notification.email_weekly:
            weekly[item.user.id].append(item)
        else:
            single.append(item)
    waiting = [(_single_message, item, [item.notification]) for item in single] + [
        (_summary_message, group, [item.notification for item in group]) for group in weekly.values()]
    later = []
    for make_message, what, notifications in waiting:
        if failed:  # the mail server is in trouble: the rest wait for the next try, and no worker
            later.extend(notifications)  # waits out a timeout for each of them
        elif _send(make_message, what):
            sent.extend(notifications)
        else:
            failed.extend(notifications)
    _record(now, sent, failed, skipped, later)
    return {"sent": len(sent), "failed": len(failed), "skipped": len(skipped), "later": len(later)}


def _send(make_message, what) -> bool:
    """Make and send one message; False (logged) if either fails, so one email that cannot be
    made never holds up the others."""
    try:
        message = make_message(what)
    except Exception:
        current_app.logger.exception("Could not make a notification email")
        return False
    return mail.send(message)


def send_all_due(now: datetime | None = None, *, most: int = 200) -> dict[str, int]:
    """Send batches until nothing is due (at most `most` batches a run)."""
    totals = {"sent": 0, "failed": 0, "skipped": 0, "later": 0}
    for _batch in range(most):
        counts = send_due(now)
        for key, value in counts.items():
            totals[key] += value
        if not any(counts.values()) or counts["failed"]:
            break  # nothing more, or the mail server is in trouble: the next run tries again
    return totals


def _claim(now: datetime, limit: int) -> list[int]:
    """Take up to `limit` due emails for this sender: one UPDATE ... RETURNING moves them past
    `now` (so no other sender takes them) and says which ones this sender got."""
    due = (sa.select(Notification.id).where(Notification.email_due_at <= now)
           .order_by(Notification.email_due_at, Notification.id).limit(limit))
    ids = list(db.session.scalars(
        sa.update(Notification).where(Notification.id.in_(due.scalar_subquery()), Notification.email_due_at <= now)
        .values(email_due_at=now + LEASE).returning(Notification.id)
        .execution_options(synchronize_session=False)))
    db.session.commit()
    return ids


def _load(ids: list[int]) -> list[Item]:
    """The claimed notifications with their people, titles (in each person's language where the
    district translated them) and what each email says: five queries for a batch of any size."""
    from codesign.accounts.models import User
    from codesign.comments.models import Comment
    from codesign.content_translations.service import translated_titles
    from codesign.districts.models import District
    from codesign.proposals.models import Proposal, ProposalStatus, ProposalVersion
    from codesign.responselog.models import EntryComment, ResponseEntry

    rows = db.session.execute(
        sa.select(Notification, User, ProposalVersion.title, District.slug, District.timezone,
                  District.default_locale, Proposal)
        .join(User, User.id == Notification.user_id)
        .join(Proposal, Proposal.id == Notification.proposal_id)
        .join(District, District.id == Proposal.district_id)
        .outerjoin(ProposalVersion, ProposalVersion.id == Proposal.current_version_id)
        .where(Notification.id.in_(ids)).order_by(Notification.id)).all()
    entry_ids = {n.subject_id for n, *_rest in rows if n.kind == NotificationKind.ANSWERED}
    version_ids = {n.subject_id for n, *_rest in rows if n.kind == NotificationKind.NEW_VERSION}
    entries = {entry.id: entry for entry in db.session.scalars(
        sa.select(ResponseEntry).where(ResponseEntry.id.in_(entry_ids)))}
    answered = {(entry_id, author_id): count for entry_id, author_id, count in db.session.execute(
        sa.select(EntryComment.entry_id, Comment.author_id, sa.func.count(Comment.id))
        .join(Comment, Comment.id == EntryComment.comment_id)
        .where(EntryComment.entry_id.in_(entry_ids)).group_by(EntryComment.entry_id, Comment.author_id))}
    versions = {version.id: version for version in db.session.scalars(
        sa.select(ProposalVersion).where(ProposalVersion.id.in_(version_ids)))}
    titles = translated_titles({n.proposal_id for n, *_rest in rows}, {row[1].preferred_locale for row in rows})
    items = []
    for notification, user, title, slug, timezone, content_lang, proposal in rows:
        translated = titles.get((notification.proposal_id, user.preferred_locale))
        details = {"proposal": proposal}
        if notification.kind == NotificationKind.ANSWERED:
            details["entry"] = entries.get(notification.subject_id)
            details["count"] = answered.get((notification.subject_id, user.id), 0)
        elif notification.kind == NotificationKind.NEW_VERSION:
            details["version"] = versions.get(notification.subject_id)
        visible = (title is not None and proposal.status != ProposalStatus.DRAFT
                   and (notification.kind != NotificationKind.ANSWERED
                        or getattr(details["entry"], "sequence", None) is not None)
                   and (notification.kind != NotificationKind.NEW_VERSION or details["version"] is not None))
        items.append(Item(notification, user, translated or title or "",
                          user.preferred_locale if translated else content_lang, slug, timezone, content_lang,
                          visible, details))
    return items


def _record(now: datetime, sent: list, failed: list, skipped: list, later: list) -> None:
    """Note what happened to a batch: a few UPDATEs, however large it was. Emails not tried
    (`later`) are due again with the first retry, their tries not counted."""
    def update(notifications, **values):
        if notifications:
            db.session.execute(sa.update(Notification).where(Notification.id.in_([n.id for n in notifications]))
                               .values(**values).execution_options(synchronize_session=False))

    update(sent, emailed_at=now, email_due_at=None)
    update(skipped, email_due_at=None)
    update(later, email_due_at=now + retry_after(1))
    by_attempts = defaultdict(list)
    for notification in failed:
        by_attempts[notification.email_attempts + 1].append(notification)
    for attempts, notifications in by_attempts.items():
        gave_up = attempts >= MAX_ATTEMPTS
        update(notifications, email_attempts=attempts, email_due_at=None if gave_up else now + retry_after(attempts))
        if gave_up:
            current_app.logger.error("Gave up emailing notifications %s after %s tries",
                                     [n.id for n in notifications], attempts)
    db.session.commit()


# ---------------------------------------------------------------- the messages

def destination(kind: NotificationKind, slug: str, proposal_id: int, sequence: int | None) -> tuple[str, dict]:
    """(endpoint, values) of the page a notification is about: what changed, the log entry
    that answered, or the proposal."""
    if kind == NotificationKind.ANSWERED and sequence is not None:
        return "responselog.entry", {"district_slug": slug, "sequence": sequence}
    if kind == NotificationKind.NEW_VERSION:
        return "proposals.changes", {"district_slug": slug, "proposal_id": proposal_id}
    return "proposals.show", {"district_slug": slug, "proposal_id": proposal_id}


def _link_text(kind: NotificationKind) -> str:
    if kind == NotificationKind.NEW_VERSION:
        return _("What changed")
    if kind == NotificationKind.CLOSING_SOON:
        return _("Read the proposal")
    if kind == NotificationKind.ANSWERED:
        return _("Read the answer")
    return _("Read the decision")


def _notice(item: Item) -> dict:
    """What the templates show for one notification (in the locale forced around the call)."""
    notification, details = item.notification, item.details
    entry = details.get("entry")
    endpoint, values = destination(notification.kind, item.slug, notification.proposal_id,
                                   getattr(entry, "sequence", None))
    proposal = details["proposal"]
    closes = proposal.comment_closes_at
    return dict(
        kind=notification.kind.value, title=item.title, title_lang=item.title_lang, entry=entry, count=details.get("count", 0),
        version=details.get("version"), proposal=proposal, content_lang=item.content_lang,
        closes_on=_moment(closes, item.timezone, item.user.preferred_locale) if closes else "",
        url=url_for(endpoint, **values, _external=True), link_text=_link_text(notification.kind),
    )


def _moment(moment: datetime, timezone: str, locale: str) -> str:
    """A time as the pages write it (long date, short time), in the district's time zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{format_date(local, 'long', locale=locale)} {format_time(local, 'short', locale=locale)}"


def _subject(item: Item) -> str:
    # (Not isolated here as in the body: Python's header folding can drop a space between
    # encoded words around isolates; the quotes set the title apart.)
    kind, title = item.notification.kind, item.title
    if kind == NotificationKind.NEW_VERSION:
        return _("“%(title)s” has a new version", title=title)
    if kind == NotificationKind.CLOSING_SOON:
        return _("Input on “%(title)s” closes soon", title=title)
    if kind == NotificationKind.ANSWERED:
        return _("The district answered your input on “%(title)s”", title=title)
    return _("A decision was made on “%(title)s”", title=title)


def _footer(user, stop: str) -> dict:
    from codesign.notifications.service import unsubscribe_token

    return dict(account_url=url_for("accounts.account", _external=True) + "#emails",
                unsubscribe_url=url_for("notifications.unsubscribe", token=unsubscribe_token(user, stop),
                                        _external=True))


def _single_message(item: Item):
    user = item.user
    with force_locale(user.preferred_locale):
        subject = _subject(item)
        context = dict(notice=_notice(item), user=user, subject=subject,
                       input_url=url_for("accounts.my_input", _external=True),
                       **_footer(user, item.notification.kind.value))
        text = render_template("notifications/email/notice.txt", **context)
        html = render_template("notifications/email/notice.html", **context)
    return mail.build_message(user.email, subject, text, html, language=user.preferred_locale,
                              unsubscribe_url=context["unsubscribe_url"])


def _summary_message(items: list[Item]):
    user = items[0].user
    with force_locale(user.preferred_locale):
        subject = ngettext("Your week on Codesign: %(num)s update", "Your week on Codesign: %(num)s updates",
                           len(items))
        context = dict(user=user, subject=subject, notices=[_notice(item) for item in items],
                       **_footer(user, "weekly"))
        text = render_template("notifications/email/summary.txt", **context)
        html = render_template("notifications/email/summary.html", **context)
    return mail.build_message(user.email, subject, text, html, language=user.preferred_locale,
                              unsubscribe_url=context["unsubscribe_url"])
