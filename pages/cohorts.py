"""Cohorts: does the program work, and for whom? Each cohort beside the whole program."""
import streamlit as st

from dashboard import db, downloads, session
from dashboard.charts import cohorts as charts
from dashboard.filters import instrument_choices, options, primary_instrument
from dashboard.privacy.views import label
from dashboard.scopes import cohorts_scope
from dashboard.text import plain
from dashboard.widgets import data_as_of

identity = session.require("cohorts")
st.title("Cohort outcomes")
try:
    opts = options()
except db.NoData as e:
    st.info(str(e))
    st.stop()
choices = instrument_choices(opts)
instrument = st.selectbox("Instrument", choices, key="instrument", index=choices.index(primary_instrument(opts)))
scope = cohorts_scope(identity, opts, instrument)
if scope is None:
    st.info("No quarter has ended since the first admission: the shared view starts with the first whole quarter.")
    st.stop()
data_as_of(opts.data_as_of)
st.caption(f"Episodes {plain(scope.described)}; N = {label(*scope.shown.n)} · {scope.shown.disclosure.note()}")


def n(c):
    return label(*c.n)


def show(build, key, title):
    downloads.chart(build, key, title, scope, n)


st.subheader("Measurement completeness")
downloads.table(lambda c: c.funnel, "completeness", f"measurement completeness ({instrument})", scope, n)

st.subheader("Outcomes")
downloads.table(lambda c: c.outcomes, "outcomes", f"outcomes ({instrument})", scope, n)
left, right = st.columns(2)
with left:
    show(charts.jt_categories, "jt_categories", f"Jacobson & Truax categories ({instrument})")
with right:
    show(charts.rates, "response_remission", f"response and remission ({instrument})")

bounds = db.query("instrument_bands").query("instrument == @instrument").iloc[0]
left, right = st.columns(2)
with left:
    show(charts.weekly_means, "weekly_means", f"mean {instrument} by week")
with right:
    show(lambda c: charts.pre_post(c, bounds.total_min, bounds.total_max), "pre_post", f"{instrument}: intake against latest")

show(charts.retention, "retention", "retention")

st.subheader("HEDIS-style measures")
st.caption("— = not shown: no index episodes, or a rate that would rest on a count from 1 to 10 in a shared view. "
           "DMS: participants with an attended session in a 4-month period who have a PHQ-9 in it. DRR: an index "
           "PHQ-9 above 9, then the latest PHQ-9 120 to 240 days later; response = at least 50 % lower, remission = below 5.")
downloads.table(lambda c: c.hedis, "hedis", "HEDIS-style measures", scope, n)
