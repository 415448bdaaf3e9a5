"""attendance_weekly: sessions and hours per Monday-to-Sunday week of each episode, against the
ASAM level 2.1 minimum; partial weeks are not judged."""

import datetime as dt

import pandas as pd

from conftest import build, rows

D = dt.date


def test_weeks_hours_and_asam(tmp_path, db):
    roster = ["P1,2025-01-08,,,Trauma,Chen,1990,"]  # a Wednesday
    attendance = [
        "P1,2025-01-08,group,attended,180,Trauma,Chen",  # week of 6 Jan (partial: admitted Wednesday)
        "P1,2025-01-13,group,attended,180,Trauma,Chen",  # week of 13 Jan: 3 h + 2.5 h + 50 min, 1 no-show
        "P1,2025-01-14,group,late,150,Trauma,Chen",
        "P1,2025-01-15,individual,attended,50,Trauma,Chen",
        "P1,2025-01-16,group,no_show,0,Trauma,Chen",
        "P1,2025-01-17,group,cancelled,0,Trauma,Chen",  # cancelled by the program: not scheduled
        "P1,2025-01-20,group,attended,180,Trauma,Chen",  # week of 20 Jan: 3 x 3 h = 9 h
        "P1,2025-01-21,group,attended,180,Trauma,Chen",
        "P1,2025-01-22,group,left_early,180,Trauma,Chen",
        # week of 27 Jan: nothing, full week
    ]
    build(tmp_path, db, roster=roster, attendance=attendance, as_of=D(2025, 2, 5))
    assert rows(
        db,
        """SELECT week_start, week_in_program, sessions_scheduled, sessions_attended, hours_attended,
                              asam_min_hours, full_week, below_asam FROM attendance_weekly ORDER BY week_start""",
    ) == [
        (D(2025, 1, 6), 1, 1, 1, 3.0, 9, False, None),
        (D(2025, 1, 13), 2, 4, 3, 6.33, 9, True, True),
        (D(2025, 1, 20), 3, 3, 3, 9.0, 9, True, False),
        (D(2025, 1, 27), 4, 0, 0, 0.0, 9, True, True),
        (D(2025, 2, 3), 5, 0, 0, 0.0, 9, False, None),  # the as-of week is not over
    ]


def test_a_status_counted_as_attended_after_a_rebuild_counts_its_minutes_in_every_view(tmp_path, db, monkeypatch):
    """Minutes are kept as the export gave them and what a status means is decided by the build: an
    excused session with its 3 h, once the program counts excused as attended and rebuilds, is 2
    sessions and 6.0 h in the week, on the overview and on the participant page alike (it once read
    2 sessions and 3.0 h, its minutes zeroed when it was loaded)."""
    from dashboard.store import db as data
    from dashboard.views.filters import Filters
    from dashboard.views.overview import program_overview
    from dashboard.views.participant import episode_view
    from dashboard.views.stay_review import packet
    from etl.load import rebuild

    roster = ["P1,2025-01-06,,,Trauma,Chen,1990,"]  # a Monday
    attendance = [
        "P1,2025-01-06,group,attended,180,Trauma,Chen",
        "P1,2025-01-13,group,attended,180,Trauma,Chen",  # week of 13 Jan: attended 3 h ...
        "P1,2025-01-15,group,excused,180,Trauma,Chen",
    ]  # ... and excused, the appointment's 3 h given
    build(tmp_path, db, roster=roster, attendance=attendance, as_of=D(2025, 1, 26))
    week = "SELECT sessions_attended, hours_attended FROM attendance_weekly WHERE week_start = DATE '2025-01-13'"
    assert rows(db, week) == [(1, 3.0)]
    assert rows(db, "SELECT minutes_given, minutes, scheduled_minutes FROM sessions WHERE status = 'excused'") == [
        (180.0, 0.0, 180.0)
    ]

    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "settings.toml").write_text('[attendance]\nattended = ["attended", "late", "left_early", "excused"]\n')
    rebuild(db, as_of=D(2025, 1, 26))
    assert rows(db, week) == [(2, 6.0)]
    assert rows(db, "SELECT minutes_given, minutes, scheduled_minutes FROM sessions WHERE status = 'excused'") == [
        (180.0, 180.0, None)
    ]

    monkeypatch.setenv("IOP_DB", str(db))
    with data.scoped(data.EVERYTHING):
        overview = program_overview(Filters(D(2025, 1, 6), D(2025, 1, 26)), "PHQ-9")
        view = episode_view("P1")
        stay = packet(view)
    weekly = overview.attendance.set_index("week_start").loc[pd.Timestamp("2025-01-13")]
    assert (weekly["attended"], weekly["mean_hours"]) == (2, 6.0)
    assert overview.modality.set_index("session_type").loc["group", "hours"] == 9.0  # three sessions of 3 h
    page_week = view.weeks.set_index("week_start").loc[pd.Timestamp("2025-01-13")]
    assert (page_week["sessions_attended"], page_week["hours_attended"]) == (2, 6.0)
    facts = dict(zip(stay.attendance["Attendance"], stay.attendance["Attended"]))
    assert (facts["Sessions attended since admission"], facts["Hours attended since admission"]) == ("3", "9.0 h")
