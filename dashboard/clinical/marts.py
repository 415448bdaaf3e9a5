"""Rebuilds the clinical marts (participant_outcomes, flags, attendance_weekly,
expected_response) from the core tables, in DuckDB SQL (sql/*.sql, run in order).

The loader calls rebuild() after every load, so marts always match the core tables. Flags are
computed for episodes open on the as-of date: the latest date in the data unless given."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from dashboard.clinical.settings import load_settings, variables

SQL = Path(__file__).with_name("sql")


def rebuild(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None, settings: dict | None = None) -> None:
    for name, value in variables(settings or load_settings()).items():
        con.execute(f"SET VARIABLE {name} = ?", [value])
    if as_of is None:
        as_of = con.execute("SELECT data_as_of FROM dataset_info").fetchone()[0] or dt.date.today()
    con.execute("SET VARIABLE as_of = ?::DATE", [as_of])
    for path in sorted(SQL.glob("*.sql")):
        con.execute(path.read_text())


def rebuild_file(db: str | Path, as_of: dt.date | None = None) -> None:
    """Rebuild the marts of a database file in place (tests and `python -m dashboard.clinical`)."""
    with duckdb.connect(str(db)) as con:
        rebuild(con, as_of)
