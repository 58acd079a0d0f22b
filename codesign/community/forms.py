"""Forms for organizations and sessions. (Counts and comment rows are read from the request by
the views, because their fields follow the stakeholder groups and the number of rows.)"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from codesign.community.models import (
    CAPACITY_MAX,
    LINK_MAX,
    NAME_MAX,
    PLACE_MAX,
    SESSION_MODE_LABELS,
    TEXT_MAX,
)
from codesign.forms import (
    CheckboxChoices,
    Form,
    choice_required,
    input_required,
    language_options,
    length,
    no_control_characters,
    options,
    required,
    strip_filter,
)
from codesign.i18n import CONTENT_LANGUAGES


def _languages():
    return language_options(CONTENT_LANGUAGES.values())


class OrganizationForm(Form):
    name = StringField(_l("Name"), validators=[required(), length(max=NAME_MAX), no_control_characters],
                       filters=[strip_filter])
    description = TextAreaField(_l("What the organization does"),
                                validators=[Optional(), length(max=TEXT_MAX), no_control_characters], filters=[strip_filter])
    languages = CheckboxChoices(_l("Languages it serves"), choices=_languages())
    contact = StringField(_l("Public contact"), description=_l("Shown to everyone: a phone number, an address or a website."),
                          validators=[Optional(), length(max=NAME_MAX), no_control_characters], filters=[strip_filter])


class FacilitatorForm(Form):
    login = StringField(_l("Username or email of the person"), validators=[required(), length(max=254)],
                        filters=[strip_filter])


class SessionForm(Form):
    organization = SelectField(_l("Hosted by"), validators=[choice_required()])
    title = StringField(_l("Title"), validators=[required(), length(max=NAME_MAX), no_control_characters],
                        filters=[strip_filter])
    starts_at = DateTimeLocalField(_l("Starts"), validators=[input_required()])
    ends_at = DateTimeLocalField(_l("Ends"), validators=[input_required()])
    mode = RadioField(_l("Where"), choices=options(SESSION_MODE_LABELS.items()), validators=[choice_required()])
    place = StringField(_l("Place (in person)"), description=_l("The address, and the room if it helps."),
                        validators=[Optional(), length(max=PLACE_MAX), no_control_characters], filters=[strip_filter])
    online_link = StringField(_l("Meeting link (online)"),
                              description=_l("Shown only to people who say they will come."),
                              validators=[Optional(), length(max=LINK_MAX), no_control_characters], filters=[strip_filter])
    step_free = BooleanField(_l("Step-free access"))
    childcare = BooleanField(_l("Childcare"))
    food = BooleanField(_l("Food"))
    languages = CheckboxChoices(_l("Languages spoken"), choices=_languages())
    interpretation = CheckboxChoices(_l("Interpretation into"), choices=_languages())
    capacity = IntegerField(_l("How many people can come (empty for no limit)"),
                            validators=[Optional(), NumberRange(min=1, max=CAPACITY_MAX,
                                                                message=_l("Enter a number from 1 to 10,000."))])
    proposals = CheckboxChoices(_l("Proposals it is about"), coerce=int)


class CsvForm(Form):
    file = FileField(_l("A CSV file"))
    pasted = TextAreaField(_l("Or paste the rows here, with the header row"),
                           validators=[Optional(), length(max=2_000_000)])
