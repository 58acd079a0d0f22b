"""Forms for getting back into an account."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo

from codesign.accounts.forms import _password_validators
from codesign.forms import Form, length, required


class NewPasswordForm(Form):
    new_password = PasswordField(_l("New password"), description=_l("At least 8 characters."),
                                 validators=_password_validators(), render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("New password again"),
        validators=[required(), EqualTo("new_password", message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"})


class RecoverForm(NewPasswordForm):
    login = StringField(_l("Username or email"), validators=[required(), length(max=254)],
                        render_kw={"autocomplete": "username", "autocapitalize": "none"})
    code = StringField(_l("Recovery code, or the code district staff gave you"),
                       description=_l("Spaces, dashes and small letters do not matter."),
                       validators=[required(), length(max=64)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})


class EmailLinkForm(Form):
    email = StringField(_l("Email"), validators=[required(), length(max=254)],
                        render_kw={"autocomplete": "email", "inputmode": "email", "autocapitalize": "none"})


class StaffCodeForm(Form):
    login = StringField(_l("Username of the person"), validators=[required(), length(max=254)],
                        render_kw={"autocomplete": "off", "autocapitalize": "none"})
