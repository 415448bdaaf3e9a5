"""Uploads as background jobs: the job table, the private files, the one loader worker and what it
records (dashboard/store/load_jobs.py, dashboard/commands/load_worker.py)."""

import fcntl
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from conftest import ATTENDANCE_HEADER, ROOT, app, load_files, rows, shown, write
from dashboard.commands import load_worker
from dashboard.store import app_state, audit, load_jobs, upload_files, worker_lock
from dashboard.ui.markdown import escape_markdown
from dashboard.views import loads

ATTENDANCE = ATTENDANCE_HEADER + (
    "P1,2025-03-03,group,attended,180,Trauma,Chen\n"
    "P1,2025-03-04,group,came,180,Trauma,Chen\n"
    "P2,2025-03-03,individual,attended,50,Trauma,Rivera\n"
)


@pytest.fixture
def database(tmp_path, monkeypatch):
    db = tmp_path / "iop.duckdb"
    monkeypatch.setenv("IOP_DB", str(db))
    monkeypatch.setenv("IOP_LOAD_WORKER_IDLE", "1")  # workers the tests start go away on their own
    yield db
    pid = worker_lock.worker_pid()  # and one still running at the end is stopped
    if pid:
        os.kill(pid, signal.SIGTERM)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def load_events() -> list[dict]:
    log = audit.entries()
    log = log[log["event"] == "load"].iloc[::-1]
    return [
        {"user": u, "role": r, "page": p, **json.loads(d)}
        for u, r, p, d in zip(log["user_name"], log["role"], log["page"], log["detail"])
    ]


def test_queued_files_are_private_and_kept_beside_the_store_where_git_ignores_them(database):
    job_id = load_jobs.queue(
        [("attendance.csv", ATTENDANCE.encode()), ("../../evil.csv", b"x")],
        None,
        "admin@example.org",
        "admin",
        database,
    )
    job = load_jobs.get(job_id)
    assert (job.status, job.user, job.role, job.kind, job.files) == (
        "queued",
        "admin@example.org",
        "admin",
        None,
        ["attendance.csv", "evil.csv"],
    )
    root = upload_files.uploads_root()
    assert root.parent == app_state.state_path().parent and job.folder.parent == root
    files = upload_files.stored_files(job.folder)
    assert [f.name for f in files] == ["attendance.csv", "evil.csv"]
    assert all(f.is_relative_to(job.folder) for f in files)  # a name cannot climb out
    assert [mode(f) for f in files] == [0o600, 0o600]
    assert {mode(d) for d in (root, job.folder, *(f.parent for f in files))} == {0o700}
    assert files[0].read_text() == ATTENDANCE
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "data/app_state.sqlite-uploads/job-1/0/attendance.csv"], cwd=ROOT
    )
    assert ignored.returncode == 0  # the default store's uploads folder is git-ignored with the store
    assert (root / ".gitignore").read_text() == "*\n"


def test_the_worker_loads_a_job_with_the_real_loader_audits_it_and_deletes_the_files(database):
    job_id = load_jobs.queue([("attendance.csv", ATTENDANCE.encode())], None, "admin@example.org", "admin", database)
    folder = load_jobs.get(job_id).folder
    assert load_worker.run(idle=0) == 1
    job = load_jobs.get(job_id)
    assert (job.status, job.message) == ("done", None)
    assert job.started_at <= job.finished_at
    [r] = job.result
    assert (r["file"], r["status"], r["kind"]) == ("attendance.csv", "loaded", "attendance")
    assert {k: r[k] for k in ("read", "loaded", "rejected")} == {"read": 3, "loaded": 2, "rejected": 1}
    assert rows(database, "SELECT file_name, rows_loaded FROM loads") == [("attendance.csv", 2)]
    assert not folder.exists() and job.folder is None  # deleted once loaded
    assert load_events() == [
        {
            "user": "admin@example.org",
            "role": "admin",
            "page": "data",
            "file": "attendance.csv",
            "status": "loaded",
            "job": job_id,
            "read": 3,
            "loaded": 2,
            "updated": 0,
            "rejected": 1,
            "duplicate": 0,
        }
    ]
    [upload] = loads.uploads("admin@example.org")
    assert (upload.state, upload.results[0].counts["loaded"]) == ("Loaded", 2)
    assert loads.uploads("someone.else@example.org") == []  # each administrator sees their own


