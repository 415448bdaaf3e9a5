"""The director's sidebar filters (overview, cohorts, quality measures) and the caseload's clinician and
track, kept in the address."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.ui import view_state as view
from dashboard.ui.markdown import escape_markdown
from dashboard.views.filters import DIMENSIONS, Filters, population


def director_filters(opts, dimension: bool = False):
    """Sidebar filters for the overview and cohort pages (one set, shared by both, kept in the
    address); returns a Filters."""
    default_start = max(opts.first_admission, opts.data_as_of - dt.timedelta(days=364))
    groupings = [*DIMENSIONS, *opts.group_fields]  # the equity fields the program records
    everyone = "Everyone"
    fields = [
        view.date_range("filter_dates", opts.first_admission, opts.data_as_of, (default_start, opts.data_as_of)),
        view.choice("filter_track", "track", ["All tracks", *opts.tracks], "All tracks"),
        view.choice("filter_clinician", "clinician", ["All clinicians", *opts.clinicians], "All clinicians"),
        view.choice("filter_age", "age", ["All ages", *opts.age_groups], "All ages"),
        view.choice("filter_population", "population", [everyone, *opts.populations], everyone),
        view.choice("filter_by", "by", groupings, "quarter"),
    ]  # kept on the overview too: one address
    values = view.restore("filters", fields)
    keep = {"on_change": view.changed, "args": ("filters", fields)}
    with st.sidebar:
        st.header("Filters")
        st.date_input(
            "Date range", min_value=opts.first_admission, max_value=opts.data_as_of, key="filter_dates", **keep
        )
        st.selectbox("Track", ["All tracks", *opts.tracks], key="filter_track", **keep)
        st.selectbox("Clinician", ["All clinicians", *opts.clinicians], key="filter_clinician", **keep)
        st.selectbox("Age group", ["All ages", *opts.age_groups], key="filter_age", **keep)
        if opts.populations:
            st.selectbox(
                "Population",
                [everyone, *opts.populations],
                key="filter_population",
                **keep,
                help="Payer, referral source, diagnosis group, sex or gender, race or ethnicity, or site, as the "
                "roster records them.",
            )
        if dimension:
            st.selectbox("Cohorts by", groupings, key="filter_by", **keep)
    start, end = values["filter_dates"]
    track, clinician, age = values["filter_track"], values["filter_clinician"], values["filter_age"]
    field, value = population(values["filter_population"])
    return Filters(
        start,
        end,
        None if track == "All tracks" else track,
        None if clinician == "All clinicians" else clinician,
        None if age == "All ages" else age,
        values["filter_by"],
        field,
        value,
    )


def caseload_filters(options: pd.DataFrame, scope: str | None) -> tuple[str | None, str | None]:
    """The caseload's clinician and track filters (kept in the address); a clinician sees their own
    caseload only, so gets no clinician filter. Returns (clinician, track), None meaning all."""
    clinicians = ["All clinicians", *sorted(options["clinician"].dropna().unique())]
    tracks = ["All tracks", *sorted(options["track"].dropna().unique())]
    fields = [view.choice("case_track", "track", tracks, "All tracks")]
    if not scope:
        fields.insert(0, view.choice("case_clinician", "clinician", clinicians, "All clinicians"))
    chosen = view.restore("caseload", fields)
    keep = {"on_change": view.changed, "args": ("caseload", fields)}
    left, right = st.columns(2)
    if scope:
        left.markdown(f"**Your caseload:** {escape_markdown(scope)}")
    else:
        left.selectbox("Clinician", clinicians, key="case_clinician", **keep)
    right.selectbox("Track", tracks, key="case_track", **keep)
    clinician, track = chosen.get("case_clinician", "All clinicians"), chosen["case_track"]
    return None if clinician == "All clinicians" else clinician, None if track == "All tracks" else track
