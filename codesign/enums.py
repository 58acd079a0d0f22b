"""Stored choices with translated labels."""
from __future__ import annotations

import enum


class LabelledEnum(enum.StrEnum):
    """A choice stored by its value, shown by a lazily translated label (see with_labels)."""

    @property
    def label(self) -> str:
        return str(type(self)._labels[self])


def with_labels(enum_class: type[LabelledEnum], labels: dict) -> dict:
    """Attach the labels to the enum and return them (forms use them as choices)."""
    missing = set(enum_class) - set(labels)
    if missing:
        raise ValueError(f"{enum_class.__name__} has no label for {sorted(missing)}")
    enum_class._labels = labels
    return labels
