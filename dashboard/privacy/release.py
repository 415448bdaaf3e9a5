"""What an external role (quality) sees: a fixed set of views per completed quarter, suppressed
together. Free combinations of dates, track, clinician and age group cannot be made safe (the
difference between two nearby selections can be one person), so external views offer whole
completed quarters (disjoint, and no longer changing with each load) and one grouping at a time;
the overview, every grouping and instrument of the cohort page and every grouping of the quality
measures for that quarter share one CellSet, so a count hidden in one view is hidden in every view
that shows it; then the auditor (auditor.py) solves what a reader of all of them together can work
out and hides more until no small count can be narrowed. Its verdict is kept with the release."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import pandas as pd

from dashboard.privacy import shown_cohorts, shown_measures, shown_overview
from dashboard.privacy.auditor import Verdict, suppress
from dashboard.privacy.cells import CellSet
from dashboard.privacy.policy import Disclosure, threshold
from dashboard.store import background, db
from dashboard.views.cohorts import cohort_outcomes
from dashboard.views.filters import WHOLE, Filters, instrument_choices, options, primary_instrument
from dashboard.views.overview import program_overview
from dashboard.views.quality_measures import quality_measures

DIMENSIONS = ("month", "track", "clinician", "age group")  # one grouping at a time, each beside the whole program
MEASURE_DIMENSIONS = ("track", "clinician", "age group")  # the quality measures', with the equity fields recorded
SITE = "site"  # the cohorts' release also goes by site, where the program records sites (episode_groups)


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
    overview: shown_overview.OverviewShown
    cohorts: dict  # (dimension, instrument) -> shown_cohorts.CohortsShown
    measures: dict  # dimension -> shown_measures.MeasuresShown
    verdict: Verdict  # the auditor's: what a reader of the whole release could work out, and what it hid for it


def measure_dimensions(group_fields) -> tuple[str, ...]:
    """The groupings of the quality measures' release: track, clinician, age group and each equity field."""
    return (*MEASURE_DIMENSIONS, *group_fields)


def cohort_dimensions(group_fields) -> tuple[str, ...]:
    """The groupings of the cohorts' release: month, track, clinician, age group, and site where recorded."""
    return (*DIMENSIONS, *((SITE,) if SITE in group_fields else ()))


def _args(quarter: Quarter, instruments: tuple[str, ...], primary: str, threshold_: int) -> tuple:
    return quarter, instruments, primary, threshold_, tuple(options().group_fields)


def quarter_release(quarter: Quarter, instruments: tuple[str, ...], primary: str, threshold_: int) -> Release:
    """The quarter's release, built once per database file (a load replaces it): kept by db.kept."""
    return db.kept(_release, *_args(quarter, instruments, primary, threshold_))


def released(quarter: Quarter, instruments: tuple[str, ...], primary: str, threshold_: int) -> Release | None:
    """The quarter's release if it has been built from the live file (by a page or the warm-up after
    a load), else None: never built here, as it takes seconds."""
    return db.peek(_release, *_args(quarter, instruments, primary, threshold_))


def measure_trend(
    quarters_: list[Quarter], instruments: tuple[str, ...], primary: str, threshold_: int
) -> pd.DataFrame:
    """Each measure's whole-program rate by quarter as each quarter's own release shows it (a rate is
    hidden wherever that release hides its numerator or denominator), for the quarters whose release
    is built: measure_id, rate_id, quarter_start, shown, rate, low, high."""
    frames = []
    for q in quarters_:
        r = released(q, instruments, primary, threshold_)
        if r is None or not r.measures:
            continue
        rates = next(iter(r.measures.values())).rates  # the whole program's cells are the same in every grouping
        whole = rates[(rates["cohort"] == WHOLE) & rates["shown"].map(lambda v: isinstance(v, str))]
        frames.append(
            whole.assign(quarter_start=pd.Timestamp(q.start))[
                ["measure_id", "rate_id", "quarter_start", "shown", "rate", "low", "high"]
            ]
        )
    columns = ["measure_id", "rate_id", "quarter_start", "shown", "rate", "low", "high"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def _release(
    quarter: Quarter, instruments: tuple[str, ...], primary: str, threshold_: int, group_fields: tuple[str, ...]
) -> Release:
    cells = CellSet()
    overview = program_overview(quarter.filters(), primary)
    shown_overview.register_overview(cells, overview, primary)
    cohorts = {}
    for dimension in cohort_dimensions(group_fields):
        for instrument in instruments:
            c = cohort_outcomes(quarter.filters(dimension), instrument)
            shown_cohorts.register_cohorts(cells, c)
            cohorts[(dimension, instrument)] = c
    measures = {}
    for dimension in measure_dimensions(group_fields):
        measures[dimension] = quality_measures(quarter.filters(dimension))
        shown_measures.register_measures(cells, measures[dimension])
    marks, verdict = suppress(cells, threshold_)
    disclosure = Disclosure(threshold_)
    return Release(
        quarter,
        shown_overview.materialise_overview(overview, marks, disclosure, primary),
        {k: shown_cohorts.materialise_cohorts(c, cells, marks, disclosure) for k, c in cohorts.items()},
        {k: shown_measures.materialise_measures(m, cells, marks, disclosure) for k, m in measures.items()},
        verdict,
    )


def warm() -> None:
    """The latest completed quarter's release with the program's primary instrument (what the quality
    role's pages open on), built after each load so that its first visitor does not wait for it (about
    6 s on the demo). The same cache and key as the pages' own calls. Earlier quarters are built when
    the quality measures' trend first asks for them (prepare_trend): all of them after every load would
    keep the server busy for half a minute."""
    with db.scoped(db.EVERYTHING):  # the whole program: the external roles' scope
        if not threshold():
            return
        opts = options()
        periods = quarters(opts.first_admission, opts.data_as_of)
        if periods:
            quarter_release(periods[0], tuple(instrument_choices(opts)), primary_instrument(opts), threshold())


TREND = "earlier quarters of the trend"  # the background build's name (background.failure)
_PREPARING: set[tuple] = set()  # the file versions whose earlier quarters are being built


def prepare_trend(quarters_: list[Quarter], instruments: tuple[str, ...], primary: str, threshold_: int) -> bool:
    """Build in the background the releases of these quarters that are not built yet (once per file
    version; IOP_WARM=0 turns it off as it does the warm-up). True while some are being built; a
    build that failed is not started again for the same file (background.failure(TREND) says why)."""
    missing = [q for q in quarters_ if released(q, instruments, primary, threshold_) is None]
    if not missing or os.environ.get("IOP_WARM", "1") == "0":
        return False
    held = db.version()
    if held in _PREPARING:
        return background.failure(TREND) is None
    _PREPARING.add(held)
    scope = db.current()

    def build() -> None:
        with db.scoped(scope):
            for q in missing:
                quarter_release(q, instruments, primary, threshold_)

    background.in_background(build, TREND)
    return True


background.after_load(warm)
