"""Throttled guessing, without locking the real user out from elsewhere:
- one user name from one address: after THROTTLE_FAILURES failed sign-ins within
  THROTTLE_WINDOW_MINUTES, further attempts of that pair are refused (whatever the password) until the
  oldest of those failures leaves the window; the same name from another address is not;
- one address, whatever the names: from ADDRESS_FAILURES failures in the window on, each attempt waits
  a delay that doubles with every further failure (1 s, 2 s, 4 s ..., at most the window).
User names are counted as the accounts compare them (spaces at the ends and case ignored), whether
or not they exist, so being throttled says nothing about an account. Refused attempts do not count
as failures, so the window always clears. The client address is the connection's own unless a
trusted proxy is named (IOP_TRUSTED_PROXY, server.py)."""

from __future__ import annotations

import time
import unicodedata
from contextlib import closing

from dashboard.access.signin_policy import ADDRESS_FAILURES, THROTTLE_FAILURES, THROTTLE_WINDOW_MINUTES
from dashboard.store import app_state

SCHEMA = """
CREATE TABLE IF NOT EXISTS sign_in_failures (
    at       REAL NOT NULL,     -- seconds since 1970 (UTC)
    user_key TEXT NOT NULL,     -- the user name as typed, trimmed and folded to lower case (as accounts compare)
    client   TEXT NOT NULL      -- the client's address
);
CREATE INDEX IF NOT EXISTS sign_in_failures_at ON sign_in_failures (at);
"""


def user_key(user_name: str) -> str:
    """As the accounts table compares names, or more loosely (user_name COLLATE NOCASE, spaces at the
    ends ignored; in PostgreSQL a case- and width-blind collation that also takes ｖｉｃｔｉｍ1 and ⓥictim1
    for victim1): VICTIM1, ' victim1 ' and those are all victim1, one count."""
    return unicodedata.normalize("NFKC", user_name.strip()).casefold()[:100]


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
        pair = [
            at
            for (at,) in con.execute(
                "SELECT at FROM sign_in_failures WHERE user_key = ? AND client = ? AND at > ? ORDER BY at DESC",
                (user_key(user_name), client, now - window),
            )
        ]
        address = [
            at
            for (at,) in con.execute(
                "SELECT at FROM sign_in_failures WHERE client = ? AND at > ? ORDER BY at DESC", (client, now - window)
            )
        ]
    waits = [0.0]
    if len(pair) >= THROTTLE_FAILURES:
        waits.append(pair[THROTTLE_FAILURES - 1] + window - now)
    if len(address) >= ADDRESS_FAILURES:
        waits.append(address[0] + min(2.0 ** (len(address) - ADDRESS_FAILURES), window) - now)
    return max(waits)
