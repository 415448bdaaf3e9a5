"""Read-only access to the loaded database, through named queries in dashboard/queries/<page>/*.sql.

Each request's queries run on a read-only connection it alone uses while they run: DuckDB
connections are not thread-safe (Streamlit runs each browser session in a thread). A connection
done with is kept idle for the next request of the same scope (its views are made already) while
its file is in place. A load replaces the file (see
etl/database.py), so every request first looks at which file is there now: the database of the
file in place is kept open between requests (its connections cost nothing and what it read is
still in memory), and let go as soon as a load has replaced the file. Loads and rebuilds write a
copy and swap it in, so the open database never blocks them.

What a request may see is bound here, not by each query: a page run binds the signed-in
identity's scope (dashboard/session.py), every connection defines visible_* views for that scope
(queries/_connection.sql), and queries read only those. With no scope bound, nothing is read.

Results change only with a load (or a rebuild): each is kept per file, scope, query and
parameters (`RESULTS`), so a rerun, a new session or another page asking the same question does
not read the file again. One scope's results are never served to another; what a role may be shown
of them (suppression) is decided after, on every run."""
from __future__ import annotations

import contextlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd

T = TypeVar("T")
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


def _version(path: Path) -> tuple | None:
    """Which file is at `path` now: a load or a rebuild replaces it with a new one."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    try:
        wal = path.with_name(path.name + ".wal").stat()
        wal_version = (wal.st_mtime_ns, wal.st_size)
    except FileNotFoundError:
        wal_version = None
    return (str(path), st.st_ino, st.st_mtime_ns, st.st_size, wal_version)


def _holds(con: duckdb.DuckDBPyConnection) -> tuple | None:
    """What the file a connection reads holds, in brief: it differs from one load or rebuild to the next."""
    try:
        return (tuple(con.execute("SELECT * FROM dataset_info").fetchall()),
                con.execute("SELECT count(*), max(load_id) FROM loads").fetchone())
    except duckdb.Error:
        return None


IDLE_PER_SCOPE = 4     # idle connections kept per scope (sessions running queries at once)
IDLE_SCOPES = 32       # scopes (the whole program, each clinician's caseload) with idle connections


class _Live:
    """The live file's database, kept open (`held`) while that file is in place. DuckDB gives a new
    connection the database already open in the process on the same path, so once a load has
    replaced the file the old one is let go first; if a query of another session still has it open,
    a new connection reads the old file (as before the load): that is found by what the file holds
    (`holding`, noted per file version), and then nothing is kept open or filed under the new version."""

    def __init__(self):
        self.lock = threading.Lock()
        self.held: tuple[tuple, duckdb.DuckDBPyConnection] | None = None
        self.holding: OrderedDict[tuple, tuple] = OrderedDict()    # file version -> what it holds
        # connections of the held file with their scope's views made, not in use: (version, scope) -> them;
        # making the views costs ~20 ms a connection, several times a page run
        self.idle: OrderedDict[tuple, list[duckdb.DuckDBPyConnection]] = OrderedDict()

    def connect(self, path: Path) -> tuple[duckdb.DuckDBPyConnection, tuple | None]:
        """A new read-only connection, and the file version it reads (None when not known for sure)."""
        with self.lock:
            version = _version(path)
            if self.held is not None and self.held[0] != version:
                self.held[1].close()     # replaced, or another file configured: its database can go
                self.held = None
                self._drop_idle()
            con = duckdb.connect(str(path), read_only=True)
            if self.held is not None:
                return con, version
            holds = _holds(con) if version is not None else None
            if holds is None or self.holding.get(version, holds) != holds or any(
                    h == holds for v, h in self.holding.items() if v != version):
                return con, None         # an old file still open elsewhere in the process, or not a built database
            self.holding[version] = holds
            while len(self.holding) > 32:
                self.holding.popitem(last=False)
            self.held = (version, duckdb.connect(str(path), read_only=True))
            RESULTS.keep_only(version)
            KEPT.keep_only(version)
        if os.environ.get("IOP_WARM", "1") != "0":      # off in the tests' own process (tests/conftest.py)
            for warm in AFTER_LOAD:  # a file first held: what only changes with a load is built now, in the background
                in_background(warm, f"warm {warm.__qualname__}")
        return con, version

    def reuse(self, path: Path, scope: Scope) -> tuple[duckdb.DuckDBPyConnection, tuple] | None:
        """An idle connection of the file in place made for this scope, and its version; None if none."""
        with self.lock:
            version = _version(path)
            if self.held is None or self.held[0] != version:
                return None              # a load in between: connect() lets the old file go first
            idle = self.idle.get((version, scope))
            return (idle.pop(), version) if idle else None

    def give_back(self, con: duckdb.DuckDBPyConnection, version: tuple | None, scope: Scope) -> None:
        """A connection done with: kept for its scope while its file is the one held, else closed."""
        with self.lock:
            if version is not None and self.held is not None and self.held[0] == version:
                idle = self.idle.setdefault((version, scope), [])
                self.idle.move_to_end((version, scope))
                if len(idle) < IDLE_PER_SCOPE:
                    idle.append(con)
                    while len(self.idle) > IDLE_SCOPES:      # the scopes asked longest ago let go first
                        for old in self.idle.popitem(last=False)[1]:
                            old.close()
                    return
        con.close()

    def _drop_idle(self) -> None:
        for cons in self.idle.values():
            for con in cons:
                con.close()
        self.idle.clear()

    def close(self) -> None:
        with self.lock:
            if self.held is not None:
                self.held[1].close()
            self.held = None
            self._drop_idle()




def _connect() -> tuple[duckdb.DuckDBPyConnection, tuple | None]:
    scope = _scope.get()
    if scope is None:
        raise NoScope("no scope bound: a page binds the signed-in identity's (dashboard/session.py)")
    path = db_path()
    if not path.exists():
        raise NoData(f"No database at {path}. Load exports with `python -m etl load PATH --db {path}` "
                     "(or `make run` for the demo program).")
    if (reused := LIVE.reuse(path, scope)) is not None:
        return reused
    con, version = LIVE.connect(path)
    con.execute("SET VARIABLE scope_clinician = ?", [scope.clinician])
    try:
        con.execute(_sql("_connection"))
    except duckdb.Error:
        con.close()
        raise NoData(f"The database at {path} was built by an earlier version: rebuild it with "
                     f"`python -m etl rebuild --db {path}` (nothing is reloaded).") from None
    return con, version


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


def _key(version: tuple | None, name: str, params: dict) -> tuple | None:
    """The question asked: the file, the scope bound, the query and the parameters it names."""
    if version is None:
        return None
    key = (version, _scope.get(), name, tuple(sorted((k, params[k]) for k in _names(name) if k in params)))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def query(name: str, **params) -> pd.DataFrame:
    """Run dashboard/queries/<name>.sql with $named parameters; returns a DataFrame."""
    return queries(result=(name, params))["result"]


def queries(shared: dict | None = None, **named: tuple[str, dict]) -> dict[str, pd.DataFrame]:
    """Several named queries on one connection (one snapshot of the file): key=(name, params);
    `shared` parameters (a page's selection) go to every query that names them. Results kept for
    the file in place and this scope are not read again."""
    if _scope.get() is None:
        raise NoScope("no scope bound: a page binds the signed-in identity's (dashboard/session.py)")
    asked = {key: (name, {**(shared or {}), **params}) for key, (name, params) in named.items()}
    seen = _version(db_path())
    out = {key: RESULTS.get(_key(seen, name, params)) for key, (name, params) in asked.items()}
    read = _read.get()
    if all(frame is not None for frame in out.values()):
        if read is not None:
            read.add(seen)
        return out
    _yield_to_pages()
    con, version = _connect()
    try:
        for key, (name, params) in asked.items():
            if out[key] is None or version != seen:     # a load in between: every result from this snapshot
                out[key] = _run(con, name, params)
                RESULTS.put(_key(version, name, params), out[key])
    except BaseException:
        con.close()
        raise
    LIVE.give_back(con, version, _scope.get())
    if read is not None:
        read.add(version)
    return out


_read: ContextVar[set | None] = ContextVar("iop_read", default=None)   # the file versions a `kept` build read


def kept(build: Callable[..., T], *args) -> T:
    """build(*args) for a value made from query results alone (a page's statistics), kept like the
    results: per file version, scope and arguments (hashable), until a load replaces the file. It is
    kept only when every query it ran read the file in place (none read a replaced one)."""
    version = _version(db_path())
    key = (version, _scope.get(), f"{build.__module__}.{build.__qualname__}", args) if version else None
    value, read = KEPT.get(key), {version}
    if value is None:
        _yield_to_pages()
        token = _read.set(set())
        try:
            value = build(*args)
            read = _read.get()
        finally:
            _read.reset(token)
        if key is not None and read <= {version}:
            KEPT.put(key, value)
    if (outer := _read.get()) is not None:      # a `kept` build that asked for this one read what it read
        outer |= read
    return value


def _size(value) -> int:
    """Bytes of the frames a value holds (a frame, or a dataclass of frames and other small things)."""
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(index=True, deep=False).sum())
    return sum(_size(v) for v in getattr(value, "__dict__", {}).values() if isinstance(v, pd.DataFrame))


class _Kept:
    """Values kept per (file version, …) key: the least recently used dropped first beyond `limit`
    bytes of frames, and all of a file's when a load replaces it. `copy` is applied on the way in
    and out (query results: a shallow copy, so a caller's changes never reach the kept frame)."""

    def __init__(self, limit: int, copy: Callable = lambda value: value):
        self.limit, self.size, self.copy = limit, 0, copy
        self.values: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple | None):
        with self.lock:
            if key is None or key not in self.values:
                return None
            self.values.move_to_end(key)
            value = self.values[key][0]
        return self.copy(value)

    def put(self, key: tuple | None, value) -> None:
        if key is None:
            return
        size = _size(value)
        with self.lock:
            if key in self.values or size > self.limit // 2:
                return
            self.values[key] = (self.copy(value), size)
            self.size += size
            while self.size > self.limit:
                _, (_, dropped) = self.values.popitem(last=False)
                self.size -= dropped

    def keep_only(self, version: tuple) -> None:
        with self.lock:
            for key in [k for k in self.values if k[0] != version]:
                self.size -= self.values.pop(key)[1]

    def clear(self) -> None:
        with self.lock:
            self.values.clear()
            self.size = 0


LIVE = _Live()
AFTER_LOAD: list = []     # callables run (each in a thread of its own) when a new database file is first held


def after_load(warm) -> None:
    """Run `warm` in the background each time a load or rebuild has put a new file in place (it binds
    its own scope)."""
    if warm not in AFTER_LOAD:
        AFTER_LOAD.append(warm)
RESULTS = _Kept(64 * 2**20, copy=lambda frame: frame.copy(deep=False))   # query results
KEPT = _Kept(32 * 2**20)                                                  # what `kept` builds


# Builds started in the background (after a load, the trend's earlier quarters) share two cores and
# Python's lock with the page runs of everyone using the dashboard: they wait, before each batch of
# queries, while any page runs (up to BACKGROUND_MAX_WAIT seconds, so a busy server still builds them).
BACKGROUND_MAX_WAIT = 5.0
_running_pages = 0
_pages_done = threading.Condition()
_background: ContextVar[bool] = ContextVar("iop_background", default=False)


@contextlib.contextmanager
def foreground():
    """A page run (streamlit_app.py): background builds hold back while it runs."""
    global _running_pages
    with _pages_done:
        _running_pages += 1
    try:
        yield
    finally:
        with _pages_done:
            _running_pages -= 1
            if not _running_pages:
                _pages_done.notify_all()


def in_background(build: Callable[[], object], name: str) -> None:
    """build() in a daemon thread whose queries give way to page runs."""
    def run() -> None:
        _background.set(True)
        build()
    threading.Thread(target=run, name=name, daemon=True).start()


def _yield_to_pages() -> None:
    if _background.get():
        with _pages_done:
            _pages_done.wait_for(lambda: not _running_pages, timeout=BACKGROUND_MAX_WAIT)
