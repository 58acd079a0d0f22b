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


def suppress_small_counts(cells: Mapping[Hashable, int], threshold: int) -> SuppressedBreakdown:
    """Suppress every cell of a breakdown below threshold, and enough others that none can
    be worked out from the total.

    Primary suppression hides each cell with 0 < count < threshold. If exactly one cell is
    hidden while the total is shown, total minus the shown cells would reveal it, so the
    smallest other non-zero cell is hidden too (secondary suppression). Zero cells stay shown:
    "nobody in this group" exposes no one. The total is itself suppressed when it is small.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    total = sum(cells.values())
    hidden = {key for key, count in cells.items() if 0 < count < threshold}
    complementary = set()
    total_shown = show_count(total, threshold)
    if len(hidden) == 1 and not total_shown.suppressed:
        candidates = sorted(
            (count, str(key), key) for key, count in cells.items()
            if key not in hidden and count > 0
        )
        if candidates:
            complementary.add(candidates[0][2])
    shown = {}
    for key, count in cells.items():
        if key in hidden:
            shown[key] = ShownCount(None, threshold)
        elif key in complementary:
            shown[key] = ShownCount(None, threshold, complementary=True)
        else:
            shown[key] = ShownCount(count, threshold)
    return SuppressedBreakdown(total=total_shown, cells=shown)
