"""`python -m dashboard watch [--folder F] [--db DB] [--once]`: load the exports an EHR drops in the
inbox folder (settings `[inbox]`), and make the scheduled backups of the application state
(settings `[backup]`). A systemd unit and a cron line: docs/operations.md.

A file is taken when it is complete: at once when a marker `NAME.done` stands beside it, else once
its size and modification time have not changed for `inbox.stable_seconds` (a copy in progress
keeps changing them; names ending .part, .tmp, .filepart and the like are never taken). It is
moved to the inbox's `.loading/` folder (a rename: the sender may drop the next file of that name
at once), queued as a load job like an upload, and loaded by the loader worker (this process, when
no page has started one). When its job ends it moves to `processed/` (loaded, or recognised by the
loader as unchanged) or `failed/`, as `<arrival time>-<name>`, with `<that>.result.json` beside it:
what the loader said of each file. The Data page lists what arrived; every page tells directors and
administrators when nothing has arrived for `inbox.stale_after_hours`.

The settings are read from the configuration folder's files (not the loaded database): the inbox
must work before the first load. Like the worker, it writes no file names or loader messages to its
output; they go to the store and the result files."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from clinical.settings import Settings, load_settings
from dashboard.commands import load_worker
from dashboard.store import audit, db, inbox, load_jobs, state_backup

USER, ROLE = "inbox", "admin"  # the jobs and audit entries of files that came by the inbox
LOADING, PROCESSED, FAILED = ".loading", "processed", "failed"
MARKER = ".done"
NEVER_TAKEN = (MARKER, ".part", ".partial", ".tmp", ".temp", ".filepart", ".crdownload", ".result.json", ".swp")
STAMP = "%Y%m%dT%H%M%SZ"


@dataclass
class Config:
    folder: Path | None
    stable_seconds: float
    poll_seconds: float
    stale_after_hours: float
    backup_folder: Path | None
    backup_every_hours: float
    backup_keep: int

    @classmethod
    def read(cls, folder: str | None = None) -> Config:
        s = Settings(load_settings())
        inbox_folder = folder or s.text("inbox", "folder")
        backups = s.text("backup", "folder")
        return cls(
            Path(inbox_folder).resolve() if inbox_folder else None,
            s.number("inbox", "stable_seconds"),
            max(0.1, s.number("inbox", "poll_seconds")),
            s.number("inbox", "stale_after_hours"),
            Path(backups).resolve() if backups else None,
            s.number("backup", "every_hours"),
            s.whole("backup", "keep"),
        )


@dataclass
class Candidates:
    """The files in the inbox not yet taken, with when each last changed (monotonic seconds) and
    when it was first seen (UTC)."""

    stable_seconds: float
    seen: dict[str, tuple[tuple[int, int], float, dt.datetime]] = field(default_factory=dict)

    def ready(self, folder: Path, now: float) -> list[tuple[Path, dt.datetime]]:
        present, out = set(), []
        with os.scandir(folder) as entries:
            listed = sorted(entries, key=lambda e: e.name)
        for entry in listed:
            name = entry.name
            if name.startswith(".") or name.lower().endswith(NEVER_TAKEN) or not entry.is_file(follow_symlinks=False):
                continue
            try:
                stat = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            present.add(name)
            key = (stat.st_size, stat.st_mtime_ns)
            before = self.seen.get(name)
            if before is None or before[0] != key:
                before = self.seen[name] = (key, now, before[2] if before else inbox.now())
            if (folder / f"{name}{MARKER}").exists() or now - before[1] >= self.stable_seconds:
                out.append((Path(entry.path), before[2]))
        for gone in set(self.seen) - present:
            del self.seen[gone]
        return out


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _free(folder: Path, name: str) -> Path:
    """`<now>-<name>` in folder, numbered if a file of that name is already there."""
    stamp = f"{inbox.now():{STAMP}}"
    path, n = folder / f"{stamp}-{name}", 1
    while path.exists():
        n += 1
        path = folder / f"{stamp}-{n}-{name}"
    return path


def take(path: Path, seen_at: dt.datetime, candidates: Candidates) -> tuple[int, Path, str]:
    """Move a complete file out of the inbox and record its arrival; returns (arrival id, where it
    waits, its name as dropped)."""
    held = _free(_private_dir(path.parent / LOADING), path.name)
    size = path.stat().st_size
    os.rename(path, held)
    Path(f"{path}{MARKER}").unlink(missing_ok=True)
    candidates.seen.pop(path.name, None)
    return inbox.arrived(path.name, size, str(held), seen_at), held, path.name


def queue(folder: Path, taken: list[tuple[int, Path, str]], db_path: Path) -> None:
    """The files of one look as one load job: a night's exports arrive together, and one load of all of
    them swaps the database once (a file per job would rebuild after each)."""
    if not taken:
        return
    try:
        job = load_jobs.queue_paths([held for _, held, _ in taken], None, USER, ROLE, db_path)
    except OSError as e:  # by kind only: the text can name the file
        for arrival, held, _ in taken:
            _keep(folder, arrival, held, "failed", [], f"the file could not be queued for loading ({type(e).__name__})")
        return
    for arrival, held, name in taken:
        inbox.queued(arrival, job)
        audit.record("inbox_arrival", USER, ROLE, page="data", file=name, bytes=held.stat().st_size, job=job)


def _keep(folder: Path, arrival: int, held: Path, status: str, rows: list[dict], message: str | None) -> None:
    """Move a settled file to processed/ or failed/ with what the loader said beside it."""
    where = _private_dir(folder / (FAILED if status == "failed" else PROCESSED))
    kept = where / held.name
    with contextlib.suppress(FileNotFoundError):
        os.replace(held, kept)
    summary = {k: sum(int(r.get(k) or 0) for r in rows) for k in load_jobs.COUNTS}
    if message:
        summary["message"] = message
    result = kept.with_name(kept.name + ".result.json")
    fd = os.open(result, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"status": status, "message": message, "files": rows}, out, indent=2, default=str)
    inbox.ended(arrival, status, f"{where.name}/{kept.name}", summary)


def settle(folder: Path) -> int:
    """Files whose jobs have ended, moved to processed/ or failed/ with what the loader said of each;
    returns how many."""
    settled = 0
    for a in inbox.loading():
        job = load_jobs.get(a.job_id) if a.job_id is not None else None
        if job is not None and job.active:
            continue
        held = Path(a.held)
        rows = [r for r in (job.result or []) if r.get("file") == held.name] if job else []
        statuses = {r.get("status") for r in rows}
        if job is None or job.status == "failed" or "failed" in statuses or not rows:
            status = "failed"
        elif statuses == {"unchanged"}:
            status = "unchanged"
        else:
            status = "loaded"
        failed = next((r.get("message") for r in rows if r.get("status") == "failed"), None)
        message = (job.message if job else "its load job was not found") or failed
        _keep(folder, a.arrival_id, held, status, rows, message)
        settled += 1
    return settled


RETRY_BACKUP_SECONDS = 600  # after a failed scheduled backup (a full disk, an unmounted folder)
_backup_failed_at = [-float("inf")]


def backup_if_due(cfg: Config) -> Path | None:
    if cfg.backup_folder is None or not state_backup.due(cfg.backup_folder, cfg.backup_every_hours):
        return None
    if time.monotonic() - _backup_failed_at[0] < RETRY_BACKUP_SECONDS:
        return None
    path = state_backup.backup(f"{cfg.backup_folder}{os.sep}")
    pruned = state_backup.prune(cfg.backup_folder, cfg.backup_keep)
    audit.record("state_backup", "watch (scheduled)", None, file=path.name, pruned=len(pruned))
    return path


def _observe(folder: Path, wake: threading.Event):
    """The file system's notices wake the loop at once (inotify); without them it looks every poll."""
    try:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        class Wake(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                wake.set()

        observer = Observer()
        observer.schedule(Wake(), str(folder), recursive=False)
        observer.start()
        return observer
    except Exception:  # no inotify here (a network file system, a container's limits): polling still works
        return None


def look(cfg: Config, candidates: Candidates, db_path: Path, started: dt.datetime) -> int:
    """One pass: take the complete files, load what is queued (unless a page's worker is already
    doing it), settle what ended, back up when due. Returns how many files were taken."""
    taken = []
    if cfg.folder is not None:
        for path, seen_at in candidates.ready(cfg.folder, time.monotonic()):
            try:
                taken.append(take(path, seen_at, candidates))
            except FileNotFoundError:  # the sender removed or renamed it meanwhile
                candidates.seen.pop(path.name, None)
        queue(cfg.folder, taken, db_path)
    load_worker.run(idle=0)
    if cfg.folder is not None:
        settle(cfg.folder)
        inbox.looked(str(cfg.folder), started, cfg.stale_after_hours)
    try:
        backup_if_due(cfg)
    except (OSError, state_backup.NotABackup) as e:
        _backup_failed_at[0] = time.monotonic()
        print(
            f"scheduled backup failed ({type(e).__name__}); tried again in {RETRY_BACKUP_SECONDS // 60} minutes",
            file=sys.stderr,
        )
    return len(taken)


def watch(cfg: Config, db_path: Path, once: bool = False, stop: threading.Event | None = None) -> int:
    """Look until stopped (or, once: until the files present at the start are loaded); returns how
    many files were taken."""
    if cfg.folder is not None:
        cfg.folder.mkdir(parents=True, exist_ok=True)
    started, candidates, wake = inbox.now(), Candidates(cfg.stable_seconds), threading.Event()
    observer = _observe(cfg.folder, wake) if cfg.folder is not None and not once else None
    deadline = time.monotonic() + cfg.stable_seconds + 2 * cfg.poll_seconds
    taken = 0
    try:
        while stop is None or not stop.is_set():
            taken += look(cfg, candidates, db_path, started)
            if once and not inbox.loading() and (not candidates.seen or time.monotonic() > deadline):
                return taken
            wake.wait(cfg.poll_seconds)
            wake.clear()
            if stop is not None and stop.is_set():
                break
    finally:
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)
    return taken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard watch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", help="the inbox (default: settings inbox.folder)")
    parser.add_argument("--db", default=None, help="the database loaded into (default: IOP_DB or data/iop.duckdb)")
    parser.add_argument("--once", action="store_true", help="load what is in the inbox now, then exit (cron)")
    args = parser.parse_args(argv)
    cfg = Config.read(args.folder)
    if cfg.folder is None and cfg.backup_folder is None:
        print("nothing to watch: set inbox.folder (or --folder) or backup.folder in settings.toml", file=sys.stderr)
        return 2
    os.umask(0o077)
    with contextlib.suppress(OSError):
        os.nice(10)  # the signed-in sessions come first
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):  # systemd's stop, or Ctrl-C: finish the look, then exit
        signal.signal(sig, lambda *_: stop.set())
    watch(cfg, Path(args.db or db.db_path()).resolve(), once=args.once, stop=stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
