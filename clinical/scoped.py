"""Rebuilding for some participants only: a day's export touches a few hundred of 50,000.

The same SQL files that build everything run for the participants in the temp table `affected`:
within() puts a schema `scope` first in the search path, in a database held in memory, with a copy
of each core table's rows of theirs (a copy, not a view: a file reads sessions several times, and a
view would scan all of them each time), so a file's `FROM sessions` reads theirs and its `CREATE OR
REPLACE TABLE flags` lands in scope.flags. put_back() then replaces their rows in each main table with those.
A file may do this only when each participant's rows depend on that participant's rows alone
(its header says `-- scope: participant`); tests/test_incremental.py proves the result equal to a
full rebuild on random sequences of loads."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import duckdb

# the core tables, and how their rows belong to a participant
CORE = {
    "sessions": "participant_id IN (SELECT participant_id FROM affected)",
    "assessments": "participant_id IN (SELECT participant_id FROM affected)",
    "assessment_items": "assessment_id IN (SELECT assessment_id FROM main.assessments "
    "WHERE participant_id IN (SELECT participant_id FROM affected))",
    "roster_admissions": "participant_id IN (SELECT participant_id FROM affected)",
    "authorizations": "participant_id IN (SELECT participant_id FROM affected)",
    "diagnoses": "participant_id IN (SELECT participant_id FROM affected)",
}
DERIVED = ("episodes", "participants")
HELD = "scoped"  # the in-memory database
SCOPE = f"{HELD}.scope"
DAYS = f"{HELD}.days"


def scope_of(path: Path) -> str:
    """A SQL file's `-- scope:` header: participant, day (each session date's rows depend on that
    day's sessions alone: rebuilt for the days a load wrote sessions on) or history (learns from
    the whole history: left to the second step)."""
    found = re.match(r"-- scope: (participant|day|history)\n", path.read_text())
    if not found:
        raise ValueError(f"{path.name}: its first line must be -- scope: participant, day or history")
    return found[1]


def tables_made(sql: str) -> list[str]:
    """The (non-temporary) tables a SQL file creates."""
    return re.findall(r"CREATE OR REPLACE TABLE (\w+)", sql)


def choose(con: duckdb.DuckDBPyConnection, participants_sql: str) -> int:
    """The temp table `affected` from a query of participant ids, and `affected_episodes` from
    their episodes as they are now (derive adds the new ones); returns how many."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE affected AS SELECT DISTINCT participant_id FROM ({participants_sql})")
    con.execute("""CREATE OR REPLACE TEMP TABLE affected_episodes AS
                   SELECT episode_id FROM main.episodes WHERE participant_id IN (SELECT participant_id FROM affected)""")
    con.execute("CREATE OR REPLACE TEMP MACRO in_scope(p) AS p IN (SELECT participant_id FROM affected)")
    return con.execute("SELECT count(*) FROM affected").fetchone()[0]


def everyone(con: duckdb.DuckDBPyConnection) -> None:
    """in_scope() for a full build: every participant."""
    con.execute("CREATE OR REPLACE TEMP MACRO in_scope(p) AS true")


def open_copies(con: duckdb.DuckDBPyConnection) -> None:
    """The in-memory database with the affected participants' rows of each core table. The core
    tables must not change while it is open, but through code that writes both (assign_scoped.sql)."""
    con.execute(f"ATTACH ':memory:' AS {HELD}")
    con.execute(f"CREATE SCHEMA {SCOPE}")
    for table, belongs in CORE.items():
        con.execute(f"CREATE TABLE {SCOPE}.{table} AS SELECT * FROM main.{table} WHERE {belongs}")


def close_copies(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("SET search_path = 'main'")
    con.execute(f"DETACH DATABASE IF EXISTS {HELD}")


@contextlib.contextmanager
def within(con: duckdb.DuckDBPyConnection):
    """The copies first in the search path (open_copies: they must be open)."""
    con.execute(f"SET search_path = '{SCOPE},main'")
    try:
        yield
    finally:
        con.execute("SET search_path = 'main'")


def copy_derived(con: duckdb.DuckDBPyConnection) -> None:
    """The affected participants' episodes and participants as derived (put back) into the copies."""
    for table in DERIVED:
        con.execute(f"""CREATE OR REPLACE TABLE {SCOPE}.{table} AS SELECT * FROM main.{table}
                        WHERE participant_id IN (SELECT participant_id FROM affected)""")


@contextlib.contextmanager
def days(con: duckdb.DuckDBPyConnection):
    """Every session on the days in `touched_days` (none when the load had no attendance) first in
    the search path, for a file that says `-- scope: day`."""
    con.execute("CREATE TEMP TABLE IF NOT EXISTS touched_days (session_date DATE)")
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {DAYS}")
    con.execute(f"""CREATE OR REPLACE TABLE {DAYS}.sessions AS SELECT * FROM main.sessions
                    WHERE session_date IN (SELECT session_date FROM touched_days)""")
    con.execute(f"SET search_path = '{DAYS},main'")
    try:
        yield
    finally:
        con.execute(f"SET search_path = '{SCOPE},main'")


def put_back_days(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    for table in tables:
        con.execute(f"DELETE FROM main.{table} WHERE session_date IN (SELECT session_date FROM touched_days)")
        con.execute(f"INSERT INTO main.{table} BY NAME SELECT * FROM {DAYS}.{table}")


def _belongs(con: duckdb.DuckDBPyConnection, table: str) -> str:
    columns = {c for (c,) in con.execute(f"SELECT name FROM pragma_table_info('main.{table}')").fetchall()}
    if "participant_id" in columns:
        return "participant_id IN (SELECT participant_id FROM affected)"
    if "episode_id" in columns:
        return "episode_id IN (SELECT episode_id FROM affected_episodes)"
    if "assessment_id" in columns:
        return CORE["assessment_items"]
    raise ValueError(f"{table}: no participant_id, episode_id or assessment_id to rebuild it by participant")


def put_back(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    """Each main table's rows of the affected participants replaced by scope's."""
    for table in tables:
        belongs = _belongs(con, table)
        con.execute(f"DELETE FROM main.{table} WHERE {belongs}")
        con.execute(f"INSERT INTO main.{table} BY NAME SELECT * FROM {SCOPE}.{table}")
        if table == "episodes":  # the new episodes' rows in episode-keyed marts are theirs too
            con.execute(f"INSERT INTO affected_episodes SELECT episode_id FROM {SCOPE}.episodes")
