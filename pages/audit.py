"""Audit trail (administrators): who signed in, viewed whom, exported what."""
import streamlit as st

from dashboard import audit, session
from dashboard import downloads

session.require("audit")
st.title("Audit trail")
log = audit.entries()
events = st.multiselect("Events", sorted(log["event"].unique()), key="events")
user = st.text_input("User contains", key="user_filter")
shown = log[(log["event"].isin(events) if events else True) & log["user_name"].fillna("").str.contains(user, regex=False)]
st.caption(f"{len(shown):,} of {len(log):,} entries, newest first. The log is append-only.")
downloads.records(shown, "audit", "audit trail", "audit", column_config={"at": "When (UTC)", "user_name": "User", "role": "Role",
                                                     "event": "Event", "page": "Page", "participant_id": "Participant",
                                                     "detail": "Detail"})
