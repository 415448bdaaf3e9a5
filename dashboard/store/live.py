"""The database file in place, kept open while it is there, and idle connections per scope.

DuckDB connections are not thread-safe (Streamlit runs each browser session in a thread), so each
request's queries run on a connection it alone uses while they run. A connection done with is
kept idle for the next request of the same scope (its scope's views are made already, which costs
about 20 ms) while its file is in place. The file's database itself is kept open between requests
(its connections cost nothing and what it read stays in memory) and let go as soon as a load has
replaced the file; loads write a copy and swap it in, so the open database never blocks them."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import duckdb

from dashboard.store import background
from dashboard.store.cache import KEPT, RESULTS
from dashboard.store.version import file_version

IDLE_PER_SCOPE = 4  # idle connections kept per scope (sessions running queries at once)
IDLE_SCOPES = 32  # scopes (the whole program, each clinician's caseload) with idle connections


def _holds(con: duckdb.DuckDBPyConnection) -> tuple | None:
    """What the file a connection reads holds, in brief: it differs from one load or rebuild to the next."""
    try:
        return (
            tuple(con.execute("SELECT * FROM dataset_info").fetchall()),
            con.execute("SELECT count(*), max(load_id) FROM loads").fetchone(),
        )
    except duckdb.Error:
        return None


class LiveFile:
    """The live file's database, kept open (`held`) while that file is in place. DuckDB gives a new
    connection the database already open in the process on the same path, so once a load has
    replaced the file the old one is let go first; if a query of another session still has it open,
    a new connection reads the old file (as before the load): that is found by what the file holds
    (`holding`, noted per file version), and then nothing is kept open or filed under the new version."""

    def __init__(self):
        self.lock = threading.Lock()
        self.held: tuple[tuple, duckdb.DuckDBPyConnection] | None = None
        self.holding: OrderedDict[tuple, tuple] = OrderedDict()  # file version -> what it holds
        # connections of the held file with their scope's views made, not in use: (version, scope) -> them
        self.idle: OrderedDict[tuple, list[duckdb.DuckDBPyConnection]] = OrderedDict()

    def connect(self, path: Path) -> tuple[duckdb.DuckDBPyConnection, tuple | None]:
        """A new read-only connection, and the file version it reads (None when not known for sure)."""
        with self.lock:
            version = file_version(path)
            if self.held is not None and self.held[0] != version:
                self.held[1].close()  # replaced, or another file configured: its database can go
                self.held = None
                self._drop_idle()
            con = duckdb.connect(str(path), read_only=True)
            if self.held is not None:
                return con, version
            holds = _holds(con) if version is not None else None
            # DuckDB keeps one database per path: an earlier file at this path that another session still
            # has open reads as before, and holds what that earlier version held
            if (
                holds is None
                or self.holding.get(version, holds) != holds
                or any(h == holds for v, h in self.holding.items() if v != version and v[0] == version[0])
            ):
                return con, None  # an old file still open elsewhere in the process, or not a built database
            self.holding[version] = holds
            while len(self.holding) > 32:
                self.holding.popitem(last=False)
            self.held = (version, duckdb.connect(str(path), read_only=True))
            RESULTS.keep_only(version)
            KEPT.keep_only(version)
        background.file_replaced()  # a file first held: what only changes with a load is built now
        return con, version

    def reuse(self, path: Path, scope) -> tuple[duckdb.DuckDBPyConnection, tuple] | None:
        """An idle connection of the file in place made for this scope, and its version; None if none."""
        with self.lock:
            version = file_version(path)
            if self.held is None or self.held[0] != version:
                return None  # a load in between: connect() lets the old file go first
            idle = self.idle.get((version, scope))
            return (idle.pop(), version) if idle else None

    def give_back(self, con: duckdb.DuckDBPyConnection, version: tuple | None, scope) -> None:
        """A connection done with: kept for its scope while its file is the one held, else closed."""
        with self.lock:
            if version is not None and self.held is not None and self.held[0] == version:
                idle = self.idle.setdefault((version, scope), [])
                self.idle.move_to_end((version, scope))
                if len(idle) < IDLE_PER_SCOPE:
                    idle.append(con)
                    while len(self.idle) > IDLE_SCOPES:  # the scopes asked longest ago let go first
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


LIVE = LiveFile()
