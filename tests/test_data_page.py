"""The administrators' data page, and loading while the dashboard is being read."""

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time

import pytest

from conftest import ATTENDANCE_HEADER, MEASURES_HEADER, ROOT, app, load_files, shown, write
from dashboard.store import audit, db, load_jobs, upload_files, worker_lock


def test_data_page_shows_loads_rejects_and_findings(tmp_path, monkeypatch):
    database = tmp_path / "iop.duckdb"
    load_files(
        database,
        write(
            tmp_path,
            "attendance.csv",
            ATTENDANCE_HEADER + "P1,2025-03-03,group,attended,180,T,C\nP1,2025-03-04,group,came,180,T,C\n",
        ),
        write(
            tmp_path,
            "measures.csv",
            MEASURES_HEADER + "P1,2025-03-03,PHQ-9,15,1,1,1,1,2,2,2,1,1\nP9,2025-03-03,PHQ-9,40,,,,,,,,,\n",
        ),
    )
    monkeypatch.setenv("IOP_DB", str(database))
    monkeypatch.setenv("IOP_STATE", str(tmp_path / "state.sqlite"))
    at = app("admin")
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    loads = at.dataframe[0].value
    assert loads[["File", "Read", "Loaded", "Rejected"]].values.tolist() == [
        ["measures.csv", 2, 1, 1],
        ["attendance.csv", 2, 1, 1],
    ]
    rejects = at.dataframe[1].value
    assert rejects["Reason"].tolist() == [
        "PHQ-9 total 40 is above the maximum 27",
        "status 'came' is not one of attended, late, left_early, excused, no_show, cancelled",
    ]
    at.text_input(key="reject_search").input("came").run()
    assert at.dataframe[1].value["Row"].tolist() == [3]
    quality = dict(at.dataframe[2].value.values.tolist())
    assert quality["supplied totals that differ from the item sum"] == 1  # 15 supplied, items sum to 12
    assert quality["episodes inferred from attendance (no roster row)"] == 1


