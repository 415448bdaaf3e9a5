"""What left the program: every file the dashboard has let out (chart, table, board pack, case
review), who took it, when, with which selection, how many rows, and whether it was suppressed."""

import streamlit as st

from dashboard.privacy import policy
from dashboard.store import audit
from dashboard.ui import downloads, session

identity = session.require("exports")
st.title("What left the program")
log = audit.exports()
if policy.external(identity.role):
    # an external role sees that a participant's file was taken, not whose
    log = log.assign(participant_id=log["participant_id"].where(log["participant_id"].isna(), "(a participant)"))
suppressed = (log["suppressed"] == "yes").sum()
st.caption(
    f"{len(log):,} files, newest first; {suppressed:,} suppressed for sharing, "
    f"{(log['suppressed'] == 'no').sum():,} with true counts (INTERNAL). From the append-only audit log."
)
downloads.records(
    log,
    "exports",
    "files that left the program",
    "exports",
    column_config={
        "at": "When (UTC)",
        "user_name": "Who",
        "role": "Role",
        "page": "Page",
        "what": "What",
        "file": "File",
        "selection": "Selection",
        "rows": "Rows",
        "suppressed": "Suppressed",
        "participant_id": "Participant",
    },
)