def test_jobs_are_taken_oldest_first_one_at_a_time_with_the_kind_chosen(tmp_path, database):
    load_files(database, write(tmp_path, "first.csv", ATTENDANCE))
    a = load_jobs.queue(
        [("people.csv", b"participant_id,admit_date\nA,2026-01-05\n")], "roster", "a@example.org", "admin", database
    )
    b = load_jobs.queue(
        [("odd.csv", b"pid,date,what,score\nA,2026-01-05,PHQ-9,12\n")], None, "b@example.org", "admin", database
    )
    assert [j.ahead for j in load_jobs.recent("b@example.org")] == [1]  # one upload waits before it
    assert load_worker.run(idle=0) == 2
    first, second = load_jobs.get(a), load_jobs.get(b)
    assert first.finished_at <= second.started_at
    assert (first.status, first.result[0]["kind"], first.result[0]["loaded"]) == ("done", "roster", 1)
    assert second.status == "done" and second.result[0]["status"] == "failed"  # the job ran; the file failed
    [failed] = loads.uploads("b@example.org")[0].results
    assert failed.message.endswith("rename its columns, or say which kind it is") and "--" not in failed.message
    assert loads.uploads("b@example.org")[0].state == "Not loaded"


def test_a_loader_that_stops_fails_the_job_and_still_deletes_the_files(tmp_path, database, monkeypatch):
    monkeypatch.setattr(load_worker, "LOADER", (sys.executable, "-c", "import sys; sys.exit(3)"))
    job_id = load_jobs.queue([("a.csv", b"x"), ("b.csv", b"y")], None, "admin@example.org", "admin", database)
    folder = load_jobs.get(job_id).folder
    load_worker.run(idle=0)
    job = load_jobs.get(job_id)
    assert job.status == "failed" and job.message == "the loader stopped (exit 3); nothing was loaded from this upload"
    assert [r["message"] for r in job.result] == [f"{n}: {job.message}" for n in ("a.csv", "b.csv")]
    assert not folder.exists()
    assert [(e["file"], e["status"]) for e in load_events()] == [("a.csv", "failed"), ("b.csv", "failed")]
    assert loads.uploads("admin@example.org")[0].state == "Failed"


SAVES_THEN_DIES = textwrap.dedent("""
    import subprocess, sys
    # the real loader, whose report is lost: as when a loader is stopped after its swap (copying the
    # database to the other servers, say)
    run = subprocess.run([sys.executable, "-m", "etl", "load", *sys.argv[1:]], capture_output=True, text=True)
    if "--help" in sys.argv:
        print(run.stdout)
        sys.exit(0)
    sys.exit(9)
""")


