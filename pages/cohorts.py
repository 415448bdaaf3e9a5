"""Cohorts: does the program work, and for whom? Each cohort beside the whole program."""

import streamlit as st

from dashboard.charts import cohorts as charts
from dashboard.privacy import policy
from dashboard.ui import downloads, selection, session
from dashboard.ui.markdown import escape_markdown
from dashboard.ui.notes import data_as_of

identity = session.require("cohorts")
st.title("Cohort outcomes")
data = selection.or_stop(selection.cohorts, identity)
instrument = data.instrument
data_as_of(data.data_as_of)
st.caption(f"Episodes {escape_markdown(data.described)}; N = {data.shown.n_text()} · {data.privacy_note}")


def n(c):
    return c.n_text()


def show(build, key, title):
    downloads.chart(build, key, title, data, n)


st.subheader("Measurement completeness")
downloads.table(lambda c: c.funnel, "completeness", f"measurement completeness ({instrument})", data, n)

st.subheader("Outcomes")
downloads.table(lambda c: c.outcomes, "outcomes", f"outcomes ({instrument})", data, n)
st.caption(
    "Response and remission here are of the episodes in the clinical range at intake with a later score (the four "
    "Jacobson & Truax categories); below, of those who completed treatment and of everyone admitted; the "
    "HEDIS-style DRR-E, of its index episodes. Each is a different population, so the rates differ."
)
st.caption(
    f"Beside those who completed treatment, everyone admitted starting in the clinical range: the last "
    f"{instrument} score carried as the outcome, so an episode with only a baseline counts as not improved; "
    "and the share who left before completing (not transfers), so that losing people cannot raise a rate."
)
downloads.table(lambda c: c.everyone, "everyone_admitted", f"outcomes for everyone admitted ({instrument})", data, n)
# one chart to a row: side by side they were too narrow to read at 1024 px, and each is pasted alone
show(charts.jt_categories, "jt_categories", f"Jacobson & Truax categories ({instrument})")
st.caption(
    "Jacobson & Truax (1991) categories from intake to the latest score: recovered = a reliable improvement "
    "(at least the instrument's reliable-change score) that ends below the clinical cutoff; improved = a "
    "reliable improvement that does not; deteriorated = a reliable worsening; unchanged = neither."
)
show(charts.rates, "response_remission", f"response and remission ({instrument})")
show(lambda c: charts.weekly_means(c, *data.score_range), "weekly_means", f"mean {instrument} by treatment week")
show(lambda c: charts.pre_post(c, *data.score_range), "pre_post", f"{instrument}: intake against latest")

show(charts.retention, "retention", "retention")

st.subheader("Follow-up after discharge")
st.caption(escape_markdown(data.shown.follow_up_note))
downloads.table(lambda c: c.follow_up, "follow_up", f"follow-up after discharge ({instrument})", data, n)

if len(data.shown.thresholds.columns) > 1:
    st.subheader("Substance use and screening measures")
    st.caption(
        "Of the episodes in the flagged range at intake (a positive screen, any use in the past 30 days, "
        "high risk or low protection) with a later score: those out of it at the latest score."
    )
    downloads.table(lambda c: c.thresholds, "thresholds", "substance use and screening measures", data, n)

st.subheader("HEDIS-style measures")
st.caption(
    "Modelled on NCQA's HEDIS measures (DMS-E, DRR-E) and computed from this program's data alone: not "
    f"certified HEDIS results. — = not shown: no index episodes, or a rate that would rest on a count from 1 to {policy.threshold()} "
    f"in a shared view. {escape_markdown(data.shown.measures_note)}"
)
downloads.table(lambda c: c.hedis, "hedis", "HEDIS-style measures", data, n)
