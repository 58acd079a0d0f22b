"""Forms staff use to build surveys and review their text answers. (Answers themselves are
read by surveys.service.parse_answers, because a survey's questions are data, not a class.)"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from codesign.accounts.models import STAKEHOLDER_LABELS
from codesign.forms import (
    Form,
    choice_required,
    length,
    no_control_characters,
    options,
    required,
    strip_filter,
)
from codesign.surveys.models import (
    INTRO_MAX,
    OPTION_MAX,
    PROMPT_MAX,
    QUESTION_KIND_LABELS,
    TEXT_REVIEW_LABELS,
    TITLE_MAX,
    TextReview,
)

OPTIONS_MAX = 30 * (OPTION_MAX + 1)


class SurveyForm(Form):
    title = StringField(_l("Title"), validators=[required(), length(max=TITLE_MAX), no_control_characters],
                        filters=[strip_filter])
    intro = TextAreaField(_l("Introduction"), description=_l("Why you ask, and what you will do with the answers."),
                          validators=[Optional(), length(max=INTRO_MAX), no_control_characters], filters=[strip_filter])
    proposal = SelectField(_l("About a proposal"), description=_l("The survey then shows on that proposal's page."),
                           validators=[Optional()])
    opens_at = DateTimeLocalField(_l("Opens"), validators=[Optional()],
                                  description=_l("In the district's time zone. Needed before publishing."))
    closes_at = DateTimeLocalField(_l("Closes"), validators=[Optional()])


class QuestionForm(Form):
    kind = SelectField(_l("Kind of question"), choices=options(QUESTION_KIND_LABELS.items()),
                       validators=[choice_required()])
    prompt = TextAreaField(_l("Question"), validators=[required(), length(max=PROMPT_MAX), no_control_characters],
                           filters=[strip_filter])
    option_text = TextAreaField(
        _l("Options, one per line"),
        description=_l("For one choice, several choices and putting in order. At least two."),
        validators=[Optional(), length(max=OPTIONS_MAX), no_control_characters],
    )
    required = BooleanField(_l("An answer is required"))
    allow_other = BooleanField(_l("Offer “Other” with a text box (choice questions)"))
    max_choices = IntegerField(_l("Most choices allowed (several choices; empty for no limit)"),
                               validators=[Optional(), NumberRange(min=1, max=30, message=_l("Enter a number from 1 to 30."))])

    def option_lines(self) -> list[str]:
        return [line.strip() for line in (self.option_text.data or "").splitlines() if line.strip()]


class ReviewForm(Form):
    review = SelectField(_l("Decision"), choices=options(
        (value, label) for value, label in TEXT_REVIEW_LABELS.items() if value != TextReview.PENDING),
        validators=[choice_required()])
    redacted_text = TextAreaField(
        _l("Text to publish, with names and personal details removed"),
        validators=[Optional(), length(max=4_000), no_control_characters], filters=[strip_filter])


class PaperForm(Form):
    """Who filled in a paper questionnaire, as far as the form says (never a name)."""

    stakeholder_group = SelectField(_l("The person is"), choices=options(STAKEHOLDER_LABELS.items()),
                                    validators=[choice_required()])
    language = SelectField(_l("Language of the form"), validators=[choice_required()])
