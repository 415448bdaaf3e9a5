"""Backups of the application state survive a lost disk: every acknowledgement and review,
continued-stay justification, account, session, audit entry, load job and inbox arrival comes back
from a backup made while the app writes (dashboard/store/state_backup.py, `python -m dashboard state`)."""

import datetime as dt
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing

import pytest
from test_alert_reviews import FLAG, REVIEW

from conftest import ROOT, account, session_token
from dashboard.access import accounts, sessions
from dashboard.store import app_state, audit, flag_actions, inbox, load_jobs, state_backup, stay_justifications

SETUP = accounts.Actor("test setup", None)


def everything(con: sqlite3.Connection) -> dict[str, list[tuple]]:
    tables = [
        r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
    ]
    return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in sorted(tables)}


def live() -> dict[str, list[tuple]]:
    with closing(sqlite3.connect(app_state.state_path())) as con:
        return everything(con)


def a_program_in_use(tmp_path):
    """One of every kind of record the app keeps, written through the app's own functions."""
    account("director", "dr.chen@example.org")
    account("clinician", "m.chen", "Chen, M.")
    accounts.add("it@example.org", "admin", SETUP, "IT", None, "a long enough passphrase here")
    token = session_token("director", "dr.chen@example.org")
    flag_actions.record_action(FLAG, "acknowledged", "level of care changed", "case review", "dr.chen", review=REVIEW)
    flag_actions.record_action(
        {**FLAG, "flag_key": "k2", "rule_id": "missed_sessions"},
        "snoozed",
        "no change needed",
        "back next week",
        "m.chen",
        snooze_until=dt.date(2025, 2, 1),
        today=dt.date(2025, 1, 21),
    )
    stay_justifications.save_justification(
        "P1", "P1#20250106", "Still at risk: PHQ-9 19 at week 4; continue three days a week.", "dr.chen"
    )
    audit.record("view_participant", "dr.chen@example.org", "director", page="participant", participant_id="P1")
    audit.record("export", "dr.chen@example.org", "director", page="overview", kind="csv")
    load_jobs.queue([("attendance.csv", b"participant_id\n")], None, "it@example.org", "admin", tmp_path / "iop.duckdb")
    inbox.looked(str(tmp_path / "inbox"), inbox.now(), 36)
    inbox.arrived("roster.csv", 10, str(tmp_path / "inbox/.loading/x"), inbox.now())
    return token


def test_a_restore_brings_back_every_record_and_ends_the_sessions_it_brings_back(tmp_path):
    token = a_program_in_use(tmp_path)
    before = live()
    backup = state_backup.backup(f"{tmp_path / 'backups'}/")  # a folder: a stamped file in it
    assert backup.parent == tmp_path / "backups" and backup.name.startswith("app_state-")
    assert oct(backup.stat().st_mode & 0o777) == "0o600" and not list(backup.parent.glob("*.part"))
    counts = state_backup.counts(backup)
    assert {
        t: counts[t]
        for t in (
            "accounts",
            "flag_actions",
            "flag_reviews",
            "stay_justifications",
            "sessions",
            "load_jobs",
            "inbox_arrivals",
            "inbox_watch",
        )
    } == {
        "accounts": 3,
        "flag_actions": 2,
        "flag_reviews": 1,
        "stay_justifications": 1,
        "sessions": 1,
        "load_jobs": 1,
        "inbox_arrivals": 1,
        "inbox_watch": 1,
    }
    assert counts["audit_log"] == len(before["audit_log"]) >= 5

    # the disk is lost: the store is gone, a new one starts empty and gets written to
    for f in tmp_path.glob("app_state.sqlite*"):
        if f.is_file():
            f.unlink()
    accounts.add("new@example.org", "director", SETUP, "New", None, "another long passphrase")
    assert live() != before

    restored = state_backup.restore(backup)
    assert restored == counts
    after = live()
    assert {t: rows for t, rows in after.items() if t != "sessions"} == {
        t: r for t, r in before.items() if t != "sessions"
    }
    assert sessions.check(token).identity is None  # signed in again after a restore
    assert accounts.identity_of("new@example.org", "password") is None
    assert accounts.check_password("it@example.org", "a long enough passphrase here").role == "admin"
    assert len(flag_actions.reviews()) == 1 and len(stay_justifications.justifications("P1#20250106")) == 1


def test_a_backup_taken_while_the_app_writes_is_consistent(tmp_path):
    account("director", "dr.chen@example.org")
    stop = threading.Event()

    def keep_writing():
        while not stop.is_set():
            audit.record("view_page", "dr.chen@example.org", "director", page="overview")

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        made = [state_backup.backup(tmp_path / f"b{i}.sqlite") for i in range(5)]
    finally:
        stop.set()
        writer.join()
    for path in made:
        with closing(sqlite3.connect(path)) as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, no -wal beside it
    assert state_backup.counts(made[-1])["audit_log"] >= state_backup.counts(made[0])["audit_log"]


def test_retention_keeps_the_newest_and_says_when_one_is_due(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    for day in (1, 2, 3, 4):
        (folder / f"app_state-2026120{day}T020000Z.sqlite").write_bytes(b"")
    (folder / "notes.txt").write_text("kept")
    assert [p.name for p in state_backup.prune(folder, 2)] == [
        "app_state-20261201T020000Z.sqlite",
        "app_state-20261202T020000Z.sqlite",
    ]
    assert sorted(p.name for p in folder.iterdir()) == [
        "app_state-20261203T020000Z.sqlite",
        "app_state-20261204T020000Z.sqlite",
        "notes.txt",
    ]
    newest = folder / "app_state-20261204T020000Z.sqlite"
    assert not state_backup.due(folder, 24, at=newest.stat().st_mtime + 23 * 3600)
    assert state_backup.due(folder, 24, at=newest.stat().st_mtime + 24 * 3600)
    assert state_backup.due(tmp_path / "none yet", 24)


def test_restore_refuses_what_is_not_a_sound_store_and_changes_nothing(tmp_path):
    account("director", "dr.chen@example.org")
    before = live()
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    other = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(other)) as con:
        con.execute("CREATE TABLE t (x)")
    for bad, reason in (
        (junk, "not an SQLite database"),
        (other, "not an application-state store"),
        (tmp_path / "missing.sqlite", "no such file"),
    ):
        with pytest.raises(state_backup.NotABackup, match=reason):
            state_backup.restore(bad)
    assert live() == before


def test_the_command_backs_up_keeps_the_newest_and_restores_with_an_audit_entry(tmp_path):
    account("director", "dr.chen@example.org")
    folder = tmp_path / "backups"
    for _ in range(3):
        run = subprocess.run(
            [sys.executable, "-m", "dashboard", "state", "backup", f"{folder}/", "--keep", "2"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stderr
        # stamped to the second: wait for the next one so three distinct files are made
        import time

        time.sleep(1.05)
    assert len(state_backup.backups(folder)) == 2
    newest = state_backup.backups(folder)[-1]
    run = subprocess.run(
        [sys.executable, "-m", "dashboard", "state", "restore", str(newest)], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "every session was ended" in run.stdout and "accounts" in run.stdout
    events = audit.entries()["event"].tolist()
    assert (
        events[0] == "state_restored" and events.count("state_backup") == 2
    )  # the third backup's entry was restored over
    bad = subprocess.run(
        [sys.executable, "-m", "dashboard", "state", "restore", str(tmp_path / "nope.sqlite")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and bad.stderr.strip() == "python -m dashboard state restore: nope.sqlite: no such file"
