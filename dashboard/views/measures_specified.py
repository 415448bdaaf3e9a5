"""The quality measures as their specifications count them (mart measure_specified; docs/measures.md,
the conformance table): for one measurement period, each measure's steps from everyone with a
candidate index event (DMS-E: member-periods with an attended session) to its numerator, its rates
with Wilson intervals, and where each count's diagnoses came from. This is what the submission file
holds; the page's per-episode tables (quality_measures.py) are the program's own view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.store import db
from dashboard.views.quality_measures import IN_DENOMINATOR, rate_rows

# the steps of the specified count, in order; a row's stopped_at names the step it did not pass
STEPS = ("candidates", "eligible", "window", "denominator")
STEP_LABELS = {
    "candidates": "with a candidate index event",
    "eligible": "index event (diagnosis and age)",
    "window": "window closed",
    "denominator": "denominator (after exclusions)",
}
STOPPED_BEFORE = {
    "eligible": ("eligible",),
    "window": ("eligible", "window"),
    "denominator": ("eligible", "window", "excluded"),
}
SOURCES = ("ICD-10 diagnoses", "roster diagnosis group", "not recorded")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    ended: bool

    @property
    def label(self) -> str:
        return f"{self.start:%d %b %Y} to {self.end:%d %b %Y}" + ("" if self.ended else " (not ended)")


@dataclass(frozen=True)
class Specified:
    period: Period
    steps: pd.DataFrame  # measure_id, candidates, eligible, window, denominator
    exclusions: pd.DataFrame  # measure_id, reason, units
    rates: pd.DataFrame  # measure_id, rate_id, numerator, denominator, rate, low, high
    sources: pd.DataFrame  # measure_id, dx_source, units (of those with an index event)

    def rows(self, measure_id: str) -> pd.DataFrame:
        """The care team's list behind a measure's count (its first rate), read when asked for."""
        return specified_rows(self.period.start, measure_id)


def periods() -> list[Period]:
    """The measurement periods with rows, latest first."""
    frame = db.query("quality_measures/specified_periods")
    return [Period(r.period_start.date(), r.period_end.date(), bool(r.ended)) for r in frame.itertuples()]


def steps(counts: pd.DataFrame) -> pd.DataFrame:
    first = counts[counts["rate_position"] == 0]
    stopped, n = first["stopped_at"], first["units"]
    passed = first.assign(
        candidates=n, **{step: n.where(~stopped.isin(before), 0) for step, before in STOPPED_BEFORE.items()}
    )
    return passed.groupby("measure_id", sort=True)[list(STEPS)].sum().astype(int).reset_index()


def sources(counts: pd.DataFrame) -> pd.DataFrame:
    """Where the diagnoses of those with an index event came from, per measure."""
    first = counts[(counts["rate_position"] == 0) & (counts["stopped_at"] != "eligible")]
    return first.groupby(["measure_id", "dx_source"], sort=True)["units"].sum().astype(int).reset_index()


def exclusions(counts: pd.DataFrame) -> pd.DataFrame:
    first = counts[(counts["rate_position"] == 0) & (counts["stopped_at"] == "excluded")]
    return first.groupby(["measure_id", "reason"], sort=True)["units"].sum().astype(int).reset_index()


def rates(counts: pd.DataFrame) -> pd.DataFrame:
    return rate_rows(counts[counts["stopped_at"].isin(IN_DENOMINATOR)], ["measure_id", "rate_id"], "units", sort=True)


def specified(period: Period) -> Specified:
    """The period's specified counts: made once per load (db.kept)."""
    return db.kept(_specified, period)


def _specified(period: Period) -> Specified:
    counts = db.query("quality_measures/specified", period_start=period.start)
    return Specified(period, steps(counts), exclusions(counts), rates(counts), sources(counts))


def specified_rows(period_start: dt.date, measure_id: str) -> pd.DataFrame:
    return db.kept(_rows, period_start, measure_id)


def _rows(period_start: dt.date, measure_id: str) -> pd.DataFrame:
    return db.query("quality_measures/specified_rows", period_start=period_start, measure_id=measure_id)
