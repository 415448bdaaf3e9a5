"""Program overview: is the program running as designed, for the episodes the selection covers."""

import streamlit as st

from dashboard.charts import overview as charts
from dashboard.documents.board_pack import board_pack_pdf
from dashboard.privacy.marks import label
from dashboard.ui import downloads, selection, session
from dashboard.ui.notes import data_as_of

identity = session.require("overview")
st.title("Program overview")
data = selection.or_stop(selection.overview, identity)
view, instrument = data.shown, data.instrument
data_as_of(data.data_as_of)
st.caption(selection.caption(data))


def show(build, key, title):
    downloads.chart(build, key, title, data, lambda o: o.n())


census, admitted, discharged, family = st.columns(4)
census.metric(f"Active census on {data.end:%d %b %Y}", label(*view.headline["active_census"]))
admitted.metric("Admissions", label(*view.headline["admissions"]))
discharged.metric("Discharges", label(*view.headline["discharges"]))
family.metric(
    "Family involvement",
    view.family or "—",
    help="Share of the selected episodes with at least one attended family session.",
)

# one chart to a row: side by side they were too narrow to read at 1024 px, and each is pasted alone
show(charts.flow, "flow", "admissions and discharges by month")
show(charts.discharge_reasons, "discharge_reasons", "discharges by reason")
show(charts.attendance, "attendance", "attendance and hours by week")
show(charts.modality, "modality", "modality mix")
show(lambda o: charts.completeness(o, instrument), "completeness", f"measurement completeness ({instrument})")

st.subheader("Flags and how fast they are acted on")
st.caption("Open flags: firing on the data date and neither acknowledged nor snoozed, as on the caseload.")
if view.red_median_days is not None:
    st.metric(
        "Red flags: median days to first action",
        f"{view.red_median_days:.1f}",
        help=f"Over {label(*view.red_actions)} red flags acted on: from the first load that could show the flag "
        "(the first after its evidence date) to its first acknowledgement or snooze.",
    )
show(charts.flags_by_rule, "flags", "open flags by rule")
if len(view.actions):
    show(charts.actions_taken, "actions", "what was done about flags")
else:
    st.caption("No flag has been acknowledged or snoozed yet.")

if len(view.aftercare) and set(view.aftercare["aftercare"]) != {"not recorded"}:
    show(charts.aftercare, "aftercare", "aftercare plan at discharge")

st.subheader("Board pack")
st.caption("One PDF of the overview and cohort charts for this selection, each with its selection, N and data date.")
suppress = downloads.suppress_choice("board_pack-suppress")
downloads.button(
    "Download board pack (PDF)",
    lambda: board_pack_pdf(
        data.for_file(suppress),
        data.pack_cohorts(suppress),
        instrument,
        *data.score_range,
        data.described,
        data.data_as_of,
    ),
    f"board-pack-{data.end:%Y-%m-%d}.pdf",
    "application/pdf",
    "board_pack",
    "overview",
    "board pack PDF",
    data.described,
    suppressed=suppress,
    n=lambda: data.for_file(suppress).n(),  # the N its cover states, in the audit log
)
