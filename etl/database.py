"""The loader's side of the database: a working copy that replaces the live file atomically.

DuckDB lets one process write a file or many read it, never both. So a load writes a copy and
`os.replace`s it over the live file: the dashboard's short read-only connections never block it,
see the old file until the swap and the new one after, and a load that dies midway leaves the
live file exactly as it was."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import re
import shutil
from pathlib import Path
from string import Template

import duckdb

from etl.publish import publish

SQL = Path(__file__).with_name("sql")


def now() -> dt.datetime:
    """UTC now to the second, as loads and builds stamp what they did."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def set_variables(con: duckdb.DuckDBPyConnection, **values) -> None:
    """SET VARIABLE name = value for each: what the loader's SQL reads with getvariable()."""
    for name, value in values.items():
        con.execute(f"SET VARIABLE {name} = ?", [value])


def sql(name: str) -> str:
    return (SQL / name).read_text()


def merge_sql(kind: str) -> str:
    """merge.sql for one kind: the table, key and parts that merge_<kind>.sql gives (`-- table:`,
    `-- key:` and `-- part: NAME` sections); a part it does not give is empty."""
    text = sql(f"merge_{kind}.sql")
    head, *parts = re.split(r"^-- part: (\w+)\n", text, flags=re.M)
    named = dict(zip(parts[::2], (p.strip() for p in parts[1::2])))
    table = re.search(r"^-- table: (\w+)$", head, flags=re.M)[1]
    key = [k.strip() for k in re.search(r"^-- key: ([\w, ]+)$", head, flags=re.M)[1].split(",")]
    unknown = set(named) - {"duplicate", "history", "before_delete", "conflict", "write"}
    if unknown or not {"conflict", "write"} <= set(named):
        raise ValueError(
            f"merge_{kind}.sql: parts are conflict and write, and may be duplicate, history, before_delete"
        )
    return Template(sql("merge.sql")).substitute(
        {
            "duplicate": "",
            "history": "",
            "before_delete": "",
            **named,
            "table": table,
            "key": ", ".join(key),
            "key_match": " AND ".join(f"{table}.{k} = plan.{k}" for k in key),
        }
    )


@contextlib.contextmanager
def writer_lock(db: Path):
    """One load at a time per database (a second waits): two swaps would lose one load."""
    db.parent.mkdir(parents=True, exist_ok=True)
    with open(db.parent / f".{db.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def remove_stale(db: Path) -> list[Path]:
    """Delete the working copies and spill folders a killed load left beside `db` (call with the
    writer lock held: a running load's own are the same names)."""
    stale = [*db.parent.glob(f".{db.name}.loading-*"), *db.parent.glob(f".{db.name}.spill-*")]
    for path in stale:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return stale


def clean(db: Path) -> list[Path] | None:
    """What a killed load left, removed now unless a load is running (None: it is, and cleans at its start)."""
    if not db.parent.exists():
        return []
    with open(db.parent / f".{db.name}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        return remove_stale(db)


@contextlib.contextmanager
def working_copy(db: Path, memory_limit_mb: float = 1000, publish_to: tuple[str, ...] | list[str] = ()):
    """Yields a read-write connection to a copy of `db`; on success the copy replaces `db`, and is then
    copied to the other servers' database files in `publish_to` (etl/publish.py).
    DuckDB works within memory_limit_mb and spills the rest to a private folder beside the copy,
    so a file of any size loads in bounded memory."""
    remove_stale(db)
    if publish_to and (why := behind(db, publish_to)):
        raise NotLatest(why)
    work = db.parent / f".{db.name}.loading-{os.getpid()}"
    spill = db.parent / f".{db.name}.spill-{os.getpid()}"
    spill.mkdir(mode=0o700, exist_ok=True)
    if db.exists():
        os.close(os.open(work, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))  # the copy is private from the start
        shutil.copyfile(db, work)
    con = duckdb.connect(str(work), config={"memory_limit": f"{int(memory_limit_mb)}MB", "temp_directory": str(spill)})
    work.chmod(0o600)  # identified health data: the owner's only (DuckDB creates files with the umask)
    try:
        con.execute(sql("schema.sql"))
        yield con
        con.execute("CHECKPOINT")
        con.close()
        hold = os.environ.get("IOP_ETL_HOLD_BEFORE_SWAP")
        if hold:  # lets the atomicity test kill a load after it has written everything but the swap
            import sys
            import time

            print("holding before swap", file=sys.stderr, flush=True)
            time.sleep(float(hold))
        os.replace(work, db)
        if publish_to:
            publish(db, publish_to)
    finally:
        with contextlib.suppress(Exception):
            con.close()
        for leftover in (work, work.with_name(work.name + ".wal")):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(spill, ignore_errors=True)


def loaded_files(db: Path) -> dict[str, tuple[int, str]]:
    """sha256 -> (load_id, loaded_at) of files already in the live database."""
    if not db.exists():
        return {}
    with duckdb.connect(str(db), read_only=True) as con:
        if not con.execute("SELECT 1 FROM information_schema.tables WHERE table_name = 'loads'").fetchone():
            return {}
        rows = con.execute("SELECT sha256, load_id, strftime(loaded_at, '%Y-%m-%d %H:%M') FROM loads").fetchall()
    return {sha: (load_id, at) for sha, load_id, at in rows}


class NotLatest(Exception):
    """Another server's database holds loads this one lacks; the message says which and what to do."""


def behind(db: str | os.PathLike, targets: list[str] | tuple[str, ...]) -> str | None:
    """Why `db` must not be loaded and published now: a server's file (etl/publish.py) holds loads it
    lacks; None when none does."""
    db = Path(db).resolve()
    ours = loaded_files(db).keys()
    for name in targets:
        target = Path(name).expanduser().resolve()
        if target == db or not target.is_file():
            continue
        try:
            missing = len(loaded_files(target).keys() - ours)
        except duckdb.Error:  # being replaced, or not a database: the next copy replaces it
            continue
        if missing:
            return (
                f"the database at {target} holds {missing} load(s) that {db.name} here lacks (another server "
                f"loaded since this copy was made, or a copy to this server failed): copy that file over {db} "
                "and load again"
            )
    return None
