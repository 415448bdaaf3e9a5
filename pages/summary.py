"""Program summary: who is in the program now, what happened last week, what has been loaded."""

import streamlit as st

from dashboard.charts.summary import attended_by_week
from dashboard.store import db
from dashboard.ui import figures, session
from dashboard.ui.notes import data_as_of
from dashboard.views.summary import program_summary

identity = session.require("summary")
st.title("Program summary")

try:
    summary = program_summary()
except db.NoData as e:
    st.info(str(e))
    st.stop()

if summary.data_as_of is None:
    st.info("The database holds no sessions, assessments or admissions yet.")
    st.stop()

data_as_of(summary.data_as_of)

census, attended, assessed, loads = st.columns(4)
census.metric(
    "Active census",
    f"{summary.active_census:,}",
    help="Open episodes on the data date. Episodes come from the roster, or are inferred from "
    "attendance when a participant is not on it (see docs/episodes.md).",
)
attended.metric(
    f"Sessions attended, week of {summary.last_week_start:%d %b}",
    f"{summary.sessions_attended_last_week:,}",
    help=f"{summary.last_week_start:%a %d %b} to {summary.last_week_end:%a %d %b %Y}: attended, late or "
    f"left early, by {summary.participants_attended_last_week:,} participants.",
)
assessed.metric(
    "Assessments loaded",
    f"{summary.assessments_loaded:,}",
    help=f"Questionnaire administrations for {summary.participants_assessed:,} participants.",
)
loads.metric(  # the day alone: "06 Dec 10:32" was cut to "06 De…" at 1024 px; the time is in the help
    "Last load",
    f"{summary.last_load_at:%d %b}",
    help=f"{summary.last_load_at:%d %b %Y %H:%M} UTC. {summary.files_loaded:,} files loaded in all; "
    f"{summary.rows_rejected:,} rows rejected with reasons.",
)
if summary.active_inferred:
    st.caption(f"{summary.active_inferred:,} of the active episodes are inferred from attendance (no roster row).")

left, right = st.columns([3, 2])
with left:
    figures.show(attended_by_week(summary.attended_by_week), key="attended_by_week")
with right:
    st.subheader("Active census by track")
    st.dataframe(
        summary.census_by_track,
        hide_index=True,
        key="census_by_track",
        column_config={
            "track": "Track",
            "active": "Active",
            "inferred_from_attendance": "Inferred",
            "median_treatment_week": "Median treatment week",
        },
    )

st.subheader("Recent loads")
st.dataframe(summary.recent_loads, hide_index=True, key="recent_loads")
