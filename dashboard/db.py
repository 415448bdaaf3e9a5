"""Read-only access to the loaded database, through named queries in dashboard/queries/*.sql.

Each query opens its own short read-only connection: DuckDB connections are not thread-safe
(Streamlit runs each browser session in a thread), and a long-lived connection would keep
reading the old file after a load swaps in a new one (see etl/database.py)."""
from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

QUERIES = Path(__file__).with_name("queries")


class NoData(Exception):
    """No database has been loaded yet at the configured path."""


def db_path() -> Path:
    return Path(os.environ.get("IOP_DB", "data/iop.duckdb"))


@cache
def _sql(name: str) -> str:
    return (QUERIES / f"{name}.sql").read_text()


def _connect() -> duckdb.DuckDBPyConnection:
    path = db_path()
    if not path.exists():
        raise NoData(f"No database at {path}. Load exports with `python -m etl load PATH --db {path}` "
                     "(or `make run` for the demo program).")
    return duckdb.connect(str(path), read_only=True)


def query(name: str, **params) -> pd.DataFrame:
    """Run dashboard/queries/<name>.sql with $named parameters; returns a DataFrame."""
    with _connect() as con:
        return con.execute(_sql(name), params or None).df()


def queries(setup: tuple[str, dict] | None = None, **named: tuple[str, dict]) -> dict[str, pd.DataFrame]:
    """Several named queries on one connection (one snapshot of the file): key=(name, params).
    `setup` runs first, e.g. to build a temp table of the episodes a page's filters select."""
    with _connect() as con:
        if setup:
            con.execute(_sql(setup[0]), setup[1])
        return {key: con.execute(_sql(name), params or None).df() for key, (name, params) in named.items()}
