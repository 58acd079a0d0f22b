"""Platform-admin forms: districts and role grants."""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
)
from wtforms.validators import NumberRange, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from codesign.districts.models import NAME_MAX, SLUG_MAX
from codesign.forms import (
    Form,
    choice_required,
    input_required,
    language_options,
    length,
    no_control_characters,
    required,
    strip_filter,
)
from codesign.i18n import SUPPORTED_LOCALES
from codesign.moderation.pii import FORMAT_MAX, parse_formats, valid_format
from codesign.text import isolated


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def valid_timezone(form, field):
    try:
        ZoneInfo(field.data or "")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_l("Enter a time zone name such as America/Los_Angeles.")) from None


def valid_student_id_formats(form, field):
    for item in parse_formats(field.data or ""):
        if not valid_format(item):
            # gettext, not lazy_gettext: a lazy string passes for safe HTML, and this one quotes what
            # was typed (isolated, so its direction cannot reorder the sentence).
            raise ValidationError(_("“%(format)s” is not a format: use 3 to 30 characters, with # for each "
                                    "digit and @ for each letter.", format=isolated(item)))


def _locale_choices():
    return language_options(SUPPORTED_LOCALES.values())


class DistrictForm(Form):
    name = StringField(
        _l("Name"), validators=[required(), length(max=NAME_MAX), no_control_characters],
        filters=[strip_filter],
    )
    slug = StringField(
        _l("Web address name"),
        description=_l("Lowercase letters, numbers and dashes; it appears in the district's web address."),
        validators=[
            required(),
            length(min=2, max=SLUG_MAX),
            Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$",
                   message=_l("Use lowercase letters, numbers and single dashes.")),
        ],
        filters=[strip_filter],
    )
    languages = CheckboxListField(
        _l("Languages offered"), validators=[choice_required()]
    )
    default_locale = SelectField(_l("Default language"), validators=[required()])
    timezone = StringField(
        _l("Time zone"), default="America/Los_Angeles",
        validators=[required(), length(max=64), valid_timezone], filters=[strip_filter],
    )
    suppression_threshold = IntegerField(
        _l("Smallest group shown as a number"),
        description=_l("Public figures that count fewer people than this show as “fewer than” this number."),
        default=10,
        validators=[
            input_required(),
            NumberRange(min=1, max=1000, message=_l("Enter a whole number from 1 to 1000.")),
        ],
    )
    privacy_contact = StringField(
        _l("Privacy contact"),
        description=_l("Who families can ask about their data: an office, email or phone number."),
        validators=[length(max=NAME_MAX), no_control_characters],
        filters=[strip_filter],
    )

    student_id_formats = StringField(
        _l("Student ID formats"),
        description=_l("How student ID numbers look, so comments containing one wait for a moderator: "
                       "# for a digit, @ for a letter, for example S####### or ########. Separate "
                       "several with commas."),
        validators=[length(max=FORMAT_MAX), no_control_characters, valid_student_id_formats],
        filters=[strip_filter],
    )

    require_two_factor = BooleanField(
        _l("Staff and board members must use two-step sign-in"),
        description=_l("Their roles here work only once they sign in with a code from an authenticator app."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = _locale_choices()
        self.default_locale.choices = _locale_choices()
