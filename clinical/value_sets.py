"""Diagnosis value sets of the quality measures (quality_measures/value_sets/*.toml, one file per
set): ICD-10-CM code prefixes with the specification and version they come from. Shipped with the
measures, not read from a program's configuration folder, so a program cannot change who a measure
counts without a new version (tests/test_value_sets.py pins each file's digest to its version)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from clinical.config import sha256
from clinical.rows import insert_rows

FOLDER = Path(__file__).with_name("quality_measures") / "value_sets"
# a code or the start of one: a letter, two characters, then up to four more (dots ignored)
PREFIX = re.compile(r"^[A-Z][0-9][0-9A-Z]?[0-9A-Z]{0,4}$")


class ValueSetError(ValueError):
    """A value set file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class ValueSet:
    id: str
    name: str
    specification: str
    version: str
    sources: str
    codes: tuple[str, ...]  # prefixes as written (F34.1)
    file: str
    digest: str
    lookback: str = "history"  # history: any diagnosis up to the exclusion's end; period: one active in the period

    @property
    def prefixes(self) -> tuple[str, ...]:
        """The prefixes as the measures compare them: upper case, without dots (F341)."""
        return tuple(c.replace(".", "").upper() for c in self.codes)


def _value_set(path: Path) -> ValueSet:
    where = f"value_sets/{path.name}"
    try:
        d = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ValueSetError(f"{where}: not valid TOML ({e})") from e
    for key in ("id", "name", "specification", "version", "sources", "codes"):
        if key not in d:
            raise ValueSetError(f"{where}: '{key}' is missing")
    if d["id"] != path.stem:
        raise ValueSetError(f"{where}: id '{d['id']}' is not the file's name")
    codes = tuple(d["codes"])
    bad = [c for c in codes if not isinstance(c, str) or not PREFIX.match(c.replace(".", "").upper())]
    if not codes or bad:
        raise ValueSetError(f"{where}: codes must be ICD-10 codes or their first characters (F32, F34.1); not {bad}")
    lookback = d.get("lookback", "history")
    if lookback not in ("history", "period"):
        raise ValueSetError(f"{where}: lookback '{lookback}' is not history or period")
    return ValueSet(
        d["id"], d["name"], d["specification"], d["version"], d["sources"], codes, path.name, sha256(path), lookback
    )


def load_value_sets(folder: Path = FOLDER) -> dict[str, ValueSet]:
    """Every value set of the folder, by id."""
    return {vs.id: vs for vs in map(_value_set, sorted(folder.glob("*.toml")))}


def write_value_sets(con: duckdb.DuckDBPyConnection, sets: dict[str, ValueSet]) -> None:
    """Tables measure_value_sets (one row per set) and measure_value_set_codes (set, prefix)."""
    con.execute("""CREATE OR REPLACE TABLE measure_value_sets (value_set VARCHAR PRIMARY KEY, name VARCHAR,
                   specification VARCHAR, version VARCHAR, sources VARCHAR, codes VARCHAR, source_file VARCHAR,
                   source_sha256 VARCHAR, lookback VARCHAR)""")
    con.execute("CREATE OR REPLACE TABLE measure_value_set_codes (value_set VARCHAR, prefix VARCHAR)")
    insert_rows(
        con,
        "measure_value_sets",
        [
            (v.id, v.name, v.specification, v.version, v.sources, ", ".join(v.codes), v.file, v.digest, v.lookback)
            for v in sets.values()
        ],
    )
    insert_rows(con, "measure_value_set_codes", [(v.id, p) for v in sets.values() for p in v.prefixes])
