"""Small-cell suppression (ResDAC CMS policy): nothing from 1 to 10 shown or derivable."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.suppression import SUPPRESSED, format_count, is_small, safe_percent, suppress_table

H = SUPPRESSED  # "<11"


def lines_with_a_shown_total(shown: pd.DataFrame, count_columns: list[str], total_row: bool,
                             total_column: str | None) -> list[tuple[list[str], str]]:
    """(member texts, total text) for every row/column a reader can add up against a total."""
    body = shown.iloc[:-1] if total_row else shown
    lines = []
    if total_column:
        lines += [([row[c] for c in count_columns], row[total_column]) for _, row in body.iterrows()]
    if total_row:
        totals = shown.iloc[-1]
        lines += [(body[c].tolist(), totals[c]) for c in count_columns]
        if total_column:
            lines.append((body[total_column].tolist(), totals[total_column]))
            lines.append(([totals[c] for c in count_columns], totals[total_column]))
    return lines


def assert_nothing_derivable(shown, count_columns, total_row=False, total_column=None):
    """Exactly one hidden cell in a line with a total is the total minus the rest (or the sum of the
    rest, if the hidden one is the total): no line may end with exactly one."""
    for members, total in lines_with_a_shown_total(shown, count_columns, total_row, total_column):
        hidden = sum(text == H for text in members + [total])
        assert hidden != 1, (members, total)


# --- single values ---------------------------------------------------------------------------

def test_is_small_bounds():
    assert [is_small(n) for n in (0, 1, 10, 11, 250)] == [False, True, True, False, False]
    assert not is_small(math.nan) and not is_small(None)
    assert is_small(15, threshold=20)


def test_format_count():
    assert SUPPRESSED == "<11"
    assert format_count(0) == "0"
    assert format_count(7) == "<11"
    assert format_count(10) == "<11"
    assert format_count(11) == "11"
    assert format_count(12345) == "12,345"
    assert format_count(15, threshold=20) == "<21"


def test_safe_percent_hides_small_numerators_and_denominators():
    assert safe_percent(5, 40) is None            # numerator 5 is small
    assert safe_percent(12, 40) == "30 %"         # 12 / 40 = 0.30
    assert safe_percent(12, 9) is None            # denominator 9 is small
    assert safe_percent(0, 40) == "0 %"           # zero may be shown
    assert safe_percent(0, 0) is None             # no denominator
    assert safe_percent(15, 40) == "38 %"         # 37.5 -> 38 at 0 digits
    assert safe_percent(15, 40, digits=1) == "37.5 %"


# --- tables ----------------------------------------------------------------------------------

def test_primary_suppression_without_totals_and_zero_stays():
    # No total shown anywhere, so nothing is derivable: only the small cells go.
    table = pd.DataFrame({"track": ["day", "evening"], "admitted": [5, 40], "discharged": [0, 12]})
    shown = suppress_table(table, ["admitted", "discharged"])
    assert shown["admitted"].tolist() == [H, "40"]
    assert shown["discharged"].tolist() == ["0", "12"]
    assert shown["track"].tolist() == ["day", "evening"]       # other columns untouched
    assert table["admitted"].tolist() == [5, 40]               # input not modified


def test_row_total_forces_complementary_suppression_of_smallest_other_nonzero_cell():
    # Row g1: 5 + 0 + 14 + 20 = 39. Hiding only the 5 leaves 39 - 0 - 14 - 20 = 5 derivable,
    # so the smallest non-zero other cell (14; the 0 protects nothing) is hidden too.
    table = pd.DataFrame({
        "group": ["g1", "g2"],
        "a": [5, 30], "b": [0, 25], "c": [14, 40], "d": [20, 22],
        "total": [39, 117],
    })
    cols = ["a", "b", "c", "d"]
    shown = suppress_table(table, cols, total_column="total")
    assert shown.loc[0, cols].tolist() == [H, "0", H, "20"]
    assert shown.loc[0, "total"] == "39"
    assert shown.loc[1, cols].tolist() == ["30", "25", "40", "22"]   # nothing small in g2
    assert_nothing_derivable(shown, cols, total_column="total")
    # With a total column only, a column with one hidden cell has no shown total to subtract from.
    assert shown["a"].tolist() == [H, "30"]


def test_small_total_is_suppressed_and_zeros_stay():
    # Row: 6 + 0 + 0 = 6. Both 6s are small: the cell and the total are hidden, the zeros shown.
    table = pd.DataFrame({"a": [6, 50], "b": [0, 20], "c": [0, 30], "total": [6, 100]})
    shown = suppress_table(table, ["a", "b", "c"], total_column="total")
    assert shown.loc[0].tolist() == [H, "0", "0", H]
    assert shown.loc[1].tolist() == ["50", "20", "30", "100"]
    assert_nothing_derivable(shown, ["a", "b", "c"], total_column="total")


def test_two_way_table_complementary_suppression_cascades():
    #            x    y    z   total
    #   A        4    0    0      4
    #   B       30   12   25     67
    #   C       20   40   15     75
    #   Total   54   52   40    146
    # Primary: A.x = 4 and A.total = 4.
    # Pass 1 (rows, then columns, then total column, then total row):
    #   row A has 2 hidden (A.x, A.total) - fine
    #   column x: only A.x hidden, 54 shown -> hide smallest of B.x 30, C.x 20 -> C.x
    #   total column: only A.total hidden, 146 shown -> hide smallest of 67, 75 -> B.total
    # Pass 2:
    #   row B: only B.total hidden -> it is 30 + 12 + 25 -> hide smallest of 30, 12, 25 -> B.y
    #   row C: only C.x hidden, 75 shown -> hide smallest of C.y 40, C.z 15 -> C.z
    #   column y: only B.y hidden -> A.y is 0 (protects nothing) -> C.y
    #   column z: only C.z hidden -> A.z is 0 -> B.z
    # Pass 3: every line has 0 or >= 2 hidden -> stop.
    table = pd.DataFrame({
        "site": ["A", "B", "C", "Total"],
        "x": [4, 30, 20, 54], "y": [0, 12, 40, 52], "z": [0, 25, 15, 40],
        "total": [4, 67, 75, 146],
    })
    cols = ["x", "y", "z"]
    shown = suppress_table(table, cols, total_row=True, total_column="total")
    assert shown.loc[0, ["x", "y", "z", "total"]].tolist() == [H, "0", "0", H]
    assert shown.loc[1, ["x", "y", "z", "total"]].tolist() == ["30", H, H, H]
    assert shown.loc[2, ["x", "y", "z", "total"]].tolist() == [H, H, H, "75"]
    assert shown.loc[3, ["x", "y", "z", "total"]].tolist() == ["54", "52", "40", "146"]
    assert shown["site"].tolist() == ["A", "B", "C", "Total"]
    assert_nothing_derivable(shown, cols, total_row=True, total_column="total")


def test_only_zeros_left_means_the_total_is_hidden():
    #            x    y   total
    #   A        5   20     25
    #   B        0   30     30
    #   Total    5   50     55
    # Primary: A.x 5, Total.x 5.
    # Pass 1: row A: only A.x hidden -> A.y 20. Column x: A.x, Total.x -> 2, fine.
    #         column y: only A.y hidden -> B.y 30. Total column: nothing hidden.
    #         total row: only Total.x hidden (55 shown) -> Total.y 50.
    # Pass 2: row B: only B.y hidden, the other cell is 0 -> hide the row total B.total 30.
    #         total column: only B.total hidden -> A.total 25.
    # Pass 3: stable. Only the zero and the grand total remain.
    table = pd.DataFrame({"x": [5, 0, 5], "y": [20, 30, 50], "total": [25, 30, 55]})
    shown = suppress_table(table, ["x", "y"], total_row=True, total_column="total")
    assert shown.loc[0].tolist() == [H, H, H]
    assert shown.loc[1].tolist() == ["0", H, H]
    assert shown.loc[2].tolist() == [H, H, "55"]
    assert_nothing_derivable(shown, ["x", "y"], total_row=True, total_column="total")


def test_column_totals_only():
    # Column a: 3 + 40 + 25 = 68 shown in the total row -> hide 3 and the smallest other, 25.
    # Column b has nothing small; rows have no total, so they need nothing.
    table = pd.DataFrame({"a": [3, 40, 25, 68], "b": [12, 13, 14, 39]})
    shown = suppress_table(table, ["a", "b"], total_row=True)
    assert shown["a"].tolist() == [H, "40", H, "68"]
    assert shown["b"].tolist() == ["12", "13", "14", "39"]
    assert_nothing_derivable(shown, ["a", "b"], total_row=True)


def test_threshold_is_configurable():
    table = pd.DataFrame({"a": [15, 30], "b": [40, 50], "total": [55, 80]})
    shown = suppress_table(table, ["a", "b"], threshold=20, total_column="total")
    # 15 <= 20 -> "<21"; the first row then has one hidden cell against a shown total -> 40 hidden too
    assert shown.loc[0].tolist() == ["<21", "<21", "55"]
    assert shown.loc[1].tolist() == ["30", "50", "80"]


def test_unknown_column_is_an_error():
    with pytest.raises(KeyError):
        suppress_table(pd.DataFrame({"a": [1]}), ["a", "missing"])


def test_total_column_may_also_be_listed_as_a_count_column():
    # Same table as the cascade test; listing "total" among the count columns changes nothing.
    table = pd.DataFrame({"x": [4, 30, 20, 54], "y": [0, 12, 40, 52], "z": [0, 25, 15, 40],
                          "total": [4, 67, 75, 146]})
    once = suppress_table(table, ["x", "y", "z"], total_row=True, total_column="total")
    listed = suppress_table(table, ["x", "y", "z", "total"], total_row=True, total_column="total")
    pd.testing.assert_frame_equal(once, listed)


def test_safe_percent_hides_a_small_remainder():
    # 35 of 40 would reveal that 5 did not: hidden; 25 of 40 leaves 15: shown
    assert safe_percent(35, 40) is None
    assert safe_percent(25, 40) == "62 %"   # 62.5 rounds to even with format()
    assert safe_percent(40, 40) == "100 %"  # a remainder of 0 reveals nothing small
