"""Uploads as background jobs: the Data page stores the uploaded files and queues a job; one loader
worker (`python -m dashboard worker`) takes the jobs in turn and runs the loader's own command
on them, so no page run waits for a load and every session stays responsive meanwhile.

The jobs are a table in the application-state store (`app_state.connect`), next to the audit log; the
files wait in a private folder beside the store (store/upload_files.py), deleted as soon as their job
ends, loaded or not. At most one worker runs per store (store/worker_lock.py). The loader serialises
with the command line itself (its writer lock).

Nothing here logs: the files' names and the loader's messages stay in the store."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from dashboard.store import app_state
from dashboard.store.upload_files import (
    copy_private,
    private_dir,
    private_root,
    remove_folder,
    safe_name,
    uploads_root,
    write_private,
)

ROOT = Path(__file__).resolve().parents[2]
# the loader's kinds (etl/vocabulary.py KINDS; the dashboard never imports the loader: a test keeps them equal)
KINDS = ("attendance", "measures", "roster", "authorizations", "diagnoses")
ACTIVE = ("queued", "running")
# the counts a result row gives for each file, as `python -m etl load --json` reports them
COUNTS = ("read", "loaded", "updated", "rejected", "duplicate")
ORPHAN_AGE = 3600  # seconds before a folder no job names is swept (a page may be writing it)
KEEP_FINISHED_DAYS = 90  # a finished job's record (the page's view of an upload) is then dropped;
# what was loaded stays in the database's load history, rejects and audit
INTERRUPTED = "the load was interrupted (the loader worker stopped before it finished)"

SCHEMA = """
CREATE TABLE IF NOT EXISTS load_jobs (
    job_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at  TEXT NOT NULL,        -- UTC, YYYY-MM-DD HH:MM:SS like the audit log
    user_name   TEXT NOT NULL,
    role        TEXT NOT NULL,
    kind        TEXT,                 -- one of KINDS; NULL: each file's header says
    files       TEXT NOT NULL,        -- JSON list of the uploaded files' names
    folder      TEXT,                 -- where the files wait; NULL once they are deleted
    db_path     TEXT NOT NULL,        -- the database the page reads, loaded into
    status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    started_at  TEXT,
    finished_at TEXT,
    progress    TEXT,                 -- JSON {"step", "done", "total"}: the loader's last progress line
    result      TEXT,                 -- JSON list: one row per file, as `python -m etl load --json` gives it
    message     TEXT,                 -- why a failed job failed
    host        TEXT                  -- the machine whose worker loads it (its files wait there)
);
CREATE INDEX IF NOT EXISTS load_jobs_status ON load_jobs (status, job_id);
CREATE INDEX IF NOT EXISTS load_jobs_user ON load_jobs (user_name, job_id);
"""


@dataclass
class Job:
    job_id: int
    created_at: dt.datetime
    user: str
    role: str
    kind: str | None
    files: list[str]
    folder: Path | None
    db_path: str
    status: str
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    progress: dict | None = None
    result: list[dict] | None = None
    message: str | None = None
    ahead: int = 0  # active jobs queued before this one (any user's)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


COLUMNS = (
    "job_id",
    "created_at",
    "user_name",
    "role",
    "kind",
    "files",
    "folder",
    "db_path",
    "status",
    "started_at",
    "finished_at",
    "progress",
    "result",
    "message",
)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC) if text else None


def _json(text: str | None):
    try:
        return json.loads(text) if text else None
    except json.JSONDecodeError:
        return None


def _job(row) -> Job:
    r = dict(zip(COLUMNS, row))
    return Job(
        r["job_id"],
        _time(r["created_at"]),
        r["user_name"],
        r["role"],
        r["kind"],
        _json(r["files"]) or [],
        Path(r["folder"]) if r["folder"] else None,
        r["db_path"],
        r["status"],
        _time(r["started_at"]),
        _time(r["finished_at"]),
        _json(r["progress"]),
        _json(r["result"]),
        r["message"],
    )


def host() -> str:
    """This machine, as jobs name where their files wait: with a shared (PostgreSQL) store several
    servers queue jobs, and each machine's worker takes its own (IOP_HOST overrides the name)."""
    return os.environ.get("IOP_HOST") or socket.gethostname()


def connect():
    con = app_state.connect(SCHEMA)
    app_state.add_missing_columns(con, "load_jobs", {"host": "TEXT"})
    return con


MINE = "(host = ? OR host IS NULL)"  # a job of a store written before jobs named their machine is this one's


def queue(files: list[tuple[str, bytes]], kind: str | None, user: str, role: str, db_path: str | Path) -> int:
    """Store the uploads privately and queue a job for them; returns its id. The files are written
    before the job is visible, so a worker never takes a job whose files are not all there."""
    return _queue(
        [(name, lambda path, content=content: write_private(path, content)) for name, content in files],
        kind,
        user,
        role,
        db_path,
    )


def queue_paths(paths: list[Path], kind: str | None, user: str, role: str, db_path: str | Path) -> int:
    """Queue files already on disk (an inbox's): each is copied privately, as an upload is stored."""
    return _queue(
        [(Path(p).name, lambda path, source=Path(p): copy_private(source, path)) for p in paths],
        kind,
        user,
        role,
        db_path,
    )


