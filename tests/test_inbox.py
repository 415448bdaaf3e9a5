"""The watched inbox: a file is taken only when complete, loaded through the job queue, moved to
processed/ or failed/ with its result beside it, listed on the Data page; directors and
administrators are told when exports stop arriving (dashboard/commands/inbox_watch.py)."""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ATTENDANCE_HEADER, ROOT, app, rows, write
from dashboard.commands import inbox_watch
from dashboard.commands.inbox_watch import Candidates, Config
from dashboard.store import audit, inbox, load_jobs, worker_lock
from dashboard.views import inbox as inbox_view

ATTENDANCE = ATTENDANCE_HEADER + (
    "P1,2025-03-03,group,attended,180,Trauma,Chen\n"
    "P1,2025-03-04,group,no show,0,Trauma,Chen\n"
    "P2,2025-03-03,individual,attended,50,Trauma,Rivera\n"
    "P3,2025-13-03,individual,attended,50,Trauma,Rivera\n"  # no such month: rejected with its reason
)


@pytest.fixture
def database(tmp_path, monkeypatch):
    db = tmp_path / "iop.duckdb"
    monkeypatch.setenv("IOP_DB", str(db))
    monkeypatch.setenv("IOP_LOAD_WORKER_IDLE", "1")
    yield db
    pid = worker_lock.worker_pid()
    if pid:
        os.kill(pid, signal.SIGTERM)


def config(folder: Path, stable: float = 0.5, backups: Path | None = None) -> Config:
    return Config(folder, stable, 0.1, 36, backups, 24, 3)


def test_a_file_is_taken_at_once_with_its_marker_else_only_when_its_size_and_time_hold(tmp_path):
    box = tmp_path / "inbox"
    box.mkdir()
    seen = Candidates(stable_seconds=10)
    write(box, "marked.csv", "a,b\n")
    write(box, "marked.csv.done", "")
    write(box, "copying.csv", "a,b\n")
    for skipped in ("half.csv.part", "x.tmp", ".hidden.csv", "upload.filepart", "old.csv.result.json"):
        write(box, skipped, "a,b\n")
    (box / "sub").mkdir()
    assert [p.name for p, _ in seen.ready(box, now=100.0)] == ["marked.csv"]
    assert [p.name for p, _ in seen.ready(box, now=109.0)] == ["marked.csv"]  # copying.csv: 9 s steady
    with open(box / "copying.csv", "a") as f:  # it grew: the clock starts again
        f.write("c,d\n")
    assert [p.name for p, _ in seen.ready(box, now=111.0)] == ["marked.csv"]
    assert [p.name for p, _ in seen.ready(box, now=121.0)] == ["copying.csv", "marked.csv"]
    (box / "copying.csv").unlink()
    seen.ready(box, now=122.0)
    assert "copying.csv" not in seen.seen  # forgotten once gone: a new file of that name starts again


def test_a_dropped_export_is_loaded_kept_in_processed_with_its_result_and_listed(tmp_path, database):
    box = tmp_path / "inbox"
    box.mkdir()
    write(box, "attendance-2025-03-04.csv", ATTENDANCE)
    write(box, "attendance-2025-03-04.csv.done", "")
    assert inbox_watch.watch(config(box), database, once=True) == 1

    assert rows(database, "SELECT count(*) FROM sessions")[0][0] == 3
    assert not [p for p in box.iterdir() if p.is_file()]  # the export and its marker left the inbox
    [kept] = [p for p in (box / "processed").iterdir() if p.suffix == ".csv"]
    assert kept.name.endswith("-attendance-2025-03-04.csv") and kept.read_text() == ATTENDANCE
    result = json.loads(kept.with_name(kept.name + ".result.json").read_text())
    assert result["status"] == "loaded"
    [file] = result["files"]
    assert {k: file[k] for k in ("status", "kind", "read", "loaded", "rejected")} == {
        "status": "loaded",
        "kind": "attendance",
        "read": 4,
        "loaded": 3,
        "rejected": 1,
    }
    assert oct((box / "processed").stat().st_mode & 0o777) == "0o700"
    assert not list((box / ".loading").iterdir())

    [arrival] = inbox.recent().to_dict("records")
    assert (arrival["file"], arrival["status"], arrival["kept_as"]) == (
        "attendance-2025-03-04.csv",
        "loaded",
        f"processed/{kept.name}",
    )
    assert json.loads(arrival["summary"]) == {"read": 4, "loaded": 3, "updated": 0, "rejected": 1, "duplicate": 0}
    log = audit.entries()
    events = log[log["user_name"] == "inbox"]["event"].tolist()
    assert sorted(events) == ["inbox_arrival", "load"]

    # the same export dropped again (a resend): recognised as unchanged, nothing loaded twice
    write(box, "attendance-2025-03-04.csv", ATTENDANCE)
    write(box, "attendance-2025-03-04.csv.done", "")
    inbox_watch.watch(config(box), database, once=True)
    assert rows(database, "SELECT count(*) FROM sessions")[0][0] == 3
    latest = inbox.recent().to_dict("records")[0]
    assert latest["status"] == "unchanged" and latest["kept_as"].startswith("processed/")

    view = inbox_view.view()
    assert view.folders == [str(box)]
    assert view.arrivals["status"].tolist() == ["unchanged (loaded before)", "loaded"]
    assert view.arrivals["result"].tolist()[1] == "read 4, loaded 3, updated 0, rejected 1, exact duplicates 0"
    assert view.arrivals["seen_to_loaded_s"].notna().all()


