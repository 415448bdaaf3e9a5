"""Caseload: who needs attention before the case review, and why."""
import streamlit as st

from dashboard import db, session
from dashboard.caseload import filters, worklist
from dashboard.widgets import caseload_filters, data_as_of, flag_action_form

identity = session.require("caseload")
st.title("Caseload")

try:
    options = filters()
except db.NoData as e:
    st.info(str(e))
    st.stop()

clinician, track = caseload_filters(options, identity.scope_clinician)
caseload = worklist(clinician, track)
rows, flags = caseload.rows, caseload.flags

data_as_of(caseload.data_as_of)
red, amber = (rows["priority"] == "red").sum(), (rows["priority"] == "amber").sum()
st.markdown(f"**{len(rows)}** open episodes · **{red}** with a red flag · **{amber}** with amber flags only")

table = rows[["priority", "participant_id", "flags", "week_in_program", "track", "attendance_recent", "hours_vs_asam",
              *caseload.instruments, "handled"]].astype(object).fillna("")
selection = st.dataframe(
    table, hide_index=True, key="worklist", on_select="rerun", selection_mode="single-row",
    column_config={"priority": "Priority", "participant_id": "Participant", "track": "Track", "week_in_program": "Week",
                   "attendance_recent": st.column_config.TextColumn(f"Attended, last {caseload.recent_days} days"),
                   "hours_vs_asam": st.column_config.TextColumn("Hours last week / ASAM min"),
                   **{c: st.column_config.TextColumn(f"{c} (change)") for c in caseload.instruments},
                   "flags": st.column_config.TextColumn("Active flags", width="large"),
                   "handled": st.column_config.TextColumn("Acknowledged or snoozed", width="medium")})
st.caption("Select a row to open the participant's progress.")
if selection.selection.rows:
    chosen = rows.iloc[selection.selection.rows[0]]
    st.switch_page("pages/participant.py", query_params={"participant": chosen["participant_id"],
                                                         "episode": chosen["episode_id"]})

st.subheader("Act on a flag")
flag_action_form(flags, key="caseload")

handled = flags[flags["status"] != "active"]
if len(handled):
    st.subheader("Acknowledged and snoozed")
    st.dataframe(handled[["participant_id", "label", "status", "action_taken", "note", "snooze_until", "user_name", "created_at"]],
                 hide_index=True, key="handled",
                 column_config={"participant_id": "Participant", "label": "Flag", "status": "Status",
                                "action_taken": "Action taken", "note": "Note", "snooze_until": "Until",
                                "user_name": "By", "created_at": "When (UTC)"})
