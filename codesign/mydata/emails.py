"""Telling someone, in their language, that their unused account will be anonymized."""
from __future__ import annotations

from flask import render_template, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from codesign import mail


def send_inactivity_notice(user, erase_on) -> bool:
    """One email a month ahead: sign in to keep the account; otherwise what happens. Needs a
    request context (the CLI makes one for the configured PUBLIC_URL)."""
    with force_locale(user.preferred_locale):
        subject = _("Your Codesign account will be anonymized on %(date)s", date=format_date(erase_on, "long"))
        context = dict(user=user, subject=subject, date=format_date(erase_on, "long"),
                       login_url=url_for("accounts.login", _external=True),
                       data_url=url_for("mydata.page", _external=True))
        text = render_template("mydata/email/inactive.txt", **context)
        html = render_template("mydata/email/inactive.html", **context)
    return mail.send(mail.build_message(user.email, subject, text, html, language=user.preferred_locale))
