"""At most one loader worker per store: the worker holds an exclusive `flock` on
`<store>-uploads/worker.lock` for as long as it lives (and writes its process id there), so a page
can tell whether one is alive and start one if not."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

from dashboard.store import app_state
from dashboard.store.upload_files import private_root, uploads_root

ROOT = Path(__file__).resolve().parents[2]


def lock_path() -> Path:
    return uploads_root() / "worker.lock"


def open_lock():
    """The lock file, opened (0600) but not locked."""
    path = private_root() / "worker.lock"
    return os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+")


def worker_alive() -> bool:
    """Whether a worker holds the lock (a probe that gets it lets it go at once)."""
    with open_lock() as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
        return False


def worker_pid() -> int | None:
    """The live worker's process id, as it wrote it in the lock file (None when none is alive)."""
    if not worker_alive():
        return None
    try:
        return int(lock_path().read_text().strip() or 0) or None
    except (OSError, ValueError):
        return None


def start_worker() -> bool:
    """Start the loader worker unless one is alive; True when one was started. It runs detached
    (its own session, no output), with this process's store and database named absolutely."""
    if worker_alive():
        return False
    env = {**os.environ, "IOP_STATE": str(app_state.state_path().resolve())}
    if "IOP_DB" in env:
        env["IOP_DB"] = str(Path(env["IOP_DB"]).resolve())
    subprocess.Popen(
        [sys.executable, "-m", "dashboard", "worker"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=True,
    )
    return True
