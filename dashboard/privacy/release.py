"""What an external role (quality) sees: a fixed set of views per completed quarter, suppressed
together. Free combinations of dates, track, clinician and age group cannot be made safe (the
difference between two nearby selections can be one person), so external views offer whole
completed quarters (disjoint, and no longer changing with each load) and one grouping at a time;
the overview and every grouping and instrument of the cohort page for that quarter share one
CellSet, so a count hidden in one view is hidden in every view that shows it."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from dashboard import db
from dashboard.cohorts import cohort_outcomes
from dashboard.filters import WHOLE, Filters, instrument_choices, options, primary_instrument
from dashboard.measures import quality_measures
from dashboard.overview import program_overview
from dashboard.privacy import measure_views, views
from dashboard.privacy.cells import CellSet
from dashboard.privacy.policy import Disclosure, threshold

DIMENSIONS = ("month", "track", "clinician", "age group")   # one grouping at a time, each beside the whole program
MEASURE_DIMENSIONS = ("track", "clinician", "age group")   # the quality measures', with the equity fields recorded


@dataclass(frozen=True)
class Quarter:
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"

    def filters(self, dimension: str = "month") -> Filters:
        return Filters(self.start, self.end, dimension=dimension)


def quarters(first_admission: dt.date, data_as_of: dt.date) -> list[Quarter]:
    """Calendar quarters from the first admission's to the last one that ended by the data date, latest first."""
    out = []
    start = pd.Timestamp(first_admission).to_period("Q").start_time.date()
    while True:
        end = (pd.Timestamp(start) + pd.offsets.QuarterEnd(0)).date()
        if end > data_as_of:
            break
        out.append(Quarter(start, end))
        start = end + dt.timedelta(days=1)
    return out[::-1]


@dataclass(frozen=True)
class Release:
    quarter: Quarter
    overview: views.OverviewShown
    cohorts: dict        # (dimension, instrument) -> views.CohortsShown
    measures: dict       # dimension -> measure_views.MeasuresShown


def measure_dimensions(group_fields) -> tuple[str, ...]:
    """The groupings of the quality measures' release: track, clinician, age group and each equity field."""
    return (*MEASURE_DIMENSIONS, *group_fields)


_BUILT: dict[tuple, Release] = {}     # the releases built from the live file, for released()


def _key(quarter: Quarter, instruments: tuple[str, ...], primary: str, threshold: int) -> tuple:
    path = db.db_path()
    return (str(path), path.stat().st_mtime_ns, db.current(), quarter, instruments, primary, threshold,
            tuple(options().group_fields))


def quarter_release(quarter: Quarter, instruments: tuple[str, ...], primary: str, threshold: int) -> Release:
    key = _key(quarter, instruments, primary, threshold)
    built = _release(*key)
    for old in [k for k in _BUILT if k[:2] != key[:2]]:    # another file, or an earlier version of it
        _BUILT.pop(old, None)
    _BUILT[key] = built
    return built


def released(quarter: Quarter, instruments: tuple[str, ...], primary: str, threshold: int) -> Release | None:
    """The quarter's release if it has been built from the live file (by a page or the warm-up after
    a load), else None: never built here, as it takes seconds."""
    return _BUILT.get(_key(quarter, instruments, primary, threshold))


def measure_trend(quarters_: list[Quarter], instruments: tuple[str, ...], primary: str, threshold: int) -> pd.DataFrame:
    """Each measure's whole-program rate by quarter as each quarter's own release shows it (a rate is
    hidden wherever that release hides its numerator or denominator), for the quarters whose release
    is built: measure_id, rate_id, quarter_start, shown, rate, low, high."""
    frames = []
    for q in quarters_:
        r = released(q, instruments, primary, threshold)
        if r is None or not r.measures:
            continue
        rates = next(iter(r.measures.values())).rates     # the whole program's cells are the same in every grouping
        whole = rates[(rates["cohort"] == WHOLE) & rates["shown"].map(lambda v: isinstance(v, str))]
        frames.append(whole.assign(quarter_start=pd.Timestamp(q.start))[
            ["measure_id", "rate_id", "quarter_start", "shown", "rate", "low", "high"]])
    columns = ["measure_id", "rate_id", "quarter_start", "shown", "rate", "low", "high"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


@lru_cache(maxsize=32)   # a few quarters, instruments and thresholds of one file
def _release(path: str, version: int, scope: db.Scope | None, quarter: Quarter, instruments: tuple[str, ...],
             primary: str, threshold: int, group_fields: tuple[str, ...]) -> Release:
    """Built once per database file version (a load replaces the file) and quarter."""
    cells = CellSet()
    overview = program_overview(quarter.filters(), primary)
    views.register_overview(cells, overview, primary)
    cohorts = {}
    for dimension in DIMENSIONS:
        for instrument in instruments:
            c = cohort_outcomes(quarter.filters(dimension), instrument)
            views.register_cohorts(cells, c)
            cohorts[(dimension, instrument)] = c
    measures = {}
    for dimension in measure_dimensions(group_fields):
        measures[dimension] = quality_measures(quarter.filters(dimension))
        measure_views.register_measures(cells, measures[dimension])
    marks = cells.solve(threshold)
    disclosure = Disclosure(threshold)
    return Release(quarter, views.materialise_overview(overview, marks, disclosure, primary),
                   {k: views.materialise_cohorts(c, cells, marks, disclosure) for k, c in cohorts.items()},
                   {k: measure_views.materialise_measures(m, cells, marks, disclosure) for k, m in measures.items()})


def warm() -> None:
    """The latest completed quarter's release with the program's primary instrument (what the quality
    role's pages open on), built after each load so that its first visitor does not wait for it (about
    6 s on the demo). The same cache and key as the pages' own calls. Earlier quarters are built when
    the quality measures' trend first asks for them (prepare_trend): all of them after every load would
    keep the server busy for half a minute."""
    if not threshold():
        return
    try:
        with db.scoped(db.Scope()):     # the whole program: the external roles' scope
            opts = options()
            periods = quarters(opts.first_admission, opts.data_as_of)
            if periods:
                quarter_release(periods[0], tuple(instrument_choices(opts)), primary_instrument(opts), threshold())
    except Exception:   # a warm-up never fails a page: the page builds what is missing itself
        return


_PREPARING: set[tuple] = set()     # (file, version) whose earlier quarters are being built


def prepare_trend(quarters_: list[Quarter], instruments: tuple[str, ...], primary: str, threshold_: int) -> bool:
    """Build in the background the releases of these quarters that are not built yet (once per file
    version; IOP_WARM=0 turns it off as it does the warm-up). True while some are being built."""
    missing = [q for q in quarters_ if released(q, instruments, primary, threshold_) is None]
    if not missing or os.environ.get("IOP_WARM", "1") == "0":
        return False
    key = _key(missing[0], instruments, primary, threshold_)[:2]
    if key in _PREPARING:
        return True
    _PREPARING.add(key)
    scope = db.current()

    def build() -> None:
        try:
            with db.scoped(scope):
                for q in missing:
                    quarter_release(q, instruments, primary, threshold_)
        except Exception:   # like the warm-up: a page builds what it needs itself
            return
    db.in_background(build, "warm quarters for the trend")
    return True


db.after_load(warm)
