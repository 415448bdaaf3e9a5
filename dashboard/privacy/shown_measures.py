"""The quality measures as they may be shown under a disclosure (as privacy/views.py does for the
overview and cohorts): every count of every measure's steps registered as a cell, with the lines that
link them (each step plus those who left at it is the step before; the denominator plus each
exclusion reason is the closed-window count; the numerator plus those not met is the denominator; the
cohorts add up to the whole program), suppressed together with the views sharing a CellSet (the
admitted counts are the cohort page's own cells). Care team: true counts and the episode lists;
suppressed: marks in place of hidden counts, rates only where they rest on no small count, no episodes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.privacy.auditor import suppress
from dashboard.privacy.cells import CellSet
from dashboard.privacy.marks import label, percent
from dashboard.privacy.policy import Disclosure
from dashboard.views.filters import WHOLE
from dashboard.views.quality_measures import STEP_LABELS, STEPS, Measures, StoredMeasure


@dataclass(frozen=True)
class MeasuresShown:
    disclosure: Disclosure
    dimension: str
    period: tuple  # (first, last) admission date of the selection
    specs: tuple[StoredMeasure, ...]
    notes: dict  # measure_id -> what eligibility means here
    steps: pd.DataFrame  # measure_id, cohort, step, label, episodes (NaN when hidden), mark
    exclusions: pd.DataFrame  # measure_id, cohort, reason, episodes, mark
    rates: (
        pd.DataFrame
    )  # measure_id, rate_id, cohort, numerator, denominator (numbers or marks), shown, rate, low, high
    episodes: (
        Callable[[], pd.DataFrame] | None
    )  # per measure x rate x episode, read when asked: the care team's; None when suppressed
    cohorts: list[str]  # WHOLE last

    def n(self) -> str:
        """The selection's admitted episodes, as text (its mark when hidden)."""
        whole = self.steps[(self.steps["step"] == "admitted") & (self.steps["cohort"] == WHOLE)]
        if not len(whole):
            return "0 episodes admitted in the period"
        return f"{label(whole['episodes'].iloc[0], whole['mark'].iloc[0])} episodes admitted in the period"

    def interval_text(self, row) -> str:
        """'97 % (89–99)', or — when not shown."""
        return f"{row.shown} ({100 * row.low:.0f}–{100 * row.high:.0f})" if isinstance(row.shown, str) else "—"

    def rate_text(self, row) -> str:
        """'59 of 61 · 97 % (89–99)' for the care team; '97 % (89–99)' or — when suppressed."""
        if not isinstance(row.shown, str):  # None (NaN once in a frame): not shown
            return "—"
        interval = self.interval_text(row)
        if self.disclosure.suppressed:
            return interval
        return f"{int(row.numerator):,} of {int(row.denominator):,} · {interval}"


def _key(dimension: str, cohort: str) -> tuple:
    return (WHOLE,) if cohort == WHOLE else (dimension, cohort)


def _counts(m: Measures):
    steps = m.steps.set_index(["measure_id", "cohort"])
    rates = m.rates.set_index(["measure_id", "rate_id", "cohort"])
    excl = m.exclusions.set_index(["measure_id", "cohort", "reason"])["episodes"]
    return steps, rates, excl


def register_measures(cells: CellSet, m: Measures) -> None:
    steps, rates, excl = _counts(m)
    dim = m.filters.dimension
    for spec in m.specs:
        reasons = sorted(m.exclusions.loc[m.exclusions["measure_id"] == spec.id, "reason"].unique())
        members: dict[tuple, list] = {}
        for cohort in m.cohorts:
            ck = _key(dim, cohort)
            row = steps.loc[(spec.id, cohort)] if (spec.id, cohort) in steps.index else None

            def value(step, row=row) -> int:
                return int(row[step]) if row is not None else 0

            keys = {"admitted": cells.add(("admitted", *ck), value("admitted"))}
            for before, step in zip(STEPS[:-2], STEPS[1:-1]):
                keys[step] = cells.add(("measure", spec.id, step, *ck), value(step))
                left = cells.add(("measure", spec.id, f"left at {step}", *ck), value(before) - value(step), shown=False)
                cells.line([keys[step], left], keys[before])
            keys["denominator"] = cells.add(("measure", spec.id, "denominator", *ck), value("denominator"))
            reason_keys = [
                cells.add(("measure", spec.id, "excluded", r, *ck), int(excl.get((spec.id, cohort, r), 0)))
                for r in reasons
            ]
            cells.line([keys["denominator"], *reason_keys], keys["window"])
            for r in reasons:
                keys[("excluded", r)] = ("measure", spec.id, "excluded", r, *ck)
            for rate_id, _ in spec.rates:
                k = (
                    int(rates.loc[(spec.id, rate_id, cohort), "numerator"])
                    if (spec.id, rate_id, cohort) in rates.index
                    else 0
                )
                keys[rate_id] = cells.add(("measure", spec.id, rate_id, "met", *ck), k)
                rest = cells.add(("measure", spec.id, rate_id, "not met", *ck), value("denominator") - k, shown=False)
                cells.line([keys[rate_id], rest], keys["denominator"])
                cells.chain([*(keys[step] for step in STEPS), keys[rate_id]])
            for name, key in keys.items():
                members.setdefault(name, {})[cohort] = key
        if len(m.cohorts) > 1:
            for by_cohort in members.values():
                parts = [k for c, k in by_cohort.items() if c != WHOLE]
                if parts and WHOLE in by_cohort:
                    cells.line(parts, by_cohort[WHOLE])