def _queue(files, kind: str | None, user: str, role: str, db_path: str | Path) -> int:
    if not files:
        raise ValueError("nothing to load")
    folder = Path(tempfile.mkdtemp(prefix="job-", dir=private_root()))  # mkdtemp makes it 0700
    try:
        names = []
        for i, (name, write) in enumerate(files):
            names.append(safe_name(name))
            write(private_dir(folder / str(i)) / names[-1])
        with closing(connect()) as con, con:
            cursor = con.execute(
                "INSERT INTO load_jobs (created_at, user_name, role, kind, files, folder, db_path, status, host) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?) RETURNING job_id",
                (
                    _now(),
                    user,
                    role,
                    kind if kind in KINDS else None,
                    json.dumps(names),
                    str(folder),
                    str(Path(db_path).resolve()),
                    host(),
                ),
            )
            return int(cursor.fetchone()[0])
    except BaseException:
        remove_folder(folder)
        raise


def get(job_id: int) -> Job | None:
    with closing(connect()) as con:
        row = con.execute(f"SELECT {', '.join(COLUMNS)} FROM load_jobs WHERE job_id = ?", (job_id,)).fetchone()
    return _job(row) if row else None


def recent(user: str, limit: int = 5) -> list[Job]:
    """This user's latest jobs, newest first, each with how many jobs wait before it."""
    with closing(connect()) as con:
        rows = con.execute(
            f"SELECT {', '.join(COLUMNS)} FROM load_jobs WHERE user_name = ? ORDER BY job_id DESC LIMIT ?",
            (user, limit),
        ).fetchall()
        jobs = [_job(r) for r in rows]
        for job in jobs:
            if job.active:
                job.ahead = con.execute(
                    "SELECT count(*) FROM load_jobs WHERE status IN ('queued', 'running') AND job_id < ?", (job.job_id,)
                ).fetchone()[0]
    return jobs


def has_queued() -> bool:
    """Whether a job waits for this machine's worker."""
    with closing(connect()) as con:
        return (
            con.execute(f"SELECT 1 FROM load_jobs WHERE status = 'queued' AND {MINE} LIMIT 1", (host(),)).fetchone()
            is not None
        )


def claim() -> Job | None:
    """This machine's oldest queued job, now marked running (only the worker holding the lock calls this;
    the status test keeps a job from being taken twice all the same)."""
    with closing(connect()) as con, con:
        row = con.execute(
            f"""UPDATE load_jobs SET status = 'running', started_at = ?
                              WHERE status = 'queued'
                                AND job_id = (SELECT min(job_id) FROM load_jobs WHERE status = 'queued' AND {MINE})
                              RETURNING {", ".join(COLUMNS)}""",
            (_now(), host()),
        ).fetchone()
    return _job(row) if row else None


def set_progress(job_id: int, progress: dict) -> None:
    with closing(connect()) as con, con:
        con.execute(
            "UPDATE load_jobs SET progress = ? WHERE job_id = ? AND status = 'running'", (json.dumps(progress), job_id)
        )


def finish(job: Job, status: str, result: list[dict], message: str | None = None) -> None:
    """Record the job's end, then delete its files (a folder left by a worker killed in between is
    swept by the next one)."""
    if status not in ("done", "failed"):
        raise ValueError(f"a job ends done or failed, not {status!r}")
    cutoff = (dt.datetime.now(dt.UTC) - dt.timedelta(days=KEEP_FINISHED_DAYS)).strftime("%Y-%m-%d %H:%M:%S")
    with closing(connect()) as con, con:
        con.execute(
            "UPDATE load_jobs SET status = ?, finished_at = ?, result = ?, message = ?, folder = NULL WHERE job_id = ?",
            (status, _now(), json.dumps(result), message, job.job_id),
        )
        con.execute("DELETE FROM load_jobs WHERE status IN ('done', 'failed') AND finished_at < ?", (cutoff,))
    remove_folder(job.folder)


def abandoned() -> list[Job]:
    """This machine's jobs marked running: when its worker has just taken the lock, none is running them."""
    with closing(connect()) as con:
        return [
            _job(r)
            for r in con.execute(
                f"SELECT {', '.join(COLUMNS)} FROM load_jobs WHERE status = 'running' AND {MINE} ORDER BY job_id",
                (host(),),
            ).fetchall()
        ]


def sweep(min_age: float = ORPHAN_AGE) -> None:
    """Delete folders that no waiting or running job names (left by a worker or page that was
    killed), once they are old enough that no page can still be writing them."""
    root = uploads_root()
    if not root.exists():
        return
    with closing(connect()) as con:
        named = {
            r[0]
            for r in con.execute(
                f"SELECT folder FROM load_jobs WHERE folder IS NOT NULL AND status IN ('queued', 'running') AND {MINE}",
                (host(),),
            )
        }
    for folder in root.glob("job-*"):
        try:
            old = time.time() - folder.stat().st_mtime > min_age
        except FileNotFoundError:
            continue
        if folder.is_dir() and str(folder) not in named and old:
            remove_folder(folder)
