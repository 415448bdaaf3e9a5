"""Small-cell suppression (ResDAC CMS policy): nothing from 1 to 10 shown or derivable. Cells and the
lines that add them up (dashboard/privacy/cells.py), single counts and rates (counts.py)."""

from __future__ import annotations

import math
import random

import pytest

from dashboard.privacy.cells import COMPLEMENTARY, CellSet
from dashboard.privacy.counts import is_small, safe_percent

P, S = "<11", COMPLEMENTARY  # primary (1-10) and complementary (11 or more) marks


def grid(rows: list[list[int]], total_row: bool = False, total_col: bool = False, threshold: int = 10):
    """Suppress a table the way the views register one: each body row against its total (last
    column), each column against the total row (last row), the totals against the grand total.
    Returns the table as shown: numbers, or marks."""
    cells = CellSet()
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            cells.add((i, j), v)
    body_r = range(len(rows) - 1 if total_row else len(rows))
    body_c = range(len(rows[0]) - 1 if total_col else len(rows[0]))
    if total_col:
        for i in body_r:
            cells.line([(i, j) for j in body_c], (i, len(rows[0]) - 1))
    if total_row:
        for j in body_c:
            cells.line([(i, j) for i in body_r], (len(rows) - 1, j))
    if total_row and total_col:
        grand = (len(rows) - 1, len(rows[0]) - 1)
        cells.line([(i, len(rows[0]) - 1) for i in body_r], grand)
        cells.line([(len(rows) - 1, j) for j in body_c], grand)
    marks = cells.solve(threshold)
    return [[marks.get((i, j), v) for j, v in enumerate(row)] for i, row in enumerate(rows)]


# --- single values ---------------------------------------------------------------------------


def test_is_small_bounds():
    assert [is_small(n, 10) for n in (0, 1, 10, 11, 250)] == [False, True, True, False, False]
    assert not is_small(math.nan, 10) and not is_small(None, 10)
    assert is_small(15, threshold=20)


def test_safe_percent_hides_small_numerators_denominators_and_remainders():
    assert safe_percent(5, 40, 10) is None  # numerator 5 is small
    assert safe_percent(12, 40, 10) == "30 %"  # 12 / 40 = 0.30
    assert safe_percent(12, 9, 10) is None  # denominator 9 is small
    assert safe_percent(0, 40, 10) == "0 %"  # zero may be shown
    assert safe_percent(0, 0, 10) is None  # no denominator
    assert safe_percent(15, 40, 10) == "38 %"  # 37.5 -> 38 at 0 digits
    assert safe_percent(15, 40, 10, digits=1) == "37.5 %"
    assert safe_percent(35, 40, 10) is None  # would reveal that 5 did not
    assert safe_percent(118, 128, 10) is None  # 10 missed sessions: the overview's weekly rate
    assert safe_percent(40, 40, 10) == "100 %"  # a remainder of 0 reveals nothing small


# --- cells and lines -------------------------------------------------------------------------


def test_small_cells_without_a_total_are_the_only_ones_hidden():
    assert grid([[5, 40], [0, 12]]) == [[P, 40], [0, 12]]


def test_a_row_total_forces_the_smallest_other_non_zero_cell_and_says_so():
    # 5 + 0 + 14 + 20 = 39: hiding only the 5 leaves 39 - 0 - 14 - 20 = 5, so the 14 goes too (the 0
    # protects nothing); it is 11 or more, so it reads "suppressed", not "<11"
    assert grid([[5, 0, 14, 20, 39], [30, 25, 40, 22, 117]], total_col=True) == [
        [P, 0, S, 20, 39],
        [30, 25, 40, 22, 117],
    ]


def test_a_small_total_is_hidden_with_its_cell_and_zeros_stay():
    assert grid([[6, 0, 0, 6], [50, 20, 30, 100]], total_col=True) == [[P, 0, 0, P], [50, 20, 30, 100]]


def test_hidden_cells_that_add_up_to_a_small_count_need_one_more():
    # 3 and 4 hidden leave 37 - 30 = 7 for the two together: the 30 is hidden as well
    assert grid([[3, 4, 30, 37]], total_col=True) == [[P, P, S, 37]]


def test_a_two_way_table_cascades():
    #            x    y    z   total
    #   A        4    0    0      4
    #   B       30   12   25     67
    #   C       20   40   15     75
    #   Total   54   52   40    146
    # pass 1: column x hides C.x (20 < 30); the total column hides B.total (67 < 75)
    # pass 2: row B (only B.total hidden, and it is in two lines) hides B.y 12; row C hides C.z 15;
    #         column y hides C.y 40 (A.y is 0); column z hides B.z 25. Pass 3 changes nothing.
    assert grid(
        [[4, 0, 0, 4], [30, 12, 25, 67], [20, 40, 15, 75], [54, 52, 40, 146]], total_row=True, total_col=True
    ) == [[P, 0, 0, P], [30, S, S, S], [S, S, S, 75], [54, 52, 40, 146]]


