"""Does a comment look like it contains someone's personal information?

Deliberately cautious: a false alarm costs a moderator a click, a miss can expose a child.
Each detector returns whether the text matches; `detect` names the kinds found.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

EMAIL = "email"
PHONE = "phone"
STUDENT_ID = "student_id"
STREET_ADDRESS = "street_address"

KIND_LABELS = {
    EMAIL: _l("an email address"),
    PHONE: _l("a phone number"),
    STUDENT_ID: _l("a student ID number"),
    STREET_ADDRESS: _l("a street address"),
}

_EMAIL = re.compile(r"[\w.+-]+\s*(?:@|＠|\(at\)|\[at\])\s*[\w-]+(?:\s*(?:\.|\(dot\)|\[dot\])\s*[\w-]+)+", re.I)
# Seven to fifteen digits, possibly split by spaces, dots, dashes or brackets, with an optional +.
_PHONE_RUN = re.compile(r"\+?\(?\d[\d\s().\-]{5,22}\d")
_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$|^\d{1,2}[.\-]\d{1,2}[.\-]\d{2,4}$")
_STREET_WORDS = (
    # English
    "street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane", "ln", "drive", "dr",
    "court", "ct", "way", "place", "pl", "terrace", "circle", "cir", "highway", "hwy", "parkway", "pkwy",
    # Spanish, Tagalog, Haitian Creole, Vietnamese, French
    "calle", "avenida", "av", "camino", "carretera", "kalye", "daan", "ri", "lari", "đường", "duong",
    "phố", "rue",
)
_STREET_WORD = "|".join(re.escape(word) for word in _STREET_WORDS)
# "123 Main Street", "4 N Oak Ave", "Calle 5 #23", "Calle Olmo 1234", "45 đường Lê Lợi".
_STREET = re.compile(
    rf"\b\d{{1,6}}[a-z]?\s+(?:[^\W\d_][\w'.-]*\s+){{0,3}}(?:{_STREET_WORD})\b\.?"
    rf"|\b(?:{_STREET_WORD})\.?\s+(?:[^\W\d_][\w'.-]*\s+){{0,3}}(?:#\s*)?\d{{1,6}}\b",
    re.I,
)
FORMAT_MAX = 200
_FORMAT_ITEM = re.compile(r"^[A-Za-z0-9#@\- ]{3,30}$")


def student_id_pattern(formats: str) -> re.Pattern | None:
    """The district's formats ("S#######, ########": # a digit, @ a letter, anything else
    itself) as one pattern matching a whole token; None when there are none."""
    alternatives = []
    for item in parse_formats(formats):
        parts = []
        for char in item:
            if char == "#":
                parts.append(r"\d")
            elif char == "@":
                parts.append(r"[^\W\d_]")
            else:
                parts.append(re.escape(char))
        alternatives.append("".join(parts))
    if not alternatives:
        return None
    return re.compile(r"(?<![\w])(?:" + "|".join(alternatives) + r")(?![\w])", re.I)


def parse_formats(formats: str) -> list[str]:
    return [item.strip() for item in (formats or "").split(",") if item.strip()]


def valid_format(item: str) -> bool:
    """A format is 3–30 letters, digits, #, @, dashes or spaces, with at least one # in it."""
    return bool(_FORMAT_ITEM.match(item)) and "#" in item


def _has_phone(text: str) -> bool:
    for match in _PHONE_RUN.finditer(text):
        run = match.group(0).strip()
        if _DATE.match(run):
            continue
        digits = sum(char.isdigit() for char in run)
        only_spaces = run.replace(" ", "").lstrip("+").isdigit()
        # Digits split by spaces alone are as likely a large number ("3 500 000"): ten or more.
        if 7 <= digits <= 15 and not only_spaces or 10 <= digits <= 15:
            return True
    return False


def detect(text: str, student_ids: re.Pattern | None = None) -> list[str]:
    """The kinds of personal information the text seems to contain, in a fixed order."""
    found = []
    if _EMAIL.search(text):
        found.append(EMAIL)
    if _has_phone(text):
        found.append(PHONE)
    if student_ids is not None and student_ids.search(text):
        found.append(STUDENT_ID)
    if _STREET.search(text):
        found.append(STREET_ADDRESS)
    return found


def labels(kinds: str | list[str]) -> list[str]:
    """What was found, in words for the reader ("a phone number")."""
    if isinstance(kinds, str):
        kinds = kinds.split()
    return [str(KIND_LABELS[kind]) for kind in kinds if kind in KIND_LABELS]
