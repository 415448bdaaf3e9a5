"""attendance_weekly: sessions and hours per Monday-to-Sunday week of each episode, against the
ASAM level 2.1 minimum; partial weeks are not judged."""
import datetime as dt

from conftest import build, rows

D = dt.date


def test_weeks_hours_and_asam(tmp_path, db):
    roster = ["P1,2025-01-08,,,Trauma,Chen,1990,"]          # a Wednesday
    attendance = [
        "P1,2025-01-08,group,attended,180,Trauma,Chen",      # week of 6 Jan (partial: admitted Wednesday)
        "P1,2025-01-13,group,attended,180,Trauma,Chen",      # week of 13 Jan: 3 h + 2.5 h + 50 min, 1 no-show
        "P1,2025-01-14,group,late,150,Trauma,Chen",
        "P1,2025-01-15,individual,attended,50,Trauma,Chen",
        "P1,2025-01-16,group,no_show,0,Trauma,Chen",
        "P1,2025-01-17,group,cancelled,0,Trauma,Chen",       # cancelled by the program: not scheduled
        "P1,2025-01-20,group,attended,180,Trauma,Chen",      # week of 20 Jan: 3 x 3 h = 9 h
        "P1,2025-01-21,group,attended,180,Trauma,Chen",
        "P1,2025-01-22,group,left_early,180,Trauma,Chen",
                                                             # week of 27 Jan: nothing, full week
    ]
    build(tmp_path, db, roster=roster, attendance=attendance, as_of=D(2025, 2, 5))
    assert rows(db, """SELECT week_start, week_in_program, sessions_scheduled, sessions_attended, hours_attended,
                              asam_min_hours, full_week, below_asam FROM attendance_weekly ORDER BY week_start""") == [
        (D(2025, 1, 6), 1, 1, 1, 3.0, 9, False, None),
        (D(2025, 1, 13), 2, 4, 3, 6.33, 9, True, True),
        (D(2025, 1, 20), 3, 3, 3, 9.0, 9, True, False),
        (D(2025, 1, 27), 4, 0, 0, 0.0, 9, True, True),
        (D(2025, 2, 3), 5, 0, 0, 0.0, 9, False, None),       # the as-of week is not over
    ]