def test_when_only_zeros_are_left_the_total_is_hidden():
    assert grid([[5, 20, 25], [0, 30, 30], [5, 50, 55]], total_row=True, total_col=True) == [
        [P, S, S],
        [0, S, S],
        [P, S, 55],
    ]


def test_a_count_never_shown_but_derivable_is_protected():
    # admitted 72, 70 with a baseline: the 2 without one would be 72 - 70
    cells = CellSet()
    cells.line([cells.add("baseline", 70), cells.add("no baseline", 2, shown=False)], cells.add("admitted", 72))
    assert cells.solve(10) == {"no baseline": "", "baseline": S}
    # ... but a large difference used in no other line may be worked out: nothing else is hidden
    cells = CellSet()
    cells.line([cells.add("baseline", 20), cells.add("no baseline", 52, shown=False)], cells.add("admitted", 72))
    assert cells.solve(10) == {"no baseline": ""}


def test_a_hidden_step_between_equal_shown_steps_is_protected():
    # a funnel admitted 51 >= eligible 51 >= index 51, and eligible + 5 others = 56 shown elsewhere:
    # the 5 hides eligible; with both neighbours shown at 51, eligible (and so the 5) would be known
    def funnel(chained: bool) -> dict:
        cells = CellSet()
        steps = [cells.add("admitted", 51), cells.add("eligible", 51), cells.add("index", 51)]
        cells.line([steps[1], cells.add("others", 5)], cells.add("total", 56))
        if chained:
            cells.chain(steps)
        return cells.solve(10)

    assert funnel(chained=False) == {"others": "<11", "eligible": S}  # the leak
    assert funnel(chained=True) == {"others": "<11", "eligible": S, "index": S}
    cells = CellSet()
    with pytest.raises(ValueError, match="not a chain"):
        cells.chain([cells.add("a", 5), cells.add("b", 6)])


def test_the_same_sum_registered_twice_is_one_line():
    # the whole program's funnel registered by two groupings: its never-shown remainder is in one line,
    # not "used elsewhere", so it protects nothing and nothing more is hidden
    cells = CellSet()
    for _ in range(2):
        cells.line(
            [cells.add("eligible", 2031), cells.add("not eligible", 6386, shown=False)], cells.add("admitted", 8417)
        )
    assert cells.solve(10) == {"not eligible": ""}


def test_the_same_count_is_one_cell_wherever_it_appears():
    cells = CellSet()
    cells.add(("admitted", "whole"), 48)
    cells.add(("admitted", "whole"), 48)
    with pytest.raises(ValueError, match="registered as 48 and as 47"):
        cells.add(("admitted", "whole"), 47)
    with pytest.raises(ValueError, match="do not add up"):
        cells.line([cells.add("a", 20)], ("admitted", "whole"))


def test_the_threshold_is_the_programs_and_zero_means_true_counts():
    assert grid([[15, 40, 55], [30, 50, 80]], total_col=True, threshold=20) == [["<21", S, 55], [30, 50, 80]]
    assert grid([[5, 0, 14, 20, 39]], total_col=True, threshold=0) == [[5, 0, 14, 20, 39]]


def test_random_tables_leave_nothing_small_derivable():
    rng = random.Random(42)
    for _ in range(300):
        n_rows, n_cols = rng.randint(1, 5), rng.randint(1, 5)
        body = [
            [rng.choice([0, rng.randint(1, 10), rng.randint(11, 60)]) for _ in range(n_cols)] for _ in range(n_rows)
        ]
        rows = [r + [sum(r)] for r in body]
        rows.append([sum(col) for col in zip(*rows)])
        shown = grid(rows, total_row=True, total_col=True)
        lines = [
            ([shown[i][j] for j in range(n_cols)], shown[i][n_cols], [rows[i][j] for j in range(n_cols)])
            for i in range(n_rows + 1)
        ]
        lines += [
            ([shown[i][j] for i in range(n_rows)], shown[n_rows][j], [rows[i][j] for i in range(n_rows)])
            for j in range(n_cols + 1)
        ]
        for members, total, values in lines:
            hidden = [v for m, v in zip(members, values) if isinstance(m, str)]
            if not isinstance(total, str):
                # what a reader can work out: the hidden members together
                assert not 1 <= sum(hidden) <= 10, (rows, shown)
            elif len(hidden) == 0:
                assert total != P, (rows, shown)  # a small total that is the sum of shown cells
        assert all(v == 0 or v > 10 for row in shown for v in row if not isinstance(v, str)), shown
