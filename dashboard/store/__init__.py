"""The data the dashboard reads and keeps: the loaded database through scoped read-only queries, and the
application-state store (flag actions, reviews, justifications, audit log, load jobs)."""
