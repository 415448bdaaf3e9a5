"""Read-only access to the loaded database, through named queries in dashboard/store/queries/<page>/*.sql.

What a request may see is bound here, not by each query: a page run binds the signed-in identity's
read scope (dashboard/ui/session.py), every connection defines visible_* views for that scope
(queries/_connection.sql), and queries read only those. With no scope bound, nothing is read.

Results change only with a load (or a rebuild), which replaces the file: each is kept per file
version (store/version.py), scope, query and parameters (store/cache.py), so a rerun, a new session
or another page asking the same question does not read the file again. One scope's results are
never served to another; what a role may be shown of them (suppression) is decided after, on every
run. Connections and the file held open: store/live.py."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd

from dashboard.store.background import yield_to_pages
from dashboard.store.cache import KEPT, RESULTS
from dashboard.store.live import LIVE
from dashboard.store.version import file_version

T = TypeVar("T")
QUERIES = Path(__file__).with_name("queries")


class NoData(Exception):
    """No database has been loaded yet at the configured path."""


class NoScope(RuntimeError):
    """A query was asked for outside a request that says what it may see."""


@dataclass(frozen=True)
class ReadScope:
    clinician: str | None = None  # a clinician's name: that caseload only; None: the whole program
    sites: tuple[str, ...] | None = None  # a director's sites: their episodes only; None: every site

    @property
    def whole(self) -> bool:
        """Whether this scope sees the whole organisation."""
        return self.clinician is None and self.sites is None


EVERYTHING = ReadScope()
_scope: ContextVar[ReadScope | None] = ContextVar("iop_scope", default=None)


def bind(scope: ReadScope | None) -> None:
    """What the rest of this request (page run, file build) may read."""
    _scope.set(scope)


def current() -> ReadScope | None:
    return _scope.get()


@contextlib.contextmanager
def scoped(scope: ReadScope):
    token = _scope.set(scope)
    try:
        yield
    finally:
        _scope.reset(token)


def db_path() -> Path:
    return Path(os.environ.get("IOP_DB", "data/iop.duckdb"))


def version() -> tuple | None:
    """The version of the database file in place (store/version.py)."""
    return file_version(db_path())


@cache
def _sql(name: str) -> str:
    return (QUERIES / f"{name}.sql").read_text()


def _connect() -> tuple[duckdb.DuckDBPyConnection, tuple | None]:
    scope = _scope.get()
    if scope is None:
        raise NoScope("no scope bound: a page binds the signed-in identity's (dashboard/ui/session.py)")
    path = db_path()
    if not path.exists():
        raise NoData(
            f"No database at {path}. Load exports with `python -m etl load PATH --db {path}` "
            "(or `make run` for the demo program)."
        )
    if (reused := LIVE.reuse(path, scope)) is not None:
        return reused
    con, held = LIVE.connect(path)
    con.execute("SET VARIABLE scope_clinician = ?", [scope.clinician])
    con.execute("SET VARIABLE scope_sites = ?::VARCHAR[]", [list(scope.sites) if scope.sites is not None else None])
    con.execute("SET VARIABLE scope_whole = ?", [scope.whole])
    try:
        con.execute(_sql("_connection"))
    except duckdb.Error:
        con.close()
        raise NoData(
            f"The database at {path} was built by an earlier version: rebuild it with "
            f"`python -m etl rebuild --db {path}` (nothing is reloaded)."
        ) from None
    return con, held


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


def _key(held: tuple | None, name: str, params: dict) -> tuple | None:
    """The question asked: the file, the scope bound, the query and the parameters it names."""
    if held is None:
        return None
    key = (held, _scope.get(), name, tuple(sorted((k, params[k]) for k in _names(name) if k in params)))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def query(name: str, **params) -> pd.DataFrame:
    """Run dashboard/store/queries/<name>.sql with $named parameters; returns a DataFrame."""
    return queries(result=(name, params))["result"]


def queries(shared: dict | None = None, **named: tuple[str, dict]) -> dict[str, pd.DataFrame]:
    """Several named queries on one connection (one snapshot of the file): key=(name, params);
    `shared` parameters (a page's selection) go to every query that names them. Results kept for
    the file in place and this scope are not read again."""
    if _scope.get() is None:
        raise NoScope("no scope bound: a page binds the signed-in identity's (dashboard/ui/session.py)")
    asked = {key: (name, {**(shared or {}), **params}) for key, (name, params) in named.items()}
    seen = version()
    out = {key: RESULTS.get(_key(seen, name, params)) for key, (name, params) in asked.items()}
    read = _read.get()
    if all(frame is not None for frame in out.values()):
        if read is not None:
            read.add(seen)
        return out
    yield_to_pages()
    con, held = _connect()
    try:
        for key, (name, params) in asked.items():
            if out[key] is None or held != seen:  # a load in between: every result from this snapshot
                out[key] = _run(con, name, params)
                RESULTS.put(_key(held, name, params), out[key])
    except BaseException:
        con.close()
        raise
    LIVE.give_back(con, held, _scope.get())
    if read is not None:
        read.add(held)
    return out


_read: ContextVar[set | None] = ContextVar("iop_read", default=None)  # the file versions a `kept` build read


def _kept_key(build: Callable, args: tuple) -> tuple | None:
    held = version()
    return (held, _scope.get(), f"{build.__module__}.{build.__qualname__}", args) if held else None


def kept(build: Callable[..., T], *args) -> T:
    """build(*args) for a value made from query results alone (a page's statistics), kept like the
    results: per file version, scope and arguments (hashable), until a load replaces the file. It is
    kept only when every query it ran read the file in place (none read a replaced one)."""
    key = _kept_key(build, args)
    value, read = KEPT.get(key), {key[0] if key else None}
    if value is None:
        yield_to_pages()
        token = _read.set(set())
        try:
            value = build(*args)
            read = _read.get()
        finally:
            _read.reset(token)
        if key is not None and read <= {key[0]}:
            KEPT.put(key, value)
    if (outer := _read.get()) is not None:  # a `kept` build that asked for this one read what it read
        outer |= read
    return value


def peek(build: Callable[..., T], *args) -> T | None:
    """What kept(build, *args) holds for the file in place, or None: never builds it."""
    return KEPT.get(_kept_key(build, args))
