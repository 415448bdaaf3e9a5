"""A demo program's exports as a practice-management system sends them day by day: the rows of each
day in its own folder, for the benchmark of a day's load and the incremental loader's tests.

An admission arrives on its day without its discharge; the discharge arrives on its own day as a
correction of that row (same participant and admission date); likewise a diagnosis's resolution."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

# each file's date column, its format, and the column a later day fills in (as a correction)
DATES = {
    "attendance.csv": ("session_date", "%Y-%m-%d", None),
    "measures.csv": ("assessment_date", "%Y-%m-%d", None),
    "roster.csv": ("Admission Date", "%m/%d/%Y", "Discharge Date"),
    "authorizations.csv": ("Auth Start", "%m/%d/%Y", None),
    "diagnoses.csv": ("Noted Date", "%m/%d/%Y", "Resolved Date"),
}


def split_days(source: Path, out: Path, cuts: list[dt.date]) -> list[Path]:
    """Folders out/0 … out/n: 0 holds every row up to cuts[0] (as it stood that day), folder i the
    rows of the days after cuts[i-1] up to cuts[i]. Rows after the last cut are left out."""
    out.mkdir(parents=True, exist_ok=True)
    folders = [out / str(i) for i in range(len(cuts))]
    con = duckdb.connect()
    for name, (column, form, later) in DATES.items():
        path = source / name
        if not path.exists():
            continue
        con.execute(
            "CREATE OR REPLACE TABLE rows AS SELECT * FROM read_csv(?, all_varchar = true, header = true)", [str(path)]
        )
        columns = [c for (c,) in con.execute("SELECT column_name FROM (DESCRIBE rows)").fetchall()]
        day = f"try_strptime(\"{column}\", '{form}')::DATE"
        ended = f"try_strptime(\"{later}\", '{form}')::DATE" if later else "NULL::DATE"
        for i, (folder, cut) in enumerate(zip(folders, cuts)):
            folder.mkdir(exist_ok=True)
            since = cuts[i - 1] if i else dt.date.min
            as_then = ", ".join(
                f'CASE WHEN {ended} > DATE \'{cut}\' THEN NULL ELSE "{c}" END AS "{c}"' if c == later else f'"{c}"'
                for c in columns
            )
            con.execute(
                f"""COPY (SELECT {as_then} FROM rows
                          WHERE ({day} > DATE '{since}' AND {day} <= DATE '{cut}')
                             OR ({ended} > DATE '{since}' AND {ended} <= DATE '{cut}' AND {day} <= DATE '{since}'))
                    TO '{folder / name}' (HEADER, DELIMITER ',')"""
            )
    con.close()
    return folders
