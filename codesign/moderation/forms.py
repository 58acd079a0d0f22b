"""Moderators' forms: hide with a category, cut passages out."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField

from codesign.comments.models import BODY_MAX, HIDE_CATEGORY_LABELS
from codesign.forms import Form, choice_required, length, options, required


class HideForm(Form):
    category = RadioField(_l("Why hide it? (shown in its place)"), choices=options(HIDE_CATEGORY_LABELS.items()),
                          validators=[choice_required()])


class RedactForm(Form):
    passages = TextAreaField(
        _l("Text to remove"),
        description=_l("Copy each passage exactly as it appears, one per line. It is replaced by ████ and "
                       "cannot be brought back."),
        validators=[required(), length(max=BODY_MAX)],
    )
    category = RadioField(_l("Why remove it? (shown with the comment)"),
                          choices=options(HIDE_CATEGORY_LABELS.items()), validators=[choice_required()])
