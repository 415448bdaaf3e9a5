"""What the overview, cohort and quality measures pages show, for a role and a selection, and how
each file of theirs is built. The care team (director) gets its selection with true counts, marked
internal; an external role (quality) gets a whole completed quarter and one grouping, from the
jointly suppressed release (privacy/release.py). Files are suppressed unless a care-team member
chooses otherwise. The choosing happens on the page (dashboard/ui/selection.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

from dashboard.privacy import policy, release, shown_cohorts, shown_measures, shown_overview, shown_specified
from dashboard.privacy.policy import Disclosure
from dashboard.store import background, db
from dashboard.views.cohorts import cohort_outcomes
from dashboard.views.filters import FilterOptions, Filters, instrument_choices, primary_instrument
from dashboard.views.measures_specified import Period, periods, specified
from dashboard.views.overview import program_overview
from dashboard.views.quality_measures import quality_measures, stored_specs, trend


@dataclass(frozen=True)
class PageData:
    page: str  # the page's address, for the audit log
    role: str
    described: str  # the selection, for captions and files
    end: dt.date  # the selection's last day
    data_as_of: dt.date
    shown: object  # the payload on screen (OverviewShown, CohortsShown or MeasuresShown)
    for_file: Callable[[bool], object]  # suppress? -> the payload for a file
    pack_cohorts: Callable[[bool], object] | None = None  # the board pack's cohort half, built when asked for
    instrument: str = ""
    score_range: tuple[float, float] = (0, 0)  # the instrument's total range (for the intake/latest scatter)
    trend: object = None  # measures: rates by quarter as they may be shown
    trend_note: str = ""  # measures, external: why earlier quarters are missing from the trend
    filters: Filters | None = None  # the care team's selection (their identified extracts); None: external
    audit_note: str = ""  # external: the release auditor's verdict on the quarter, in words

    @property
    def privacy_note(self) -> str:
        """What the counts are, and for a release what its audit found."""
        note = self.shown.disclosure.note()
        return f"{note}. Release audit: {self.audit_note}" if self.audit_note else note

    @property
    def external(self) -> bool:
        return policy.external(self.role)

    @cached_property
    def shared(self) -> object:
        """The payload as a file for sharing shows it (suppressed): made once per page run, however many
        tables say what it hides."""
        return self.for_file(True)


def _period(quarter: release.Quarter, dimension: str | None = None) -> str:
    return f"{quarter.label} ({quarter.start:%d %b} to {quarter.end:%d %b %Y})" + (
        f", by {dimension}" if dimension else ""
    )


def overview(
    role: str,
    opts: FilterOptions,
    instrument: str,
    filters: Filters | None = None,
    quarter: release.Quarter | None = None,
) -> PageData:
    """The care team's selection (filters), or an external role's quarter."""
    if quarter is not None:
        rel = release.quarter_release(quarter, tuple(instrument_choices(opts)), instrument, policy.threshold())
        return PageData(
            "overview",
            role,
            _period(quarter),
            quarter.end,
            opts.data_as_of,
            rel.overview,
            lambda suppress: rel.overview,
            lambda suppress: rel.cohorts[("month", instrument)],
            instrument,
            audit_note=rel.verdict.public(),
        )  # the pack: months of the quarter
    raw = program_overview(filters, instrument)
    return PageData(
        "overview",
        role,
        filters.describe(),
        filters.end,
        opts.data_as_of,
        shown_overview.shown_overview(raw, policy.for_view(role), instrument),
        lambda suppress: shown_overview.shown_overview(raw, policy.for_export(role, suppress), instrument),
        lambda suppress: shown_cohorts.shown_cohorts(
            cohort_outcomes(replace(filters, dimension="quarter"), instrument), policy.for_export(role, suppress)
        ),
        instrument,
    )


def cohorts(
    role: str,
    opts: FilterOptions,
    instrument: str,
    filters: Filters | None = None,
    quarter: release.Quarter | None = None,
    dimension: str = "",
) -> PageData:
    if quarter is not None:
        rel = release.quarter_release(quarter, tuple(instrument_choices(opts)), instrument, policy.threshold())
        payload = rel.cohorts[(dimension, instrument)]
        return PageData(
            "cohorts",
            role,
            f"admitted in {_period(quarter, dimension)}",
            quarter.end,
            opts.data_as_of,
            payload,
            lambda suppress: payload,
            instrument=instrument,
            audit_note=rel.verdict.public(),
        )
    raw = cohort_outcomes(filters, instrument)
    return PageData(
        "cohorts",
        role,
        f"admitted {filters.describe()}, by {filters.dimension}",
        filters.end,
        opts.data_as_of,
        db.kept(_shown_cohorts, filters, instrument, policy.for_view(role)),
        lambda suppress: shown_cohorts.shown_cohorts(raw, policy.for_export(role, suppress)),
        instrument=instrument,
    )


def _shown_cohorts(filters: Filters, instrument: str, disclosure: Disclosure) -> shown_cohorts.CohortsShown:
    """What the page shows of a selection's cohorts under a disclosure: made once per load (db.kept)."""
    return shown_cohorts.shown_cohorts(cohort_outcomes(filters, instrument), disclosure)


