"""Every row read is kept as the file had it, with its spreadsheet row number, whichever way it was
stored (the file's own columns, or JSON), and databases from before the split keep theirs."""

from __future__ import annotations

import json

import duckdb

from conftest import load_files, rows, write

HEADER = "participant_id,session_date,session_type,status,minutes\n"


def _raw(db):
    return [
        (n, json.loads(r)) for n, r in rows(db, "SELECT row_number, raw_row FROM raw_rows ORDER BY load_id, row_number")
    ]


def test_rows_kept_in_the_files_own_columns_with_their_row_numbers(tmp_path, db):
    plain = write(tmp_path, "a.csv", HEADER + "P1,2026-01-05,group,attended,180\nP2,2026-01-05,group,came,180\n")
    gaps = write(tmp_path, "b.csv", HEADER + '\nP3,2026-01-06,group,attended,180\n"P4,2026-01-06\n')
    load_files(db, plain)
    load_files(db, gaps)
    assert _raw(db) == [
        (
            2,
            {
                "participant_id": "P1",
                "session_date": "2026-01-05",
                "session_type": "group",
                "status": "attended",
                "minutes": "180",
            },
        ),
        (
            3,
            {
                "participant_id": "P2",
                "session_date": "2026-01-05",
                "session_type": "group",
                "status": "came",
                "minutes": "180",
            },
        ),
        (
            3,
            {
                "participant_id": "P3",
                "session_date": "2026-01-06",
                "session_type": "group",
                "status": "attended",
                "minutes": "180",
            },
        ),
        (4, {"line": '"P4,2026-01-06'}),
    ]
    # the reject keeps the same row as read
    assert rows(db, "SELECT row_number, raw_row::JSON->>'status' FROM rejects WHERE file_name = 'a.csv'") == [
        (3, "came")
    ]
    assert rows(db, "SELECT count(*) FROM raw_columns WHERE first_row = 2") == [(5,)]  # a.csv: read in place


def test_a_database_with_the_old_raw_rows_table_keeps_its_rows(tmp_path, db):
    load_files(db, write(tmp_path, "a.csv", HEADER + "P1,2026-01-05,group,attended,180\n"))
    with duckdb.connect(str(db)) as con:  # as the loader before the split left it
        con.execute("DROP VIEW raw_rows")
        con.execute(
            "CREATE TABLE raw_rows AS SELECT 9 AS load_id, 'old.csv' AS file_name, 2::BIGINT AS row_number, "
            '\'{"participant_id": "OLD"}\' AS raw_row'
        )
    load_files(db, write(tmp_path, "b.csv", HEADER + "P2,2026-01-06,group,attended,180\n"))
    assert rows(db, "SELECT file_name, raw_row::JSON->>'participant_id' FROM raw_rows ORDER BY file_name") == [
        ("a.csv", "P1"),
        ("b.csv", "P2"),
        ("old.csv", "OLD"),
    ]
