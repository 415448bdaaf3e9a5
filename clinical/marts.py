"""Rebuilds the clinical marts (participant_outcomes, flags, attendance_weekly,
expected_response, …) from the core tables, in DuckDB SQL (sql/*.sql, run in order), with the
settings and definitions the build stored in the database (build.py); then alert_performance, the
not-on-track alert's out-of-sample hit rate on the program's own history (setup/validation.sql).

The loader calls rebuild() after a load that touched many participants, and after one that
touched a few, rebuild_for() (their rows of each participant mart, clinical/scoped.py) and later
rebuild() again for what learns from the whole history (etl refresh). Flags are computed for
episodes open on the as-of date: the latest date in the data unless given."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from clinical import build, scoped
from clinical.settings import stored_value

SQL = Path(__file__).with_name("sql")
VALIDATION_SQL = Path(__file__).with_name("setup") / "validation.sql"


def _stored_settings(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    return {
        name: stored_value(number, text, items)
        for name, number, text, items in con.execute("SELECT name, number, text, list FROM settings").fetchall()
    }


def files() -> list[tuple[Path, str]]:
    """The marts' SQL files in the order they run, each with its scope (scoped.scope_of)."""
    return [(path, scoped.scope_of(path)) for path in sorted(SQL.glob("*.sql"))]


def _variables(con: duckdb.DuckDBPyConnection, as_of: dt.date | None, settings: dict | None) -> None:
    if settings is not None or not build.prepared(con):
        build.prepare(con, settings=settings)
    for name, value in _stored_settings(con).items():
        con.execute(f"SET VARIABLE {name} = ?", [value])
    if as_of is None:
        as_of = con.execute("SELECT data_as_of FROM dataset_info").fetchone()[0] or dt.date.today()
    con.execute("SET VARIABLE as_of = ?::DATE", [as_of])


def rebuild_for(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The participant marts' rows of the participants in `affected` (scoped.choose), the day
    marts' rows of the days in `touched_days`; what learns from the whole history (-- scope: history) is left as
    it was. The participants' copies must be open (scoped.open_copies). Returns the tables rebuilt."""
    _variables(con, None, None)
    made, by_day = [], []
    scoped.copy_derived(con)
    with scoped.within(con):
        for path, scope in files():
            if scope == "participant":
                con.execute(path.read_text())
                made += scoped.tables_made(path.read_text())
            elif scope == "day":
                with scoped.days(con):
                    con.execute(path.read_text())
                by_day += scoped.tables_made(path.read_text())
        scoped.put_back(con, made)
        scoped.put_back_days(con, by_day)
    return made + by_day


def rebuild(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None, settings: dict | None = None) -> None:
    _variables(con, as_of, settings)
    scoped.everyone(con)
    for path, _ in files():
        con.execute(path.read_text())
    [(folds, percents)] = con.execute(
        "SELECT getvariable('alert_validation_folds'), getvariable('alert_validation_thresholds')"
    ).fetchall()
    validate(con, "folds", int(folds), [p / 100 for p in percents])
    con.execute(
        "CREATE OR REPLACE TABLE alert_performance AS "
        "SELECT *, getvariable('alert_validation_min_checked') AS min_checked FROM validation_counts"
    )


def validate(con: duckdb.DuckDBPyConnection, split: str, folds: int, thresholds: list[float]) -> None:
    """setup/validation.sql on a connection whose marts are built: the temp table validation_counts."""
    con.execute("SET VARIABLE split = ?", [split])
    con.execute("SET VARIABLE folds = ?", [folds if split == "folds" else 1])
    con.execute("SET VARIABLE thresholds = ?::DOUBLE[]", [thresholds])
    con.execute(VALIDATION_SQL.read_text())
