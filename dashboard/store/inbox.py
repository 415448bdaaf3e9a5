"""What arrived in the watched inbox (`python -m dashboard watch`), in the application-state store:
each file the watcher took, when it appeared and when it was complete, the load job it became and
where it was kept afterwards (`processed/` or `failed/`); and the watcher's last look, so the pages
can say when exports stopped arriving or the watcher stopped looking."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import closing
from dataclasses import dataclass

import pandas as pd

from dashboard.store import app_state

SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox_arrivals (
    arrival_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    seen_at      TEXT NOT NULL,   -- UTC: the watcher's first look that found the file
    arrived_at   TEXT NOT NULL,   -- UTC: when it was complete (a .done marker, or size and time steady) and taken
    file         TEXT NOT NULL,   -- its name as dropped
    bytes        INTEGER NOT NULL,
    held         TEXT NOT NULL,   -- where it waits while it loads (the inbox's .loading/)
    job_id       INTEGER,         -- its load job (load_jobs)
    status       TEXT NOT NULL CHECK (status IN ('loading', 'loaded', 'unchanged', 'failed')),
    finished_at  TEXT,
    kept_as      TEXT,            -- processed/<stamp>-<file> or failed/<stamp>-<file>, with .result.json beside it
    summary      TEXT             -- JSON: the rows read, loaded, updated, rejected and duplicated, or why it failed
);
CREATE INDEX IF NOT EXISTS inbox_arrivals_status ON inbox_arrivals (status, arrival_id);
CREATE TABLE IF NOT EXISTS inbox_watch (
    folder            TEXT PRIMARY KEY,
    started_at        TEXT NOT NULL,  -- UTC: the watcher's start
    looked_at         TEXT NOT NULL,  -- UTC: its latest look at the folder
    stale_after_hours REAL NOT NULL   -- settings inbox.stale_after_hours, as the watcher read them
);
"""
FORMAT = "%Y-%m-%d %H:%M:%S"


def _text(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime(FORMAT)


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.strptime(text, FORMAT).replace(tzinfo=dt.UTC) if text else None


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def connect():
    return app_state.connect(SCHEMA)


def arrived(file: str, size: int, held: str, seen_at: dt.datetime) -> int:
    """A complete file taken from the inbox; returns its arrival id."""
    with closing(connect()) as con, con:
        return int(
            con.execute(
                "INSERT INTO inbox_arrivals (seen_at, arrived_at, file, bytes, held, status) "
                "VALUES (?, ?, ?, ?, ?, 'loading') RETURNING arrival_id",
                (_text(seen_at), _text(now()), file, size, held),
            ).fetchone()[0]
        )


def queued(arrival_id: int, job_id: int) -> None:
    with closing(connect()) as con, con:
        con.execute("UPDATE inbox_arrivals SET job_id = ? WHERE arrival_id = ?", (job_id, arrival_id))


@dataclass
class Loading:
    arrival_id: int
    file: str
    held: str
    job_id: int | None


def loading() -> list[Loading]:
    with closing(connect()) as con:
        rows = con.execute(
            "SELECT arrival_id, file, held, job_id FROM inbox_arrivals WHERE status = 'loading' ORDER BY arrival_id"
        ).fetchall()
    return [Loading(*r) for r in rows]


def ended(arrival_id: int, status: str, kept_as: str, summary: dict) -> None:
    with closing(connect()) as con, con:
        con.execute(
            "UPDATE inbox_arrivals SET status = ?, finished_at = ?, kept_as = ?, summary = ? WHERE arrival_id = ?",
            (status, _text(now()), kept_as, json.dumps(summary, sort_keys=True), arrival_id),
        )


def looked(folder: str, started_at: dt.datetime, stale_after_hours: float) -> None:
    """The watcher's look at `folder`, kept for the pages."""
    with closing(connect()) as con, con:
        con.execute(
            "INSERT INTO inbox_watch (folder, started_at, looked_at, stale_after_hours) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (folder) DO UPDATE SET started_at = excluded.started_at, looked_at = excluded.looked_at, "
            "stale_after_hours = excluded.stale_after_hours",
            (folder, _text(started_at), _text(now()), float(stale_after_hours)),
        )


@dataclass
class Watch:
    """One watched folder as the pages see it."""

    folder: str
    started_at: dt.datetime
    looked_at: dt.datetime
    stale_after_hours: float
    last_arrival: dt.datetime | None

    def quiet_hours(self, at: dt.datetime) -> float:
        """Hours since the latest file arrived (since the watcher started, when none has)."""
        return (at - (self.last_arrival or self.started_at)).total_seconds() / 3600

    def stale(self, at: dt.datetime) -> bool:
        return self.quiet_hours(at) > self.stale_after_hours


def watches() -> list[Watch]:
    """Every folder a watcher has looked at, with its latest arrival."""
    with closing(connect()) as con:
        rows = con.execute("SELECT folder, started_at, looked_at, stale_after_hours FROM inbox_watch").fetchall()
        last = con.execute("SELECT max(arrived_at) FROM inbox_arrivals").fetchone()[0]
    return [Watch(f, _time(s), _time(lk), h, _time(last)) for f, s, lk, h in rows]


def recent(limit: int = 20) -> pd.DataFrame:
    """The latest arrivals, newest first."""
    with closing(connect()) as con:
        return app_state.frame(
            con,
            "SELECT arrival_id, seen_at, arrived_at, file, bytes, status, finished_at, kept_as, summary "
            "FROM inbox_arrivals ORDER BY arrival_id DESC LIMIT ?",
            (limit,),
        )
