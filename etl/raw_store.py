"""Every row read, kept as the file had it: a table per loaded file with the file's own columns
(`raw_load_<load_id>`, column names in `raw_columns`), and rows that only exist as JSON (FHIR
resources, reshaped vendor layouts, lines that could not be split into columns) in `raw_rows_json`.
A table the CSV reader read the file into is kept as it is (row numbers rowid + 2: tables are
never changed after a load). The documented `raw_rows` is a view over both, giving each row as a JSON object as before:
storing columns costs a copy, building JSON for a million rows at load time cost seconds."""

from __future__ import annotations

import duckdb


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def column_names(header: list[str]) -> list[str]:
    """The header as JSON keys: blank names numbered, repeated names made unique."""
    names, used = [], {}
    for i, name in enumerate(header):
        label = name or f"column {i + 1}"
        used[label] = used.get(label, 0) + 1
        names.append(label if used[label] == 1 else f"{label} ({used[label]})")
    return names


def json_of(names: list[str], prefix: str = "") -> str:
    """SQL for one row as a JSON object of the file's column names (columns c0 … cN)."""
    return "json_object(" + ", ".join(f"{_literal(n)}, {prefix}c{i}" for i, n in enumerate(names)) + ")"


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Databases from before the split held every row as JSON in a `raw_rows` table."""
    found = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = 'raw_rows' AND table_schema = 'main'"
    ).fetchone()
    if found and found[0] == "BASE TABLE":
        con.execute("INSERT INTO raw_rows_json SELECT load_id, file_name, row_number, raw_row FROM raw_rows")
        con.execute("DROP TABLE raw_rows")
    refresh_view(con)


def table(load_id: int) -> str:
    return f"raw_load_{int(load_id)}"


def keep_columns(
    con: duckdb.DuckDBPyConnection, load_id: int, file_name: str, names: list[str], read_in_place: bool = False
) -> None:
    """The current file's rows as they were read, in a table of their own: the table the CSV
    reader read into (read_in_place; row numbers rowid + 2), else a copy of `file_rows`."""
    if not read_in_place:
        con.execute(
            f"CREATE TABLE {table(load_id)} AS SELECT row_number, "
            + ", ".join(f"c{i}" for i in range(len(names)))
            + " FROM file_rows"
        )
    con.executemany(
        "INSERT INTO raw_columns VALUES (?, ?, ?, ?, ?)",
        [(load_id, file_name, i, name, 2 if read_in_place else None) for i, name in enumerate(names)],
    )


def refresh_view(con: duckdb.DuckDBPyConnection) -> None:
    parts = ["SELECT load_id, file_name, row_number, raw_row FROM raw_rows_json"]
    loads = con.execute("""SELECT load_id, any_value(file_name), list(name ORDER BY position), any_value(first_row)
                           FROM raw_columns GROUP BY load_id ORDER BY load_id""").fetchall()
    for load_id, file_name, names, first_row in loads:
        number = "row_number" if first_row is None else f"rowid + {int(first_row)}"
        parts.append(
            f"SELECT {int(load_id)} AS load_id, {_literal(file_name)} AS file_name, {number} AS row_number, "
            f"{json_of(names)} AS raw_row FROM {table(load_id)}"
        )
    con.execute("CREATE OR REPLACE VIEW raw_rows AS\n" + "\nUNION ALL ".join(parts))
