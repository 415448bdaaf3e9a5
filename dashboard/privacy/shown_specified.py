"""The specified count (views/measures_specified.py) as it may be shown under a disclosure: every count
registered as a cell with the sums a reader can check (each step plus those who left at it is the step
before; the denominator plus each exclusion reason is the closed-window count; met plus not met is the
denominator; the diagnosis sources add up to the index events), suppressed line by line and audited
(auditor.py) as a release of its own: its unit (a participant in a measurement period) is not the
quarter release's (an episode admitted in a quarter), so no sum links the two. Care team: true counts
and the list behind them; suppressed: marks in place of hidden counts, rates only where they rest on
no small count, no list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.privacy.auditor import Verdict, suppress
from dashboard.privacy.cells import CellSet
from dashboard.privacy.marks import label, percent
from dashboard.privacy.policy import Disclosure
from dashboard.views.measures_specified import SOURCES, STEP_LABELS, STEPS, Period, Specified
from dashboard.views.quality_measures import StoredMeasure


@dataclass(frozen=True)
class SpecifiedShown:
    disclosure: Disclosure
    period: Period
    specs: tuple[StoredMeasure, ...]  # the measures counted as specified, in the catalogue's order
    steps: pd.DataFrame  # measure_id, step, label, units (NaN when hidden), mark
    exclusions: pd.DataFrame  # measure_id, reason, units, mark
    rates: pd.DataFrame  # measure_id, rate_id, numerator, denominator (numbers or marks), shown, rate, low, high
    sources: pd.DataFrame  # measure_id, dx_source, units, mark
    rows: Callable[[str], pd.DataFrame] | None  # a measure's list for the care team; None when suppressed
    verdict: Verdict

    def n(self) -> str:
        return f"measurement period {self.period.label}"

    def count(self, measure_id: str, step: str) -> str:
        r = self.steps[(self.steps["measure_id"] == measure_id) & (self.steps["step"] == step)].iloc[0]
        return label(r["units"], r["mark"])


def register(cells: CellSet, s: Specified, specs: tuple[StoredMeasure, ...]) -> None:
    steps = s.steps.set_index("measure_id")
    rates = s.rates.set_index(["measure_id", "rate_id"])
    for spec in specs:
        row = steps.loc[spec.id] if spec.id in steps.index else None

        def value(step, row=row) -> int:
            return int(row[step]) if row is not None else 0

        keys = {step: cells.add(("specified", spec.id, step), value(step)) for step in STEPS}
        for before, step in zip(STEPS[:-1], STEPS[1:]):
            if step == "denominator":
                continue  # the exclusions' line below
            left = cells.add(("specified", spec.id, f"left at {step}"), value(before) - value(step), shown=False)
            cells.line([keys[step], left], keys[before])
        reasons = s.exclusions[s.exclusions["measure_id"] == spec.id]
        reason_keys = [cells.add(("specified", spec.id, "excluded", r.reason), r.units) for r in reasons.itertuples()]
        cells.line([keys["denominator"], *reason_keys], keys["window"])
        source = s.sources[s.sources["measure_id"] == spec.id].set_index("dx_source")["units"]
        source_keys = [cells.add(("specified", spec.id, "source", x), int(source.get(x, 0))) for x in SOURCES]
        cells.line(source_keys, keys["eligible"])
        for rate_id, _ in spec.rates:
            k = int(rates.loc[(spec.id, rate_id), "numerator"]) if (spec.id, rate_id) in rates.index else 0
            met = cells.add(("specified", spec.id, rate_id, "met"), k)
            rest = cells.add(("specified", spec.id, rate_id, "not met"), value("denominator") - k, shown=False)
            cells.line([met, rest], keys["denominator"])
            cells.chain([*(keys[step] for step in STEPS), met])


def materialise(
    s: Specified, specs: tuple[StoredMeasure, ...], cells: CellSet, marks: dict, disclosure: Disclosure, verdict
) -> SpecifiedShown:
    t, values = disclosure.threshold, cells.values
    intervals = {(r.measure_id, r.rate_id): (r.low, r.high) for r in s.rates.itertuples()}
    step_rows, excl_rows, rate_rows, source_rows = [], [], [], []
    for spec in specs:
        for step in STEPS:
            key = ("specified", spec.id, step)
            mark = marks.get(key, "")
            step_rows.append(
                {
                    "measure_id": spec.id,
                    "step": step,
                    "label": STEP_LABELS[step],
                    "units": np.nan if mark else values[key],
                    "mark": mark,
                }
            )
        for key in [k for k in values if k[:3] == ("specified", spec.id, "excluded")]:
            mark = marks.get(key, "")
            excl_rows.append(
                {"measure_id": spec.id, "reason": key[3], "units": np.nan if mark else values[key], "mark": mark}
            )
        for x in SOURCES:
            key = ("specified", spec.id, "source", x)
            mark = marks.get(key, "")
            if mark or values[key]:
                source_rows.append(
                    {"measure_id": spec.id, "dx_source": x, "units": np.nan if mark else values[key], "mark": mark}
                )
        d_key = ("specified", spec.id, "denominator")
        for rate_id, _ in spec.rates:
            k_key = ("specified", spec.id, rate_id, "met")
            k, n = values[k_key], values[d_key]
            shown = None if marks.get(k_key) or marks.get(d_key) else percent(k, n, t)
            low, high = intervals.get((spec.id, rate_id), (np.nan, np.nan))
            rate_rows.append(
                {
                    "measure_id": spec.id,
                    "rate_id": rate_id,
                    "numerator": marks.get(k_key) or int(k),
                    "denominator": marks.get(d_key) or int(n),
                    "shown": shown,
                    "rate": np.nan if shown is None else (k / n if n else np.nan),
                    "low": np.nan if shown is None else low,
                    "high": np.nan if shown is None else high,
                }
            )
    return SpecifiedShown(
        disclosure,
        s.period,
        specs,
        pd.DataFrame(step_rows, columns=["measure_id", "step", "label", "units", "mark"]),
        pd.DataFrame(excl_rows, columns=["measure_id", "reason", "units", "mark"]),
        pd.DataFrame(
            rate_rows, columns=["measure_id", "rate_id", "numerator", "denominator", "shown", "rate", "low", "high"]
        ),
        pd.DataFrame(source_rows, columns=["measure_id", "dx_source", "units", "mark"]),
        None if t else s.rows,
        verdict,
    )


def shown_specified(s: Specified, specs: tuple[StoredMeasure, ...], disclosure: Disclosure) -> SpecifiedShown:
    """Suppressed and audited as one release (true counts when the disclosure has no threshold)."""
    specs = tuple(spec for spec in specs if spec.id in set(s.steps["measure_id"]))
    cells = CellSet()
    register(cells, s, specs)
    marks, verdict = suppress(cells, disclosure.threshold)
    return materialise(s, specs, cells, marks, disclosure, verdict)
