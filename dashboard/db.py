"""Read-only access to the loaded database, through named queries in dashboard/queries/<page>/*.sql.

Each query opens its own short read-only connection: DuckDB connections are not thread-safe
(Streamlit runs each browser session in a thread), and a long-lived connection would keep
reading the old file after a load swaps in a new one (see etl/database.py).

What a request may see is bound here, not by each query: a page run binds the signed-in
identity's scope (dashboard/session.py), every connection defines visible_* views for that scope
(queries/_connection.sql), and queries read only those. With no scope bound, nothing is read."""
from __future__ import annotations

import contextlib
import os
import re
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

QUERIES = Path(__file__).with_name("queries")


class NoData(Exception):
    """No database has been loaded yet at the configured path."""


class NoScope(RuntimeError):
    """A query was asked for outside a request that says what it may see."""


@dataclass(frozen=True)
class Scope:
    clinician: str | None = None      # a clinician's name: that caseload only; None: the whole program


EVERYTHING = Scope()
_scope: ContextVar[Scope | None] = ContextVar("iop_scope", default=None)


def bind(scope: Scope | None) -> None:
    """What the rest of this request (page run, file build) may read."""
    _scope.set(scope)


def current() -> Scope | None:
    return _scope.get()


@contextlib.contextmanager
def scoped(scope: Scope):
    token = _scope.set(scope)
    try:
        yield
    finally:
        _scope.reset(token)


def db_path() -> Path:
    return Path(os.environ.get("IOP_DB", "data/iop.duckdb"))


@cache
def _sql(name: str) -> str:
    return (QUERIES / f"{name}.sql").read_text()


def _connect() -> duckdb.DuckDBPyConnection:
    scope = _scope.get()
    if scope is None:
        raise NoScope("no scope bound: a page binds the signed-in identity's (dashboard/session.py)")
    path = db_path()
    if not path.exists():
        raise NoData(f"No database at {path}. Load exports with `python -m etl load PATH --db {path}` "
                     "(or `make run` for the demo program).")
    con = duckdb.connect(str(path), read_only=True)
    con.execute("SET VARIABLE scope_clinician = ?", [scope.clinician])
    try:
        con.execute(_sql("_connection"))
    except duckdb.Error:
        con.close()
        raise NoData(f"The database at {path} was built by an earlier version: rebuild it with "
                     f"`python -m etl rebuild --db {path}` (nothing is reloaded).") from None
    return con


@cache
def _names(name: str) -> frozenset[str]:
    return frozenset(re.findall(r"\$([A-Za-z_]\w*)", _sql(name)))


def _run(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> pd.DataFrame:
    """A query gets the parameters it names (a page's selection serves all of its queries)."""
    wanted = _names(name)
    missing = wanted - set(params)
    if missing:
        raise KeyError(f"query {name} needs {', '.join(sorted(missing))}")
    return con.execute(_sql(name), {k: params[k] for k in wanted} or None).df()


def query(name: str, **params) -> pd.DataFrame:
    """Run dashboard/queries/<name>.sql with $named parameters; returns a DataFrame."""
    with _connect() as con:
        return _run(con, name, params)


def queries(shared: dict | None = None, **named: tuple[str, dict]) -> dict[str, pd.DataFrame]:
    """Several named queries on one connection (one snapshot of the file): key=(name, params);
    `shared` parameters (a page's selection) go to every query that names them."""
    with _connect() as con:
        return {key: _run(con, name, {**(shared or {}), **params}) for key, (name, params) in named.items()}