def test_a_nights_exports_dropped_together_load_in_one_job_each_with_its_own_result(tmp_path, database):
    box = tmp_path / "inbox"
    box.mkdir()
    write(box, "attendance.csv", ATTENDANCE)
    write(box, "roster.csv", "participant_id,admit_date,program,primary_clinician\nP1,2025-03-03,Trauma,Chen\n")
    write(box, "notes.csv", "what,is,this\n1,2,3\n")  # one unreadable file does not hold the others back
    for name in ("attendance.csv", "roster.csv", "notes.csv"):
        write(box, f"{name}.done", "")
    inbox_watch.watch(config(box), database, once=True)
    arrivals = inbox.recent().set_index("file")
    assert arrivals["status"].to_dict() == {"notes.csv": "failed", "roster.csv": "loaded", "attendance.csv": "loaded"}
    assert len(load_jobs.recent(inbox_watch.USER)) == 1  # one job, one swap of the database
    assert json.loads(arrivals.loc["roster.csv", "summary"])["loaded"] == 1
    assert json.loads(arrivals.loc["attendance.csv", "summary"])["loaded"] == 3
    assert rows(database, "SELECT count(*) FROM episodes WHERE NOT inferred")[0][0] == 1


def test_an_unreadable_export_goes_to_failed_with_the_loaders_reason(tmp_path, database):
    box = tmp_path / "inbox"
    box.mkdir()
    write(box, "export.csv", "what,is,this\n1,2,3\n")
    write(box, "export.csv.done", "")
    inbox_watch.watch(config(box), database, once=True)
    [kept] = [p for p in (box / "failed").iterdir() if p.suffix == ".csv"]
    result = json.loads(kept.with_name(kept.name + ".result.json").read_text())
    assert result["status"] == "failed"
    assert "export.csv" in result["files"][0]["message"]
    [arrival] = inbox.recent().to_dict("records")
    assert arrival["status"] == "failed" and arrival["kept_as"] == f"failed/{kept.name}"
    assert json.loads(arrival["summary"])["message"] == result["files"][0]["message"]


def test_a_file_still_being_written_waits_until_it_holds_still(tmp_path, database):
    box = tmp_path / "inbox"
    box.mkdir()
    write(box, "attendance.csv", ATTENDANCE_HEADER)  # the header only, so far
    seen = Candidates(stable_seconds=60)
    taken = inbox_watch.look(config(box, stable=60), seen, database, inbox.now())
    assert taken == 0 and (box / "attendance.csv").exists() and inbox.recent().empty


def test_when_no_export_arrives_for_longer_than_the_setting_directors_and_admins_are_told():
    start = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    assert inbox_view.quiet(start) == [] and inbox_view.view() is None  # no inbox watched: nothing said
    inbox.looked("/srv/inbox", start, 36)
    last = inbox_view.quiet(dt.datetime.now(dt.UTC))
    assert last[0].startswith("No export has arrived since the watcher started in the inbox for ")
    inbox.arrived("roster.csv", 10, "/srv/inbox/.loading/x", start)
    now = dt.datetime.now(dt.UTC)
    assert inbox_view.quiet(now) == []
    said, stopped = inbox_view.quiet(now + dt.timedelta(hours=40))
    assert said.startswith("No export has arrived in the inbox for 40 hours (since ")
    assert "at least every 36 hours" in said
    assert stopped.startswith("The inbox watcher last looked at ") and "it is not running" in stopped


