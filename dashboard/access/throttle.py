"""Throttled guessing: after THROTTLE_FAILURES failed sign-ins for one user name, or from one client
address, within THROTTLE_WINDOW_MINUTES, further attempts are refused (whatever the password) until
the oldest of those failures leaves the window. User names are counted whether or not they exist,
so being throttled says nothing about an account. Refused attempts do not count as failures, so
the window always clears."""

from __future__ import annotations

import time
from contextlib import closing

from dashboard.access.signin_policy import THROTTLE_FAILURES, THROTTLE_WINDOW_MINUTES
from dashboard.store import app_state

SCHEMA = """
CREATE TABLE IF NOT EXISTS sign_in_failures (
    at       REAL NOT NULL,     -- seconds since 1970 (UTC)
    user_key TEXT NOT NULL,     -- the user name as typed, folded to lower case
    client   TEXT NOT NULL      -- the client's address
);
CREATE INDEX IF NOT EXISTS sign_in_failures_at ON sign_in_failures (at);
"""


def user_key(user_name: str) -> str:
    return user_name.strip().lower()[:100]


def record_failure(user_name: str, client: str, now: float | None = None) -> None:
    now = now or time.time()
    with closing(app_state.connect(SCHEMA)) as con, con:
        con.execute("DELETE FROM sign_in_failures WHERE at < ?", (now - 86400,))  # keep a day; the audit log keeps all
        con.execute("INSERT INTO sign_in_failures VALUES (?, ?, ?)", (now, user_key(user_name), client))


def retry_after(user_name: str, client: str, now: float | None = None) -> float:
    """Seconds until an attempt for this user name from this address is allowed; 0 when it is now."""
    now = now or time.time()
    window = 60 * THROTTLE_WINDOW_MINUTES
    with closing(app_state.connect(SCHEMA)) as con:
        waits = []
        for column, value in (("user_key", user_key(user_name)), ("client", client)):
            times = [
                at
                for (at,) in con.execute(
                    f"SELECT at FROM sign_in_failures WHERE {column} = ? AND at > ? ORDER BY at DESC",
                    (value, now - window),
                )
            ]
            if len(times) >= THROTTLE_FAILURES:
                waits.append(times[THROTTLE_FAILURES - 1] + window - now)
    return max(waits, default=0.0)
