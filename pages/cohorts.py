"""Cohorts: does the program work, and for whom? Each cohort beside the whole program."""
import streamlit as st

from dashboard import db, session
from dashboard.charts import cohorts as charts
from dashboard.cohort_tables import funnel_table, hedis_table, outcome_table
from dashboard.cohorts import cohort_outcomes
from dashboard.filters import options
from dashboard.privacy import small_cell_threshold
from dashboard.suppression import format_count
from dashboard.widgets import chart_with_downloads, data_as_of, director_filters, table_with_downloads

identity = session.require("cohorts")
st.title("Cohort outcomes")
try:
    opts = options()
except db.NoData as e:
    st.info(str(e))
    st.stop()
filters = director_filters(opts, dimension=True)
instrument = st.selectbox("Instrument", opts.instruments, key="instrument",
                          index=opts.instruments.index("PHQ-9") if "PHQ-9" in opts.instruments else 0)
c = cohort_outcomes(filters, instrument)
threshold = small_cell_threshold()
data_as_of(opts.data_as_of)
n = format_count(len(c.episodes), threshold)
st.caption(f"Episodes admitted {filters.describe()}, by {filters.dimension}; N = {n}"
           + (f" · counts from 1 to {threshold} are shown as <{threshold + 1}" if threshold else ""))
described = f"admitted {filters.describe()}, by {filters.dimension}"


def show(fig, key):
    chart_with_downloads(fig, key, described, n, opts.data_as_of)


st.subheader("Measurement completeness")
table_with_downloads(funnel_table(c, threshold), "completeness", described)

st.subheader("Outcomes")
table_with_downloads(outcome_table(c, threshold), "outcomes", described)
left, right = st.columns(2)
with left:
    show(charts.jt_categories(c.summary, instrument, threshold), "jt_categories")
with right:
    show(charts.rates(c.summary, instrument, threshold), "response_remission")

bounds = db.query("instrument_bands").query("instrument == @instrument").iloc[0]
left, right = st.columns(2)
with left:
    show(charts.weekly_means(c.weekly, instrument, threshold), "weekly_means")
with right:
    show(charts.pre_post(c.episodes, instrument, threshold, bounds.total_min, bounds.total_max), "pre_post")

show(charts.retention(c.retention, threshold), "retention")

st.subheader("HEDIS-style measures")
st.caption("— = hidden: the count, or what it leaves, is from 1 to 10 (small-cell suppression). "
           "DMS: participants with an attended session in a 4-month period who have a PHQ-9 in it. DRR: an index "
           "PHQ-9 above 9, then the latest PHQ-9 120 to 240 days later; response = at least 50 % lower, remission = below 5.")
table_with_downloads(hedis_table(c, threshold), "hedis", described)
