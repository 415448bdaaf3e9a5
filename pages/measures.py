"""Quality measures: the named measures programs submit, each with its steps from everyone admitted
to the numerator, its trend by quarter and the submission files."""
import streamlit as st

from dashboard import downloads, measure_tables, session
from dashboard.charts import measures as charts
from dashboard.measures import STOP_LABELS, discharges
from dashboard.scopes import measures_scope, scope_or_stop
from dashboard.text import plain
from dashboard.widgets import data_as_of, quality_measure_picker

identity = session.require("measures")
st.title("Quality measures")
scope = scope_or_stop(measures_scope, identity)
shown = scope.shown
data_as_of(scope.data_as_of)
st.caption(f"Episodes {plain(scope.described)} · {shown.disclosure.note()}")


def n(m):
    return m.n()


st.subheader("Measures")
st.caption("Each rate over its denominator: admitted in the period, eligible, with the index event, the window "
           "closed by the data date and not excluded. An episode with no score in the window counts as not met.")
downloads.table(measure_tables.summary, "measures", "quality measures", scope, n,
                submission=(measure_tables.submission_summary, measure_tables.SUMMARY_COLUMNS))
st.caption("Submission: a ZIP with the summary CSV in its documented column layout (docs/measures.md) and, "
           "beside it, what the file holds and what its counts are.")

spec = quality_measure_picker(shown.specs)
st.subheader(f"{spec.id}: {spec.name}")
st.caption(plain(f"{spec.family}. Pinned to: {spec.version}. Sources {spec.sources} (docs/sources.md). "
                 f"Population: {spec.population}. {shown.notes[spec.id]}"))
with st.expander("Where the program's data differs from the specification"):
    st.text(spec.adaptation)
st.plotly_chart(charts.waterfall(shown, spec.id), key="waterfall")
downloads.table(lambda m: measure_tables.steps_table(m, spec.id), "steps", f"{spec.id} steps by {shown.dimension}", scope, n)
st.plotly_chart(charts.rates_by_cohort(shown, spec.id), key="rates_by_cohort")
st.plotly_chart(charts.trend(scope.trend, spec), key="trend")
if scope.external:
    st.caption("Each quarter's rate as that quarter's own shared release shows it (a rate resting on a hidden count "
               "is left out)." + ("" if scope.trend_complete else " Earlier quarters are being prepared: reload in a "
                                                                      "minute to see them."))

if shown.episodes is not None:        # the care team only: never in a shared view
    st.subheader("Episodes at each step")
    step = st.selectbox("Step", ["all", *STOP_LABELS], key="measure_step",
                        format_func=lambda s: "every step" if s == "all" else STOP_LABELS[s])
    st.dataframe(measure_tables.episode_list(shown, spec.id, None if step == "all" else step), hide_index=True,
                 key="measure_episodes")
    st.caption("Files with episodes are identified: for the care team, marked INTERNAL.")
    left, right = st.columns(2)
    with left:
        downloads.submission(measure_tables.submission_episodes, measure_tables.EPISODE_COLUMNS, "measures-episodes",
                             "quality measures: episodes", scope, n, "Episodes submission (ZIP)")
    with right:
        downloads.submission(lambda m: measure_tables.discharge_extract(discharges(scope.filters)),
                             measure_tables.DISCHARGE_COLUMNS, "teds-discharges", "TEDS-style discharge extract", scope, n,
                             "TEDS-style discharge extract (ZIP)")
