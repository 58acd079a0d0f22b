"""Forms staff use to write and publish proposals."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from codesign.forms import (
    Form,
    input_required,
    length,
    no_control_characters,
    options,
    required,
    strip_filter,
)
from codesign.proposals.models import (
    BODY_MAX,
    CARD_FIELD_MAX,
    DATA_CARD_FIELDS,
    DECISION_LABELS,
    SUMMARY_MAX,
    TITLE_MAX,
    WHAT_CHANGED_MAX,
)

CARD_HINTS = {
    "data_collected": _l("List each piece of information, in plain words."),
    "purpose": _l("What problem it solves for students and families."),
    "access": _l("Which roles could see it, and whether anyone outside the district could."),
    "retention": _l("How long it is kept and what happens after."),
    "sharing": _l("Every organization or company that would receive it, and why."),
    "opt_out": _l("The steps a family takes, and what happens to a student who opts out."),
}


def _text(label, max_length, description=None, required_field=False, area=True):
    validators = [required()] if required_field else [Optional()]
    validators += [length(max=max_length), no_control_characters]
    field = TextAreaField if area else StringField
    return field(label, description=description, validators=validators, filters=[strip_filter])


class ProposalForm(Form):
    """A draft's text and data card; the card may be incomplete until publishing."""

    title = _text(_l("Title"), TITLE_MAX, required_field=True, area=False)
    summary = _text(_l("Short summary"), SUMMARY_MAX,
                    description=_l("Plain language, at most 500 characters. Families read this first."))
    body = _text(_l("Full description"), BODY_MAX,
                 description=_l("You can use Markdown: ## headings, **bold**, lists and links."))
    data_collected = _text(DATA_CARD_FIELDS[0][1], CARD_FIELD_MAX, CARD_HINTS["data_collected"])
    purpose = _text(DATA_CARD_FIELDS[1][1], CARD_FIELD_MAX, CARD_HINTS["purpose"])
    access = _text(DATA_CARD_FIELDS[2][1], CARD_FIELD_MAX, CARD_HINTS["access"])
    retention = _text(DATA_CARD_FIELDS[3][1], CARD_FIELD_MAX, CARD_HINTS["retention"])
    sharing = _text(DATA_CARD_FIELDS[4][1], CARD_FIELD_MAX, CARD_HINTS["sharing"])
    opt_out = _text(DATA_CARD_FIELDS[5][1], CARD_FIELD_MAX, CARD_HINTS["opt_out"])


class PublishForm(Form):
    """Publish the draft and set the comment period (in the district's time zone)."""

    opens_at = DateTimeLocalField(_l("Comments open"), validators=[input_required()])
    closes_at = DateTimeLocalField(_l("Comments close"), validators=[input_required()])
    what_changed = _text(
        _l("What changed since the last version"), WHAT_CHANGED_MAX,
        description=_l("Required for every version after the first. Families who voted see this."),
    )


class DecisionForm(Form):
    """Record what was decided (staff)."""

    decision = SelectField(_l("Decision"), choices=options(DECISION_LABELS.items()),
                           validators=[required()])
    note = _text(_l("Decision note"), WHAT_CHANGED_MAX,
                 description=_l("In plain words: what was decided and why."), required_field=True)
    board_meeting_on = DateField(_l("Board meeting date"), validators=[Optional()])
    confirm_open = BooleanField(_l("Decide anyway, and show how many comments were still open"))
