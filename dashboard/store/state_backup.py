"""Backups of the application-state store (acknowledgements and reviews, continued-stay
justifications, accounts, sessions, the audit log, load jobs, inbox arrivals): SQLite's online
backup API copies a consistent snapshot while the dashboard keeps writing, page by page, into a
private file that is checked before it takes its final name. A restore copies a checked backup
back the same way and ends every session it brings back, so no one is signed in by a token
that was signed out after the backup (docs/operations.md)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from dashboard.store import app_state

PREFIX, SUFFIX = "app_state-", ".sqlite"
STAMP = "%Y%m%dT%H%M%SZ"
KNOWN = ("accounts", "audit_log", "sessions", "flag_actions", "stay_justifications", "load_jobs", "inbox_arrivals")


class NotABackup(ValueError):
    """The file given to restore is not a sound application-state store; the message says why."""


def _target(dest: str | os.PathLike) -> Path:
    """A folder (existing, or named with a trailing slash) gets a stamped file; anything else is the file."""
    path = Path(dest)
    if path.is_dir() or os.fspath(dest).endswith(os.sep):
        os.makedirs(path, mode=0o700, exist_ok=True)
        return path / f"{PREFIX}{dt.datetime.now(dt.UTC):{STAMP}}{SUFFIX}"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _check(con: sqlite3.Connection, name: str, restoring: bool = False) -> None:
    result = con.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise NotABackup(f"{name}: SQLite's integrity check failed ({result})")
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if restoring and not tables & set(KNOWN):
        raise NotABackup(f"{name}: not an application-state store (none of its tables: {', '.join(KNOWN)})")


def backup(dest: str | os.PathLike) -> Path:
    """Copy the live store to `dest` (a file, or a folder for a stamped file); returns the file."""
    target = _target(dest)
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    app_state.private_file(part)
    try:
        with closing(app_state.connect()) as live, closing(sqlite3.connect(part)) as out:
            live.backup(out)
            out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            _check(out, target.name)
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return target


def backups(folder: str | os.PathLike) -> list[Path]:
    """The stamped backups in `folder`, oldest first."""
    folder = Path(folder)
    return sorted(folder.glob(f"{PREFIX}*{SUFFIX}")) if folder.is_dir() else []


def prune(folder: str | os.PathLike, keep: int) -> list[Path]:
    """Delete all but the newest `keep` stamped backups in `folder`; returns those deleted."""
    old = backups(folder)[: -keep or None] if keep > 0 else []
    for path in old:
        path.unlink(missing_ok=True)
    return old


def due(folder: str | os.PathLike, every_hours: float, at: float | None = None) -> bool:
    """Whether the newest stamped backup in `folder` is older than `every_hours` (or there is none)."""
    kept = backups(folder)
    return not kept or (at or time.time()) - kept[-1].stat().st_mtime >= every_hours * 3600


def counts(path: str | os.PathLike | None = None) -> dict[str, int]:
    """Rows per table of a store (the live one by default): what a restore brings back."""
    source = Path(path) if path else app_state.state_path()
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def restore(source: str | os.PathLike) -> dict[str, int]:
    """Replace the live store's contents with the backup's; returns its rows per table. The sessions
    it brings back are ended (everyone signs in again)."""
    source = Path(source)
    if not source.is_file():
        raise NotABackup(f"{source.name}: no such file")
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backed_up:
            _check(backed_up, source.name, restoring=True)
            with closing(app_state.connect()) as live:
                backed_up.backup(live)
    except sqlite3.DatabaseError as e:
        raise NotABackup(f"{source.name}: not an SQLite database ({type(e).__name__})") from None
    with closing(app_state.connect()) as live, live:
        tables = {r[0] for r in live.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "sessions" in tables:
            live.execute(
                "UPDATE sessions SET revoked_at = ?, revoked_reason = 'store restored' WHERE revoked_at IS NULL",
                (time.time(),),
            )
    return counts()
