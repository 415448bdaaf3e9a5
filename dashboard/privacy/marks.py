"""What the views that leave the program have in common: how a count reads (its mark when hidden), the
completeness funnel's steps and how they nest, and a frame's counts replaced by their marks. The
overview, cohort and quality measure views (shown_*.py) register their cells with these."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from dashboard.privacy.cells import CellSet
from dashboard.privacy.counts import safe_percent

FUNNEL = ["expected", "with_baseline", "two_or_more_scores", "discharged", "discharge_score"]
# the overview's completeness starts from the episodes in treatment during the range (not those admitted in
# it, as the cohort pages do): its first bar says so
IN_TREATMENT = "in treatment in the range"
FUNNEL_LABELS = ["expected to take it", "baseline", "2+ scores", "discharged", "discharge score"]
NESTED = [
    ("expected", "admitted"),
    ("with_baseline", "expected"),
    ("with_baseline", "admitted"),
    ("two_or_more_scores", "with_baseline"),
    ("two_or_more_scores", "expected"),
    ("two_or_more_scores", "admitted"),
    ("discharged", "expected"),
    ("discharged", "admitted"),
    ("discharge_score", "discharged"),
    ("discharge_score", "expected"),
    ("discharge_score", "admitted"),
]
# each step is a subset of the other (directly or down the chain): every difference is a count too
CHAINS = (
    ("admitted", "expected", "with_baseline", "two_or_more_scores"),
    ("expected", "discharged", "discharge_score"),
)
MILESTONES = (2, 4, 6, 8, 10, 12)  # retention weeks shown when suppressed
NO_SCORE = "no_score"  # episodes without a score on the instrument


def label(value, mark: str = "") -> str:
    """A count as text: its mark when hidden, else with thousands separators."""
    if mark:
        return mark
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{int(value):,}"


def count_or_mark(value, mark):
    """A count for a table or a file: the number itself, or the mark in its place."""
    return mark if mark else int(value)


def percent(k, n, threshold: int) -> str | None:
    if threshold:
        return safe_percent(k, n, threshold)
    return None if not n or pd.isna(n) else f"{100 * k / n:.0f} %"


def register_funnel(cells: CellSet, row, prefix: tuple, admitted_key) -> None:
    """The funnel's steps, each a subset of an earlier one (the differences are counts too)."""
    if row is None:
        return
    keys = {"admitted": admitted_key}
    for step in FUNNEL:
        keys[step] = cells.add((*prefix, step), row[step])
    for step, parent in NESTED:
        rest = cells.add((*prefix, f"{parent} not {step}"), row[parent] - row[step], shown=False)
        cells.line([keys[step], rest], keys[parent])
    for chain in CHAINS:  # a hidden step between two shown ones of the same count would be known
        cells.chain(keys[step] for step in chain)


def marked(frame: pd.DataFrame, column: str, keys: list, marks: dict) -> pd.DataFrame:
    out = frame.copy()
    out["mark"] = [marks.get(k, "") for k in keys]
    out[column] = [np.nan if m else float(v) for v, m in zip(frame[column], out["mark"])]
    return out
