from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField

from codesign.accounts.service import PASSWORD_MAX
from codesign.forms import Form, length, required

CODE_FIELD = dict(
    description=_l("The 6-digit code your authenticator app shows now."),
    validators=[required(), length(max=20)],
    render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
)


class CodeForm(Form):
    code = StringField(_l("Code"), **CODE_FIELD)


class DisableForm(Form):
    password = PasswordField(_l("Your password"), validators=[required(), length(max=PASSWORD_MAX)],
                             render_kw={"autocomplete": "current-password"})
    code = StringField(_l("Code"), **CODE_FIELD)
