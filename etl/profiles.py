"""Mapping profiles for vendor layouts (etl/profiles/*.toml, or a program's own file): which
column is which field, item columns by number or by question text, instruments by name or LOINC
code, and wide layouts with one column per assessment date. A profile turns the file's rows (as
read) into canonical measures rows in DuckDB SQL; everything after that is the shared pipeline."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from clinical.catalogue import Instrument
from etl.files import FileProblem
from etl.readers.rows import drop_file_rows
from etl.vocabulary import norm

SHIPPED = Path(__file__).with_name("profiles")


@dataclass(frozen=True)
class Profile:
    name: str
    layout: str
    signature: tuple[str, ...]
    columns: dict
    items: dict
    description: str = ""


def available() -> dict[str, Path]:
    return {p.stem: p for p in sorted(SHIPPED.glob("*.toml"))}


def load_profile(name_or_file: str) -> Profile:
    path = available().get(name_or_file) or Path(name_or_file)
    if not path.exists():
        raise ValueError(f"no profile {name_or_file!r} (shipped: {', '.join(available())})")
    data = tomllib.loads(path.read_text())
    p = data.get("profile", {})
    if p.get("layout") not in ("long", "wide"):
        raise ValueError(f"{path.name}: profile.layout must be 'long' or 'wide'")
    return Profile(
        path.stem,
        p["layout"],
        tuple(p.get("signature", ())),
        data.get("columns", {}),
        data.get("items", {}),
        p.get("description", ""),
    )


def suggest(header: list[str]) -> str | None:
    """The shipped profile whose signature columns all appear in the header."""
    have = {norm(h) for h in header}
    for name, path in available().items():
        if name != "canonical" and all(norm(c) in have for c in load_profile(str(path)).signature):
            return name
    return None


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def apply(
    con: duckdb.DuckDBPyConnection, profile: Profile, header: list[str], path: Path, catalogue: dict[str, Instrument]
) -> list[str]:
    """Rebuild file_rows (c0 … cN of the file) as canonical measures rows; returns the new header."""
    position = {norm(h): i for i, h in enumerate(header)}

    def col(field: str) -> str:
        name = profile.columns[field]
        if norm(name) not in position:
            raise FileProblem(
                path, f"profile {profile.name}: no column '{name}' for {field} (header: {', '.join(header)[:200]})"
            )
        return f"c{position[norm(name)]}"

    raw = "json_object(" + ", ".join(f"{_literal(h or f'column {i + 1}')}, c{i}" for i, h in enumerate(header)) + ")"
    c = profile.columns
    if "instrument_fixed" in c:
        instrument = _literal(c["instrument_fixed"])
    elif "instrument_loinc" in c:
        codes = ", ".join(
            f"({_literal(i.loinc_total)}, {_literal(i.code)})" for i in catalogue.values() if i.loinc_total
        )
        label = f" || ' (' || {col('instrument_label')} || ')'" if "instrument_label" in c else ""
        instrument = (
            f"coalesce((SELECT m.instrument FROM (VALUES {codes}) AS m(code, instrument) "
            f"WHERE m.code = trim({col('instrument_loinc')})), 'LOINC ' || {col('instrument_loinc')}{label})"
        )
    else:
        instrument = col("instrument")
    items = {}
    if "item_prefix" in c:
        prefix = norm(c["item_prefix"])
        items = {
            int(k[len(prefix) :]): i for k, i in position.items() if k.startswith(prefix) and k[len(prefix) :].isdigit()
        }
    for text, number in profile.items.items():
        key = re.sub(r"[^a-z0-9]", "", text.lower())
        found = [
            i for h, i in ((re.sub(r"[^a-z0-9]", "", h.lower()), i) for i, h in enumerate(header)) if h.startswith(key)
        ]
        if found:
            items[int(number)] = found[0]
    width = max(items, default=0)
    item_sql = "".join(f", {f'c{items[n]}' if n in items else 'NULL'} AS item_{n}" for n in range(1, width + 1))
    if profile.layout == "wide":
        pattern = re.compile(c["date_columns"])
        dates = [i for i, h in enumerate(header) if pattern.search(h.strip())]
        if not dates:
            raise FileProblem(path, f"profile {profile.name}: no column header is a date")
        picks = ", ".join(f"c{i} AS {_literal(header[i].strip())}" for i in dates)
        sql = f"""
            SELECT row_number, participant_id, assessment_date, instrument, total, raw_json FROM (
                UNPIVOT (SELECT row_number, {col("participant_id")} AS participant_id, {instrument} AS instrument,
                                {raw} AS raw_json, {picks} FROM file_rows)
                ON COLUMNS(* EXCLUDE (row_number, participant_id, instrument, raw_json))
                INTO NAME assessment_date VALUE total)
            WHERE NOT blank(total)"""
        new_header = ["participant_id", "assessment_date", "instrument", "total"]
    else:
        total = f"{col('total')}" if "total" in c and norm(c["total"]) in position else "NULL"
        sql = f"""SELECT row_number, {col("participant_id")} AS participant_id, {col("assessment_date")} AS assessment_date,
                         {instrument} AS instrument, {total} AS total{item_sql}, {raw} AS raw_json FROM file_rows"""
        new_header = [
            "participant_id",
            "assessment_date",
            "instrument",
            "total",
            *(f"item_{n}" for n in range(1, width + 1)),
        ]
    con.execute(f"CREATE OR REPLACE TEMP TABLE profiled AS {sql}")
    drop_file_rows(con)
    names = ", ".join(f"{name} AS c{i}" for i, name in enumerate(new_header))
    con.execute(f"CREATE TEMP TABLE file_rows AS SELECT row_number, {names}, raw_json FROM profiled")
    return new_header
