"""CSV in UTF-8 (with or without BOM), UTF-16/32 with a BOM (read from a UTF-8 copy) or Latin-1; comma,
semicolon, tab or pipe separated."""

from __future__ import annotations

import duckdb

from etl.files import ExportFile
from etl.readers.rows import drop_file_rows


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def read_csv(con: duckdb.DuckDBPyConnection, export: ExportFile, keep_as: str) -> bool:
    """Reads the file into the table `keep_as` (the rows as the file has them, columns c0 … cN) and
    makes `file_rows` from it. Returns True when that table is kept as the file's raw rows, its row
    numbers being rowid + 2 (no blank or unreadable lines: the common case, with no copy); False
    when rows had to be renumbered, in which case file_rows is a table of its own and `keep_as`
    is gone."""
    drop_file_rows(con)
    con.execute("DROP TABLE IF EXISTS csv_reject_errors; DROP TABLE IF EXISTS csv_reject_scans")
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(export.header)))
    con.execute(f"""
        CREATE TABLE {keep_as} AS
        SELECT * FROM read_csv({_literal(str(export.source))},
            header = true, auto_detect = false, delim = {_literal(export.delimiter)},
            quote = '"', escape = '"', encoding = {_literal(export.read_encoding)},
            columns = {{{columns}}}, ignore_errors = true, store_rejects = true,
            rejects_table = 'csv_reject_errors', rejects_scan = 'csv_reject_scans')
    """)
    # One rejected line can carry several errors; keep the first.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE parse_rejects AS
        SELECT line AS row_number,
               CASE error_type
                   WHEN 'TOO MANY COLUMNS' THEN 'the row has more fields than the header'
                   WHEN 'MISSING COLUMNS' THEN 'the row has fewer fields than the header'
                   WHEN 'UNQUOTED VALUE' THEN 'a quote in the row is not closed properly'
                   ELSE 'the row could not be read: ' || error_message
               END AS reason,
               json_object('line', trim(csv_line, chr(10) || chr(13))) AS raw_row
        FROM csv_reject_errors
        QUALIFY row_number() OVER (PARTITION BY line ORDER BY column_idx) = 1
    """)
    if not export.blank_lines and not con.execute("SELECT count(*) FROM parse_rejects").fetchone()[0]:
        # the common case: every line after the header is a row, in file order
        con.execute(f"CREATE OR REPLACE TEMP VIEW file_rows AS SELECT rowid + 2 AS row_number, * FROM {keep_as}")
        return True
    blanks = f"AND line NOT IN ({', '.join(map(str, export.blank_lines))})" if export.blank_lines else ""
    # Parsed rows keep file order; their line numbers are the lines left after the header,
    # rejected lines and blank lines are taken out.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE file_rows AS
        WITH numbered AS (SELECT rowid AS idx, * FROM {keep_as}),
        lines AS (
            SELECT line, row_number() OVER (ORDER BY line) - 1 AS idx
            FROM range(2, (SELECT count(*) FROM {keep_as}) + (SELECT count(*) FROM parse_rejects)
                          + {len(export.blank_lines)} + 2) t(line)
            WHERE line NOT IN (SELECT row_number FROM parse_rejects) {blanks}
        )
        SELECT lines.line AS row_number, numbered.* EXCLUDE (idx)
        FROM numbered JOIN lines USING (idx)
    """)
    con.execute(f"DROP TABLE {keep_as}")
    return False
