"""The loader worker: `python -m dashboard worker [--idle SECONDS]` takes the queued upload jobs
(dashboard/store/load_jobs.py) oldest first, one at a time, and runs the loader's own command on each
(`python -m etl load FILES --db DB --json [--kind K] [--progress-file F]`), so it loads under the same
writer lock as the command line. While a load runs it copies the loader's progress line into the
job; when the load ends it writes the audit record (one per file, as the job's user and role),
stores the results and deletes the files. It exits after SECONDS (IOP_LOAD_WORKER_IDLE, 60) without
a job; the Data page starts it again when one is queued.

Only one worker runs per store: it holds the store's worker lock for its life, and a worker that
takes the lock first fails the jobs a killed worker left running. It writes nothing to its output:
file names and the loader's messages go to the store only."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import functools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from dashboard.store import app_state, audit, load_jobs, saved_loads, upload_files, worker_lock
from dashboard.store.load_jobs import COUNTS, KINDS, ROOT, Job

LOADER = (sys.executable, "-m", "etl", "load")
IDLE = float(os.environ.get("IOP_LOAD_WORKER_IDLE", "60"))
TIMEOUT = float(os.environ.get("IOP_LOAD_TIMEOUT", "3600"))  # seconds a load may take before it is stopped
POLL = 0.5
NOTES_KEPT = 50
LOADS_LOCK = 7_270_002  # app_state.one_at_a_time key: one load at a time among servers sharing a store

try:  # the loader stops if the worker dies (Linux): a job the next worker fails is not still loading
    import ctypes

    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _prctl = None


def _die_with_parent() -> None:
    if _prctl is not None:
        _prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@functools.cache
def progress_option(loader: tuple[str, ...] = LOADER) -> bool:
    """Whether this loader takes --progress-file (asked once per worker)."""
    try:
        run = subprocess.run([*loader, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--progress-file" in run.stdout


def read_progress(path: Path) -> dict | None:
    """The loader's last progress line ({"step", "done", "total"}), or None while there is none (no
    file yet, or one being rewritten)."""
    try:
        line = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(line, dict):
        return None
    out = {"step": str(line.get("step") or "")[:300]}
    for key in ("done", "total"):
        value = line.get(key)
        out[key] = value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
    return out


def failed_rows(job: Job, problem: str) -> list[dict]:
    """One failed result per file: what the page shows and the audit records when no load ran."""
    return [{"file": name, "kind": None, "status": "failed", "message": f"{name}: {problem}"} for name in job.files]


def _results(text: str) -> list[dict] | None:
    try:
        rows = json.loads(text)
    except ValueError:
        return None
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "file" in r and "status" in r for r in rows):
        return None
    for r in rows:
        r["file"] = Path(str(r["file"])).name  # the stored copy's folder is gone once the job ends
        r["notes"] = list(r.get("notes") or [])[:NOTES_KEPT]
    return rows


def run_job(job: Job, poll: float = POLL, timeout: float = TIMEOUT) -> tuple[str, list[dict], str | None]:
    """Load the job's files; returns (status, result rows, message)."""
    folder = job.folder
    if folder is None or not folder.is_dir():
        problem = "the uploaded file was not found; nothing was loaded from this upload, load it again"
        return "failed", failed_rows(job, problem), problem
    paths = upload_files.stored_files(folder)
    progress_file, out_path = folder / "progress.json", folder / "loader.out"
    command = [*LOADER, *map(str, paths), "--db", job.db_path, "--json"]
    if job.kind in KINDS:
        command += ["--kind", job.kind]
    if progress_option(tuple(LOADER)):
        command += ["--progress-file", str(progress_file)]
    with os.fdopen(os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        loader = subprocess.Popen(
            command,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
    deadline, shown = time.monotonic() + timeout, None
    while True:
        try:
            code = loader.wait(timeout=poll)
            break
        except subprocess.TimeoutExpired:
            pass
        progress = read_progress(progress_file)
        if progress is not None and progress != shown:
            load_jobs.set_progress(job.job_id, progress)
            shown = progress
        if time.monotonic() > deadline:
            loader.kill()
            loader.wait()
            return _stopped(job, paths, f"the load took longer than {timeout / 60:g} minutes and was stopped")
    rows = _results(out_path.read_text(encoding="utf-8", errors="replace"))
    if rows is None:  # the loader itself failed; its own output is not kept (it may name rows)
        return _stopped(job, paths, f"the loader stopped (exit {code})")
    return "done", rows, None


def _stopped(job: Job, paths: list[Path], why: str) -> tuple[str, list[dict], str]:
    """A load that ended without its report. It may have stopped after its swap (while copying the
    database to the other servers, say): the files the database records are loaded, and say so."""
    try:
        saved = saved_loads.of_files(job.db_path, paths)
    except Exception as e:  # a database being replaced, or not one: say it is not known, not "nothing"
        problem = f"{why}; whether it had saved this upload's files could not be read ({type(e).__name__}): see the loads below"
        return "failed", failed_rows(job, problem), problem
    if not saved:
        problem = f"{why}; nothing was loaded from this upload"
        return "failed", failed_rows(job, problem), problem
    rows = [
        {"file": p.name, "status": "loaded", "message": "", **saved[p], "reasons": [], "notes": [], "build_notes": []}
        if p in saved
        else {"file": p.name, "kind": None, "status": "failed", "message": f"{p.name}: {why}; this file was not loaded"}
        for p in paths
    ]
    message = (
        f"{why} after it had saved {len(saved)} of {len(paths)} file(s) in the database: those are loaded. What follows "
        "a load may not have finished (copying the database to the other servers, the whole-history step): "
        f"python -m etl rebuild --db {job.db_path} finishes both."
    )
    return "done", rows, message


def _audit(job: Job, rows: list[dict]) -> None:
    for r in rows:
        audit.record(
            "load",
            job.user,
            job.role,
            page="data",
            file=r["file"],
            status=r["status"],
            job=job.job_id,
            **{k: r[k] for k in COUNTS if k in r},
        )


def process(job: Job, poll: float = POLL, timeout: float = TIMEOUT) -> str:
    try:
        status, rows, message = run_job(job, poll, timeout)
    except Exception as e:  # recorded by kind only: an exception's text may name a file or a row
        message = f"the loader worker failed ({type(e).__name__}); nothing was loaded from this upload"
        status, rows = "failed", failed_rows(job, message)
    _audit(job, rows)  # before the job ends: a worker killed in between fails it, and the trail has both
    load_jobs.finish(job, status, rows, message)
    return status


def recover() -> None:
    """Fail the jobs a killed worker left running, delete files no job needs, and have the loader
    remove the working copy and spill folder a killed load left beside its database (tens of MB of
    identified data that would otherwise wait for the next load)."""
    databases = set()
    for job in load_jobs.abandoned():
        if job.folder is not None and job.folder.is_dir():  # its files: the database says which it saved
            status, rows, message = _stopped(job, upload_files.stored_files(job.folder), load_jobs.INTERRUPTED)
        else:
            message = f"{load_jobs.INTERRUPTED}; check the load history and load the files again if they are not there"
            status, rows = "failed", failed_rows(job, message)
        _audit(job, rows)
        load_jobs.finish(job, status, rows, message)
        databases.add(job.db_path)
    load_jobs.sweep()
    for db in sorted(databases):
        subprocess.run([*LOADER[:-1], "clean", "--db", db], cwd=ROOT, capture_output=True, timeout=120, check=False)


def _drain(idle: float, poll: float, timeout: float) -> int:
    ran, waiting_since = 0, time.monotonic()
    while True:
        job = None
        if load_jobs.has_queued():
            # servers sharing a PostgreSQL store load one at a time: each publishes its new database to
            # the others (etl/publish.py), so two loads at once would each lose the other's rows
            with app_state.one_at_a_time(LOADS_LOCK):
                job = load_jobs.claim()
                if job is not None:
                    process(job, poll, timeout)
        if job is not None:
            ran, waiting_since = ran + 1, time.monotonic()
        elif time.monotonic() - waiting_since >= idle:
            return ran
        else:
            time.sleep(poll)


def run(idle: float = IDLE, poll: float = POLL, timeout: float = TIMEOUT) -> int:
    """Take jobs until none has come for `idle` seconds; returns how many ran (0 at once if another
    worker holds the lock: that one takes them)."""
    ran = 0
    while True:
        with worker_lock.open_lock() as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return ran
            lock.seek(0)
            lock.truncate()
            lock.write(f"{os.getpid()}\n")
            lock.flush()
            try:
                recover()
                ran += _drain(idle, poll, timeout)
            finally:
                lock.seek(0)
                lock.truncate()
                lock.flush()
        # a page that queued a job while the lock was still held started no worker: look once more
        # (one queued after this look finds the lock free and starts a worker itself)
        if not load_jobs.has_queued():
            return ran


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard worker", description="Load the Data page's queued uploads, one at a time."
    )
    parser.add_argument("--idle", type=float, default=IDLE, help="seconds without a job before exiting")
    args = parser.parse_args(argv)
    os.umask(0o077)
    with contextlib.suppress(OSError):
        os.nice(10)  # the signed-in sessions come first
    run(args.idle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
