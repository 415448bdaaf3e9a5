"""The clinical engine's part of a build: the settings and catalogue it uses stored in the database,
the shared definitions (treatment week, setting lookups, what a status means), then the marts.

The loader calls prepare() before it derives episodes and rebuild() after; `python -m etl rebuild`
does both without loading anything. An instrument that assessments use is never dropped: when no
catalogue file defines it any more, its stored definition is kept and a note says so."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb

from clinical.catalogue import Instrument, catalogue_files, catalogue_tables, load_catalogue, source_name
from clinical.flag_rules import write_rules
from clinical.measure_specs import write_specs
from clinical.published_recovery import write_curves
from clinical.rows import insert_rows
from clinical.settings import load_settings, plan_rows, setting_rows, variables

SETUP = Path(__file__).with_name("setup")
CATALOGUE_TABLES = (
    "instrument_catalogue",
    "instrument_items",
    "instrument_bands",
    "instrument_subscales",
    "instrument_safety",
)


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]).fetchone()[0]
    )


DEFINITIONS_VERSION = int(
    re.search(r"MACRO definitions_version\(\) AS (\d+)", (SETUP / "definitions.sql").read_text())[1]
)


def prepared(con: duckdb.DuckDBPyConnection) -> bool:
    """Does the database hold the stored settings and definitions of this version?"""
    if not (_exists(con, "settings") and _exists(con, "measurement_plan")):
        return False
    try:
        return con.execute("SELECT definitions_version()").fetchone()[0] == DEFINITIONS_VERSION
    except duckdb.Error:
        return False


def write_settings(con: duckdb.DuckDBPyConnection, settings: dict) -> None:
    con.execute("""CREATE OR REPLACE TABLE settings (name VARCHAR PRIMARY KEY, section VARCHAR, key VARCHAR,
                   number DOUBLE, text VARCHAR, list VARCHAR[])""")
    insert_rows(con, "settings", setting_rows(settings))
    con.execute("CREATE OR REPLACE TABLE measurement_plan (track VARCHAR, instrument VARCHAR, every_days INTEGER)")
    insert_rows(con, "measurement_plan", plan_rows(settings))
    for name, value in variables(settings).items():
        con.execute(f"SET VARIABLE {name} = ?", [value])


class CatalogueRefused(ValueError):
    """A catalogue file that would drop an instrument assessments use; nothing was changed."""


def write_catalogue(
    con: duckdb.DuckDBPyConnection, catalogue: dict[str, Instrument], files_read: list[str]
) -> list[str]:
    """The catalogue tables from the files; returns notes for stored definitions kept. An instrument
    that assessments use and no file defines any more is kept as stored when its file is absent (a
    load or rebuild without the program's configuration); when its file is there and no longer
    defines it, the build is refused (CatalogueRefused), naming it."""
    kept: dict[str, dict[str, list]] = {}
    notes = []
    files_now = set(files_read)
    if _exists(con, "instrument_catalogue") and _exists(con, "assessments"):
        columns = {
            c
            for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'instrument_catalogue'"
            ).fetchall()
        }
        source = "c.source_file, c.source_sha256" if "source_file" in columns else "NULL, NULL"
        used = con.execute(f"""SELECT c.instrument, {source}, count(*) FROM assessments AS a
                               JOIN instrument_catalogue AS c USING (instrument) GROUP BY ALL ORDER BY 1""").fetchall()
        for code, source, digest, n in used:
            if code in catalogue:
                continue
            if source in files_now:
                raise CatalogueRefused(
                    f"{source} no longer defines {code}, which {n:,} assessments use: put its definition "
                    "back (or load without that change); the database is unchanged"
                )
            kept[code] = {
                t: con.execute(f"SELECT * FROM {t} WHERE instrument = ?", [code]).df() for t in CATALOGUE_TABLES
            }
            notes.append(
                f"{code}: no catalogue file defines it now, but {n:,} assessments use it, so its stored definition "
                f"(from {source}, SHA-256 {str(digest)[:12]}…) is kept. Put its file in the configuration folder "
                "to change it."
            )
    con.execute((SETUP / "catalogue.sql").read_text())
    for table, values in catalogue_tables(catalogue).items():
        insert_rows(con, table, values)
    for tables in kept.values():
        for table, rows in tables.items():
            if len(rows):  # by name: a definition stored by an earlier version lacks the newer columns
                con.register("kept_rows", rows)
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM kept_rows")
                con.unregister("kept_rows")
    return notes


def kept_instruments(con: duckdb.DuckDBPyConnection, catalogue: dict[str, Instrument]) -> list[tuple[str, str]]:
    """(code, name) of the stored definitions kept beside the files' catalogue."""
    return [
        tuple(r)
        for r in con.execute("SELECT instrument, name FROM instrument_catalogue").fetchall()
        if r[0] not in catalogue
    ]


def prepare(
    con: duckdb.DuckDBPyConnection, instruments: str | None = None, settings: dict | None = None
) -> tuple[dict[str, Instrument], list[str]]:
    """Settings, catalogue and definitions into the database; returns the files' catalogue and notes."""
    write_settings(con, settings or load_settings())
    catalogue = load_catalogue(instruments)
    notes = write_catalogue(con, catalogue, [source_name(f) for f in catalogue_files(instruments)])
    con.execute("""CREATE TABLE IF NOT EXISTS build_notes (built_at TIMESTAMP, note VARCHAR)""")
    if notes:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        insert_rows(con, "build_notes", [(now, n) for n in notes])
    write_specs(con)
    write_rules(con)
    write_curves(con)
    define(con)
    return catalogue, notes


# what a build stores beside the settings and catalogue: a copy of a database with these keeps its build
STORED = (
    "settings",
    "measurement_plan",
    "flag_rules",
    "measure_specs",
    "measure_scores",
    "measure_rates",
    "measure_value_sets",
    "measure_value_set_codes",
    "published_recovery",
    "published_recovery_measures",
    "published_recovery_inputs",
)


def define(con: duckdb.DuckDBPyConnection) -> None:
    """The stored definitions (macros) and each session's flags, from the settings already stored."""
    con.execute((SETUP / "definitions.sql").read_text())
    flag_sessions(con)


def flag_sessions(con: duckdb.DuckDBPyConnection) -> None:
    """Each session's attended, scheduled and no-show flags from its status (after every load)."""
    if _exists(con, "sessions"):
        con.execute((SETUP / "session_flags.sql").read_text())
