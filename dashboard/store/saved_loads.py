"""What the database file records of an upload's files: the loader worker asks it when a load stopped
before it reported (killed at its time limit, or failed after its swap), so a job never says "nothing
was loaded" of files that are in the database. The `loads` table names files and counts, no
participant, so this read needs no scope (dashboard/store/db.py binds one for everything else)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dashboard.store.load_jobs import COUNTS

SQL = Path(__file__).parent / "queries" / "data" / "loads_of_files.sql"


def of_files(db: str | Path, files: list[Path]) -> dict[Path, dict]:
    """Each of these files the database at `db` records as loaded: file -> its kind, counts and load
    id. Empty when there is no database, or none of them is in it."""
    db = Path(db)
    if not db.exists() or not files:
        return {}
    by_path = {str(f.resolve()): f for f in files}  # the loader records the path it resolved
    with duckdb.connect(str(db), read_only=True) as con:
        found = con.execute(SQL.read_text(), {"paths": list(by_path)}).df()
    return {
        by_path[r["file_path"]]: {"kind": r["kind"], "load_id": int(r["load_id"]), **{k: int(r[k]) for k in COUNTS}}
        for r in found.to_dict("records")
    }
