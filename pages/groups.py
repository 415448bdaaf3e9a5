"""Today's groups: each group's members before the huddle, with what needs attention."""

import streamlit as st

from dashboard.store import db
from dashboard.ui import session
from dashboard.ui.markdown import escape_markdown
from dashboard.ui.notes import data_as_of
from dashboard.ui.pickers import group_day_picker
from dashboard.ui.tables import roster_table
from dashboard.views import groups

identity = session.require("groups")
st.title("Today's groups")

try:
    days = groups.days()
except db.NoData as e:
    st.info(str(e))
    st.stop()
if days.last is None:
    st.info("No group sessions in the loaded data: sessions of type group, or rows with a group name.")
    st.stop()

day = group_day_picker(days.first, days.last)
data_as_of(days.data_as_of)
held = groups.groups_on(day)
if not held:
    st.info(
        f"No group on {day:%A %d %b %Y}" + (" with a member of your caseload." if identity.scope_clinician else ".")
    )
    st.stop()
st.caption(
    "Members: everyone with a session in the group that day. Open flags: those firing on the data date and "
    "neither acknowledged nor snoozed (as on the caseload); "
    "'Before this day' and 'Last attended' count the sessions before it; scores up to the day."
)

for i, group in enumerate(held):
    st.subheader(escape_markdown(group.label))
    when = f"{group.start_time:%H:%M} · " if group.start_time is not None else ""
    others = f" · {group.others} from other caseloads (not shown)" if group.others else ""
    st.caption(f"{when}{group.members} members, {group.attended} attended{others}")
    chosen = roster_table(group.roster, key=f"group-{i}", show_clinician=not identity.scope_clinician)
    if chosen is not None and st.button(
        f"Open progress of {escape_markdown(chosen['participant_id'])}", key=f"open-{i}"
    ):
        st.switch_page(
            "pages/participant.py",
            query_params={"participant": chosen["participant_id"], "episode": chosen["episode_id"]},
        )
