"""Forms district staff use to manage who holds which role."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField

from codesign.accounts.models import EMAIL_MAX
from codesign.districts.models import ROLE_LABELS
from codesign.forms import Form, length, options, required, strip_filter


class GrantRoleForm(Form):
    login = StringField(
        _l("Username or email"), validators=[required(), length(max=EMAIL_MAX)],
        filters=[strip_filter],
    )
    role = SelectField(_l("Role"), choices=options(ROLE_LABELS.items()), validators=[required()])
