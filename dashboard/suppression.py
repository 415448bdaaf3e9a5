"""Small-cell suppression for every count the dashboard shows or exports.

ResDAC CMS Cell Size Suppression Policy: no count from 1 to 10 may be shown, nor be derivable
from other figures shown (e.g. a total minus the other cells). Zero may be shown. Suppressed
counts read "<11"; percentages are hidden when their numerator or denominator is 1-10."""
from __future__ import annotations

import numpy as np
import pandas as pd

THRESHOLD = 10
SUPPRESSED = f"<{THRESHOLD + 1}"  # shown instead of a count from 1 to the threshold


def _missing(n) -> bool:
    return n is None or (not isinstance(n, str) and bool(pd.isna(n)))


def is_small(n, threshold: int = THRESHOLD) -> bool:
    """True for a count from 1 to threshold, which must not be shown (ResDAC CMS Cell Size
    Suppression Policy). 0 and missing values are not small."""
    return not _missing(n) and 1 <= n <= threshold


def format_count(n, threshold: int = THRESHOLD) -> str:
    """A count as display text: "<11" (f"<{threshold + 1}") when small, else with thousands
    separators ("1,234"); "" for a missing value. ResDAC CMS Cell Size Suppression Policy."""
    if _missing(n):
        return ""
    if is_small(n, threshold):
        return f"<{threshold + 1}"
    return f"{int(n):,}"


def safe_percent(numerator, denominator, threshold: int = THRESHOLD, digits: int = 0) -> str | None:
    """'37 %' (rounded to digits), or None when the numerator, the denominator or their difference
    is 1..threshold, or the denominator is 0 or missing: a rate on a small count (or on a small
    remainder: 35 of 40 reveals 5) would let the count be recovered (ResDAC CMS Cell Size
    Suppression Policy)."""
    if _missing(numerator) or _missing(denominator) or denominator == 0:
        return None
    if is_small(numerator, threshold) or is_small(denominator, threshold) or is_small(denominator - numerator, threshold):
        return None
    return f"{100 * numerator / denominator:.{digits}f} %"


def _lines(body_rows: list[int], body_cols: list[int], total_row: int | None,
           total_col: int | None) -> list[tuple[list[tuple[int, int]], tuple[int, int]]]:
    """Every additive constraint a reader can see: (member cells, total cell) for each row whose
    total is shown in a total column, each column whose total is in the total row, and — with
    both — the total column and the total row against the grand total."""
    lines = []
    if total_col is not None:
        lines += [([(r, c) for c in body_cols], (r, total_col)) for r in body_rows]
    if total_row is not None:
        lines += [([(r, c) for r in body_rows], (total_row, c)) for c in body_cols]
    if total_row is not None and total_col is not None:
        grand = (total_row, total_col)
        lines.append(([(r, total_col) for r in body_rows], grand))
        lines.append(([(total_row, c) for c in body_cols], grand))
    return lines


def _complement_once(values: np.ndarray, hidden: np.ndarray, members: list[tuple[int, int]],
                     total: tuple[int, int]) -> bool:
    """Protect one line (members + total) that has exactly one hidden cell, since that cell is
    then the total minus the others (or, if it is the total, their sum): hide the smallest
    non-zero shown member, or the total when only zeros are left. True when a cell was hidden."""
    if np.isnan(values[total]):
        return False  # no total shown, nothing to subtract from
    cells = members + [total]
    if sum(hidden[cell] for cell in cells) != 1:
        return False
    # Zeros are known exactly, so hiding one adds no uncertainty: only non-zero cells protect.
    candidates = [cell for cell in members if not hidden[cell] and values[cell] > 0]
    if candidates:
        hidden[min(candidates, key=lambda cell: values[cell])] = True
        return True
    if not hidden[total] and values[total] > 0:
        hidden[total] = True
        return True
    return False


def suppression_mask(values: np.ndarray, threshold: int = THRESHOLD, total_row: bool = False,
                     total_col: int | None = None) -> np.ndarray:
    """Boolean mask of cells to hide in a 2-D array of counts (NaN = missing, never hidden).

    ResDAC CMS Cell Size Suppression Policy. Primary: every cell 1..threshold, totals included.
    Complementary, repeated until nothing changes: each line with a shown total (rows when
    total_col is given; columns when total_row is True, the last row holding column totals) that
    has exactly one hidden cell gets its smallest non-zero shown cell hidden too, or its total
    when only zeros are left. Lines are visited rows first, then columns, then the total column
    and total row, so the result is deterministic."""
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        hidden = (values >= 1) & (values <= threshold)
    n_rows, n_cols = values.shape
    last_row = n_rows - 1 if total_row else None
    body_rows = [r for r in range(n_rows) if r != last_row]
    body_cols = [c for c in range(n_cols) if c != total_col]
    lines = _lines(body_rows, body_cols, last_row, total_col)
    changed = True
    while changed:
        changed = False
        for members, total in lines:
            changed |= _complement_once(values, hidden, members, total)
    return hidden


def suppress_table(table: pd.DataFrame, count_columns: list[str], threshold: int = THRESHOLD,
                   total_row: bool = False, total_column: str | None = None) -> pd.DataFrame:
    """Primary and complementary suppression of a table of counts, so that no cell of 1..threshold
    is shown or derivable by subtraction (ResDAC CMS Cell Size Suppression Policy).

    Returns a copy where every count column (count_columns and total_column) is text: suppressed
    cells read "<11", the rest are formatted counts; other columns are untouched. A row can leak
    only when total_column gives its total; a column only when total_row is True (the last row
    holds the column totals). See suppression_mask for the rules."""
    columns = list(dict.fromkeys([*count_columns, *([total_column] if total_column else [])]))
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise KeyError(f"count columns not in the table: {missing}")
    if total_row and len(table) == 0:
        raise ValueError("total_row=True needs at least the total row")
    values = table[columns].apply(pd.to_numeric, errors="raise").to_numpy(dtype=float)
    total_col = columns.index(total_column) if total_column else None
    hidden = suppression_mask(values, threshold, total_row=total_row, total_col=total_col)

    shown = table.copy()
    for j, column in enumerate(columns):
        shown[column] = pd.Series(
            [f"<{threshold + 1}" if hidden[i, j] else format_count(v, threshold)
             for i, v in enumerate(values[:, j])],
            index=table.index, dtype=object)
    return shown
