"""Audit trail (administrators): who signed in, viewed whom, exported what."""

import streamlit as st

from dashboard.store import audit
from dashboard.ui import downloads, session

session.require("audit")
st.title("Audit trail")
log = audit.entries()
words = audit.EVENT_WORDS
events = st.multiselect("Events", sorted(log["event"].unique()), key="events", format_func=lambda e: words.get(e, e))
user = st.text_input("User contains", key="user_filter")
shown = log[
    (log["event"].isin(events) if events else True) & log["user_name"].fillna("").str.contains(user, regex=False)
]
st.caption(
    f"{len(shown):,} of {len(log):,} entries, newest first. The log is append-only; one entry per visit to a "
    "page or participant, not per click."
)
downloads.records(
    audit.readable(shown),
    "audit",
    "audit trail",
    "audit",
    column_config={"Detail": st.column_config.TextColumn(width="large")},
)
