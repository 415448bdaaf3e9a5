"""Measures due: each open episode's planned measures (settings measurement.plan) with their cadence,
their status in the week holding the as-of date, the overdue flag on the same cadence, and the
caseload's lists. P1 (Trauma: PHQ-9 and GAD-7 weekly, PCL-5 every 14 days) and P2 (Depression/
Anxiety: PHQ-9 and GAD-7) are admitted on Monday 6 Jan 2025; data as of Wednesday 22 Jan (the week
of Monday 20 to Sunday 26 Jan)."""

import datetime as dt

import pytest

from conftest import app, build, measures_row, rows, scenario

AS_OF = dt.date(2025, 1, 22)


def _make_program(tmp_path, db):
    roster = [
        "P1,2025-01-06,,,Trauma,Chen,1990,",
        "P2,2025-01-06,,,Depression/Anxiety,Rivera,1980,",
        "P3,2025-01-06,2025-01-17,completed,Trauma,Chen,1990,yes",
    ]
    measures = [
        measures_row("P1", "2025-01-09", "PHQ-9", 12),  # due Thu 16 Jan, 6 days past: due, not yet overdue
        measures_row("P1", "2025-01-14", "PCL-5", 40),  # due Tue 28 Jan: later
        measures_row("P2", "2025-01-20", "PHQ-9", 10),  # taken Monday: done this week
        measures_row("P2", "2025-01-13", "GAD-7", 9),
    ]  # due Mon 20 Jan: due
    # P1's GAD-7 never taken: due at admission (6 Jan), 16 days past: overdue. P3 is discharged: nothing due.
    build(tmp_path, db, roster=roster, measures=measures, as_of=AS_OF)


@pytest.fixture
def program(request, monkeypatch):
    db = scenario(request, _make_program)  # loaded once for the module, copied for each test
    monkeypatch.setenv("IOP_DB", str(db))
    return db


def test_each_planned_measure_has_its_status_this_week(program):
    assert rows(
        program,
        "SELECT participant_id, instrument, every_days, due_on, days_past_due, status FROM measures_due ORDER BY 1, 2",
    ) == [
        ("P1", "GAD-7", 7, dt.date(2025, 1, 6), 16, "overdue"),
        ("P1", "PCL-5", 14, dt.date(2025, 1, 28), -6, "later"),
        ("P1", "PHQ-9", 7, dt.date(2025, 1, 16), 6, "due"),
        ("P2", "GAD-7", 7, dt.date(2025, 1, 20), 2, "due"),
        ("P2", "PHQ-9", 7, dt.date(2025, 1, 27), -5, "done"),
    ]


def test_the_overdue_flag_reads_the_same_cadence(program):
    # only the primary instrument (PHQ-9) flags, and P1's is 6 days past due: within the week's grace
    assert rows(program, "SELECT count(*) FROM flags WHERE rule_id = 'measure_overdue'") == [(0,)]


@pytest.mark.parametrize("as_of,fires", [(dt.date(2025, 1, 23), False), (dt.date(2025, 1, 24), True)])
def test_the_primary_instrument_is_overdue_a_week_after_it_fell_due(tmp_path, db, as_of, fires):
    build(
        tmp_path,
        db,
        roster=["P1,2025-01-06,,,Trauma,Chen,1990,"],
        measures=[measures_row("P1", "2025-01-09", "PHQ-9", 12)],
        as_of=as_of,
    )
    # due 16 Jan; 7 days past on the 23rd, 8 on the 24th
    assert rows(db, "SELECT explanation FROM flags WHERE rule_id = 'measure_overdue'") == (
        [("no PHQ-9 for 15 days (last 9 Jan 2025; due every 7 days)",)] if fires else []
    )


def test_a_track_row_of_the_plan_wins_over_every_track(tmp_path, db, monkeypatch):
    settings = tmp_path / "settings.toml"
    settings.write_text(
        '[measurement]\nplan = [{ track = "*", instrument = "PHQ-9", every_days = 7 },'
        ' { track = "Trauma", instrument = "PHQ-9", every_days = 14 }]\n'
    )
    monkeypatch.setenv("IOP_SETTINGS", str(settings))
    build(
        tmp_path,
        db,
        roster=["P1,2025-01-06,,,Trauma,Chen,1990,", "P2,2025-01-06,,,Depression/Anxiety,Rivera,1980,"],
        measures=[measures_row("P1", "2025-01-09", "PHQ-9", 12), measures_row("P2", "2025-01-09", "PHQ-9", 12)],
        as_of=AS_OF,
    )
    assert rows(db, "SELECT participant_id, every_days, due_on, status FROM measures_due ORDER BY 1") == [
        ("P1", 14, dt.date(2025, 1, 23), "due"),
        ("P2", 7, dt.date(2025, 1, 16), "due"),
    ]


def test_the_clinician_sees_their_caseloads_measures_due(program):
    at = app("clinician", clinician="Chen")
    at.switch_page("pages/caseload.py").run()
    assert not at.exception, at.exception
    due = next(d.value for d in at.dataframe if "Measure" in d.value.columns)
    assert due.values.tolist() == [
        ["P1", "GAD-7", "overdue", "Mon 06 Jan", "never", "7 days"],
        ["P1", "PHQ-9", "due", "Thu 16 Jan", "09 Jan 2025", "7 days"],
    ]
    assert not [d for d in at.dataframe if "up_to_date_pct" in d.value.columns]  # no one else's caseload


def test_the_director_sees_due_measures_by_clinician(program):
    at = app("director")
    at.switch_page("pages/caseload.py").run()
    due = next(d.value for d in at.dataframe if "Measure" in d.value.columns)
    assert due["Status"].tolist() == ["overdue", "due", "due"]  # the whole program: done ones counted below
    at.selectbox(key="case_clinician").set_value("Rivera").run()  # one caseload: its done ones listed too
    due = next(d.value for d in at.dataframe if "Measure" in d.value.columns)
    assert due["Due"].tolist() == ["Mon 20 Jan", "next Mon 27 Jan"]  # done: when it is next due
    at.selectbox(key="case_clinician").set_value("All clinicians").run()
    by = next(d.value for d in at.dataframe if "up_to_date_pct" in d.value.columns)
    # Chen: P1's GAD-7 overdue, PHQ-9 due, PCL-5 later (2 of 3 not overdue); Rivera: P2's due and done
    assert by[["clinician", "planned", "done", "due", "overdue", "later", "up_to_date_pct"]].values.tolist() == [
        ["Chen", 3, 0, 1, 1, 1, 67.0],
        ["Rivera", 2, 1, 1, 0, 0, 100.0],
    ]
