"""The application-state store: what people did and who may sign in (flag actions and reviews,
continued-stay justifications, accounts, sessions, the audit log, load jobs), apart from the loaded
data so that reloads never wipe it.

Two back ends, one SQL: by default an SQLite file in WAL mode (several sessions write at once; IOP_STATE
names it, default data/app_state.sqlite, created readable by its owner only and ignored by git); or,
when IOP_STATE_URL is a PostgreSQL URL, a PostgreSQL database that several dashboard servers share
(docs/operations.md, "Several servers"). The modules write SQLite's dialect (`?` placeholders,
`INTEGER PRIMARY KEY AUTOINCREMENT`, `COLLATE NOCASE`, `instr`); `PostgresConnection` translates the
little that differs, so each statement is written once. The URL is read from the environment, not
settings.toml: settings are copied into the database and shown on the Settings page, and a URL may
hold a password."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import threading
from pathlib import Path

import pandas as pd


class ActionRefused(ValueError):
    """A flag action that the rules do not allow; the message says why."""


def state_path() -> Path:
    return Path(os.environ.get("IOP_STATE", "data/app_state.sqlite"))


class StoreMisconfigured(ValueError):
    """IOP_STATE_URL is set but is no PostgreSQL URL."""


def state_url() -> str | None:
    """The PostgreSQL URL the store lives at, or None for the SQLite file. A URL of another form is
    refused rather than ignored: a server quietly on its own SQLite file would keep sessions and an
    audit trail apart from the others'."""
    url = os.environ.get("IOP_STATE_URL", "").strip()
    if not url:
        return None
    if not url.startswith(("postgresql://", "postgres://")):
        raise StoreMisconfigured("IOP_STATE_URL must be a URL starting postgresql:// (docs/operations.md)")
    return url


def is_postgres() -> bool:
    return state_url() is not None


def where() -> str:
    """Where the store is, for a person: the SQLite file, or the PostgreSQL server and database
    (never the URL's user or password)."""
    url = state_url()
    if url is None:
        return str(state_path())
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"PostgreSQL {parts.hostname or 'localhost'}{f':{parts.port}' if parts.port else ''}{parts.path or ''}"


def private_file(path: Path) -> None:
    """Create `path` readable by its owner only (0600), or tighten it if it is looser."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    elif path.stat().st_mode & 0o077:
        path.chmod(0o600)


def connect(schema: str = ""):
    """A connection to the store, with `schema` (CREATE ... IF NOT EXISTS statements) in place. Use it as
    sqlite3's: `with closing(connect(S)) as con, con:` commits on success and rolls back on error."""
    url = state_url()
    if url:
        return PostgresConnection.open(url, schema)
    path = state_path()
    private_file(path)  # SQLite makes its -wal and -shm files with the same mode
    con = sqlite3.connect(path, timeout=10)
    con.execute("PRAGMA journal_mode=WAL")
    if schema:
        con.executescript(schema)
    return con


@contextlib.contextmanager
def one_at_a_time(key: int):
    """Held by one process at a time among all that share the store: with PostgreSQL, a session
    advisory lock (let go when the holder's connection ends, even if it is killed); an SQLite store
    belongs to one machine, whose own file locks already serialise."""
    url = state_url()
    if url is None:
        yield
        return
    import psycopg

    # held for a whole load (up to an hour): keepalives find a dropped connection, whose lock is gone
    with psycopg.connect(url, autocommit=True, connect_timeout=10, keepalives=1, keepalives_idle=60) as con:
        con.execute("SELECT pg_advisory_lock(%s)", (key,))
        try:
            yield
        finally:
            with contextlib.suppress(psycopg.Error):  # a connection lost meanwhile has let go already
                con.execute("SELECT pg_advisory_unlock(%s)", (key,))


def add_missing_columns(con, table: str, columns: dict[str, str]) -> None:
    """Columns added since a store was created (CREATE TABLE IF NOT EXISTS leaves an old table as it was)."""
    if isinstance(con, PostgresConnection):
        con.add_missing_columns(table, columns)
        return
    present = {row[1] for row in con.execute(f"PRAGMA table_info({table})")}
    for name, kind in columns.items():
        if name not in present:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")


def frame(con, sql: str, params=()) -> pd.DataFrame:
    """A query's rows as a DataFrame, as pandas.read_sql_query makes it, from either back end."""
    cursor = con.execute(sql, tuple(params))
    return pd.DataFrame.from_records(cursor.fetchall(), columns=[d[0] for d in cursor.description], coerce_float=True)


