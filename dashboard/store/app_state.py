"""The application-state store: what people did and who may sign in (flag actions and reviews,
continued-stay justifications, accounts, sessions, the audit log, load jobs), apart from the loaded
data so that reloads never wipe it. SQLite in WAL mode lets several sessions write at once.
IOP_STATE names the file (default data/app_state.sqlite); it is created readable by its owner only,
and git ignores it."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


class ActionRefused(ValueError):
    """A flag action that the rules do not allow; the message says why."""


def state_path() -> Path:
    return Path(os.environ.get("IOP_STATE", "data/app_state.sqlite"))


def private_file(path: Path) -> None:
    """Create `path` readable by its owner only (0600), or tighten it if it is looser."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    elif path.stat().st_mode & 0o077:
        path.chmod(0o600)


def connect(schema: str = "") -> sqlite3.Connection:
    """A connection to the store (SQLite makes its -wal and -shm files with the same mode)."""
    path = state_path()
    private_file(path)
    con = sqlite3.connect(path, timeout=10)
    con.execute("PRAGMA journal_mode=WAL")
    if schema:
        con.executescript(schema)
    return con


def add_missing_columns(con: sqlite3.Connection, table: str, columns: dict[str, str]) -> None:
    """Columns added since a store was created (CREATE TABLE IF NOT EXISTS leaves an old table as it was)."""
    present = {row[1] for row in con.execute(f"PRAGMA table_info({table})")}
    for name, kind in columns.items():
        if name not in present:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