@pytest.mark.sqlite_store
def test_the_pages_tell_directors_and_admins_not_clinicians(demo_db, monkeypatch):
    monkeypatch.setenv("IOP_DB", str(demo_db))
    inbox.looked("/srv/inbox", dt.datetime(2026, 11, 1, tzinfo=dt.UTC), 36)
    inbox.arrived("roster.csv", 10, "/srv/inbox/.loading/x", dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    from dashboard.store import inbox as store

    with store.connect() as con:  # the latest arrival, three days ago
        con.execute("UPDATE inbox_arrivals SET arrived_at = datetime('now', '-3 days')")
    director = app("director").run()
    assert any("No export has arrived in the inbox for 72 hours" in w.value for w in director.warning)
    clinician = app("clinician", "m.chen", "Chen, M.").run()
    assert not any("inbox" in w.value for w in clinician.warning)
    admin = app("admin", "it@example.org").run()
    assert admin.subheader[0].value == "Load exports"
    assert [s.value for s in admin.subheader][:2] == ["Load exports", "Inbox"]
    assert any("No export has arrived in the inbox for 72 hours" in w.value for w in admin.warning)
    assert admin.dataframe[0].value["file"].tolist() == ["roster.csv"]


@pytest.mark.sqlite_store
def test_watch_runs_as_a_command_and_takes_a_file_dropped_while_it_runs(tmp_path, database):
    box = tmp_path / "inbox"
    config_dir = Path(os.environ["IOP_CONFIG"])
    config_dir.mkdir(exist_ok=True)
    (config_dir / "settings.toml").write_text(
        f'[inbox]\nfolder = "{box}"\nstable_seconds = 1\npoll_seconds = 0.2\n'
        f'[backup]\nfolder = "{tmp_path / "backups"}"\nevery_hours = 24\nkeep = 2\n'
    )
    watcher = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "watch"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ},
    )
    try:
        deadline = time.monotonic() + 60
        while not inbox.watches() and time.monotonic() < deadline:
            time.sleep(0.2)
        dropped = time.monotonic()
        write(box, "attendance.csv.part", ATTENDANCE)  # copied under a temporary name, then renamed
        os.rename(box / "attendance.csv.part", box / "attendance.csv")
        while time.monotonic() < deadline + 120:
            done = inbox.recent()
            if not done.empty and done["status"].iloc[0] != "loading":
                break
            time.sleep(0.2)
        took = time.monotonic() - dropped
        assert done["status"].tolist() == ["loaded"], took
        assert rows(database, "SELECT count(*) FROM sessions")[0][0] == 3
        [backup] = (tmp_path / "backups").glob("app_state-*.sqlite")  # the first scheduled backup, at start
        assert oct(backup.stat().st_mode & 0o777) == "0o600"
    finally:
        watcher.send_signal(signal.SIGINT)
        try:
            watcher.wait(timeout=20)
        except subprocess.TimeoutExpired:
            watcher.kill()


def test_the_inbox_and_backup_settings_change_no_build(tmp_path, db, monkeypatch):
    """They govern the machine, not the figures: a day's load after the inbox folder changed still
    rebuilds only the participants it touched (etl/derive.py MACHINE_SETTINGS)."""
    from conftest import load_files

    first = "".join(f"P{i},2025-03-0{d},group,attended,180,Trauma,Chen\n" for i in range(1, 9) for d in (3, 4))
    load_files(db, write(tmp_path, "a.csv", ATTENDANCE_HEADER + first))
    config = Path(os.environ["IOP_CONFIG"])
    config.mkdir(exist_ok=True)
    (config / "settings.toml").write_text('[inbox]\nfolder = "/srv/elsewhere"\n[backup]\nkeep = 3\n')
    load_files(db, write(tmp_path, "b.csv", ATTENDANCE_HEADER + "P1,2025-03-05,group,attended,180,Trauma,Chen\n"))
    assert rows(db, "SELECT built_for FROM build_state") == [("participants",)]
    assert rows(db, "SELECT text FROM settings WHERE section = 'inbox' AND key = 'folder'") == [("/srv/elsewhere",)]
    (config / "settings.toml").write_text("[flags]\nworsening_share = 0.6\n")  # a clinical setting: everyone
    load_files(db, write(tmp_path, "c.csv", ATTENDANCE_HEADER + "P2,2025-03-05,group,attended,180,Trauma,Chen\n"))
    assert rows(db, "SELECT built_for FROM build_state") == [("everyone",)]
