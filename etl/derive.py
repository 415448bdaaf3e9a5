"""Episodes and marts after a load: for the participants the load touched when they are few
(clinical/scoped.py), else for everyone; then what learns from the whole history (expected
recovery, the alert re-check, the as-of date's flags for everyone), at once or in a second step,
`python -m etl refresh`, which load() starts in the background (settings [loader]).

The table build_state says which: the pages show that the second step is still to come."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb

from clinical import build, marts, scoped
from etl.database import now, set_variables, sql

ROOT = Path(__file__).resolve().parents[1]
# what a build's results depend on besides the rows: the code's SQL and the stored configuration
SQL_FOLDERS = (ROOT / "etl" / "sql", ROOT / "clinical" / "sql", ROOT / "clinical" / "setup")
CONFIGURATION = (*build.STORED, *build.CATALOGUE_TABLES, "flag_rules", "teds_reasons", "vocab", "instrument_alias")
SESSIONS_PER_BATCH = 2_000_000
# an episode inferred from attendance ends when the data date is this many days after its last
# session, and a gap this long starts a new one (derive.sql reads it as getvariable('inferred_gap')):
# a new data date can end episodes of participants the load did not touch
INFERRED_GAP_DAYS = 30


# settings for the machine, not the build (the inbox watcher's and the backups'): changing them rebuilds nothing
MACHINE_SETTINGS = ("inbox", "backup", "servers")


def fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    digest = hashlib.sha256()
    for folder in SQL_FOLDERS:
        for path in sorted(folder.glob("*.sql")):
            digest.update(path.name.encode() + path.read_bytes())
    for table in sorted(set(CONFIGURATION)):
        if con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchone()[0]:
            machine = f"WHERE section NOT IN {MACHINE_SETTINGS}" if table == "settings" else ""
            [rows] = con.execute(
                f"SELECT string_agg(r::VARCHAR, '|' ORDER BY r::VARCHAR) FROM {table} AS r {machine}"
            ).fetchone()
            digest.update(table.encode() + (rows or "").encode())
    return digest.hexdigest()


def state(con: duckdb.DuckDBPyConnection) -> dict | None:
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'build_state'").fetchone()[0]:
        return None
    cursor = con.execute("SELECT * FROM build_state")
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row)) if row else None


def write_state(con, fingerprint_: str, built: str, pending_since: dt.datetime | None, participants: int = 0) -> None:
    """What this build did: for "everyone" or the "participants" touched (how many), and since
    when the whole-history step is pending (NULL: done)."""
    participants = participants or _count(con, "participants")
    con.execute(
        """CREATE OR REPLACE TABLE build_state AS
           SELECT ?::VARCHAR AS fingerprint, ?::VARCHAR AS built_for, ?::BIGINT AS participants_rebuilt,
                  ?::TIMESTAMP AS history_pending_since, getvariable('loaded_at')::TIMESTAMP AS built_at""",
        [fingerprint_, built, participants, pending_since],
    )


def after_load(con: duckdb.DuckDBPyConnection, as_of: dt.date | None, whole_history: str, max_share: float) -> bool:
    """Episodes and marts after the rows are merged; True when the whole-history step is left to
    `etl refresh`."""
    before = state(con)
    old_as_of = _data_as_of(con)
    con.execute(sql("dataset_info.sql"))
    current = fingerprint(con)
    few = None
    if before and before["fingerprint"] == current and as_of is None and old_as_of is not None:
        few = _choose(con, old_as_of, max_share)
    if few is None:
        everything(con, as_of, current)
        return False
    scoped.open_copies(con)
    try:
        _derive_for(con)
        if whole_history != "inline":
            marts.rebuild_for(con)
    finally:
        scoped.close_copies(con)
    if whole_history == "inline":
        marts.rebuild(con)
        write_state(con, current, "participants", None, few)
        return False
    write_state(con, current, "participants", before["history_pending_since"] or now(), few)
    return True


def _count(con, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _data_as_of(con) -> dt.date | None:
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'dataset_info'").fetchone()[0]:
        return None
    row = con.execute("SELECT data_as_of FROM dataset_info").fetchone()
    return row[0] if row else None


def _choose(con, old_as_of: dt.date, max_share: float) -> int | None:
    """The participants to rebuild: those whose rows the load wrote, and those whose inferred
    episode the new data date ends (or reopens); None when more than max_share of everyone."""
    touched = bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'touched'").fetchone()[0])
    set_variables(con, old_as_of=old_as_of, inferred_gap=INFERRED_GAP_DAYS)
    n = scoped.choose(
        con,
        ("SELECT participant_id FROM touched UNION ALL " if touched else "")
        + """SELECT participant_id FROM main.episodes
             WHERE inferred AND (getvariable('old_as_of') - last_attended > getvariable('inferred_gap'))
                 IS DISTINCT FROM ((SELECT data_as_of FROM dataset_info) - last_attended > getvariable('inferred_gap'))""",
    )
    everyone = _count(con, "participants")
    return n if everyone and n <= max_share * everyone else None


def everything(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None, current: str | None = None) -> None:
    """Every episode and mart from all rows (dataset_info already made)."""
    scoped.everyone(con)
    derive_all(con)
    marts.rebuild(con, as_of=as_of)
    write_state(con, current or fingerprint(con), "everyone", None)


def derive_all(con: duckdb.DuckDBPyConnection) -> None:
    """Participants and episodes, and each session's and assessment's episode, for everyone."""
    set_variables(con, inferred_gap=INFERRED_GAP_DAYS)
    con.execute(sql("derive.sql"))
    con.execute(sql("assign_assessments.sql"))
    n = _count(con, "sessions")
    batches = max(1, -(-n // SESSIONS_PER_BATCH))
    for batch in range(batches):
        set_variables(con, batch=batch, batches=batches)
        con.execute(sql("assign_sessions.sql"))
        if batches > 1:
            con.execute("CHECKPOINT")


def _derive_for(con: duckdb.DuckDBPyConnection) -> None:
    """The same for the participants in `affected` only, within their copies (open)."""
    set_variables(con, inferred_gap=INFERRED_GAP_DAYS)
    with scoped.within(con):
        con.execute(sql("derive.sql"))
        scoped.put_back(con, list(scoped.DERIVED))
        con.execute(sql("assign_scoped.sql"))


def pending(con: duckdb.DuckDBPyConnection) -> bool:
    current = state(con)
    return bool(current) and current["history_pending_since"] is not None


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """What learns from the whole history, and every mart with it: the second step."""
    set_variables(con, loaded_at=now())
    marts.rebuild(con)
    con.execute("UPDATE build_state SET history_pending_since = NULL, built_at = getvariable('loaded_at')")