def materialise_measures(m: Measures, cells: CellSet, marks: dict, disclosure: Disclosure) -> MeasuresShown:
    t, dim, values = disclosure.threshold, m.filters.dimension, cells.values
    intervals = {(r.measure_id, r.rate_id, r.cohort): (r.low, r.high) for r in m.rates.itertuples()}
    excluded: dict[tuple, list] = {}  # (measure, cohort key) -> its exclusion cells
    for key in values:
        if key[0] == "measure" and key[2] == "excluded":
            excluded.setdefault((key[1], key[4:]), []).append(key)
    step_rows, excl_rows, rate_rows = [], [], []
    for spec in m.specs:
        for cohort in m.cohorts:
            ck = _key(dim, cohort)
            for step in STEPS:
                key = ("admitted", *ck) if step == "admitted" else ("measure", spec.id, step, *ck)
                mark = marks.get(key, "")
                step_rows.append(
                    {
                        "measure_id": spec.id,
                        "cohort": cohort,
                        "step": step,
                        "label": STEP_LABELS[step],
                        "episodes": np.nan if mark else values[key],
                        "mark": mark,
                    }
                )
            for key in excluded.get((spec.id, ck), []):
                mark = marks.get(key, "")
                if not mark and not values[key]:
                    continue  # a reason no episode of this cohort has
                excl_rows.append(
                    {
                        "measure_id": spec.id,
                        "cohort": cohort,
                        "reason": key[3],
                        "episodes": np.nan if mark else values[key],
                        "mark": mark,
                    }
                )
            d_key = ("measure", spec.id, "denominator", *ck)
            for rate_id, _ in spec.rates:
                k_key = ("measure", spec.id, rate_id, "met", *ck)
                k, n = values[k_key], values[d_key]
                shown = None if marks.get(k_key) or marks.get(d_key) else percent(k, n, t)
                low, high = intervals.get((spec.id, rate_id, cohort), (np.nan, np.nan))
                rate_rows.append(
                    {
                        "measure_id": spec.id,
                        "rate_id": rate_id,
                        "cohort": cohort,
                        "numerator": marks.get(k_key) or int(k),
                        "denominator": marks.get(d_key) or int(n),
                        "shown": shown,
                        "rate": np.nan if shown is None else k / n,
                        "low": np.nan if shown is None else low,
                        "high": np.nan if shown is None else high,
                    }
                )
    return MeasuresShown(
        disclosure,
        dim,
        (m.filters.start, m.filters.end),
        m.specs,
        {s.id: m.eligibility_note(s) for s in m.specs},
        pd.DataFrame(step_rows, columns=["measure_id", "cohort", "step", "label", "episodes", "mark"]),
        pd.DataFrame(excl_rows, columns=["measure_id", "cohort", "reason", "episodes", "mark"]),
        pd.DataFrame(
            rate_rows,
            columns=["measure_id", "rate_id", "cohort", "numerator", "denominator", "shown", "rate", "low", "high"],
        ),
        None if t else m.episodes,
        m.cohorts,
    )


def shown_measures(m: Measures, disclosure: Disclosure) -> MeasuresShown:
    cells = CellSet()
    register_measures(cells, m)
    return materialise_measures(m, cells, suppress(cells, disclosure.threshold)[0], disclosure)


def shown_trend(trend: pd.DataFrame, disclosure: Disclosure) -> pd.DataFrame:
    """Rates by quarter: each only where it rests on no count from 1 to the threshold (no counts are
    shown beside them when suppressed)."""
    t = disclosure.threshold
    shown = [percent(k, n, t) for k, n in zip(trend["numerator"], trend["denominator"])]
    out = trend.assign(shown=shown)
    out = out[out["shown"].notna()].reset_index(drop=True)
    if t:
        out = out.drop(columns=["numerator", "denominator"])
    return out
