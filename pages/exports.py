"""What left the program: every file the dashboard has let out (chart, table, board pack, case
review), who took it, when, with which selection, how many rows, and whether it was suppressed."""

import streamlit as st

from dashboard.privacy.export_log import export_log
from dashboard.store import audit
from dashboard.ui import downloads, session

identity = session.require("exports")
st.title("What left the program")
log, note = export_log(audit.exports(), identity.role)  # outside the care team: whose file is not said
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
    note=note,
    column_config={
        "at": "When (UTC)",
        "user_name": "Who",
        "role": "Role",
        "page": "Page",
        "what": "What",
        "file": "File",
        "selection": "Selection",
        "rows": "Rows",
        "n": "N",
        "suppressed": "Suppressed",
        "participant_id": "Participant",
    },
)
