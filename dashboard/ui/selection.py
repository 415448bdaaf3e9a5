"""The choices of the overview, cohort and quality measures pages, then their data for the role
(dashboard/privacy/page_data.py). The care team picks dates, track, clinician, age group, a
population and a grouping (ui/filters.py); an external role (quality) picks a whole completed
quarter and one grouping of those the release holds."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard.access.accounts import Identity
from dashboard.privacy import page_data, policy, release
from dashboard.privacy.page_data import PageData
from dashboard.store import db
from dashboard.ui import view_state as view
from dashboard.ui.filter_widgets import director_filters
from dashboard.ui.markdown import escape_markdown
from dashboard.views.filters import FilterOptions, instrument_choices, options, primary_instrument, score_range


def _external_period(
    opts: FilterOptions, dimension: bool, groupings: tuple[str, ...] = release.DIMENSIONS, by_key: str = "quarter_by"
) -> tuple[release.Quarter | None, str]:
    """The quality role's choices: a whole completed quarter and (cohorts, measures) one grouping of
    those the release holds for the page."""
    periods = release.quarters(opts.first_admission, opts.data_as_of)
    labels = [q.label for q in periods] or ["none"]
    fields = [view.choice("quarter", "quarter", labels, labels[0]), view.choice(by_key, "by", list(groupings), "track")]
    values = view.restore("external", fields)
    keep = {"on_change": view.changed, "args": ("external", fields)}
    with st.sidebar:
        st.header("Reporting period")
        st.selectbox(
            "Quarter",
            labels,
            key="quarter",
            help="Whole completed quarters only: a view shared outside the program cannot be narrowed to a few people.",
            **keep,
        )
        if dimension:
            st.selectbox("Cohorts by" if by_key == "quarter_by" else "By", groupings, key=by_key, **keep)
    quarter = next((q for q in periods if q.label == values["quarter"]), None)
    return quarter, values[by_key]


def or_stop(build: Callable[[Identity], PageData | None], identity: Identity) -> PageData:
    """A page's data, or the page stops with why: nothing loaded yet, or (an external role) no
    completed quarter to show."""
    try:
        data = build(identity)
    except db.NoData as e:
        st.info(str(e))
        st.stop()
    if data is None:
        st.info("No quarter has ended since the first admission: the shared view starts with the first whole quarter.")
        st.stop()
    return data


def caption(data: PageData) -> str:
    """For st.caption: the selection (track and clinician names come from the data) and what the counts are."""
    return f"{escape_markdown(data.described)} · {data.privacy_note}"


def overview(identity: Identity) -> PageData | None:
    """The overview page's data. None when an external role has no completed quarter to see yet;
    db.NoData before anything is loaded."""
    opts = options()
    instrument = primary_instrument(opts)
    if policy.external(identity.role):
        quarter, _ = _external_period(opts, dimension=False)
        if quarter is None:
            return None
        data = page_data.overview(identity.role, opts, instrument, quarter=quarter)
    else:
        data = page_data.overview(identity.role, opts, instrument, filters=director_filters(opts))
    return _with_range(data)


def cohorts(identity: Identity) -> PageData | None:
    """The cohort page's data (its instrument chosen here); None / db.NoData as the overview's."""
    opts = options()
    choices = instrument_choices(opts)
    instrument = st.selectbox("Instrument", choices, key="instrument", index=choices.index(primary_instrument(opts)))
    if policy.external(identity.role):
        quarter, dimension = _external_period(
            opts, dimension=True, groupings=release.cohort_dimensions(opts.group_fields)
        )
        if quarter is None:
            return None
        data = page_data.cohorts(identity.role, opts, instrument, quarter=quarter, dimension=dimension)
    else:
        data = page_data.cohorts(identity.role, opts, instrument, filters=director_filters(opts, dimension=True))
    return _with_range(data)


def measures(identity: Identity) -> PageData | None:
    """The quality measures page's data; None / db.NoData as the overview's."""
    opts = options()
    if policy.external(identity.role):
        quarter, dimension = _external_period(
            opts, dimension=True, groupings=release.measure_dimensions(opts.group_fields), by_key="measures_by"
        )
        if quarter is None:
            return None
        return page_data.measures(identity.role, opts, quarter=quarter, dimension=dimension)
    return page_data.measures(identity.role, opts, filters=director_filters(opts, dimension=True))


def specified_periods(identity: Identity):
    """The measurement periods the role may see counted as specified, latest first."""
    return page_data.specified_periods(identity.role)


def specified(identity: Identity, period, data_as_of) -> PageData:
    """The quality measures page's specified count for a measurement period (the submission's)."""
    return page_data.measures_specified(identity.role, period, data_as_of)


def _with_range(data: PageData) -> PageData:
    from dataclasses import replace

    return replace(data, score_range=score_range(data.instrument))
