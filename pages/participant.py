"""Participant progress: one person's episode walked through in a case review."""
import streamlit as st

from dashboard import audit, db, downloads, session, state
from dashboard.charts.attendance import attendance_calendar, weekly_hours
from dashboard.charts.items import item_heatmap
from dashboard.charts.trajectory import trajectory
from dashboard.flag_labels import labels
from dashboard.participant import episode_view, participant_episodes
from dashboard.exports import renderer_available
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
    episodes = participant_episodes(participant_id)
except db.NoData as e:
    st.info(str(e))
    st.stop()
if not len(episodes):
    # the same words whether the participant does not exist or is not in this clinician's caseload
    st.warning(f"No participant {plain(participant_id)} in "
               + ("your caseload." if identity.scope_clinician else "the loaded data."))
    st.stop()
episode_id = episode_picker(episodes["episode_id"].tolist())
view = episode_view(participant_id, episode_id, episodes=episodes)
audit.record("view_participant", identity.user, identity.role, page="participant", participant_id=view.participant_id,
             episode_id=view.episode["episode_id"])

data_as_of(view.data_as_of)

e = view.episode
track, admitted, week, clinician = st.columns(4)
track.metric("Track", plain(e["program"] or "not recorded"))
admitted.metric("Admitted", f"{e['admit_date']:%d %b %Y}")
week.metric("Week in program", view.week_in_program)
clinician.metric("Clinician", plain(e["primary_clinician"] or "not recorded"))
st.markdown(f"**Status:** {plain(view.status)}")

flags = state.with_status(view.flags)
flags["label"] = labels(flags)
for flag in flags.itertuples():
    text = f"**{plain(flag.label)}** — {plain(flag.explanation)}"
    if flag.status != "active":   # the note is typed by staff: shown as typed
        text += f"  \n_{flag.status} by {plain(flag.user_name)} \\({plain(flag.action_taken)}\\): {plain(flag.note)}_"
    (st.error if flag.severity == "red" and flag.status == "active" else st.warning if flag.status == "active" else st.info)(text)
if not len(flags):
    st.success("No open flags.")

st.subheader("Scores")
weeks = st.toggle("Treatment weeks", key="weeks_axis", help="Week 1 holds the admission day; the week numbers of the header and the flags.")
for instrument in view.instruments:
    bands = view.bands[view.bands["instrument"] == instrument]
    st.plotly_chart(trajectory(instrument, view.scores[view.scores["instrument"] == instrument], bands,
                               view.outcome(instrument), view.expected[view.expected["instrument"] == instrument],
                               view.flags[view.flags["instrument"] == instrument], e["admit_date"], weeks),
                    key=f"trajectory-{instrument}")
    expected = view.expected[view.expected["instrument"] == instrument]
    if len(expected) and not expected["available"].any():
        st.caption(f"Expected-response band for {plain(instrument)}: {plain(expected['note'].dropna().iloc[0])}.")

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
st.caption("One PDF (a page per section) or one PNG of this episode, for the case review; built when downloaded.")
if not renderer_available():
    st.caption("Static images need Chromium on the server (apt-get install chromium).")
    st.stop()
pdf, png = st.columns(2)
with pdf:
    downloads.button("Download PDF", lambda: case_review_files(view)["pdf"], f"case-review-{view.participant_id}.pdf",
                     "application/pdf", "case_review_pdf", "participant", "case review PDF", participant_id=view.participant_id)
with png:
    downloads.button("Download PNG", lambda: case_review_files(view)["png"], f"case-review-{view.participant_id}.png",
                     "image/png", "case_review_png", "participant", "case review PNG", participant_id=view.participant_id)
