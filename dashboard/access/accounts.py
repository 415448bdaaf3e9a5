"""Accounts in the application-state store: who may sign in, as what role, and how.

A password account signs in on the dashboard's own sign-in page; an organisation account
(`sso`, no password) signs in through the identity provider (OIDC) and takes its role from here.
Every change is written to the audit log by the caller's `actor`; passwords are stored as bcrypt
hashes only. Disabling an account or resetting its password ends its open sessions at once: each
session check asks identity_of, which refuses sessions opened before the change."""

from __future__ import annotations

import datetime as dt
import json
import time
from contextlib import closing
from dataclasses import dataclass

import pandas as pd

from dashboard.access import passwords
from dashboard.access.pages import ROLES
from dashboard.access.signin_policy import production
from dashboard.store import app_state, audit

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS accounts (
    user_name     TEXT PRIMARY KEY COLLATE NOCASE,
    role          TEXT NOT NULL CHECK (role IN ({", ".join(repr(r) for r in ROLES)})),
    display_name  TEXT NOT NULL,
    clinician     TEXT,               -- the clinician's name as the exports spell it (role clinician)
    password_hash TEXT,               -- NULL: an organisation account (signs in through OIDC)
    demo          INTEGER NOT NULL DEFAULT 0,
    disabled_at   TEXT,
    sessions_from REAL,               -- sessions opened before this (a password reset, disabling) are over
    last_sign_in  TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
"""


class AccountError(ValueError):
    """An account change that cannot be made; the message says why."""


@dataclass(frozen=True)
class Identity:
    user: str
    role: str
    clinician: str | None = None  # the clinician name used in the exports (role clinician)
    name: str = ""
    method: str = "password"  # password | oidc
    sites: tuple[str, ...] | None = None  # a director's sites (as the exports spell them); None: every site

    @property
    def scope_clinician(self) -> str | None:
        """Data-layer scoping: a clinician sees only their caseload; other roles are not scoped."""
        return self.clinician if self.role == "clinician" else None

    @property
    def scope_sites(self) -> tuple[str, ...] | None:
        """A director may be limited to some sites; clinicians are limited by their caseload, and the
        quality role and administrators see the whole organisation (the quality role suppressed)."""
        return self.sites if self.role == "director" else None


@dataclass(frozen=True)
class Actor:
    """Who makes an account change, for the audit log."""

    user: str
    role: str | None


def _connect():
    con = app_state.connect(SCHEMA)
    app_state.add_missing_columns(con, "accounts", {"sessions_from": "REAL", "last_sign_in": "TEXT", "sites": "TEXT"})
    return con


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _row(user_name: str) -> dict | None:
    with closing(_connect()) as con:
        return app_state.one_dict(con, "SELECT * FROM accounts WHERE user_name = ?", (user_name.strip(),))


def identity_of(user_name: str, method: str, session_opened: float | None = None) -> Identity | None:
    """The identity an enabled account signs in as, or (with `session_opened`) a session opened at
    that time still acts as; None when there is none (or it may not now)."""
    row = _row(user_name)
    if row is None or row["disabled_at"] or row["role"] not in ROLES:
        return None
    if session_opened is not None and row["sessions_from"] and session_opened < row["sessions_from"]:
        return None  # opened before a password reset or disabling
    if production() and row["demo"]:
        return None  # demo accounts never work in production mode
    if (method == "password") != bool(row["password_hash"]):
        return None  # password accounts sign in with their password, organisation accounts through OIDC
    return Identity(row["user_name"], row["role"], row["clinician"], row["display_name"], method, _sites(row["sites"]))


KEEP = object()  # change(): leave the sites as they are


def _sites(stored: str | None) -> tuple[str, ...] | None:
    """The stored JSON list as a tuple; None (every site) when none is stored."""
    try:
        sites = json.loads(stored) if stored else None
    except ValueError:
        return ()  # unreadable: no site rather than every site
    return tuple(str(s) for s in sites) if isinstance(sites, list) else None


def _stored_sites(sites, role: str) -> str | None:
    """What the store keeps: a director's sites as a sorted JSON list; None for every site."""
    if sites is None:
        return None
    cleaned = sorted({str(s).strip() for s in sites if str(s).strip()})
    if not cleaned:
        return None
    if role != "director":
        raise AccountError("only a director's account is limited to sites (a clinician sees their caseload)")
    return json.dumps(cleaned)


def check_password(user_name: str, password: str) -> Identity | None:
    """The identity for a correct user name and password, else None, in one bcrypt check either way."""
    row = _row(user_name) if user_name.strip() else None
    ok = passwords.verify(password, row["password_hash"] if row else None)
    return identity_of(row["user_name"], "password") if ok else None


def add(
    user_name: str,
    role: str,
    actor: Actor,
    display_name: str = "",
    clinician: str | None = None,
    password: str | None = None,
    demo: bool = False,
    sites: list[str] | tuple[str, ...] | None = None,
) -> None:
    """A new account: with a password, or (password None) an organisation account for OIDC sign-in."""
    user_name = user_name.strip()
    if not user_name or len(user_name) > 100 or any(c.isspace() or not c.isprintable() for c in user_name):
        raise AccountError("a user name is 1 to 100 characters, without spaces")
    if role not in ROLES:
        raise AccountError(f"role must be one of: {', '.join(ROLES)}")
    if role == "clinician" and not (clinician or "").strip():
        raise AccountError("a clinician account needs the clinician's name as the exports spell it (e.g. 'Chen, M.')")
    stored_sites = _stored_sites(sites, role)
    hashed = passwords.hash_password(password) if password is not None else None
    with closing(_connect()) as con, con:
        if con.execute("SELECT 1 FROM accounts WHERE user_name = ?", (user_name,)).fetchone():
            raise AccountError(f"an account {user_name} exists already")
        con.execute(
            "INSERT INTO accounts (user_name, role, display_name, clinician, password_hash, demo, created_at, "
            "updated_at, sites) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                user_name,
                role,
                display_name.strip() or user_name,
                (clinician or "").strip() or None,
                hashed,
                int(demo),
                _now(),
                _now(),
                stored_sites,
            ),
        )
    audit.record(
        "account_added",
        actor.user,
        actor.role,
        account=user_name,
        new_role=role,
        method="password" if password is not None else "oidc",
        **({"sites": json.loads(stored_sites)} if stored_sites else {}),
    )