def test_a_loader_stopped_after_it_saved_says_what_the_database_holds(tmp_path, database, monkeypatch):
    fake = write(tmp_path, "saves_then_dies.py", SAVES_THEN_DIES)
    monkeypatch.setattr(load_worker, "LOADER", (sys.executable, str(fake)))
    load_worker.progress_option.cache_clear()
    files = [("attendance.csv", ATTENDANCE.encode()), ("scan.csv", b"\x00\x01\x02 not an export")]
    job_id = load_jobs.queue(files, None, "admin@example.org", "admin", database)
    load_worker.run(idle=0)
    job = load_jobs.get(job_id)
    [counts] = rows(
        database, "SELECT rows_read, rows_loaded, rows_rejected FROM loads WHERE file_name = 'attendance.csv'"
    )
    assert counts == (3, 2, 1)  # its one load: three rows read, "came" is no attendance status
    assert job.status == "done"
    assert job.message.startswith(
        "the loader stopped (exit 9) after it had saved 1 of 2 file(s) in the database: those are loaded. "
    )
    assert job.message.endswith(f"python -m etl rebuild --db {database} finishes both.")
    saved, lost = job.result
    assert (saved["file"], saved["kind"], saved["status"]) == ("attendance.csv", "attendance", "loaded")
    assert (saved["read"], saved["loaded"], saved["rejected"]) == counts  # as the database records it
    assert (lost["file"], lost["status"]) == ("scan.csv", "failed")
    assert lost["message"] == "scan.csv: the loader stopped (exit 9); this file was not loaded"
    assert [(e["file"], e["status"]) for e in load_events()] == [("attendance.csv", "loaded"), ("scan.csv", "failed")]
    [upload] = loads.uploads("admin@example.org")
    # not "Failed", and not "nothing was loaded"; the warning stands alone, so it starts as a sentence
    assert upload.state == "Finished" and upload.warning == "T" + job.message[1:]
    page = app("admin", user="admin@example.org")
    page.run()
    page.switch_page("pages/data.py").run()
    # as typed: a database path's _ never turn into italics
    assert [w.value for w in page.warning] == [escape_markdown(upload.warning)] and "\\_" in page.warning[0].value
    assert [shown(e.value) for e in page.error] == [lost["message"]]


FAKE_LOADER = textwrap.dedent("""
    import json, sys, time
    args = sys.argv[1:]
    if "--help" in args:
        print("usage: load PATH [--progress-file PATH]")
        sys.exit(0)
    progress = args[args.index("--progress-file") + 1]
    open(progress, "w").write('{"step": "attendance.csv: mer')          # half a line: not progress yet
    time.sleep(0.4)
    open(progress, "w").write(json.dumps({"step": "attendance.csv: merging", "done": 3, "total": 12}))
    time.sleep(float(args[args.index("--hold") + 1]) if "--hold" in args else 1.5)
    print(json.dumps([{"file": args[0], "kind": "attendance", "status": "loaded", "message": "", "read": 1,
                       "loaded": 1, "updated": 0, "rejected": 0, "duplicate": 0, "reasons": [], "notes": [],
                       "build_notes": []}]))
""")


def test_the_loaders_progress_line_is_copied_into_the_job_while_it_loads(tmp_path, database, monkeypatch):
    fake = write(tmp_path, "fake_loader.py", FAKE_LOADER)
    monkeypatch.setattr(load_worker, "LOADER", (sys.executable, str(fake)))
    job_id = load_jobs.queue([("attendance.csv", b"x")], None, "admin@example.org", "admin", database)
    worker = threading.Thread(target=load_worker.run, kwargs={"idle": 0, "poll": 0.05})
    worker.start()
    seen = []
    while worker.is_alive():
        job = load_jobs.get(job_id)
        if job.progress and job.progress not in seen:
            seen.append(job.progress)
        time.sleep(0.05)
    worker.join()
    assert seen == [{"step": "attendance.csv: merging", "done": 3, "total": 12}]
    assert load_jobs.get(job_id).status == "done"


def test_progress_is_read_defensively(tmp_path):
    path = tmp_path / "progress.json"
    assert load_worker.read_progress(path) is None  # not written yet
    for partial in ('{"step": "a.csv: merg', "", "[1, 2]", "null"):
        path.write_text(partial)
        assert load_worker.read_progress(path) is None
    path.write_text(json.dumps({"step": "a.csv: reading", "done": 2, "total": 5, "other": 1}))
    assert load_worker.read_progress(path) == {"step": "a.csv: reading", "done": 2, "total": 5}
    path.write_text(json.dumps({"step": 7, "done": "2", "total": -1}))
    assert load_worker.read_progress(path) == {"step": "7", "done": None, "total": None}


def test_one_worker_at_a_time(database):
    assert not worker_lock.worker_alive()
    with worker_lock.open_lock() as held:  # as a live worker holds it
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert worker_lock.worker_alive()
        assert worker_lock.start_worker() is False  # the page starts none
        load_jobs.queue([("a.csv", b"x")], None, "admin@example.org", "admin", database)
        assert load_worker.run(idle=0) == 0  # a second worker leaves the jobs to the first
    assert not worker_lock.worker_alive()


