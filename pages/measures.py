"""Quality measures: the named measures programs submit, each with its steps from everyone admitted
to the numerator, its trend by quarter and the submission files."""

import streamlit as st

from dashboard.charts import quality_measures as charts
from dashboard.documents import quality_tables, specified_tables
from dashboard.ui import downloads, figures, selection, session
from dashboard.ui.markdown import escape_markdown
from dashboard.ui.notes import data_as_of
from dashboard.ui.pickers import measurement_period_picker, quality_measure_picker
from dashboard.views.quality_measures import STOP_LABELS, discharges

identity = session.require("measures")
st.title("Quality measures")
data = selection.or_stop(selection.measures, identity)
shown = data.shown
data_as_of(data.data_as_of)


def n(m):
    return m.n()


st.subheader("As the specifications count them: the submission")
periods = selection.specified_periods(identity)
if not periods:
    st.info("No measurement period has ended yet: the specified count is shared once its period has ended.")
else:
    period = measurement_period_picker(periods, data.data_as_of)
    specified = selection.specified(identity, period, data.data_as_of)
    st.caption(
        "One index event per participant per measurement period, as each specification counts it: the first "
        "elevated score with the qualifying diagnosis active and the age, its window in calendar months (HEDIS "
        "DRR-E: in days after the index), exclusions by diagnosis and death; DMS-E counts each 4-month assessment period "
        f"with an attended session. {specified.privacy_note}"
    )
    downloads.table(
        specified_tables.table,
        "specified",
        "quality measures as specified",
        specified,
        lambda s: s.n(),
        submission=(specified_tables.submission, specified_tables.SPECIFIED_COLUMNS),
    )
    st.caption(
        "Submission: a ZIP with these counts in their documented column layout (docs/measures.md, with the "
        'conformance table of every clause) and, beside it, what the file holds. "Diagnoses from" says '
        "whose diagnoses came from the diagnoses export (ICD-10) and whose from the roster's diagnosis group."
    )

st.subheader("Per episode of care: the program's own view")
st.caption(f"Episodes {escape_markdown(data.described)} · {data.privacy_note}")
st.caption(
    "Each episode admitted in the period, its own index event and window (the program's view for its care, "
    "not the submission count). Each rate over its denominator: admitted in the period, eligible, with the "
    "index event, the window closed by the data date and not excluded. An episode with no score in the "
    "window counts as not met."
)
downloads.table(
    quality_tables.summary,
    "measures",
    "quality measures per episode",
    data,
    n,
    submission=(quality_tables.submission_summary, quality_tables.SUMMARY_COLUMNS),
    submission_label="Per-episode file (ZIP)",
    file_key="per-episode",
)

spec = quality_measure_picker(shown.specs)
st.subheader(f"{spec.id}: {spec.name}")
st.caption(
    escape_markdown(
        f"{spec.family}. Pinned to: {spec.version}. Sources {spec.sources} (docs/sources.md). "
        f"Population: {spec.population}. {shown.notes[spec.id]}"
    )
)
with st.expander("Where the program's data differs from the specification"):
    st.text(spec.adaptation)
figures.show(charts.waterfall(shown, spec.id), key="waterfall")
downloads.table(
    lambda m: quality_tables.steps_table(m, spec.id), "steps", f"{spec.id} steps by {shown.dimension}", data, n
)
figures.show(charts.rates_by_cohort(shown, spec.id), key="rates_by_cohort")
figures.show(charts.trend(data.trend, spec), key="trend")
if data.external:
    st.caption(
        "Each quarter's rate as that quarter's own shared release shows it (a rate resting on a hidden count "
        "is left out)." + data.trend_note
    )

if shown.episodes is not None:  # the care team only: never in a shared view
    st.subheader("Episodes at each step")
    step = st.selectbox(
        "Step",
        ["all", *STOP_LABELS],
        key="measure_step",
        format_func=lambda s: "every step" if s == "all" else STOP_LABELS[s],
    )
    st.dataframe(
        quality_tables.episode_list(shown, spec.id, None if step == "all" else step),
        hide_index=True,
        key="measure_episodes",
    )
    if periods and specified.shown.rows is not None and spec.id in {s.id for s in specified.shown.specs}:
        st.subheader(f"Participants in {spec.id} as specified, {specified.shown.period.label}")
        st.dataframe(specified_tables.participant_list(specified.shown, spec.id), hide_index=True, key="specified_rows")
    st.caption("Files with episodes are identified: for the care team, marked INTERNAL.")
    left, right = st.columns(2)
    with left:
        downloads.submission(
            quality_tables.submission_episodes,
            quality_tables.EPISODE_COLUMNS,
            "measures-episodes",
            "quality measures: episodes",
            data,
            n,
            "Episodes submission (ZIP)",
        )
    with right:
        downloads.submission(
            lambda m: quality_tables.discharge_extract(discharges(data.filters)),
            quality_tables.DISCHARGE_COLUMNS,
            "teds-discharges",
            "TEDS-style discharge extract",
            data,
            lambda m: f"{len(discharges(data.filters)):,} discharges",
            "TEDS-style discharge extract (ZIP)",
            # its own population: discharged in the range, whatever the admission date
            described=f"discharged {data.filters.describe()} (any admission date)",
        )
