"""Comment, reply, edit and staff forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import Optional

from codesign.comments.models import (
    ANSWER_MAX,
    BODY_MAX,
    BODY_MIN,
    DISPOSITION_LABELS,
    FLAG_NOTE_MAX,
    FLAG_REASON_LABELS,
    KIND_LABELS,
    SECTION_LABELS,
)
from codesign.forms import (
    Form,
    choice_required,
    language_options,
    length,
    no_control_characters,
    options,
    required,
)
from codesign.i18n import CONTENT_LANGUAGES


def _body_field(label):
    return TextAreaField(label, validators=[required(), length(min=BODY_MIN, max=BODY_MAX),
                                            no_control_characters])


class CommentForm(Form):
    kind = RadioField(_l("What kind of comment is it?"), choices=options(KIND_LABELS.items()),
                      validators=[choice_required()])
    section = SelectField(_l("Which part is it about?"), choices=options(SECTION_LABELS.items()),
                          validators=[required()])
    body = _body_field(_l("Your comment"))
    language = SelectField(_l("Language you wrote in"), validators=[required()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_options(CONTENT_LANGUAGES.values())


class ReplyForm(Form):
    parent_id = HiddenField()
    body = _body_field(_l("Your reply"))


class EditForm(Form):
    body = _body_field(_l("Your comment"))


class AnswerForm(Form):
    answer = TextAreaField(_l("The district's answer"),
                           validators=[required(), length(max=ANSWER_MAX), no_control_characters])


class DispositionForm(Form):
    disposition = SelectField(_l("Status"), choices=options(DISPOSITION_LABELS.items()),
                              validators=[required()])
    reason = TextAreaField(_l("Reason (required for out of scope)"),
                           validators=[Optional(), length(max=ANSWER_MAX), no_control_characters])
    duplicate_of = IntegerField(_l("Number of the comment it repeats (for duplicates)"),
                                validators=[Optional()])


class FlagForm(Form):
    reason = RadioField(_l("What is wrong with it?"), choices=options(FLAG_REASON_LABELS.items()),
                        validators=[choice_required()])
    note = TextAreaField(_l("Anything the moderators should know (optional)"),
                         validators=[Optional(), length(max=FLAG_NOTE_MAX), no_control_characters])
