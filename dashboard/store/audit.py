"""Append-only audit log in the application-state store: who, when, which page, which participant
was viewed, which export was made (with its filters), sign-ins, failed and throttled sign-ins,
sign-outs, expired sessions and account changes. Passwords and session tokens are never recorded."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import closing

import pandas as pd

from dashboard.store import app_state

EVENTS = (
    "sign_in",
    "sign_in_failed",
    "sign_in_throttled",
    "sign_out",
    "session_expired",
    "view_page",
    "view_participant",
    "export",
    "download_fetched",
    "download_refused",
    "stay_justification",
    "load",
    "account_added",
    "account_changed",
    "password_reset",
    "account_disabled",
    "account_enabled",
    "state_backup",
    "state_restored",
    "inbox_arrival",
)
SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    event_id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at             TEXT NOT NULL,
    user_name      TEXT,
    role           TEXT,
    event          TEXT NOT NULL,   -- EVENTS below
    page           TEXT,
    participant_id TEXT,
    detail         TEXT              -- JSON: export kind and filters, sign-in method
);
"""
APPEND_ONLY = """
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
POSTGRES_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE OR REPLACE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
"""


def _connect():
    return app_state.connect(SCHEMA + (POSTGRES_APPEND_ONLY if app_state.is_postgres() else APPEND_ONLY))


def record(
    event: str, user: str | None, role: str | None, page: str | None = None, participant_id: str | None = None, **detail
) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    with closing(_connect()) as con, con:
        con.execute(
            "INSERT INTO audit_log (at, user_name, role, event, page, participant_id, detail) VALUES (?,?,?,?,?,?,?)",
            (
                dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
                user,
                role,
                event,
                page,
                participant_id,
                json.dumps(detail, default=str, sort_keys=True) if detail else None,
            ),
        )


def entries(
    limit: int | None = 5000,
    start: dt.date | None = None,
    end: dt.date | None = None,
    events: tuple[str, ...] = (),
    user: str = "",
) -> pd.DataFrame:
    """Entries newest first: the newest `limit` (None: all) of those from `start` to `end` (UTC days),
    of these events, whose user name contains `user`."""
    where, params = [], []
    if start:
        where.append("at >= ?")
        params.append(f"{start:%Y-%m-%d} 00:00:00")
    if end:
        where.append("at <= ?")
        params.append(f"{end:%Y-%m-%d} 23:59:59")
    if events:
        where.append(f"event IN ({','.join('?' * len(events))})")
        params += list(events)
    if user:
        where.append("instr(lower(coalesce(user_name, '')), lower(?)) > 0")
        params.append(user)
    sql = (
        "SELECT at, user_name, role, event, page, participant_id, detail FROM audit_log"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + " ORDER BY event_id DESC"
        + (" LIMIT ?" if limit else "")
    )
    with closing(_connect()) as con:
        return app_state.frame(con, sql, [*params, *([limit] if limit else [])])


def exports(limit: int | None = None) -> pd.DataFrame:
    """Every file the app has let out, newest first: who, when, from which page, what, the selection,
    rows, N and whether it was suppressed."""
    log = entries(limit, events=("export",))
    detail = pd.DataFrame([json.loads(d) if d else {} for d in log["detail"]], index=log.index)
    for column in ("kind", "file", "filters", "rows", "n", "suppressed"):
        if column not in detail:
            detail[column] = None
    return pd.DataFrame(
        {
            "at": log["at"],
            "user_name": log["user_name"],
            "role": log["role"],
            "page": log["page"],
            "what": detail["kind"],
            "file": detail["file"],
            "selection": detail["filters"],
            "rows": detail["rows"],
            "n": detail["n"],
            "suppressed": detail["suppressed"].map({True: "yes", False: "no"}),
            "participant_id": log["participant_id"],
        }
    ).reset_index(drop=True)


EVENT_WORDS = {
    "sign_in": "signed in",
    "sign_in_failed": "sign-in failed",
    "sign_in_throttled": "sign-in locked (too many tries)",
    "sign_out": "signed out",
    "session_expired": "session expired",
    "view_page": "opened page",
    "view_participant": "viewed participant",
    "export": "downloaded a file",
    "download_fetched": "fetched a download",
    "download_refused": "fetch refused (another session's file)",
    "stay_justification": "wrote a continued-stay justification",
    "load": "loaded a file",
    "account_added": "added account",
    "account_changed": "changed account",
    "password_reset": "reset password",
    "account_disabled": "disabled account",
    "account_enabled": "enabled account",
}
DETAIL_WORDS = {"kind": "what", "filters": "selection", "episode_id": "episode", "new_role": "role", "client": "from"}


def _detail_text(detail: str | None) -> str:
    """The JSON detail as a line a person reads: 'what: chart PNG · file: flow.png · suppressed: yes'."""
    if not isinstance(detail, str) or not detail:
        return ""
    parts = []
    for key, value in json.loads(detail).items():
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            value = "yes" if value else "no"
        parts.append(f"{DETAIL_WORDS.get(key, key.replace('_', ' '))}: {value}")
    return " · ".join(parts)


def readable(log: pd.DataFrame) -> pd.DataFrame:
    """The audit trail for people: events in words, details as text, blanks instead of None."""
    return pd.DataFrame(
        {
            "When (UTC)": log["at"],
            "User": log["user_name"].fillna(""),
            "Role": log["role"].fillna(""),
            "Event": log["event"].map(EVENT_WORDS).fillna(log["event"]),
            "Page": log["page"].fillna(""),
            "Participant": log["participant_id"].fillna(""),
            "Detail": [_detail_text(d) for d in log["detail"]],
        }
    )
