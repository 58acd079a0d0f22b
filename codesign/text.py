"""Plain-text hygiene shared by forms and by services that read requests directly."""
from __future__ import annotations

import re

# Control characters other than tab, newline and carriage return never belong in text.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"[ \t]*[\r\n]+[ \t]*")


def one_line(value):
    """A one-line input holds one line, whatever a hand-made request sends (a title with a line
    break would otherwise end up, say, in an email's Subject header)."""
    if isinstance(value, str):
        return _LINE_BREAKS.sub(" ", value)
    return value


def without_controls(value: str) -> str:
    """Text typed where no form field can say what is wrong (answers, translations, rows of a
    sheet): invisible control characters are dropped (PostgreSQL refuses NUL outright)."""
    return CONTROL.sub("", value or "")


def isolated(value) -> str:
    """Someone's words inside a sentence of ours, where no element can go (an <option>, a
    message's placeholder): Unicode isolates keep their direction from reordering ours."""
    return f"\u2068{value}\u2069"


def machine_time(value) -> str:
    """A moment for <time datetime>: ISO 8601 to the second (HTML allows at most three digits
    of a second; ours have six). Takes a datetime or the ISO text of one."""
    from datetime import datetime

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.isoformat(timespec="seconds")
