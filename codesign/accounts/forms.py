"""Sign-in, registration and password forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import Email, EqualTo, Optional, Regexp

from codesign.accounts.models import (
    DISPLAY_NAME_MAX,
    EMAIL_MAX,
    STAKEHOLDER_LABELS,
    USERNAME_MAX,
)
from codesign.accounts.service import PASSWORD_MAX, PASSWORD_MIN
from codesign.forms import (
    Form,
    choice_required,
    language_options,
    length,
    no_control_characters,
    options,
    required,
    strip_filter,
)
from codesign.i18n import SUPPORTED_LOCALES
from codesign.notifications.models import (
    EMAIL_CHOICE_LABELS,
    EMAIL_HOW_LABELS,
    EmailHow,
    NotificationKind,
    email_choice_column,
)


def _password_validators():
    return [required(), length(min=PASSWORD_MIN, max=PASSWORD_MAX)]


class LoginForm(Form):
    login = StringField(
        _l("Username or email"),
        validators=[required(), length(max=EMAIL_MAX)],
        filters=[strip_filter],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[required(), length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )


class RegisterForm(Form):
    # A honeypot: hidden from people (and screen readers), filled in by form-filling robots.
    website = StringField(_l("Leave this empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})
    age_13_or_older = RadioField(
        _l("Are you 13 years old or older?"),
        choices=options([("yes", _l("Yes, I am 13 or older")), ("no", _l("No, I am younger than 13"))]),
        validators=[choice_required()],
    )
    username = StringField(
        _l("Username"),
        description=_l("Letters, numbers, dots, dashes and underscores. Others never see it next to what you write."),
        validators=[
            required(),
            length(min=3, max=USERNAME_MAX),
            Regexp(r"^[\w.\-]+$", message=_l("Use only letters, numbers, dots, dashes and underscores.")),
        ],
        filters=[strip_filter],
        render_kw={"autocomplete": "username"},
    )
    email = EmailField(
        _l("Email (optional)"),
        description=_l("Only for messages you ask for. You can take part without one."),
        validators=[
            Optional(),
            length(max=EMAIL_MAX),
            Email(message=_l("Enter an email address like name@example.org, or leave this empty.")),
        ],
        filters=[strip_filter],
        render_kw={"autocomplete": "email"},
    )
    email_when_answered = BooleanField(
        _l("Email me when the district answers my input"),
        description=_l("Only if you gave an email. You can change this on your account page."),
    )
    display_name = StringField(
        _l("What should we call you? (optional)"),
        validators=[Optional(), length(max=DISPLAY_NAME_MAX), no_control_characters],
        filters=[strip_filter],
        render_kw={"autocomplete": "nickname"},
    )
    password = PasswordField(
        _l("Password"),
        description=_l("At least 8 characters."),
        validators=_password_validators(),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[required(), EqualTo("password", message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
    stakeholder_group = RadioField(
        _l("Which describes you best?"),
        validators=[choice_required()],
    )
    preferred_locale = SelectField(_l("Your language"), validators=[required()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preferred_locale.choices = language_options(SUPPORTED_LOCALES.values())
        self.stakeholder_group.choices = options(STAKEHOLDER_LABELS.items())


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"),
        validators=[required(), length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        description=_l("At least 8 characters."),
        validators=_password_validators(),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[required(), EqualTo("new_password", message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class EmailAddressForm(Form):
    """Add or change the account's email: a link sent to it confirms it."""

    email = EmailField(
        _l("Email"),
        description=_l("We send a link to it; the address is yours once you open it."),
        validators=[
            required(),
            length(max=EMAIL_MAX),
            Email(message=_l("Enter an email address like name@example.org.")),
        ],
        filters=[strip_filter],
        render_kw={"autocomplete": "email"},
    )


def _email_how(label):
    return RadioField(label, choices=options(EMAIL_HOW_LABELS.items()), validators=[choice_required()])


class EmailPreferencesForm(Form):
    """For each kind of notification: no email, one right away, or in the weekly summary (the
    field names are the kinds' values)."""

    new_version = _email_how(EMAIL_CHOICE_LABELS[NotificationKind.NEW_VERSION])
    closing_soon = _email_how(EMAIL_CHOICE_LABELS[NotificationKind.CLOSING_SOON])
    answered = _email_how(EMAIL_CHOICE_LABELS[NotificationKind.ANSWERED])
    decided = _email_how(EMAIL_CHOICE_LABELS[NotificationKind.DECIDED])

    @classmethod
    def of(cls, user) -> EmailPreferencesForm:
        return cls(data={kind.value: getattr(user, email_choice_column(kind)).value for kind in NotificationKind})

    def choices(self) -> dict:
        return {kind: EmailHow(self[kind.value].data) for kind in NotificationKind}