def one_dict(con, sql: str, params=()) -> dict | None:
    """The first row as {column: value}, or None."""
    cursor = con.execute(sql, tuple(params))
    row = cursor.fetchone()
    return None if row is None else {d[0]: v for d, v in zip(cursor.description, row)}


# --- PostgreSQL --------------------------------------------------------------------------------

POOL_SIZE = 8  # connections per process: page runs at once, each holding one for a statement or two
SCHEMA_LOCK = 7_270_001  # pg_advisory_xact_lock key: two servers starting at once create each table once
NOCASE = (
    "DO $$ BEGIN CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false); "
    "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
)  # compares as SQLite's NOCASE does for user names: 'Dr.Chen' and 'dr.chen' are one account
DDL = (
    (re.compile(r"INTEGER PRIMARY KEY AUTOINCREMENT"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"TEXT PRIMARY KEY COLLATE NOCASE"), "TEXT COLLATE nocase PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),  # PostgreSQL's REAL is 4 bytes: seconds since 1970 need 8
)
_ready: set[tuple[str, str]] = set()
_ready_lock = threading.Lock()


_pools: dict[str, object] = {}


def _pool(url: str):
    """This process's pool of connections to the store: a page run asks for several (its session,
    its account, the audit entry), and a new connection costs 10-15 ms; a pooled one well under 1."""
    with _ready_lock:
        if url not in _pools:
            from psycopg_pool import ConnectionPool  # only a PostgreSQL store needs it

            _pools[url] = ConnectionPool(
                url,
                min_size=1,
                max_size=POOL_SIZE,
                kwargs={"connect_timeout": 10},
                check=ConnectionPool.check_connection,  # a connection the server dropped (a restart) is replaced
                open=True,
            )
        return _pools[url]


def close_pools() -> None:
    """Close this process's connections to the store (a test's database, before the next test's)."""
    with _ready_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()


def postgres_ddl(schema: str) -> str:
    for pattern, replacement in DDL:
        schema = pattern.sub(replacement, schema)
    return schema


def postgres_sql(sql: str) -> str:
    """SQLite's statement in PostgreSQL's words: %s placeholders (a literal % doubled), strpos for instr."""
    return re.sub(r"\binstr\(", "strpos(", sql.replace("%", "%%").replace("?", "%s"))


class PostgresConnection:
    """The part of sqlite3.Connection the store's modules use, over psycopg."""

    def __init__(self, raw, pool):
        self.raw, self.pool = raw, pool

    @classmethod
    def open(cls, url: str, schema: str = "") -> PostgresConnection:
        pool = _pool(url)
        con = cls(pool.getconn(timeout=30), pool)
        try:
            if schema and (url, schema) not in _ready:
                with _ready_lock:
                    con.create(schema)
                    _ready.add((url, schema))
        except BaseException:
            con.close()  # back to the pool: a failed creation must not keep a connection out of it
            raise
        return con

    def create(self, schema: str) -> None:
        with self.raw.transaction():
            self.raw.execute(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
            self.raw.execute(NOCASE)
            self.raw.execute(postgres_ddl(schema))

    def execute(self, sql: str, params=()):
        return self.raw.execute(postgres_sql(sql), tuple(params))

    def executescript(self, script: str) -> None:
        self.create(script)

    def add_missing_columns(self, table: str, columns: dict[str, str]) -> None:
        key = (str(self.raw.info.dsn), f"{table}:{sorted(columns.items())}")
        if key in _ready:
            return
        present = {
            r[0]
            for r in self.raw.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,)
            )
        }
        missing = {n: k for n, k in columns.items() if n not in present}
        if missing:
            with self.raw.transaction():
                self.raw.execute(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
                for name, kind in missing.items():
                    self.raw.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {postgres_ddl(kind)}")
        self.raw.commit()
        _ready.add(key)

    def commit(self) -> None:
        self.raw.commit()

    def rollback(self) -> None:
        self.raw.rollback()

    def close(self) -> None:
        """Back to the pool (rolled back if a transaction is open), once."""
        if self.raw is not None:
            raw, self.raw = self.raw, None
            try:
                if not raw.closed:
                    raw.rollback()  # a read leaves its transaction open: end it here, as sqlite3's close does
            except Exception:  # the server dropped it (a restart, a failover): the pool discards a broken one
                pass
            finally:
                self.pool.putconn(raw)

    def __enter__(self) -> PostgresConnection:
        return self

    def __exit__(self, kind, value, traceback) -> None:  # as sqlite3's: commit, or roll back on error
        if kind is None:
            self.raw.commit()
        else:
            self.raw.rollback()