def measures(
    role: str,
    opts: FilterOptions,
    filters: Filters | None = None,
    quarter: release.Quarter | None = None,
    dimension: str = "",
) -> PageData:
    """External roles get the quarter's release (suppressed with the overview and cohorts) and rates
    by quarter; the care team its selection with true counts, the episodes at each step and its
    identified extracts."""
    if quarter is not None:
        key = (tuple(instrument_choices(opts)), primary_instrument(opts), policy.threshold())
        rel = release.quarter_release(quarter, *key)
        payload = rel.measures[dimension]
        # the trend: each earlier quarter as its own release shows it, for those already built; the
        # missing ones are built in the background (seconds each: never while the page waits)
        earlier = [q for q in release.quarters(opts.first_admission, opts.data_as_of) if q.start <= quarter.start]
        preparing = release.prepare_trend(earlier, *key)
        failed = background.failure(release.TREND)
        note = (
            f" Earlier quarters {failed}."
            if failed
            else " Earlier quarters are being prepared: reload in a minute to see them."
            if preparing
            else ""
        )
        return PageData(
            "measures",
            role,
            f"admitted in {_period(quarter, dimension)}",
            quarter.end,
            opts.data_as_of,
            payload,
            lambda suppress: payload,
            trend=release.measure_trend(earlier, *key),
            trend_note=note,
            audit_note=rel.verdict.public(),
        )
    raw = quality_measures(filters)
    disclosure = policy.for_view(role)
    return PageData(
        "measures",
        role,
        f"admitted {filters.describe()}, by {filters.dimension}",
        filters.end,
        opts.data_as_of,
        shown_measures.shown_measures(raw, disclosure),
        lambda suppress: shown_measures.shown_measures(raw, policy.for_export(role, suppress)),
        trend=shown_measures.shown_trend(trend(filters), disclosure),
        filters=filters,
    )


def specified_periods(role: str) -> list[Period]:
    """The measurement periods a role may see counted as specified: an external role only those that
    have ended (their counts no longer change with each load, as the quarter release's)."""
    return [p for p in periods() if p.ended or not policy.external(role)]


def measures_specified(role: str, period: Period, data_as_of: dt.date) -> PageData:
    """The measurement period's specified count (the submission's): true counts for the care team;
    suppressed and audited as a release of its own for an external role and for shared files."""
    raw, specs = specified(period), stored_specs()
    shown = db.kept(_shown_specified, period, policy.for_view(role))
    return PageData(
        "measures",
        role,
        f"as specified, measurement period {period.label}",
        period.end,
        data_as_of,
        shown,
        lambda suppress: shown_specified.shown_specified(raw, specs, policy.for_export(role, suppress)),
        audit_note=shown.verdict.public("this measurement period's count") if shown.disclosure.suppressed else "",
    )


def _shown_specified(period: Period, disclosure: Disclosure) -> shown_specified.SpecifiedShown:
    return shown_specified.shown_specified(specified(period), stored_specs(), disclosure)
