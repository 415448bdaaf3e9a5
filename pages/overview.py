"""Program overview: is the program running as designed, for the episodes the filters select."""
import streamlit as st

from dashboard import audit, db, session
from dashboard.board_pack import board_pack_pdf
from dashboard.charts import overview as charts
from dashboard.exports import ExportUnavailable
from dashboard.filters import options
from dashboard.overview import program_overview
from dashboard.privacy import small_cell_threshold
from dashboard.suppression import format_count, safe_percent
from dashboard.widgets import chart_with_downloads, data_as_of, director_filters

identity = session.require("overview")
st.title("Program overview")
try:
    opts = options()
except db.NoData as e:
    st.info(str(e))
    st.stop()
filters = director_filters(opts)
instrument = "PHQ-9" if "PHQ-9" in opts.instruments else (opts.instruments or ["PHQ-9"])[0]
view = program_overview(filters, instrument)
threshold = small_cell_threshold()
data_as_of(opts.data_as_of)
st.caption(f"{filters.describe()}" + (f" · counts from 1 to {threshold} are shown as <{threshold + 1}" if threshold else ""))

h = view.headline
census, admitted, discharged, family = st.columns(4)
census.metric(f"Active census on {filters.end:%d %b %Y}", format_count(h["active_census"], threshold))
admitted.metric("Admissions", format_count(h["admissions"], threshold))
discharged.metric("Discharges", format_count(h["discharges"], threshold))
family.metric("Family involvement", safe_percent(view.family["with_family_session"], view.family["episodes"], threshold) or "—",
              help="Share of the selected episodes with at least one attended family session.")

n = format_count(h["episodes"], threshold)
described = filters.describe()


def show(fig, key):
    chart_with_downloads(fig, key, described, n, opts.data_as_of)


left, right = st.columns(2)
with left:
    show(charts.flow(view.flow, threshold), "flow")
with right:
    show(charts.discharge_reasons(view.discharges, threshold), "discharge_reasons")

show(charts.attendance(view.attendance, threshold), "attendance")

left, right = st.columns(2)
with left:
    show(charts.modality(view.modality, threshold), "modality")
with right:
    show(charts.completeness(view.completeness, instrument, threshold), "completeness")

st.subheader("Flags and how fast they are acted on")
left, right = st.columns(2)
with left:
    show(charts.flags_by_rule(view.flags, threshold), "flags")
with right:
    red = view.actions[view.actions["severity"] == "red"]
    if len(red):
        st.metric("Red flags: median days to first action", f"{red['days_to_action'].median():.1f}",
                  help=f"Over {format_count(len(red), threshold)} red flags acted on.")
    if len(view.actions):
        show(charts.actions_taken(view.actions, threshold), "actions")
    else:
        st.caption("No flag has been acknowledged or snoozed yet.")

if len(view.aftercare) and set(view.aftercare["aftercare"]) != {"not recorded"}:
    show(charts.aftercare(view.aftercare, threshold), "aftercare")

st.subheader("Board pack")
st.caption("One PDF of the overview and cohort (by quarter) charts for these filters, each with its filters, N and data date.")
if st.button("Prepare board pack (PDF)", key="board_pack"):
    bounds = db.query("instrument_bands").query("instrument == @instrument").iloc[0]
    with st.spinner("Rendering the charts…"):
        try:
            st.session_state["board_pack_pdf"] = board_pack_pdf(filters, instrument, bounds.total_min, bounds.total_max,
                                                                opts.data_as_of)
            audit.record("export", identity.user, identity.role, page="overview", kind="board pack", filters=described)
        except ExportUnavailable as e:
            st.error(f"The board pack cannot be rendered here: {e}")
if pdf := st.session_state.get("board_pack_pdf"):
    st.download_button("Download board pack", pdf, file_name=f"board-pack-{filters.start}-{filters.end}.pdf",
                       mime="application/pdf", on_click="ignore", key="board_pack_download")
