"""Participant progress: one person's episode walked through in a case review."""
import streamlit as st

from dashboard import audit, db, session, state
from dashboard.charts.attendance import attendance_calendar, weekly_hours
from dashboard.charts.items import item_heatmap
from dashboard.charts.trajectory import trajectory
from dashboard.flag_labels import labels
from dashboard.participant import episode_view, participant_episodes
from dashboard.exports import ExportUnavailable
from dashboard.report import case_review_files
from dashboard.text import plain
from dashboard.widgets import data_as_of, episode_picker, flag_action_form, participant_picker

identity = session.require("participant")
st.title("Participant progress")

participant_id = participant_picker()
if not participant_id:
    st.info("Choose a participant on the Caseload page, or type a participant id.")
    st.stop()

try:
    episodes = participant_episodes(participant_id, scope=identity.scope_clinician)
except db.NoData as e:
    st.info(str(e))
    st.stop()
if not len(episodes):
    # the same words whether the participant does not exist or is not in this clinician's caseload
    st.warning(f"No participant {plain(participant_id)} in "
               + ("your caseload." if identity.scope_clinician else "the loaded data."))
    st.stop()
episode_id = episode_picker(episodes["episode_id"].tolist())
view = episode_view(participant_id, episode_id, scope=identity.scope_clinician, episodes=episodes)
audit.record("view_participant", identity.user, identity.role, page="participant", participant_id=participant_id,
             episode_id=view.episode["episode_id"])

data_as_of(view.data_as_of)

e = view.episode
track, admitted, week, clinician = st.columns(4)
track.metric("Track", e["program"] or "not recorded")
admitted.metric("Admitted", f"{e['admit_date']:%d %b %Y}")
week.metric("Week in program", view.week_in_program)
clinician.metric("Clinician", e["primary_clinician"] or "not recorded")
st.markdown(f"**Status:** {view.status}")

flags = state.with_status(view.flags)
flags["label"] = labels(flags)
for flag in flags.itertuples():
    text = f"**{flag.label}** — {flag.explanation}"
    if flag.status != "active":
        text += f"  \n_{flag.status} by {flag.user_name} ({flag.action_taken}): {flag.note}_"
    (st.error if flag.severity == "red" and flag.status == "active" else st.warning if flag.status == "active" else st.info)(text)
if not len(flags):
    st.success("No open flags.")

st.subheader("Scores")
weeks = st.toggle("Weeks since admission", key="weeks_axis")
for instrument in view.instruments:
    bands = view.bands[view.bands["instrument"] == instrument]
    st.plotly_chart(trajectory(instrument, view.scores[view.scores["instrument"] == instrument], bands,
                               view.outcome(instrument), view.expected[view.expected["instrument"] == instrument],
                               view.flags[view.flags["instrument"] == instrument], e["admit_date"], weeks),
                    key=f"trajectory-{instrument}")
    expected = view.expected[view.expected["instrument"] == instrument]
    if len(expected) and not expected["available"].any():
        st.caption(f"Expected-response band for {instrument}: {expected['note'].dropna().iloc[0]}.")

st.subheader("Outcome summary")
st.dataframe(view.outcomes[["instrument", "baseline_score", "latest_score", "change", "reliable_change_points",
                            "jt_category", "response", "remission", "n_scores"]], hide_index=True, key="outcomes",
             column_config={"instrument": "Instrument", "baseline_score": "Baseline", "latest_score": "Latest",
                            "change": "Change", "reliable_change_points": "Reliable change", "jt_category": "Category",
                            "response": "Response", "remission": "Remission", "n_scores": "Scores"})

st.subheader("Item answers")
for instrument in sorted(view.items["instrument"].unique()):
    st.plotly_chart(item_heatmap(instrument, view.items[view.items["instrument"] == instrument]), key=f"items-{instrument}")

st.subheader("Attendance")
if len(view.sessions):
    st.plotly_chart(attendance_calendar(view.sessions), key="calendar")
if len(view.weeks):
    st.plotly_chart(weekly_hours(view.weeks), key="hours")

st.subheader("Act on a flag")
flag_action_form(flags, key="participant")

st.subheader("Case review export")
export_key = f"case-review-{view.episode['episode_id']}-{view.data_as_of}"
if st.button("Prepare case review (PDF and PNG)", key="prepare"):
    with st.spinner("Rendering the charts…"):
        try:
            st.session_state[export_key] = case_review_files(view)
            audit.record("export", identity.user, identity.role, page="participant", participant_id=participant_id,
                         kind="case review PDF and PNG")
        except ExportUnavailable as e:
            st.error(f"The case review cannot be rendered here: {e}")
if files := st.session_state.get(export_key):
    pdf, png = st.columns(2)
    pdf.download_button("Download PDF", files["pdf"], file_name=f"case-review-{participant_id}.pdf",
                        mime="application/pdf", on_click="ignore", key="pdf")
    png.download_button("Download PNG", files["png"], file_name=f"case-review-{participant_id}.png",
                        mime="image/png", on_click="ignore", key="png")
