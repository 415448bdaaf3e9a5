"""Caseload: who needs attention before the case review, and why."""

import streamlit as st

from dashboard.store import db
from dashboard.ui import row_choice, session
from dashboard.ui.filter_widgets import caseload_filters
from dashboard.ui.forms import flag_action_form
from dashboard.ui.markdown import escape_markdown
from dashboard.ui.notes import data_as_of
from dashboard.ui.tables import worklist_table
from dashboard.views.caseload import due_by_clinician, filters, measures_due, worklist

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
st.markdown(
    f"**{len(rows):,}** open episodes · **{caseload.count(0):,}** with a safety flag · "
    f"**{caseload.count(1):,}** with a red flag · **{caseload.count(2):,}** with amber flags only"
)

chosen = worklist_table(caseload, show_clinician=not identity.scope_clinician)
st.caption(
    "A score's 'on track' compares it with people who started at a similar score (expected recovery); "
    "'No improvement' compares it with this person's own intake (no reliable change by the settings' week): "
    "both can hold for one score."
)
if chosen is None:
    st.caption("Select a row to act on that participant's flags or open their progress.")
else:  # every part below names and acts on the chosen episode, wherever the re-sorted list puts it
    st.subheader(f"{escape_markdown(chosen['participant_id'])}: act on a flag")
    if st.button("Open participant progress", key="open_participant"):
        st.switch_page(
            "pages/participant.py",
            query_params={"participant": chosen["participant_id"], "episode": chosen["episode_id"]},
        )
    flag_action_form(flags[flags["episode_id"] == chosen["episode_id"]], key="caseload")
    after = caseload.next_open(chosen["episode_id"])
    if after is not None:
        st.button(
            f"Next with an open flag: {escape_markdown(after['participant_id'])} ({after['priority']})",
            key="next_open",
            on_click=row_choice.choose,
            args=("worklist", after["episode_id"]),
        )

handled = caseload.handled()
if len(handled):
    st.subheader("Acknowledged and snoozed")
    st.dataframe(handled, hide_index=True, key="handled")

st.subheader("Measures due this week")
one_caseload = bool(identity.scope_clinician or clinician)  # the whole program's done ones: counted below, not listed
due = measures_due(clinician, track, with_done=one_caseload)
if not len(due):
    st.caption("No planned measure is due or overdue" + (", or done," if one_caseload else "") + " this week.")
else:
    st.caption(
        "From the measurement plan's cadence for each track (settings measurement.plan); overdue = more than "
        "a week past due, the first falling due at admission."
        + ("" if one_caseload else " Measures done this week are listed when one clinician is chosen.")
    )
    st.dataframe(due if not identity.scope_clinician else due.drop(columns="Clinician"), hide_index=True, key="due")
if not identity.scope_clinician:
    st.subheader("Due measures by clinician")
    st.dataframe(
        due_by_clinician(track),
        hide_index=True,
        key="due_by_clinician",
        column_config={
            "clinician": "Clinician",
            "planned": "Planned measures",
            "done": "Done this week",
            "due": "Due",
            "overdue": "Overdue",
            "later": "Not due yet",
            "up_to_date_pct": st.column_config.NumberColumn("Not overdue", format="%d %%"),
        },
    )
