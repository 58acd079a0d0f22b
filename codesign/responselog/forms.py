"""The form staff use to write a response-log entry."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, TextAreaField

from codesign.forms import (
    CheckboxChoices,
    Form,
    choice_required,
    length,
    no_control_characters,
    options,
    required,
)
from codesign.responselog.models import CONTEST_REASON_MAX, OUTCOME_LABELS, TEXT_MAX


class CommentChoices(CheckboxChoices):
    def pre_validate(self, form):
        """Unknown ids are refused by the service with a clear message, not here."""


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class EntryForm(Form):
    heard = TextAreaField(_l("What we heard"), validators=[required(), length(max=TEXT_MAX), no_control_characters])
    outcome = RadioField(_l("What we did"), choices=options(OUTCOME_LABELS.items()),
                         validators=[choice_required()])
    reasons = TextAreaField(_l("Our reasons"), validators=[required(), length(max=TEXT_MAX), no_control_characters])
    change = SelectField(_l("The version change it produced"), validators=[required()])
    amends = SelectField(_l("Corrects an earlier entry"), coerce=_optional_int)
    comments = CommentChoices(_l("Comments this entry answers"), coerce=int)
    questions = CommentChoices(_l("Survey questions this entry answers"), coerce=int)


class ContestForm(Form):
    reason = TextAreaField(_l("Why does this not address your concern?"),
                           validators=[required(), length(min=5, max=CONTEST_REASON_MAX), no_control_characters])
