"""Word-level differences between two versions' texts, for people reading on a phone."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    op: str  # "same", "added" or "removed"
    text: str


@lru_cache(maxsize=128)
def word_diff(old: str, new: str) -> tuple[Piece, ...]:
    """The new text as runs of unchanged, removed and added words (whitespace kept).

    A pure function of the two texts, so kept for the last 128 pairs per worker (a tuple, which
    no caller can change): the review page diffs the first and current versions on every view."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    opcodes = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    pieces: list[Piece] = []
    removed: list[str] = []
    added: list[str] = []

    def flush():
        if removed:
            pieces.append(Piece("removed", "".join(removed)))
        if added:
            pieces.append(Piece("added", "".join(added)))
        removed.clear()
        added.clear()

    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            text = "".join(a[i1:i2])
            between_changes = (removed or added) and index + 1 < len(opcodes) and not text.strip()
            if between_changes:
                # "three years" -> "one year" reads as one change, not two around a space.
                removed.append(text)
                added.append(text)
                continue
            flush()
            pieces.append(Piece("same", text))
            continue
        removed.extend(a[i1:i2])
        added.extend(b[j1:j2])
    flush()
    return tuple(pieces)


def changed(pieces) -> bool:
    return any(piece.op != "same" for piece in pieces)
