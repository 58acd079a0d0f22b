"""Small-count suppression: no public figure may count fewer than K people.

Every feature that shows counts of people (tallies, breakdowns, board packets, exports)
passes them through `suppress_small_counts`, so that the rule lives in one place.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Mapping


@dataclass(frozen=True)
class ShownCount:
    """A count as the public may see it: the number, or only that it is below the threshold."""

    value: int | None  # None when suppressed
    threshold: int
    # Hidden only so that a small neighbour cannot be worked out; it is not itself small,
    # so it must not be labelled "fewer than K".
    complementary: bool = False

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class SuppressedBreakdown:
    total: ShownCount
    cells: dict[Hashable, ShownCount]


def show_count(count: int, threshold: int) -> ShownCount:
    """One count on its own: hidden when it is above zero and below the threshold."""
    if 0 < count < threshold:
        return ShownCount(None, threshold)
    return ShownCount(count, threshold)


def _protect(values: dict, lines: list[tuple[list, Hashable]], threshold: int) -> tuple[set, set]:
    """Decide which figures to hide. Returns (small, complementary) sets of keys.

    values maps every figure (cells and totals) to its count; each line is (parts, total):
    the parts add up to the total. Primary suppression hides every figure with
    0 < count < threshold. Then, for every line whose total is shown, the hidden non-zero
    parts must be none, or at least two that together count threshold or more; otherwise
    the smallest shown non-zero part is hidden too, or, if none is left, the total itself.
    Repeated until nothing changes. Zeros stay shown: "nobody" exposes no one.
    """
    small = {key for key, count in values.items() if 0 < count < threshold}
    complementary: set = set()
    hidden = lambda key: key in small or key in complementary  # noqa: E731
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            if hidden(total):
                continue
            secret = [key for key in parts if hidden(key) and values[key] > 0]
            if not secret or (len(secret) >= 2 and sum(values[k] for k in secret) >= threshold):
                continue
            candidates = sorted((values[key], str(key), key) for key in parts
                                if not hidden(key) and values[key] > 0)
            complementary.add(candidates[0][2] if candidates else total)
            changed = True
    return small, complementary


def _shown(key, values, small, complementary, threshold) -> ShownCount:
    if key in small:
        return ShownCount(None, threshold)
    if key in complementary:
        return ShownCount(None, threshold, complementary=True)
    return ShownCount(values[key], threshold)


_TOTAL = ("__total__",)


def suppress_small_counts(cells: Mapping[Hashable, int], threshold: int) -> SuppressedBreakdown:
    """Suppress a one-way breakdown (e.g. people by group) and its total: see _protect."""
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    values = dict(cells)
    values[_TOTAL] = sum(cells.values())
    small, complementary = _protect(values, [(list(cells), _TOTAL)], threshold)
    return SuppressedBreakdown(
        total=_shown(_TOTAL, values, small, complementary, threshold),
        cells={key: _shown(key, values, small, complementary, threshold) for key in cells},
    )


@dataclass(frozen=True)
class SuppressedTable:
    """A two-way breakdown (e.g. group × stance) with its row and column totals."""

    cells: dict[Hashable, dict[Hashable, ShownCount]]
    row_totals: dict[Hashable, ShownCount]
    column_totals: dict[Hashable, ShownCount]
    total: ShownCount


def suppress_table(table: Mapping[Hashable, Mapping[Hashable, int]], threshold: int) -> SuppressedTable:
    """Suppress a two-way table, its row and column totals and its grand total together.

    Every row, every column, the row totals, the column totals and the whole table are
    lines that add up to a shown total, and each is protected as _protect describes.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    rows = list(table)
    columns = list(dict.fromkeys(col for row in table.values() for col in row))
    values: dict = {("cell", r, c): table[r].get(c, 0) for r in rows for c in columns}
    for r in rows:
        values[("row", r)] = sum(values[("cell", r, c)] for c in columns)
    for c in columns:
        values[("column", c)] = sum(values[("cell", r, c)] for r in rows)
    values[_TOTAL] = sum(values[("row", r)] for r in rows)
    lines = [([("cell", r, c) for c in columns], ("row", r)) for r in rows]
    lines += [([("cell", r, c) for r in rows], ("column", c)) for c in columns]
    lines += [([("row", r) for r in rows], _TOTAL), ([("column", c) for c in columns], _TOTAL)]
    lines.append(([("cell", r, c) for r in rows for c in columns], _TOTAL))
    small, complementary = _protect(values, lines, threshold)

    def shown(key):
        return _shown(key, values, small, complementary, threshold)

    return SuppressedTable(
        cells={r: {c: shown(("cell", r, c)) for c in columns} for r in rows},
        row_totals={r: shown(("row", r)) for r in rows},
        column_totals={c: shown(("column", c)) for c in columns},
        total=shown(_TOTAL),
    )


def shown_text(count: ShownCount) -> str:
    """A count as pages print it, in the reader's language: the figure, "fewer than K", or "not
    shown". (A Jinja global: a page prints dozens, and a macro costs several times more.)"""
    from flask_babel import get_locale, gettext

    from codesign.i18n import decimal_text

    if count.suppressed and count.complementary:
        return gettext("not shown")
    if count.suppressed:
        return gettext("fewer than %(threshold)s", threshold=decimal_text(count.threshold, get_locale()))
    return decimal_text(count.value, get_locale())
