"""What the overview and cohort pages show, bound to the signed-in role (privacy.policy), not chosen
by the page: the care team picks any dates, track, clinician and age group and sees true counts
(marked internal); an external role (quality) picks a whole completed quarter and one grouping and
sees the jointly suppressed release. Either way the page gets the payload for the screen and a way
to build the one for a file (suppressed unless a care-team member chooses otherwise)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

import streamlit as st

from dashboard import db
from dashboard import view_state as view
from dashboard.access.accounts import Identity
from dashboard.cohorts import cohort_outcomes
from dashboard.filters import FilterOptions, Filters, instrument_choices, options, primary_instrument, score_range
from dashboard.measures import quality_measures, trend
from dashboard.overview import program_overview
from dashboard.privacy import measure_views, policy, release, views
from dashboard.privacy.policy import Disclosure
from dashboard.text import plain
from dashboard.widgets import director_filters


@dataclass(frozen=True)
class Scope:
    page: str                           # the page's address, for the audit log
    identity: Identity
    described: str                      # the selection, for captions and files
    end: dt.date                        # the selection's last day
    data_as_of: dt.date
    shown: object                       # the payload on screen (views.OverviewShown or views.CohortsShown)
    for_file: Callable[[bool], object]  # suppress? -> the payload for a file
    pack_cohorts: Callable[[bool], object] | None = None   # the board pack's cohort half, built when asked for
    instrument: str = ""
    score_range: tuple[float, float] = (0, 0)   # the instrument's total range (for the intake/latest scatter)
    trend: object = None                        # measures: rates by quarter as they may be shown
    trend_complete: bool = True                 # False while earlier quarters' releases are still being built
    filters: Filters | None = None              # the care team's selection (their identified extracts); None: external

    @property
    def external(self) -> bool:
        return policy.external(self.identity.role)

    def caption(self) -> str:
        """For st.caption: the selection (track and clinician names come from the data) and what the counts are."""
        return f"{plain(self.described)} · {self.shown.disclosure.note()}"


def _external_period(opts: FilterOptions, dimension: bool,
                     groupings: tuple[str, ...] = release.DIMENSIONS) -> tuple[release.Quarter, str]:
    """The quality role's choices: a whole completed quarter and (cohorts, measures) one grouping of
    those the release holds for the page."""
    periods = release.quarters(opts.first_admission, opts.data_as_of)
    labels = [q.label for q in periods] or ["none"]
    by_key = "quarter_by" if groupings == release.DIMENSIONS else "measures_by"   # each page its own grouping
    fields = [view.choice("quarter", "quarter", labels, labels[0]),
              view.choice(by_key, "by", list(groupings), "track")]
    values = view.restore("external", fields)
    keep = {"on_change": view.changed, "args": ("external", fields)}
    with st.sidebar:
        st.header("Reporting period")
        st.selectbox("Quarter", labels, key="quarter", help="Whole completed quarters only: a view shared outside the "
                     "program cannot be narrowed to a few people.", **keep)
        if dimension:
            st.selectbox("Cohorts by" if by_key == "quarter_by" else "By", groupings, key=by_key, **keep)
    quarter = next((q for q in periods if q.label == values["quarter"]), None)
    return quarter, values[by_key]


def scope_or_stop(build: Callable[[Identity], Scope | None], identity: Identity) -> Scope:
    """A page's scope, or the page stops with why: nothing loaded yet, or (an external role) no
    completed quarter to show."""
    try:
        scope = build(identity)
    except db.NoData as e:
        st.info(str(e))
        st.stop()
    if scope is None:
        st.info("No quarter has ended since the first admission: the shared view starts with the first whole quarter.")
        st.stop()
    return scope


def overview_scope(identity: Identity) -> Scope | None:
    """The overview page's data. None when an external role has no completed quarter to see yet;
    db.NoData before anything is loaded."""
    opts = options()
    instrument = primary_instrument(opts)
    scope = _overview_scope(identity, opts, instrument)
    return scope and replace(scope, instrument=instrument, score_range=score_range(instrument))


def cohorts_scope(identity: Identity) -> Scope | None:
    """The cohort page's data (its instrument chosen here); None / db.NoData as the overview's."""
    opts = options()
    choices = instrument_choices(opts)
    instrument = st.selectbox("Instrument", choices, key="instrument", index=choices.index(primary_instrument(opts)))
    scope = _cohorts_scope(identity, opts, instrument)
    return scope and replace(scope, instrument=instrument, score_range=score_range(instrument))


def _overview_scope(identity: Identity, opts: FilterOptions, instrument: str) -> Scope | None:
    if policy.external(identity.role):
        quarter, _ = _external_period(opts, dimension=False)
        if quarter is None:
            return None
        rel = release.quarter_release(quarter, tuple(instrument_choices(opts)), instrument, policy.threshold())
        return Scope("overview", identity, f"{quarter.label} ({quarter.start:%d %b} to {quarter.end:%d %b %Y})",
                     quarter.end, opts.data_as_of, rel.overview, lambda suppress: rel.overview,
                     lambda suppress: rel.cohorts[("month", instrument)])   # the pack's cohorts: months of the quarter
    filters = director_filters(opts)
    raw = program_overview(filters, instrument)
    return Scope("overview", identity, filters.describe(), filters.end, opts.data_as_of,
                 views.shown_overview(raw, policy.for_view(identity.role), instrument),
                 lambda suppress: views.shown_overview(raw, policy.for_export(identity.role, suppress), instrument),
                 lambda suppress: views.shown_cohorts(cohort_outcomes(replace(filters, dimension="quarter"), instrument),
                                                      policy.for_export(identity.role, suppress)))


def _cohorts_scope(identity: Identity, opts: FilterOptions, instrument: str) -> Scope | None:
    if policy.external(identity.role):
        quarter, dimension = _external_period(opts, dimension=True)
        if quarter is None:
            return None
        shown = release.quarter_release(quarter, tuple(instrument_choices(opts)), instrument,
                                        policy.threshold()).cohorts[(dimension, instrument)]
        return Scope("cohorts", identity, f"admitted in {quarter.label} ({quarter.start:%d %b} to {quarter.end:%d %b %Y}), "
                     f"by {dimension}", quarter.end, opts.data_as_of, shown, lambda suppress: shown)
    filters = director_filters(opts, dimension=True)
    raw = cohort_outcomes(filters, instrument)
    return Scope("cohorts", identity, f"admitted {filters.describe()}, by {filters.dimension}", filters.end, opts.data_as_of,
                 db.kept(_shown_cohorts, filters, instrument, policy.for_view(identity.role)),
                 lambda suppress: views.shown_cohorts(raw, policy.for_export(identity.role, suppress)))


def _shown_cohorts(filters: Filters, instrument: str, disclosure: Disclosure) -> views.CohortsShown:
    """What the page shows of a selection's cohorts under a disclosure: made once per load (db.kept)."""
    return views.shown_cohorts(cohort_outcomes(filters, instrument), disclosure)


