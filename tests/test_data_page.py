"""The administrators' data page, and loading while the dashboard is being read."""
import datetime as dt
import subprocess
import sys
import threading

from conftest import ATTENDANCE_HEADER, MEASURES_HEADER, ROOT, app, load_files, write
from dashboard import db


def test_data_page_shows_loads_rejects_and_findings(tmp_path, monkeypatch):
    database = tmp_path / "iop.duckdb"
    load_files(database, write(tmp_path, "attendance.csv", ATTENDANCE_HEADER + "P1,2025-03-03,group,attended,180,T,C\n"
                                                                             "P1,2025-03-04,group,came,180,T,C\n"),
               write(tmp_path, "measures.csv", MEASURES_HEADER + "P1,2025-03-03,PHQ-9,15,1,1,1,1,2,2,2,1,1\n"
                                                                 "P9,2025-03-03,PHQ-9,40,,,,,,,,,\n"))
    monkeypatch.setenv("IOP_DB", str(database))
    monkeypatch.setenv("IOP_STATE", str(tmp_path / "state.sqlite"))
    at = app("admin")
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    loads = at.dataframe[0].value
    assert loads[["File", "Read", "Loaded", "Rejected"]].values.tolist() == [["measures.csv", 2, 1, 1], ["attendance.csv", 2, 1, 1]]
    rejects = at.dataframe[1].value
    assert rejects["Reason"].tolist() == ["PHQ-9 total 40 is above the maximum 27",
                                          "status 'came' is not one of attended, late, left_early, excused, no_show, cancelled"]
    at.text_input(key="reject_search").input("came").run()
    assert at.dataframe[1].value["Row"].tolist() == [3]
    quality = dict(at.dataframe[2].value.values.tolist())
    assert quality["supplied totals that differ from the item sum"] == 1       # 15 supplied, items sum to 12
    assert quality["episodes inferred from attendance (no roster row)"] == 1


def test_a_load_while_five_sessions_read(tmp_path, monkeypatch):
    database = tmp_path / "iop.duckdb"
    load_files(database, write(tmp_path, "a.csv", ATTENDANCE_HEADER + "P1,2025-03-03,group,attended,180,T,C\n"))
    monkeypatch.setenv("IOP_DB", str(database))
    more = write(tmp_path, "more.csv", ATTENDANCE_HEADER + "".join(
        f"P{i},2025-03-0{1 + i % 5},group,attended,180,T,C\n" for i in range(2, 400)))
    errors, seen, stop = [], [], threading.Event()

    def read():
        db.bind(db.EVERYTHING)             # a thread of its own, as each browser session's page runs are
        while not stop.is_set():
            try:
                seen.append(int(db.query("summary/summary_headline")["files_loaded"].iloc[0]))
            except Exception as e:  # any error at all fails the test
                errors.append(repr(e))

    readers = [threading.Thread(target=read) for _ in range(5)]
    for t in readers:
        t.start()
    result = subprocess.run([sys.executable, "-m", "etl", "load", str(more), "--db", str(database), "--today", "2026-01-31"],
                            cwd=ROOT, capture_output=True, text=True)
    stop.set()
    for t in readers:
        t.join()
    assert result.returncode == 0, result.stderr
    assert errors == []
    assert set(seen) <= {1, 2} and len(seen) > 5
    assert int(db.query("summary/summary_headline")["files_loaded"].iloc[0]) == 2      # readers see the new data afterwards


def test_an_unrecognised_upload_names_no_command_line_flag_and_a_kind_can_be_chosen(tmp_path, monkeypatch):
    """The page's message is for an administrator in a browser: it says what to do there."""
    from dashboard import loads
    monkeypatch.setenv("IOP_DB", str(tmp_path / "iop.duckdb"))
    [failed] = loads.load_uploads([("odd.csv", b"pid,date,what,score\nA,2026-01-05,PHQ-9,12\n")])
    assert failed.status == "failed" and "--" not in failed.message
    assert failed.message.endswith("rename its columns, or say which kind it is")
    [roster] = loads.load_uploads([("people.csv", b"participant_id,admit_date\nA,2026-01-05\n")], kind="roster")
    assert (roster.status, roster.kind, roster.counts["loaded"]) == ("loaded", "roster", 1)
