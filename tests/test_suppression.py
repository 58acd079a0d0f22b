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


def test_two_small_groups_cover_each_other_only_if_they_add_up_to_the_threshold():
    # 3 + 4 = 7 < 10: knowing they add up to 7 would say too much, so "family" hides too.
    result = suppress_small_counts({"family": 40, "student": 3, "educator": 4}, 10)
    assert visible(result) == {"family": None, "student": None, "educator": None}
    result = suppress_small_counts({"family": 40, "student": 6, "educator": 7, "other": 0}, 10)
    assert visible(result) == {"family": 40, "student": None, "educator": None, "other": 0}


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
    cells = dict(zip("abc", counts, strict=True))
    result = suppress_small_counts(cells, threshold)
    shown = visible(result)
    for key, count in cells.items():
        if 0 < count < threshold:
            assert shown[key] is None
    hidden = [key for key, value in shown.items() if value is None]
    if result.total.value is not None and hidden:
        assert len(hidden) >= 2 and sum(cells[k] for k in hidden) >= threshold, (cells, shown)


def _lines(table, raw):
    """(hidden values, total shown?) for every line of the table a reader could add up."""
    rows = list(table.cells)
    columns = list(next(iter(table.cells.values())))
    row_sum = {r: sum(raw[r].values()) for r in rows}
    col_sum = {c: sum(raw[r][c] for r in rows) for c in columns}
    for r in rows:
        yield [raw[r][c] for c in columns if table.cells[r][c].suppressed], table.row_totals[r]
    for c in columns:
        yield [raw[r][c] for r in rows if table.cells[r][c].suppressed], table.column_totals[c]
    yield [row_sum[r] for r in rows if table.row_totals[r].suppressed], table.total
    yield [col_sum[c] for c in columns if table.column_totals[c].suppressed], table.total
    yield [raw[r][c] for r in rows for c in columns if table.cells[r][c].suppressed], table.total


def test_table_hides_small_cells_and_their_complements():
    from codesign.suppression import suppress_table

    table = suppress_table({"family": {"support": 40, "oppose": 3, "neutral": 12},
                            "student": {"support": 15, "oppose": 20, "neutral": 11}}, 10)
    assert table.cells["family"]["oppose"].suppressed
    assert not table.cells["family"]["oppose"].complementary
    assert table.cells["family"]["neutral"].complementary  # row: 55 - 40 would reveal oppose
    assert table.cells["student"]["oppose"].complementary  # column: 23 - 20 would reveal it
    assert table.cells["family"]["support"].value == 40
    assert table.total.value == 101


@pytest.mark.parametrize("seed", range(300))
def test_no_line_of_a_table_gives_a_hidden_cell_away(seed):
    import random

    from codesign.suppression import suppress_table

    rng = random.Random(seed)
    counts = [0, 1, 2, 5, 9, 10, 14, 30]
    raw = {f"g{r}": {f"s{c}": rng.choice(counts) for c in range(3)} for r in range(rng.randint(1, 4))}
    table = suppress_table(raw, 10)
    for r, row in raw.items():
        for c, count in row.items():
            if 0 < count < 10:
                assert table.cells[r][c].suppressed
    for hidden_values, total in _lines(table, raw):
        if total.suppressed or not hidden_values:
            continue
        assert len(hidden_values) >= 2 and sum(hidden_values) >= 10, raw


@pytest.mark.parametrize("language, small, hidden, shown", [
    ("en", "fewer than 10", "not shown", "12,345"),
    ("es", "menos de 10", "no se muestra", "12.345"),
])
def test_a_shown_count_prints_in_the_readers_language(app, language, small, hidden, shown):
    from codesign.suppression import ShownCount, shown_text

    with app.test_request_context(headers={"Accept-Language": language}):
        assert shown_text(ShownCount(None, 10)) == small
        assert shown_text(ShownCount(None, 10, complementary=True)) == hidden
        assert shown_text(ShownCount(12345, 10)) == shown
