"""Audit trail (administrators): who signed in, viewed whom, exported what. Every entry of the chosen
days, however many (the file holds them all too), filtered by event and user."""

import datetime as dt

import streamlit as st

from dashboard.store import audit
from dashboard.ui import downloads, session

session.require("audit")
st.title("Audit trail")
today = dt.datetime.now(dt.UTC).date()
first, last, pick_events, pick_user = st.columns([1, 1, 2, 2])
start = first.date_input("From (UTC)", today - dt.timedelta(days=30), key="audit_from")
end = last.date_input("To (UTC)", today, key="audit_to")
words = audit.EVENT_WORDS
events = pick_events.multiselect("Events", list(audit.EVENTS), key="events", format_func=lambda e: words.get(e, e))
user = pick_user.text_input("User contains", key="user_filter")
log = audit.entries(None, start, end, tuple(events), user)
described = (
    f"{start:%d %b %Y} to {end:%d %b %Y}"
    + (f"; events: {', '.join(events)}" if events else "")
    + (f"; user contains: {user}" if user else "")
)
st.caption(
    f"{len(log):,} entries, {described}, newest first. The log is append-only; one entry per visit to a "
    "page or participant, not per click."
)
downloads.records(
    audit.readable(log),
    "audit",
    "audit trail",
    "audit",
    selection=described,
    column_config={"Detail": st.column_config.TextColumn(width="large")},
)