def _loader_of(worker: int) -> int | None:
    """The worker's loader process (not its one-off `--help` question)."""
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat_file.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat_file.parent / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if parent == worker and b"--json" in command:
            return int(stat_file.parent.name)
    return None


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


@pytest.mark.timing
def test_a_job_left_running_by_a_killed_worker_fails_when_the_next_worker_starts(tmp_path, database, monkeypatch):
    [first] = load_files(database, write(tmp_path, "first.csv", ATTENDANCE))
    assert first.status == "loaded"
    before = rows(database, "SELECT count(*) FROM loads")
    monkeypatch.setenv("IOP_ETL_HOLD_BEFORE_SWAP", "30")
    job_id = load_jobs.queue(
        [("more.csv", (ATTENDANCE + "P3,2025-03-05,group,attended,180,Trauma,Chen\n").encode())],
        None,
        "admin@example.org",
        "admin",
        database,
    )
    assert worker_lock.start_worker()
    deadline = time.monotonic() + 30
    while (
        load_jobs.get(job_id).status != "running"
        or not (pid := worker_lock.worker_pid())
        or not (loader := _loader_of(pid))
    ):
        assert time.monotonic() < deadline, "the worker did not start the job"
        time.sleep(0.1)

    def left_by_the_load():
        return [
            *database.parent.glob(f".{database.name}.loading-*"),
            *database.parent.glob(f".{database.name}.spill-*"),
        ]

    deadline = time.monotonic() + 60
    while len(left_by_the_load()) < 2:  # its working copy (identified data) and spill folder are made
        assert time.monotonic() < deadline, "the load made no working copy"
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30  # a loaded two-core machine can take seconds to end a process
    while not _gone(loader):  # the loader goes with its worker
        assert time.monotonic() < deadline, "the loader outlived its worker"
        time.sleep(0.1)
    while worker_lock.worker_alive():  # its lock goes when the killed process is gone (a moment, when busy)
        assert time.monotonic() < deadline, "the killed worker's lock was not released"
        time.sleep(0.1)
    folder = load_jobs.get(job_id).folder
    assert load_jobs.get(job_id).status == "running" and folder.exists()

    def left_by_the_load():
        return [
            *database.parent.glob(f".{database.name}.loading-*"),
            *database.parent.glob(f".{database.name}.spill-*"),
        ]

    assert left_by_the_load()  # its working copy (identified data) and spill folder
    assert load_worker.run(idle=0) == 0
    assert left_by_the_load() == []  # removed when the next worker starts, not at the next load
    job = load_jobs.get(job_id)
    assert (job.status, job.message) == ("failed", f"{load_jobs.INTERRUPTED}; nothing was loaded from this upload")
    assert not folder.exists()
    assert [(e["file"], e["status"]) for e in load_events()] == [("more.csv", "failed")]
    assert rows(database, "SELECT count(*) FROM loads") == before  # nothing of it was loaded
    [upload] = loads.uploads("admin@example.org")
    assert upload.state == "Failed" and upload.results[0].message == f"more.csv: {job.message}"


def test_finished_jobs_older_than_the_keeping_period_are_dropped_when_another_ends(tmp_path, database):
    from contextlib import closing

    old = load_jobs.queue(
        [("people.csv", b"participant_id,admit_date\nA,2026-01-05\n")], "roster", "a@example.org", "admin", database
    )
    assert load_worker.run(idle=0) == 1
    with closing(load_jobs.connect()) as con, con:  # as if it had finished long ago
        con.execute("UPDATE load_jobs SET finished_at = '2020-01-01 00:00:00' WHERE job_id = ?", (old,))
    new = load_jobs.queue(
        [("more.csv", b"participant_id,admit_date\nB,2026-01-06\n")], "roster", "a@example.org", "admin", database
    )
    assert load_worker.run(idle=0) == 1
    assert load_jobs.get(old) is None and load_jobs.get(new).status == "done"
