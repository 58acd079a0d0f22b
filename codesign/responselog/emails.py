"""Telling people, in their own language, that the response log answered their input."""
from __future__ import annotations

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from codesign import mail
from codesign.accounts.models import User
from codesign.comments.models import Comment
from codesign.extensions import db
from codesign.notifications.service import unsubscribe_token
from codesign.proposals.models import Proposal
from codesign.responselog.models import EntryComment, ResponseEntry


def people_to_email(entry: ResponseEntry) -> list[tuple[User, int]]:
    """Authors of the comments an entry answers who gave an email and opted in, with how many of
    their comments it answers. One query."""
    return [(user, count) for user, count in db.session.execute(
        db.select(User, db.func.count(Comment.id))
        .join(Comment, Comment.author_id == User.id)
        .join(EntryComment, EntryComment.comment_id == Comment.id)
        .where(EntryComment.entry_id == entry.id, User.email.is_not(None), User.email_when_answered.is_(True))
        .group_by(User.id)
        .order_by(User.id)
    )]


def email_answered(entry: ResponseEntry, proposal: Proposal) -> int:
    """Email everyone who asked to hear when their input is answered; returns how many were sent.

    A failed send is logged by the mail layer and never undoes the publication.
    """
    district = proposal.district
    sent = 0
    for user, count in people_to_email(entry):
        with force_locale(user.preferred_locale):
            title = proposal.current_version.title
            subject = _("The district answered your input on “%(title)s”", title=title)
            context = dict(
                user=user, entry=entry, title=title, count=count, subject=subject,
                content_lang=district.default_locale,
                entry_url=url_for("responselog.entry", district_slug=district.slug, sequence=entry.sequence,
                                  _external=True),
                input_url=url_for("accounts.my_input", _external=True),
                account_url=url_for("accounts.account", _external=True),
                unsubscribe_url=url_for("notifications.unsubscribe", token=unsubscribe_token(user, "answered"),
                                        _external=True),
            )
            text = render_template("responselog/email/answered.txt", **context)
            html = render_template("responselog/email/answered.html", **context)
        message = mail.build_message(user.email, subject, text, html, language=user.preferred_locale,
                                     unsubscribe_url=context["unsubscribe_url"])
        sent += mail.send(message)
    return sent
