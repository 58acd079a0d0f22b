"""Stored choices with translated labels."""
from __future__ import annotations

import enum

from flask import g


class LabelledEnum(enum.StrEnum):
    """A choice stored by its value, shown by a lazily translated label (see with_labels)."""

    @property
    def label(self) -> str:
        """The label in the language in use, translated once per request and language: a page
        shows the same few labels on every row."""
        lazy = type(self)._labels[self]
        try:
            babel = g._flask_babel  # Flask-Babel's state for this request: its locale, or a forced one
        except (AttributeError, RuntimeError):  # no request, or no translation asked for yet
            return str(lazy)
        locale = getattr(babel, "babel_locale", None)
        if locale is None:
            return str(lazy)
        memo = babel.__dict__.setdefault("codesign_labels", {})
        key = (type(self), self, locale)  # (members are equal to their value, in every enum)
        text = memo.get(key)
        if text is None:
            text = memo[key] = str(lazy)
        return text


def with_labels(enum_class: type[LabelledEnum], labels: dict) -> dict:
    """Attach the labels to the enum and return them (forms use them as choices)."""
    missing = set(enum_class) - set(labels)
    if missing:
        raise ValueError(f"{enum_class.__name__} has no label for {sorted(missing)}")
    enum_class._labels = labels
    return labels
