"""Cohorts: does the program work, and for whom? Each cohort beside the whole program."""
import streamlit as st

from dashboard import downloads, session
from dashboard.charts import cohorts as charts
from dashboard.privacy import policy
from dashboard.privacy.views import label
from dashboard.scopes import cohorts_scope, scope_or_stop
from dashboard.text import plain
from dashboard.widgets import data_as_of

identity = session.require("cohorts")
st.title("Cohort outcomes")
scope = scope_or_stop(cohorts_scope, identity)
instrument = scope.instrument
data_as_of(scope.data_as_of)
st.caption(f"Episodes {plain(scope.described)}; N = {label(*scope.shown.n)} · {scope.shown.disclosure.note()}")


def n(c):
    return label(*c.n)


def show(build, key, title):
    downloads.chart(build, key, title, scope, n)


st.subheader("Measurement completeness")
downloads.table(lambda c: c.funnel, "completeness", f"measurement completeness ({instrument})", scope, n)

st.subheader("Outcomes")
downloads.table(lambda c: c.outcomes, "outcomes", f"outcomes ({instrument})", scope, n)
st.caption(f"Beside those who completed treatment, everyone admitted starting in the clinical range: the last "
           f"{instrument} score carried as the outcome, so an episode with only a baseline counts as not improved; "
           "and the share who left before completing (not transfers), so that losing people cannot raise a rate.")
downloads.table(lambda c: c.everyone, "everyone_admitted", f"outcomes for everyone admitted ({instrument})", scope, n)
# one chart to a row: side by side they were too narrow to read at 1024 px, and each is pasted alone
show(charts.jt_categories, "jt_categories", f"Jacobson & Truax categories ({instrument})")
show(charts.rates, "response_remission", f"response and remission ({instrument})")
show(lambda c: charts.weekly_means(c, *scope.score_range), "weekly_means", f"mean {instrument} by treatment week")
show(lambda c: charts.pre_post(c, *scope.score_range), "pre_post", f"{instrument}: intake against latest")

show(charts.retention, "retention", "retention")

st.subheader("Follow-up after discharge")
st.caption(plain(scope.shown.follow_up_note))
downloads.table(lambda c: c.follow_up, "follow_up", f"follow-up after discharge ({instrument})", scope, n)

if len(scope.shown.thresholds.columns) > 1:
    st.subheader("Substance use and screening measures")
    st.caption("Of the episodes in the flagged range at intake (a positive screen, any use in the past 30 days, "
               "high risk or low protection) with a later score: those out of it at the latest score.")
    downloads.table(lambda c: c.thresholds, "thresholds", "substance use and screening measures", scope, n)

st.subheader("HEDIS-style measures")
st.caption(f"— = not shown: no index episodes, or a rate that would rest on a count from 1 to {policy.threshold()} "
           f"in a shared view. {plain(scope.shown.measures_note)}")
downloads.table(lambda c: c.hedis, "hedis", "HEDIS-style measures", scope, n)