def test_a_load_while_five_sessions_read(tmp_path, monkeypatch):
    database = tmp_path / "iop.duckdb"
    load_files(database, write(tmp_path, "a.csv", ATTENDANCE_HEADER + "P1,2025-03-03,group,attended,180,T,C\n"))
    monkeypatch.setenv("IOP_DB", str(database))
    more = write(
        tmp_path,
        "more.csv",
        ATTENDANCE_HEADER + "".join(f"P{i},2025-03-0{1 + i % 5},group,attended,180,T,C\n" for i in range(2, 400)),
    )
    errors, seen, stop = [], [], threading.Event()

    def read():
        db.bind(db.EVERYTHING)  # a thread of its own, as each browser session's page runs are
        while not stop.is_set():
            try:
                seen.append(int(db.query("summary/summary_headline")["files_loaded"].iloc[0]))
            except Exception as e:  # any error at all fails the test
                errors.append(repr(e))

    readers = [threading.Thread(target=read) for _ in range(5)]
    for t in readers:
        t.start()
    result = subprocess.run(
        [sys.executable, "-m", "etl", "load", str(more), "--db", str(database), "--today", "2026-01-31"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    stop.set()
    for t in readers:
        t.join()
    assert result.returncode == 0, result.stderr
    assert errors == []
    assert set(seen) <= {1, 2} and len(seen) > 5
    assert int(db.query("summary/summary_headline")["files_loaded"].iloc[0]) == 2  # readers see the new data afterwards


def _wait(job_id: int, *statuses: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while (job := load_jobs.get(job_id)).status not in statuses:
        assert time.monotonic() < deadline, f"job {job_id} still {job.status}"
        time.sleep(0.1)
    return job


@pytest.fixture
def jobs(monkeypatch):
    """Workers the page starts go away a second after their last job; one still running is stopped."""
    monkeypatch.setenv("IOP_LOAD_WORKER_IDLE", "1")
    yield
    pid = worker_lock.worker_pid()
    if pid:
        os.kill(pid, signal.SIGTERM)


def _upload(at, name: str, content: bytes, kind: str | None = None) -> float:
    """Choose a file (and a kind) and press Load these files; returns how long the page took."""
    at.file_uploader[0].set_value((name, content, "text/csv"))
    if kind:
        at.selectbox(key="upload_kind").set_value(kind)
    at.run()
    started = time.monotonic()
    at.button(key="load").click().run()
    assert not at.exception
    return time.monotonic() - started


def _markdown(at) -> list[str]:
    return [shown(m.value) for m in at.markdown]


@pytest.mark.timing
def test_the_data_page_stays_responsive_while_an_upload_job_loads(tmp_path, monkeypatch, jobs):
    database = tmp_path / "iop.duckdb"
    load_files(database, write(tmp_path, "a.csv", ATTENDANCE_HEADER + "P1,2025-03-03,group,attended,180,T,C\n"))
    monkeypatch.setenv("IOP_DB", str(database))
    # the loader waits 20 s before its swap: long enough that a second session on a busy two-core CI machine
    # (three test workers and browsers) finishes inside it; how fast pages are is measured in make bench
    monkeypatch.setenv("IOP_ETL_HOLD_BEFORE_SWAP", "20")
    more = ATTENDANCE_HEADER + "".join(f"P{i},2025-03-0{1 + i % 5},group,attended,180,T,C\n" for i in range(2, 400))

    def second_session() -> float:
        """Another person opens the dashboard and its summary page; returns how long that took."""
        other = app("director", user="dr.chen@example.org")
        started = time.monotonic()
        other.run()
        other.switch_page("pages/summary.py").run()
        assert not other.exception and other.title[0].value
        return time.monotonic() - started

    second_session()  # as on a server that has run its pages before
    admin = app("admin", user="admin@example.org")
    admin.run()
    admin.switch_page("pages/data.py").run()
    took = _upload(admin, "more.csv", more.encode())
    assert took < 15  # the page queued the job and returned: a load in it would hold 20 s before its swap
    [job] = load_jobs.recent("admin@example.org")
    assert any(line.startswith("**Queued** · 1 file: more.csv · queued ") for line in _markdown(admin))
    assert admin.file_uploader[0].value in (None, [])  # a fresh uploader: the files are on their way
    stored = upload_files.stored_files(job.folder)
    assert [stat.S_IMODE(f.stat().st_mode) for f in stored] == [0o600]  # private while it waits
    _wait(job.job_id, "running")

    # meanwhile a second session's page runs, and finishes while the job is still loading: had it waited
    # for the load (a lock, a shared connection), the job would be done by now
    elapsed = second_session()
    assert load_jobs.get(job.job_id).status == "running", f"the second session waited for the load ({elapsed:.1f} s)"
    admin.run()  # the uploader's own page follows the job
    assert any(line.startswith("**Loading** · 1 file: more.csv · loading for ") for line in _markdown(admin))

    done = _wait(job.job_id, "done", "failed")
    assert done.status == "done"
    # deleted once loaded: the worker records the end, then deletes the files (load_jobs.finish), so on a
    # busy machine the folder can outlive the "done" by a moment
    deadline = time.monotonic() + 30
    while job.folder.exists() or any(f.exists() for f in stored):
        assert time.monotonic() < deadline, "the upload's files were not deleted after the load"
        time.sleep(0.1)
    admin.run()
    assert any(line.startswith("**Loaded** · 1 file: more.csv · finished ") for line in _markdown(admin))
    assert [shown(s.value) for s in admin.success] == [
        "more.csv (attendance): read 398, loaded 398, updated 0, rejected 0, exact duplicates 0"
    ]
    assert admin.dataframe[0].value["File"].tolist() == ["more.csv", "a.csv"]  # the history has it too
    events = audit.entries()
    [(user, role, detail)] = events.loc[events["event"] == "load", ["user_name", "role", "detail"]].values.tolist()
    assert (user, role, json.loads(detail)["file"], json.loads(detail)["loaded"]) == (
        "admin@example.org",
        "admin",
        "more.csv",
        398,
    )

    reloaded = app("admin", user="admin@example.org")  # a reload: the result is stored, not the session's
    reloaded.run()
    reloaded.switch_page("pages/data.py").run()
    assert [shown(s.value) for s in reloaded.success] == [shown(s.value) for s in admin.success]


def test_an_unrecognised_upload_names_no_command_line_flag_and_a_kind_can_be_chosen(tmp_path, monkeypatch, jobs):
    """The page's message is for an administrator in a browser: it says what to do there."""
    monkeypatch.setenv("IOP_DB", str(tmp_path / "iop.duckdb"))
    at = app("admin", user="admin@example.org")
    at.run()
    at.switch_page("pages/data.py").run()
    odd = "![odd](javascript:alert(1)).csv"  # a file name is shown as typed, never as markdown
    _upload(at, odd, b"pid,date,what,score\nA,2026-01-05,PHQ-9,12\n")
    assert any(line.startswith(f"**Queued** · 1 file: {odd} · ") for line in _markdown(at))
    _wait(load_jobs.recent("admin@example.org")[0].job_id, "done", "failed")
    at.run()
    [failed] = [shown(e.value) for e in at.error]
    assert "--" not in failed and failed.startswith(odd)
    assert failed.endswith("rename its columns, or say which kind it is")
    assert any(line.startswith(f"**Not loaded** · 1 file: {odd}") for line in _markdown(at))
    assert not [m.value for m in [*at.markdown, *at.error] if "![" in m.value or "](" in m.value]
    _upload(at, "people.csv", b"participant_id,admit_date\nA,2026-01-05\n", kind="roster")
    _wait(load_jobs.recent("admin@example.org")[0].job_id, "done", "failed")
    at.run()
    assert [shown(s.value) for s in at.success] == [
        "people.csv (roster): read 1, loaded 1, updated 0, rejected 0, exact duplicates 0"
    ]
    [earlier] = at.expander  # the earlier upload's results fold away under it
    assert earlier.label == "Results" and [shown(e.value) for e in earlier.error] == [failed]
