"""`python -m dashboard COMMAND`: the dashboard's commands, run as people run them (a process of their
own, no scope bound by anything else). The quality extract's contents are checked against the pages
in test_disclosure.py; here, that the command runs and says what it wrote."""

import datetime as dt
import os
import subprocess
import sys

import duckdb

from conftest import ATTENDANCE_HEADER, ROOT, ROSTER_HEADER, load_files, write


def _dashboard(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )


def test_without_a_command_it_lists_them_and_fails():
    run = _dashboard()
    assert run.returncode == 2
    assert all(name in run.stderr for name in ("accounts", "extract", "validate", "worker"))
    assert _dashboard("--help").returncode == 0


def test_the_quality_extract_runs_on_its_own(tmp_path):
    roster = [f"P{i:02},{dt.date(2026, 1, 5) + dt.timedelta(days=3 * i)},,,Trauma,Chen,1990," for i in range(30)]
    attendance = [
        f"P{i:02},{dt.date(2026, 1, 5) + dt.timedelta(days=3 * i + 7 * w)},group,attended,180,,Chen"
        for i in range(30)
        for w in range(6)
    ]
    db = tmp_path / "iop.duckdb"
    load_files(
        db,
        write(tmp_path, "roster.csv", ROSTER_HEADER + "\n".join(roster) + "\n"),
        write(tmp_path, "attendance.csv", ATTENDANCE_HEADER + "\n".join(attendance) + "\n"),
        today=dt.date(2026, 6, 1),
    )
    out = tmp_path / "quality.duckdb"
    run = _dashboard("extract", "--db", db, "--out", out)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (
        run.stdout.startswith(f"{out}: ") and "counts from 1 to 10 and those that would reveal them NULL" in run.stdout
    )
    with duckdb.connect(str(out), read_only=True) as con:
        names = {n for (n,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        columns = {c for (c,) in con.execute("SELECT column_name FROM information_schema.columns").fetchall()}
    assert {"cohort_outcomes", "overview_flow", "measures_summary"} <= names
    assert not {"participant_id", "episode_id", "admit_date", "discharge_date"} & columns
    assert oct(out.stat().st_mode & 0o777) == "0o600"  # identified or not, the owner's only
