"""The Data page's one source: load history, rejected rows and data-quality findings, and the
uploads being loaded. An upload becomes a job (dashboard/store/load_jobs.py): its files are stored
privately and the loader worker (`python -m dashboard worker`) runs the loader's own command
(`python -m etl load --json`) on them in a process of its own, one job at a time. The dashboard does
not import the loader, a large file's memory is the loader's, not every signed-in user's, and no
page run waits for a load."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard.store import db, load_jobs, worker_lock
from dashboard.store.load_jobs import COUNTS, KINDS

POLL_SECONDS = 2  # how often the page looks at a job that is waiting or loading


@dataclass
class LoadResult:
    """One file's outcome, as `python -m etl load --json` reports it."""

    path: Path
    status: str
    kind: str | None = None
    message: str = ""
    counts: dict = field(default_factory=dict)
    reasons: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    build_notes: list = field(default_factory=list)


def _result(r: dict) -> LoadResult:
    return LoadResult(
        Path(r["file"]),
        r["status"],
        r.get("kind"),
        r.get("message") or "",
        {k: r.get(k) or 0 for k in COUNTS},
        [tuple(x) for x in r.get("reasons") or []],
        r.get("notes") or [],
        r.get("build_notes") or [],
    )


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def _names(files: list[str]) -> str:
    shown = ", ".join(files[:3])
    return shown + (f" and {len(files) - 3} more" if len(files) > 3 else "")


@dataclass
class Upload:
    """One upload job as the Data page shows it. The texts are plain (file names are as uploaded):
    the page escapes them."""

    job_id: int
    status: str  # queued, running, done, failed
    files: list[str]
    state: str  # Queued, Loading, Loaded, Finished (not every file loaded), Not loaded, Failed
    detail: str  # when, how long, how many wait before it
    step: str = ""  # the loader's last progress line
    fraction: float | None = None
    results: list[LoadResult] = field(default_factory=list)
    warning: str = ""  # a load stopped after it had saved: what may not have finished

    @property
    def active(self) -> bool:
        return self.status in load_jobs.ACTIVE


def _upload(job: load_jobs.Job, now: dt.datetime) -> Upload:
    files = f"{len(job.files)} file{'s' if len(job.files) != 1 else ''}: {_names(job.files)}"
    if job.status == "queued":
        wait = (
            f"waiting for {job.ahead} earlier upload{'s' if job.ahead != 1 else ''}"
            if job.ahead
            else "the loader starts in a moment"
        )
        return Upload(
            job.job_id, job.status, job.files, "Queued", f"{files} · queued {job.created_at:%H:%M} UTC, {wait}"
        )
    if job.status == "running":
        progress = job.progress or {}
        done, total = progress.get("done"), progress.get("total")
        fraction = min(1.0, done / total) if isinstance(done, int) and isinstance(total, int) and total > 0 else None
        step = progress.get("step") or "starting the loader"
        if fraction is not None:
            step += f" ({done} of {total})"
        return Upload(
            job.job_id,
            job.status,
            job.files,
            "Loading",
            f"{files} · loading for {_duration((now - (job.started_at or now)).total_seconds())}",
            step,
            fraction,
        )
    took = _duration(((job.finished_at or now) - (job.started_at or job.created_at)).total_seconds())
    finished = f"{job.finished_at:%d %b %H:%M} UTC" if job.finished_at else ""
    results = [_result(r) for r in job.result or []]
    if job.status == "done":
        loaded = sum(r.status == "loaded" for r in results)
        failed = sum(r.status == "failed" for r in results)
        state = "Loaded" if loaded == len(results) else "Not loaded" if failed == len(results) else "Finished"
        return Upload(
            job.job_id,
            job.status,
            job.files,
            state,
            f"{files} · finished {finished} in {took}",
            results=results,
            warning=(job.message or "")[:1].upper() + (job.message or "")[1:],  # stands alone: a sentence
        )
    return Upload(
        job.job_id, job.status, job.files, "Failed", f"{files} · stopped {finished} after {took}", results=results
    )


def start_upload(files: list[tuple[str, bytes]], kind: str | None, user: str, role: str) -> int:
    """Queue these uploads (name, content) for loading into the dashboard's database and make sure
    the loader worker runs; returns the job's id at once. kind (one of KINDS) when the administrator
    says what the files are, else each is recognised by its header."""
    job_id = load_jobs.queue(files, kind if kind in KINDS else None, user, role, db.db_path())
    worker_lock.start_worker()
    return job_id


def uploads(user: str, limit: int = 5) -> list[Upload]:
    """This user's latest uploads, newest first, finished ones with their results. A job waiting
    with no worker alive (it was killed, or stopped idling just as the job came) gets one."""
    jobs = load_jobs.recent(user, limit)
    if any(j.active for j in jobs):
        worker_lock.start_worker()
    now = dt.datetime.now(dt.UTC)
    return [_upload(j, now) for j in jobs]


def history() -> dict[str, pd.DataFrame]:
    return db.queries(loads=("data/loads", {}), quality=("data/quality", {}), findings=("data/quality_rows", {}))


def rejects(search: str | None) -> pd.DataFrame:
    return db.query("data/rejects", search=search)
