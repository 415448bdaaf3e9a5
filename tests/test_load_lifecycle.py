"""Idempotence, corrected re-exports with history, the rows-read invariant, atomic loads and
loading while a reader has the database open."""

import os
import signal

import duckdb

from conftest import ATTENDANCE_HEADER, MEASURES_HEADER, etl_cli, load_files, rows, table_counts, write

ATTENDANCE = ATTENDANCE_HEADER + (
    "P1,2025-03-03,group,attended,180,Trauma,Rivera\n"
    "P1,2025-03-04,group,no_show,0,Trauma,Rivera\n"
    "P1,2025-03-04,group,no_show,0,Trauma,Rivera\n"  # exact duplicate
    "P2,2025-03-03,individual,attended,50,Trauma,Chen\n"
    "P2,2025-03-05,group,came,180,Trauma,Chen\n"
)  # rejected

MEASURES = MEASURES_HEADER + ("P1,2025-03-03,PHQ-9,12,1,1,1,1,2,2,2,1,1\nP1,2025-03-10,PHQ-9,9,,,,,,,,,\n")


def test_same_file_again_changes_nothing_and_says_so(tmp_path, db):
    f = write(tmp_path, "attendance.csv", ATTENDANCE)
    [first] = load_files(db, f)
    assert first.counts == {"read": 5, "loaded": 3, "updated": 0, "rejected": 1, "duplicate": 1}
    before = table_counts(db)
    mtime = db.stat().st_mtime_ns
    [again] = load_files(db, f)
    assert again.status == "unchanged"
    assert again.message.startswith("already loaded as load 1 on ")
    assert table_counts(db) == before
    assert db.stat().st_mtime_ns == mtime  # the file was not even rewritten


def test_same_rows_in_a_new_file_are_counted_as_duplicates(tmp_path, db):
    load_files(db, write(tmp_path, "a.csv", ATTENDANCE))
    [second] = load_files(db, write(tmp_path, "b.csv", ATTENDANCE + "\n"))  # other bytes, same rows
    assert second.counts == {"read": 5, "loaded": 0, "updated": 0, "rejected": 1, "duplicate": 4}
    assert rows(db, "SELECT count(*) FROM sessions") == [(3,)]


def test_corrected_re_export_updates_and_keeps_history(tmp_path, db):
    load_files(db, write(tmp_path, "a.csv", ATTENDANCE), write(tmp_path, "m.csv", MEASURES))
    corrected = ATTENDANCE.replace("P1,2025-03-04,group,no_show,0", "P1,2025-03-04,group,late,150")
    [att] = load_files(db, write(tmp_path, "a2.csv", corrected))
    # the first no_show line becomes a late row (updated); its former duplicate now conflicts
    assert att.counts == {"read": 5, "loaded": 0, "updated": 1, "rejected": 1, "duplicate": 3}
    assert rows(db, "SELECT status, minutes, load_id FROM sessions WHERE session_date = '2025-03-04'") == [
        ("late", 150.0, 3)
    ]
    assert rows(db, "SELECT status, minutes, load_id, replaced_by_load FROM sessions_history") == [
        ("no_show", 0.0, 1, 3)
    ]

    fixed = MEASURES.replace("P1,2025-03-03,PHQ-9,12,1,1,1,1,2,2,2,1,1", "P1,2025-03-03,PHQ-9,14,1,1,1,1,2,2,2,2,2")
    [meas] = load_files(db, write(tmp_path, "m2.csv", fixed))
    assert meas.counts == {"read": 2, "loaded": 0, "updated": 1, "rejected": 0, "duplicate": 1}
    assert rows(db, "SELECT total_score FROM assessments WHERE assessed_on = '2025-03-03'") == [(14,)]
    assert rows(db, "SELECT sum(value) FROM assessment_items") == [(14,)]
    assert rows(db, "SELECT supplied_total, items_json FROM assessments_history") == [
        (
            12,
            "[{'item_number': 1, 'value': 1}, {'item_number': 2, 'value': 1}, {'item_number': 3, 'value': 1}, "
            "{'item_number': 4, 'value': 1}, {'item_number': 5, 'value': 2}, {'item_number': 6, 'value': 2}, "
            "{'item_number': 7, 'value': 2}, {'item_number': 8, 'value': 1}, {'item_number': 9, 'value': 1}]",
        )
    ]


