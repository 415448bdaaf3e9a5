"""Rows already read in Python (XLSX cells, FHIR resources) into the shared temp tables."""

from __future__ import annotations

import duckdb


def start_file_rows(con: duckdb.DuckDBPyConnection, width: int, raw: bool = False) -> None:
    """Empty `file_rows(row_number, c0 … c(width-1)[, raw_json])` and `parse_rejects`."""
    drop_file_rows(con)
    con.execute(
        "CREATE TEMP TABLE file_rows (row_number BIGINT, "
        + ", ".join(f"c{i} VARCHAR" for i in range(width))
        + (", raw_json VARCHAR" if raw else "")
        + ")"
    )
    con.execute("CREATE OR REPLACE TEMP TABLE parse_rejects (row_number BIGINT, reason VARCHAR, raw_row VARCHAR)")


def append_rows(con: duckdb.DuckDBPyConnection, width: int, records: list[list], raw: list[str] | None = None) -> None:
    """records: [row_number, c0 … c(width-1)]; raw: each record's own JSON (FHIR)."""
    if not records:
        return
    import pandas as pd  # only XLSX and FHIR need it: a CSV load (and a reload) starts faster without

    frame = pd.DataFrame(records, columns=["row_number", *(f"c{i}" for i in range(width))], dtype=object)
    frame["row_number"] = frame["row_number"].astype("int64")
    if raw is not None:
        frame["raw_json"] = pd.Series(raw, dtype=object)
    con.register("rows_frame", frame)
    con.execute(
        "INSERT INTO file_rows SELECT row_number, "
        + ", ".join(f"CAST(c{i} AS VARCHAR)" for i in range(width))
        + (", CAST(raw_json AS VARCHAR)" if raw is not None else "")
        + " FROM rows_frame"
    )
    con.unregister("rows_frame")


def to_file_rows(
    con: duckdb.DuckDBPyConnection,
    width: int,
    records: list[list],
    raw: list[str] | None = None,
    rejects: list[tuple[int, str, str]] = (),
) -> None:
    """All rows at once (FHIR: the document is already in memory); rejects: (row_number, reason, raw
    JSON) of rows that never became records."""
    start_file_rows(con, width, raw=raw is not None)
    append_rows(con, width, records, raw)
    if rejects:
        con.executemany("INSERT INTO parse_rejects VALUES (?, ?, ?)", list(rejects))


def drop_file_rows(con: duckdb.DuckDBPyConnection) -> None:
    """The previous file's rows were a view (CSV) or a table (XLSX, FHIR)."""
    found = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = 'file_rows'").fetchone()
    if found:
        con.execute(f"DROP {'VIEW' if found[0] == 'VIEW' else 'TABLE'} file_rows")
