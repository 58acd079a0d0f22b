"""Form pieces shared by every feature: translated validators and safe text fields."""
from __future__ import annotations

import unicodedata

from flask import g
from flask_babel import get_domain
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from codesign.text import CONTROL as _CONTROL
from codesign.text import one_line


def required():
    return DataRequired(message=_l("This field is required."))


def input_required():
    """Required, judged by what was sent: 0, or a date that does not parse, counts as given,
    so the field's own message ("Not a valid ...") shows instead of "required"."""
    return InputRequired(message=_l("This field is required."))


def choice_required():
    return InputRequired(message=_l("Please choose one."))


def length(min: int = -1, max: int = -1):
    """A length check whose message names the limits in the reader's language."""
    if min > 0 and max > 0:
        message = _l("Use between %(min)d and %(max)d characters.", min=min, max=max)
    elif max > 0:
        message = _l("Use at most %(max)d characters.", max=max)
    else:
        message = _l("Use at least %(min)d characters.", min=min)
    return Length(min=min, max=max, message=message)


def no_control_characters(form, field):
    """Reject invisible control characters that can hide or scramble text."""
    if field.data and _CONTROL.search(field.data):
        raise ValidationError(_l("Remove the invisible control characters from this text."))


def strip_filter(value):
    """Trim surrounding space and normalise Unicode so look-alike input compares equal."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    return value


class _CatalogTranslations:
    """Lets WTForms' built-in messages go through our own catalog, like every other string."""

    # WTForms formats the result itself, so look strings up without Flask-Babel's formatting.
    def gettext(self, string):
        return get_domain().get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_domain().get_translations().ungettext(singular, plural, n)


# WTForms' own messages that our forms can show, listed so that extraction puts them in
# our catalogs; _CatalogTranslations then looks them up there.
WTFORMS_MESSAGES = (
    _l("Not a valid choice."),
    _l("Not a valid integer value."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _ln("'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.", 1),
)


class Form(FlaskForm):
    """Base of every form: CSRF from Flask-WTF, every message from our catalogs, and one-line
    text inputs kept to one line."""

    class Meta:
        def get_translations(self, form):
            return _CatalogTranslations()

        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, TextAreaField):
                filters = (one_line, *unbound_field.kwargs.get("filters", ()))
                return unbound_field.bind(form=form, **options, filters=filters)
            return unbound_field.bind(form=form, **options)


def options(pairs) -> list[SelectChoice]:
    """Choices for select, radio and checkbox fields from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def add_error(form, field_name: str | None, message) -> None:
    """Show a service's refusal on the field it is about, or above the form."""
    target = getattr(form, field_name, None) if field_name else None
    if target is not None:
        target.errors = list(target.errors) + [message]
    else:
        form.form_errors.append(message)


def error_focus() -> Markup:
    """Attributes for what tells a person their input was wrong (an error summary or message):
    focusable from script, and the first on the page is focused as it opens — by the browser's
    own autofocus without JavaScript, by htmx after it swaps the page in — so a screen reader
    reads it out and the keyboard starts there."""
    if g.get("error_focus_taken"):
        return Markup(' tabindex="-1"')
    g.error_focus_taken = True
    return Markup(' tabindex="-1" autofocus')


def error_anchor(field) -> str:
    """Where an error summary's link to a field goes: the field, or the first of its choices
    when they are radio buttons or checkboxes (the list has no element of its own to go to)."""
    return f"{field.id}-0" if isinstance(field.widget, ListWidget) else field.id


def language_options(locales) -> list[SelectChoice]:
    """Choices of languages, each named in itself and marked with its lang."""
    return [SelectChoice(loc.code, loc.native_name, render_kw={"lang": loc.code}) for loc in locales]


def flash_form_errors(form) -> None:
    """For forms that redirect instead of re-rendering: show each field's errors as messages."""
    from flask import flash

    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


class CheckboxChoices(SelectMultipleField):
    """Several choices shown as checkboxes (render with the forms.choices macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def csrf_input() -> Markup:
    """The hidden CSRF field, as Flask-WTF renders it, made once per request: a page of comments
    has a "me too" form per comment, and rendering the field through WTForms each time costs
    more than the rest of the comment."""
    from flask_wtf.csrf import generate_csrf

    field = g.get("codesign_csrf_input")
    if field is None:
        field = g.codesign_csrf_input = Markup('<input name="csrf_token" type="hidden" value="%s">') % generate_csrf()
    return field

