"""Deleting one's own account."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, RadioField

from codesign.accounts.service import PASSWORD_MAX
from codesign.forms import Form, choice_required, length, options, required

COMMENT_CHOICES = {
    "keep": _l("Keep my comments as anonymous text, so what I said still counts"),
    "withdraw": _l("Withdraw my comments: their text is removed everywhere"),
}


class DeleteAccountForm(Form):
    comments = RadioField(_l("What should happen to your comments?"), choices=options(COMMENT_CHOICES.items()),
                          validators=[choice_required()])
    password = PasswordField(_l("Your password, to confirm it is you"),
                             validators=[required(), length(max=PASSWORD_MAX)],
                             render_kw={"autocomplete": "current-password"})
