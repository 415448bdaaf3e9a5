"""The release auditor on crafted tables whose intervals are worked out by hand."""

import pytest

from dashboard.privacy.auditor import audit, intervals, protect
from dashboard.privacy.cells import COMPLEMENTARY, WITHHELD, CellSet

T, WIDTH = 10, 4


def _table(rows: dict[str, dict[str, int]]) -> CellSet:
    """A two-way table with its row, column and grand totals."""
    cells = CellSet()
    columns = list(next(iter(rows.values())))
    for r, row in rows.items():
        cells.line([cells.add((r, c), v) for c, v in row.items()], cells.add((r, "total"), sum(row.values())))
    for c in columns:
        cells.line([(r, c) for r in rows], cells.add(("total", c), sum(row[c] for row in rows.values())))
    cells.line([(r, "total") for r in rows], cells.add(("total", "total"), sum(sum(r.values()) for r in rows.values())))
    return cells


def test_a_small_count_beside_a_hidden_12_is_pinned_to_four_values():
    # a + b = 15 shown, a "<11", b "suppressed" (11 or more): a is 1..4, b is 11..14
    cells = CellSet()
    cells.line([cells.add("a", 3), cells.add("b", 12)], cells.add("total", 15))
    marks = {"a": "<11", "b": COMPLEMENTARY}
    assert intervals(cells, marks, T, ["a", "b"]) == {"a": pytest.approx((1, 4)), "b": pytest.approx((11, 14))}
    assert audit(cells, marks, T, WIDTH) == {"a": pytest.approx((1, 4))}  # 3 wide: exposed
    assert audit(cells, marks, T, 3) == {}


def test_the_four_corners_of_a_two_way_table_keep_the_whole_range():
    # a=3 hidden with b=20, c=30, d=40: a + b = 23 and b >= 11 give a <= 12; a + c = 33 give a <= 22;
    # so a keeps all of 1..10 and b, c, d move with it
    cells = _table({"r1": {"c1": 3, "c2": 20}, "r2": {"c1": 30, "c2": 40}})
    marks = {("r1", "c1"): "<11", ("r1", "c2"): COMPLEMENTARY, ("r2", "c1"): COMPLEMENTARY, ("r2", "c2"): COMPLEMENTARY}
    found = intervals(cells, marks, T, list(marks))
    assert found[("r1", "c1")] == pytest.approx((1, 10))
    assert found[("r1", "c2")] == pytest.approx((13, 22))  # 23 - a
    assert audit(cells, marks, T, WIDTH) == {}


def test_a_row_of_known_zeros_tells_the_reader_a_count_is_at_least_one_per_hidden_cell():
    # the total of a row of two "<11" and zeros is at least 2: 2 hidden "<11" cells, 0 shown
    cells = CellSet()
    cells.line([cells.add("x", 2), cells.add("y", 1), cells.add("z", 0)], cells.add("n", 3))
    marks = {"x": "<11", "y": "<11", "n": "<11"}
    assert intervals(cells, marks, T, ["n"])["n"] == pytest.approx((2, 10))


def test_a_chain_of_shrinking_steps_bounds_a_hidden_step():
    # admitted 30 >= eligible (hidden, 25) >= index 24: eligible is 24..30
    cells = CellSet()
    for key, value in (("admitted", 30), ("eligible", 25), ("index", 24)):
        cells.add(key, value)
    cells.chain(["admitted", "eligible", "index"])
    found = intervals(cells, {"eligible": COMPLEMENTARY}, T, ["eligible"])
    assert found == {"eligible": pytest.approx((24, 30))}


def test_protect_hides_more_until_nothing_is_exposed_and_says_what_it_did():
    # the line-by-line pass hides 3 and its smallest neighbour 12, which a reader pins to 1..4
    cells = CellSet()
    cells.line([cells.add("a", 3), cells.add("b", 12), cells.add("c", 40)], cells.add("total", 55))
    marks = cells.solve(T)
    assert marks == {"a": "<11", "b": COMPLEMENTARY}
    assert audit(cells, marks, T, WIDTH) == {"a": pytest.approx((1, 4))}
    protected, verdict = protect(cells, marks, T, WIDTH)
    assert protected == {"a": "<11", "b": COMPLEMENTARY, "c": COMPLEMENTARY}  # 40 has room to move
    assert audit(cells, protected, T, WIDTH) == {}
    assert (verdict.added, verdict.exposed, verdict.small, verdict.hidden) == (1, 0, 1, 3)


def test_a_never_shown_difference_is_audited_too():
    # admitted 40 and with a baseline 37 shown: the 3 without one are known exactly
    cells = CellSet()
    admitted, baseline = cells.add("admitted", 40), cells.add("baseline", 37)
    cells.line([baseline, cells.add("without", 3, shown=False)], admitted)
    marks = {"without": ""}
    assert audit(cells, marks, T, WIDTH) == {"without": pytest.approx((3, 3))}
    protected, verdict = protect(cells, marks, T, WIDTH)
    assert verdict.exposed == 0 and set(protected) == {"without", "baseline"}


def test_small_groups_under_a_small_whole_are_withheld_when_nothing_else_can_be_hidden():
    # seven groups of 1 and one of 0 under a whole of 7 (<11): each "<11" group is at least 1, so each
    # is at most 10 - 6 = 4 (1..4: exposed). Hiding the 0 (it may then be any count) leaves each at
    # most 10 - 6 still; nothing shown is left, so the small counts read "withheld" (any count, 0 too)
    cells = CellSet()
    groups = [cells.add(f"g{i}", 1) for i in range(7)] + [cells.add("g7", 0)]
    cells.line(groups, cells.add("whole", 7))
    marks = cells.solve(T)
    assert marks == {**{f"g{i}": "<11" for i in range(7)}, "whole": "<11"}
    assert audit(cells, marks, T, WIDTH)["g0"] == pytest.approx((1, 4))
    protected, verdict = protect(cells, marks, T, WIDTH)
    assert protected["g7"] == WITHHELD and {protected[f"g{i}"] for i in range(7)} == {WITHHELD}
    assert audit(cells, protected, T, WIDTH) == {} and verdict.exposed == 0
    assert intervals(cells, protected, T, ["g0"])["g0"][0] == pytest.approx(0)  # a withheld count may be 0