def _existing(user_name: str) -> dict:
    row = _row(user_name)
    if row is None:
        raise AccountError(f"no account {user_name.strip()}")
    return row


def reset_password(user_name: str, password: str, actor: Actor) -> None:
    """A new password; the account's open sessions end."""
    row = _existing(user_name)
    hashed = passwords.hash_password(password)
    with closing(_connect()) as con, con:
        con.execute(
            "UPDATE accounts SET password_hash = ?, sessions_from = ?, updated_at = ? WHERE user_name = ?",
            (hashed, time.time(), _now(), row["user_name"]),
        )
    audit.record("password_reset", actor.user, actor.role, account=row["user_name"])


def set_disabled(user_name: str, disabled: bool, actor: Actor) -> None:
    """Disable (its open sessions end at once) or enable an account."""
    row = _existing(user_name)
    if disabled and row["user_name"].lower() == actor.user.lower():
        raise AccountError("you cannot disable your own account")
    with closing(_connect()) as con, con:
        con.execute(
            "UPDATE accounts SET disabled_at = ?, sessions_from = coalesce(?, sessions_from), updated_at = ? "
            "WHERE user_name = ?",
            (_now() if disabled else None, time.time() if disabled else None, _now(), row["user_name"]),
        )
    audit.record(
        "account_disabled" if disabled else "account_enabled", actor.user, actor.role, account=row["user_name"]
    )


def signed_in(user_name: str) -> None:
    with closing(_connect()) as con, con:
        con.execute("UPDATE accounts SET last_sign_in = ? WHERE user_name = ?", (_now(), user_name))


def change(
    user_name: str,
    actor: Actor,
    role: str | None = None,
    clinician: str | None = None,
    display_name: str | None = None,
    sites=KEEP,
) -> None:
    """A new role, clinician name, display name or sites (a list; None: every site); takes effect
    on the account's next page run."""
    row = _existing(user_name)
    new = {
        "role": role or row["role"],
        "clinician": row["clinician"] if clinician is None else (clinician.strip() or None),
        "display_name": display_name.strip() if display_name and display_name.strip() else row["display_name"],
    }
    if new["role"] not in ROLES:
        raise AccountError(f"role must be one of: {', '.join(ROLES)}")
    if new["role"] == "clinician" and not new["clinician"]:
        raise AccountError("a clinician account needs the clinician's name as the exports spell it")
    kept_sites = _sites(row["sites"]) if new["role"] == "director" else None  # another role: every site
    new["sites"] = _stored_sites(kept_sites if sites is KEEP else sites, new["role"])
    with closing(_connect()) as con, con:
        con.execute(
            "UPDATE accounts SET role = ?, clinician = ?, display_name = ?, sites = ?, updated_at = ? "
            "WHERE user_name = ?",
            (new["role"], new["clinician"], new["display_name"], new["sites"], _now(), row["user_name"]),
        )
    audit.record(
        "account_changed",
        actor.user,
        actor.role,
        account=row["user_name"],
        **{f"new_{k}": v for k, v in new.items() if v != row[k]},
    )


def listing() -> pd.DataFrame:
    """Every account, without its hash, with its last sign-in."""
    with closing(_connect()) as con:
        return app_state.frame(
            con,
            """
            SELECT user_name, display_name, role, clinician,
                   CASE WHEN role = 'director' THEN coalesce(sites, 'every site') END AS sites,
                   CASE WHEN password_hash IS NULL THEN 'organisation (OIDC)' ELSE 'password' END AS sign_in,
                   CASE WHEN disabled_at IS NOT NULL THEN 'disabled' ELSE 'active' END AS status,
                   CAST(demo = 1 AS INTEGER) AS demo, created_at, updated_at, last_sign_in
            FROM accounts ORDER BY user_name COLLATE NOCASE""",
        )
