"""Sign-in sessions kept server-side in the application-state store.

The browser holds only a random token, in an HttpOnly cookie; the store holds its SHA-256, so a
copy of the store opens no session. A session is valid until signed out, revoked (account disabled,
password reset), idle longer than IOP_IDLE_MINUTES or older than IOP_SESSION_MINUTES; every check
reads the store, so each of these takes effect on the next request or page run."""

from __future__ import annotations

import hashlib
import secrets
import time
from contextlib import closing
from dataclasses import dataclass

from dashboard.access import accounts, signin_policy
from dashboard.store import app_state, audit

COOKIE = "iop_session"
SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    token_hash      TEXT PRIMARY KEY,
    user_name       TEXT NOT NULL,
    method          TEXT NOT NULL,    -- password | oidc
    created_at      REAL NOT NULL,    -- seconds since 1970 (UTC)
    last_seen_at    REAL NOT NULL,
    revoked_at      REAL,
    revoked_reason  TEXT,             -- signed out, expired, idle, account changed (disabled, password reset)
    sso_cookie_hash TEXT              -- the identity provider's sign-in this session came from (used once)
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_name);
CREATE INDEX IF NOT EXISTS sessions_sso ON sessions (sso_cookie_hash);
"""


@dataclass(frozen=True)
class Check:
    """The outcome of checking a token: the identity, or why there is none."""

    identity: accounts.Identity | None
    reason: str | None = None  # None (valid), missing, unknown, revoked, expired


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(identity: accounts.Identity, sso_cookie_hash: str | None = None) -> str:
    """A new session for this identity; returns the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    with closing(app_state.connect(SCHEMA)) as con, con:
        con.execute(
            "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, NULL, NULL, ?)",
            (digest(token), identity.user, identity.method, now, now, sso_cookie_hash),
        )
    return token


def check(token: str | None, touch: bool = True, now: float | None = None) -> Check:
    """Is this token a live session? Expiry is recorded (and audited) once, when first seen."""
    if not token:
        return Check(None, "missing")
    now = now or time.time()
    with closing(app_state.connect(SCHEMA)) as con:
        row = con.execute(
            "SELECT user_name, method, created_at, last_seen_at, revoked_reason FROM sessions WHERE token_hash = ?",
            (digest(token),),
        ).fetchone()
    if row is None:
        return Check(None, "unknown")
    user, method, created, seen, revoked = row
    if revoked:
        return Check(None, "expired" if revoked in ("expired", "idle") else "revoked")
    ended = (
        "expired"
        if now - created > 60 * signin_policy.session_minutes()
        else "idle"
        if now - seen > 60 * signin_policy.idle_minutes()
        else None
    )
    identity = accounts.identity_of(user, method, session_opened=created)
    if ended or identity is None:
        reason = ended or "account changed"
        if _revoke(digest(token), reason, now) and ended:
            audit.record("session_expired", user, identity.role if identity else None, reason=reason)
        return Check(None, "expired" if ended else "revoked")
    if touch and now - seen > signin_policy.TOUCH_EVERY_SECONDS:
        with closing(app_state.connect()) as con, con:
            con.execute("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", (now, digest(token)))
    return Check(identity)


def _revoke(token_hash: str, reason: str, now: float | None = None) -> bool:
    """Revoke one session; False when it was revoked already."""
    with closing(app_state.connect(SCHEMA)) as con, con:
        return (
            con.execute(
                "UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE token_hash = ? AND revoked_at IS NULL",
                (now or time.time(), reason, token_hash),
            ).rowcount
            == 1
        )


def revoke(token: str, reason: str = "signed out") -> bool:
    return _revoke(digest(token), reason)


def sso_cookie_used(sso_cookie_hash: str) -> bool:
    """Has this identity-provider sign-in made a session already? Each is exchanged once, so a
    copied provider cookie cannot open a new session after sign-out or expiry."""
    with closing(app_state.connect(SCHEMA)) as con:
        return (
            con.execute("SELECT 1 FROM sessions WHERE sso_cookie_hash = ?", (sso_cookie_hash,)).fetchone() is not None
        )


def end(token: str, reason: str = "signed out") -> str | None:
    """Sign out: revoke the session (audited once) and return its sign-in method, None if unknown."""
    with closing(app_state.connect(SCHEMA)) as con:
        row = con.execute("SELECT user_name, method FROM sessions WHERE token_hash = ?", (digest(token),)).fetchone()
    if row is None:
        return None
    if revoke(token, reason):
        identity = accounts.identity_of(row[0], row[1])
        audit.record("sign_out", row[0], identity.role if identity else None, method=row[1])
    return row[1]


PENDING_SCHEMA = """
CREATE TABLE IF NOT EXISTS pending_sign_ins (
    nonce_hash TEXT PRIMARY KEY,
    next_path  TEXT NOT NULL,     -- the address asked for before an identity-provider sign-in
    created_at REAL NOT NULL
);
"""


def remember_next(next_path: str) -> str:
    """Keep the address asked for while the identity provider signs the user in; returns a nonce."""
    nonce = secrets.token_urlsafe(24)
    now = time.time()
    with closing(app_state.connect(PENDING_SCHEMA)) as con, con:
        con.execute("DELETE FROM pending_sign_ins WHERE created_at < ?", (now - 600,))
        con.execute("INSERT INTO pending_sign_ins VALUES (?, ?, ?)", (digest(nonce), next_path, now))
    return nonce


def take_next(nonce: str | None) -> str | None:
    """The address kept under this nonce (usable once, for 10 minutes)."""
    if not nonce:
        return None
    with closing(app_state.connect(PENDING_SCHEMA)) as con, con:
        row = con.execute(
            "SELECT next_path, created_at FROM pending_sign_ins WHERE nonce_hash = ?", (digest(nonce),)
        ).fetchone()
        con.execute("DELETE FROM pending_sign_ins WHERE nonce_hash = ?", (digest(nonce),))
    return row[0] if row and time.time() - row[1] < 600 else None
