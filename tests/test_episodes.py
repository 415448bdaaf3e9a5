"""Episodes: from the roster when a participant is on it, otherwise inferred from attendance
(an episode starts at the first attended session and ends after 30 days without one)."""

import datetime as dt

from conftest import ATTENDANCE_HEADER, MEASURES_HEADER, ROSTER_HEADER, load_files, rows, write

D = dt.date


def _load(tmp_path, db):
    attendance = write(
        tmp_path,
        "attendance.csv",
        ATTENDANCE_HEADER
        + "\n".join(
            [
                "P1,2025-01-06,group,attended,180,Trauma,Rivera",
                "P1,2025-01-20,individual,attended,50,Trauma,Chen",
                "P1,2025-02-03,group,no_show,0,Trauma,Rivera",
                "P1,2025-02-10,group,attended,180,Trauma,Rivera",  # 21 days after the last: same episode
                "P1,2025-03-01,group,no_show,0,Trauma,Rivera",  # inside the 30 days after 10 Feb
                "P1,2025-03-15,group,no_show,0,Trauma,Rivera",  # 33 days after: no episode holds it
                "P1,2025-03-20,group,attended,180,Depression,Rivera",  # 38 days after 10 Feb: a new episode
                "P1,2025-03-25,individual,attended,50,Depression,Okafor",
                "P2,2025-05-01,group,attended,180,Trauma,Rivera",
                "P4,2025-06-01,group,attended,180,Trauma,Rivera",
                "P4,2025-07-01,group,attended,180,Trauma,Rivera",  # exactly 30 days: same episode, still open
                "P3,2025-03-10,group,attended,180,Trauma,Rivera",  # after P3's roster discharge
            ]
        )
        + "\n",
    )
    measures = write(
        tmp_path,
        "measures.csv",
        MEASURES_HEADER
        + "\n".join(
            [
                "P1,2025-03-10,PHQ-9,14,,,,,,,,,",  # in episode 1's window and episode 2's baseline window
                "P1,2025-03-14,PHQ-9,12,,,,,,,,,",  # only in episode 2's baseline window (14 days before)
                "P3,2024-12-25,PHQ-9,20,,,,,,,,,",  # 12 days before P3's admission: baseline window
            ]
        )
        + "\n",
    )
    roster = write(tmp_path, "roster.csv", ROSTER_HEADER + "P3,1/6/2025,2/28/2025,Left AMA,Trauma,Chen,1990,no\n")
    load_files(db, attendance, measures, roster)


def test_inferred_and_roster_episodes(tmp_path, db):
    _load(tmp_path, db)
    assert rows(db, "SELECT data_as_of FROM dataset_info") == [(D(2025, 7, 1),)]
    assert rows(
        db,
        """SELECT episode_id, admit_date, discharge_date, discharge_category, program, primary_clinician,
                              inferred, is_open FROM episodes ORDER BY episode_id""",
    ) == [
        ("P1#20250106", D(2025, 1, 6), D(2025, 2, 10), None, "Trauma", "Chen", True, False),
        ("P1#20250320", D(2025, 3, 20), D(2025, 3, 25), None, "Depression", "Okafor", True, False),
        ("P2#20250501", D(2025, 5, 1), D(2025, 5, 1), None, "Trauma", "Rivera", True, False),
        ("P3#20250106", D(2025, 1, 6), D(2025, 2, 28), "Dropped out", "Trauma", "Chen", False, False),
        ("P4#20250601", D(2025, 6, 1), None, None, "Trauma", "Rivera", True, True),
    ]


def test_sessions_and_assessments_belong_to_episodes(tmp_path, db):
    _load(tmp_path, db)
    assert rows(
        db,
        "SELECT participant_id, session_date, episode_id FROM sessions WHERE participant_id IN ('P1', 'P3') "
        "ORDER BY 1, 2",
    ) == [
        ("P1", D(2025, 1, 6), "P1#20250106"),
        ("P1", D(2025, 1, 20), "P1#20250106"),
        ("P1", D(2025, 2, 3), "P1#20250106"),
        ("P1", D(2025, 2, 10), "P1#20250106"),
        ("P1", D(2025, 3, 1), "P1#20250106"),
        ("P1", D(2025, 3, 15), None),
        ("P1", D(2025, 3, 20), "P1#20250320"),
        ("P1", D(2025, 3, 25), "P1#20250320"),
        ("P3", D(2025, 3, 10), None),
    ]
    assert rows(db, "SELECT assessed_on, episode_id FROM assessments ORDER BY 1") == [
        (D(2024, 12, 25), "P3#20250106"),
        (D(2025, 3, 10), "P1#20250106"),
        (D(2025, 3, 14), "P1#20250320"),
    ]


def test_participants_table(tmp_path, db):
    _load(tmp_path, db)
    assert rows(
        db,
        "SELECT participant_id, n_episodes, has_open_episode, on_roster, birth_year, age_group "
        "FROM participants ORDER BY 1",
    ) == [
        ("P1", 2, False, False, None, None),
        ("P2", 1, False, False, None, None),
        ("P3", 1, False, True, 1990, "adult"),
        ("P4", 1, True, False, None, None),
    ]


def test_roster_loaded_later_replaces_inferred_episodes(tmp_path, db):
    _load(tmp_path, db)
    load_files(db, write(tmp_path, "roster2.csv", ROSTER_HEADER + "P4,2025-05-26,,,Trauma,Novak,2009,\n"))
    assert rows(db, "SELECT episode_id, inferred, is_open, age_group FROM episodes WHERE participant_id = 'P4'") == [
        ("P4#20250526", False, True, "adolescent")
    ]
    assert rows(db, "SELECT DISTINCT episode_id FROM sessions WHERE participant_id = 'P4'") == [("P4#20250526",)]
