"""The one suppression rule every count of people goes through."""
import itertools

import pytest

from codesign.suppression import show_count, suppress_small_counts


def visible(breakdown):
    return {key: cell.value for key, cell in breakdown.cells.items()}


def test_single_counts():
    assert show_count(9, 10).suppressed
    assert show_count(10, 10).value == 10
    assert show_count(0, 10).value == 0
    assert show_count(1, 1).value == 1


def test_nothing_hidden_when_every_group_is_large():
    result = suppress_small_counts({"family": 40, "student": 12, "educator": 10}, 10)
    assert visible(result) == {"family": 40, "student": 12, "educator": 10}
    assert result.total.value == 62


def test_small_group_and_the_next_smallest_are_hidden():
    result = suppress_small_counts({"family": 40, "student": 3, "educator": 15}, 10)
    assert visible(result) == {"family": 40, "student": None, "educator": None}
    assert result.total.value == 58
    assert not result.cells["student"].complementary
    assert result.cells["educator"].complementary  # hidden to protect "student", not small


def test_zero_groups_stay_visible_and_do_not_count_as_cover():
    result = suppress_small_counts({"family": 40, "student": 3, "educator": 0}, 10)
    assert visible(result) == {"family": None, "student": None, "educator": 0}


def test_two_small_groups_cover_each_other():
    result = suppress_small_counts({"family": 40, "student": 3, "educator": 4}, 10)
    assert visible(result) == {"family": 40, "student": None, "educator": None}


def test_small_total_is_hidden():
    result = suppress_small_counts({"family": 5, "student": 2}, 10)
    assert result.total.suppressed
    assert visible(result) == {"family": None, "student": None}


def test_threshold_must_be_positive():
    with pytest.raises(ValueError):
        suppress_small_counts({"a": 1}, 0)


@pytest.mark.parametrize("counts", list(itertools.product([0, 1, 4, 9, 10, 25], repeat=3)))
def test_no_hidden_cell_can_be_worked_out(counts):
    """For every combination: no hidden cell equals total minus the shown cells."""
    threshold = 10
    cells = dict(zip("abc", counts))
    result = suppress_small_counts(cells, threshold)
    shown = visible(result)
    for key, count in cells.items():
        if 0 < count < threshold:
            assert shown[key] is None
    hidden = [key for key, value in shown.items() if value is None]
    if result.total.value is not None:
        assert len(hidden) != 1, (cells, shown)