def measures_scope(identity: Identity) -> Scope | None:
    """The quality measures page's data; None / db.NoData as the overview's. External roles get the
    quarter's release (suppressed with the overview and cohorts) and rates by quarter; the care team
    its selection with true counts, the episodes at each step and its identified extracts."""
    opts = options()
    if policy.external(identity.role):
        quarter, dimension = _external_period(opts, dimension=True, groupings=release.measure_dimensions(opts.group_fields))
        if quarter is None:
            return None
        key = (tuple(instrument_choices(opts)), primary_instrument(opts), policy.threshold())
        shown = release.quarter_release(quarter, *key).measures[dimension]
        # the trend: each earlier quarter as its own release shows it, for those already built; the
        # missing ones are built in the background (seconds each: never while the page waits)
        earlier = [q for q in release.quarters(opts.first_admission, opts.data_as_of) if q.start <= quarter.start]
        preparing = release.prepare_trend(earlier, *key)
        return Scope("measures", identity, f"admitted in {quarter.label} ({quarter.start:%d %b} to {quarter.end:%d %b %Y}), "
                     f"by {dimension}", quarter.end, opts.data_as_of, shown, lambda suppress: shown,
                     trend=release.measure_trend(earlier, *key), trend_complete=not preparing)
    filters = director_filters(opts, dimension=True)
    raw = quality_measures(filters)
    disclosure = policy.for_view(identity.role)
    return Scope("measures", identity, f"admitted {filters.describe()}, by {filters.dimension}", filters.end,
                 opts.data_as_of, measure_views.shown_measures(raw, disclosure),
                 lambda suppress: measure_views.shown_measures(raw, policy.for_export(identity.role, suppress)),
                 trend=measure_views.shown_trend(trend(filters), disclosure), filters=filters)
