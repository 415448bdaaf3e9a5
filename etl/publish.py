"""Publishing a new database to the other dashboard servers (settings `[servers] publish_to`).

Each server reads its own copy of the database (DuckDB is a file, read best from a local disk).
After every swap (a load, its background refresh, a rebuild) the loader copies the new file to
each path named there (another server's database file, on a mounted share or a path an rsync
picks up), first to a private temporary name beside it, then `os.replace`s it in: the same atomic
swap as the loader's own, so a server reads the old file or the new one, never half of one.
A copy that fails leaves that server's file as it was; the failure is kept beside the database
(`.NAME.published.json`) for the Data page, and said on standard error by kind only."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import sys
import time
from pathlib import Path

STALE_PART_SECONDS = 3600  # a temporary copy this old is a killed loader's: removed at the next publish


def status_path(db: Path) -> Path:
    return db.parent / f".{db.name}.published.json"


def _sweep(target: Path) -> None:
    for part in target.parent.glob(f".{target.name}.publishing-*"):
        with contextlib.suppress(OSError):
            if time.time() - part.stat().st_mtime > STALE_PART_SECONDS:
                part.unlink()


def _copy(db: Path, target: Path) -> None:
    if not target.is_file():  # an unmounted share's empty mount point: never fill the local disk instead
        raise FileNotFoundError(2, "no database file there (a share not mounted?); copy one there once to start")
    _sweep(target)
    part = target.parent / f".{target.name}.publishing-{os.getpid()}"
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # identified data: private from the start
        with os.fdopen(fd, "wb") as out, open(db, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 22)
            out.flush()
            os.fsync(out.fileno())  # on the other disk before it takes the live name
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)


def publish(db: str | os.PathLike, targets: list[str] | tuple[str, ...]) -> list[dict]:
    """Copy `db` over each target (skipping `db` itself); returns one record per target."""
    db = Path(db).resolve()
    done = []
    for name in targets:
        target = Path(name).expanduser().resolve()
        if target == db:
            continue
        record = {"target": str(target), "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"), "ok": True}
        try:
            _copy(db, target)
        except OSError as e:
            record |= {"ok": False, "problem": type(e).__name__ + (f" ({e.strerror})" if e.strerror else "")}
            print(
                f"warning: the database was not published to {target.parent.name}: {record['problem']}", file=sys.stderr
            )
        done.append(record)
    if done:
        with contextlib.suppress(OSError):
            status = status_path(db)
            part = status.with_name(status.name + ".part")
            part.write_text(json.dumps(done, indent=1))
            os.replace(part, status)
    return done