def test_rows_read_invariant_for_every_load(tmp_path, db):
    load_files(db, write(tmp_path, "a.csv", ATTENDANCE), write(tmp_path, "m.csv", MEASURES))
    load_files(db, write(tmp_path, "a2.csv", ATTENDANCE.replace("attended,180", "late,170")))
    bad = rows(
        db, "SELECT file_name FROM loads WHERE rows_read <> rows_loaded + rows_updated + rows_rejected + rows_duplicate"
    )
    assert rows(db, "SELECT count(*) FROM loads") == [(3,)] and bad == []
    assert rows(db, "SELECT sum(rows_rejected) FROM loads") == rows(db, "SELECT count(*) FROM rejects")


def test_supplied_total_that_disagrees_with_items_is_kept_and_marked(tmp_path, db):
    load_files(db, write(tmp_path, "m.csv", MEASURES_HEADER + "P1,2025-03-03,PHQ-9,15,1,1,1,1,2,2,2,1,1\n"))
    assert rows(db, "SELECT total_score, item_sum, total_mismatch, total_valid FROM assessments") == [
        (15, 12, True, True)
    ]


def test_missing_item_makes_the_total_invalid_for_outcomes(tmp_path, db):
    load_files(db, write(tmp_path, "m.csv", MEASURES_HEADER + "P1,2025-03-03,PHQ-9,,1,1,1,1,2,2,2,1,\n"))
    assert rows(db, "SELECT total_score, items_answered, items_complete, total_valid FROM assessments") == [
        (None, 8, False, False)
    ]


def test_killed_load_leaves_the_database_as_it_was(tmp_path, db):
    load_files(db, write(tmp_path, "a.csv", ATTENDANCE))
    before = table_counts(db)
    more = write(tmp_path, "more.csv", ATTENDANCE_HEADER + "P3,2025-03-03,group,attended,180,Trauma,Rivera\n")
    proc = etl_cli_popen(more, db)
    work = db.parent / f".{db.name}.loading-{proc.pid}"
    assert proc.stderr.readline() == b"holding before swap\n"  # everything written, nothing swapped
    assert work.exists()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert table_counts(db) == before
    # the next load cleans up after the killed one and works
    result = etl_cli("load", more, "--db", db, "--today", "2026-01-31")
    assert result.returncode == 0, result.stderr
    assert not work.exists()
    assert table_counts(db)["sessions"] == before["sessions"] + 1


def etl_cli_popen(path, db):
    import subprocess
    import sys

    from conftest import ROOT

    return subprocess.Popen(
        [sys.executable, "-m", "etl", "load", str(path), "--db", str(db), "--today", "2026-01-31"],
        cwd=ROOT,
        env={**os.environ, "IOP_ETL_HOLD_BEFORE_SWAP": "60"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_load_while_a_reader_is_open(tmp_path, db):
    load_files(db, write(tmp_path, "a.csv", ATTENDANCE))
    reader = duckdb.connect(str(db), read_only=True)
    try:
        result = etl_cli("load", write(tmp_path, "m.csv", MEASURES), "--db", db, "--today", "2026-01-31")
        assert result.returncode == 0, result.stderr
        assert reader.execute("SELECT count(*) FROM loads").fetchone() == (1,)  # the open reader keeps its view
    finally:
        reader.close()
    assert rows(db, "SELECT count(*) FROM loads") == [(2,)]  # a new reader sees the load
    assert rows(db, "SELECT count(*) FROM assessments") == [(2,)]
