"""Rows written from Python in one statement: a multi-row VALUES list with its parameters. DuckDB
prepares and runs executemany's statement once per row, which cost a small load about a quarter
of a second for the catalogue, settings and lookups alone."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

MAX_PARAMETERS = 30_000  # parameters in one statement; more rows go in further statements


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Sequence]) -> None:
    """INSERT INTO table VALUES (...), (...), … for these rows (all of one width)."""
    rows = list(rows)
    if not rows:
        return
    width = len(rows[0])
    per_statement = max(1, MAX_PARAMETERS // width)
    one = "(" + ", ".join("?" * width) + ")"
    for start in range(0, len(rows), per_statement):
        batch = rows[start : start + per_statement]
        con.execute(
            f"INSERT INTO {table} VALUES {', '.join([one] * len(batch))}", [value for row in batch for value in row]
        )
