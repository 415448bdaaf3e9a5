"""Backups of the application-state store (acknowledgements and reviews, continued-stay
justifications, accounts, sessions, the audit log, load jobs, inbox arrivals): SQLite's online
backup API copies a consistent snapshot while the dashboard keeps writing, page by page, into a
private file that is checked before it takes its final name. A restore copies a checked backup
back the same way and ends every session it brings back, so no one is signed in by a token
that was signed out after the backup (docs/operations.md).

A PostgreSQL store (IOP_STATE_URL) is copied by PostgreSQL's own tools instead: `pg_dump` writes a
consistent snapshot in its custom format (a `.pgdump` file), `pg_restore` brings it back in one
transaction; the same commands, folders, retention and audit entries apply."""

from __future__ import annotations

import datetime as dt
import glob
import os
import shutil
import sqlite3
import subprocess
import time
from contextlib import closing
from pathlib import Path

from dashboard.store import app_state

PREFIX, SUFFIX = "app_state-", ".sqlite"
STAMP = "%Y%m%dT%H%M%SZ"
KNOWN = ("accounts", "audit_log", "sessions", "flag_actions", "stay_justifications", "load_jobs", "inbox_arrivals")


class NotABackup(ValueError):
    """The file given to restore is not a sound application-state store; the message says why."""


def suffix() -> str:
    return ".pgdump" if app_state.is_postgres() else SUFFIX


def _target(dest: str | os.PathLike) -> Path:
    """A folder (existing, or named with a trailing slash) gets a stamped file; anything else is the file."""
    path = Path(dest)
    if path.is_dir() or os.fspath(dest).endswith(os.sep):
        os.makedirs(path, mode=0o700, exist_ok=True)
        return path / f"{PREFIX}{dt.datetime.now(dt.UTC):{STAMP}}{suffix()}"
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
        if app_state.is_postgres():
            _postgres("pg_dump", "--format=custom", "--no-owner", "--file", str(part))
            _postgres("pg_restore", "--list", str(part), target=False)  # a readable archive, or no backup
            os.replace(part, target)
            return target
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
    return sorted(folder.glob(f"{PREFIX}*{suffix()}")) if folder.is_dir() else []


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
    if path is None and app_state.is_postgres():
        with closing(app_state.connect()) as con:
            tables = [
                r[0]
                for r in con.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
                )
            ]
            return _rows_per_table(con, tables)
    source = Path(path) if path else app_state.state_path()
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as con:
            tables = [
                r[0]
                for r in con.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            return _rows_per_table(con, tables)
    except sqlite3.DatabaseError as e:
        raise NotABackup(
            f"{source.name}: not an SQLite store ({type(e).__name__}); a PostgreSQL backup is counted once restored"
        ) from None


def _rows_per_table(con, tables: list[str]) -> dict[str, int]:
    return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def restore(source: str | os.PathLike) -> dict[str, int]:
    """Replace the live store's contents with the backup's; returns its rows per table. The sessions
    it brings back are ended (everyone signs in again)."""
    source = Path(source)
    if not source.is_file():
        raise NotABackup(f"{source.name}: no such file")
    if app_state.is_postgres():
        try:
            _postgres("pg_restore", "--list", str(source), target=False)
        except NotABackup:
            raise NotABackup(f"{source.name}: not a pg_dump archive (custom format)") from None
        _postgres("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", str(source))
        _end_sessions()
        return counts()
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backed_up:
            _check(backed_up, source.name, restoring=True)
            with closing(app_state.connect()) as live:
                backed_up.backup(live)
    except sqlite3.DatabaseError as e:
        raise NotABackup(f"{source.name}: not an SQLite database ({type(e).__name__})") from None
    _end_sessions()
    return counts()


def _end_sessions() -> None:
    with closing(app_state.connect()) as live, live:
        if "sessions" in counts():
            live.execute(
                "UPDATE sessions SET revoked_at = ?, revoked_reason = 'store restored' WHERE revoked_at IS NULL",
                (time.time(),),
            )


def _tool(name: str) -> str:
    """PostgreSQL's client program: on PATH, or the newest of Debian's versioned folders."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))[::-1]), None)
    if not found:
        raise NotABackup(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _postgres(tool: str, *args: str, target: bool = True) -> None:
    """Run pg_dump or pg_restore on the store; what it prints is not repeated (it may name rows)."""
    env = dict(os.environ)
    command = [_tool(tool), *args]
    if target:  # the password goes in the environment (its owner's to read), never on the command line (everyone's)
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        parts = conninfo_to_dict(app_state.state_url())
        if parts.get("password"):
            env["PGPASSWORD"] = str(parts.pop("password"))
        command += ["--dbname", make_conninfo(**parts)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False, env=env)
    if run.returncode != 0:
        raise NotABackup(f"{tool} failed (exit {run.returncode})")
