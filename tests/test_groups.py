"""Today's groups: the attendance export's optional group name, the group_sizes mart, and the page
for the huddle before group, worked by hand.

Wednesday 22 Jan 2025 (the data date): the 'DBT Skills' group at 09:00 holds P1 and P2 (Chen's
caseload) and P3 (Rivera's); P4 (Trauma, Rivera) has an unnamed group session at 13:00, which is the
"Trauma group at 13:00". Before the day: P1 attended Monday 20 Jan and missed Tuesday 21 (no-show);
P2 attended both; P3 had no session. P1's PHQ-9 went from 18 (6 Jan) to 14 (20 Jan); P2 endorsed
PHQ-9 item 9 on 20 Jan (a safety flag)."""

import datetime as dt

import pytest

from conftest import ITEMS_HEADER, ROSTER_HEADER, app, load_files, measures_row, rows, scenario, shown, write

DAY = dt.date(2025, 1, 22)
HEADER = "participant_id,session_date,start_time,session_type,status,minutes,program,clinician,Group Name\n"
ATTENDANCE = [
    "P1,2025-01-20,09:00,group,attended,180,Trauma,Chen,DBT Skills",
    "P1,2025-01-21,09:00,group,no_show,0,Trauma,Chen,DBT Skills",
    "P1,2025-01-22,09:00,group,attended,180,Trauma,Chen,DBT Skills",
    "P2,2025-01-20,09:00,group,attended,180,Trauma,Chen,DBT Skills",
    "P2,2025-01-21,09:00,group,attended,180,Trauma,Chen,DBT Skills",
    "P2,2025-01-22,09:00,group,late,150,Trauma,Chen,DBT Skills",
    "P3,2025-01-22,09:00,group,no_show,0,Trauma,Rivera,DBT Skills",
    "P4,2025-01-22,13:00,group,attended,90,Trauma,Rivera,",
    "P4,2025-01-22,15:00,individual,attended,50,Trauma,Rivera,",
]


def _make_program(tmp_path, db):
    roster = write(
        tmp_path,
        "roster.csv",
        ROSTER_HEADER
        + "\n".join([f"P{i},2025-01-06,,,Trauma,{'Chen' if i < 3 else 'Rivera'},1990," for i in range(1, 5)])
        + "\n",
    )
    attendance = write(tmp_path, "attendance.csv", HEADER + "\n".join(ATTENDANCE) + "\n")
    measures = write(
        tmp_path,
        "measures.csv",
        ITEMS_HEADER
        + "\n".join(
            [
                measures_row("P1", "2025-01-06", "PHQ-9", 18),
                measures_row("P1", "2025-01-20", "PHQ-9", 14),
                measures_row("P2", "2025-01-20", "PHQ-9", "", [2, 1, 1, 1, 1, 1, 1, 1, 1]),
            ]
        )
        + "\n",
    )
    load_files(db, roster, attendance, measures, as_of=DAY)


@pytest.fixture
def program(request, monkeypatch):
    db = scenario(request, _make_program)  # loaded once for the module, copied for each test
    monkeypatch.setenv("IOP_DB", str(db))
    return db


def test_group_names_are_read_and_groups_counted(program):
    assert rows(program, "SELECT * FROM group_sizes WHERE session_date = ? ORDER BY start_time", [DAY]) == [
        (DAY, "DBT Skills", dt.time(9), 3, 2),
        (DAY, "Trauma group at 13:00", dt.time(13), 1, 1),
    ]


def test_a_group_name_column_changes_no_earlier_row(tmp_path, db):
    """Rows loaded without the column, then again with it empty: exact duplicates (the same values);
    with a name filled in: an update."""
    plain = (
        "participant_id,session_date,start_time,session_type,status,minutes\nP1,2025-01-20,09:00,group,attended,180\n"
    )
    [first] = load_files(db, write(tmp_path, "a.csv", plain))
    assert first.counts["loaded"] == 1
    [again] = load_files(
        db, write(tmp_path, "b.csv", plain.replace("minutes\n", "minutes,group\n").replace("180\n", "180,\n"))
    )
    assert (again.counts["duplicate"], again.counts["updated"]) == (1, 0)
    [named] = load_files(
        db, write(tmp_path, "c.csv", plain.replace("minutes\n", "minutes,Group\n").replace("180\n", "180,DBT\n"))
    )
    assert named.counts["updated"] == 1
    assert rows(db, "SELECT group_name FROM sessions") == [("DBT",)]


def _page(role, clinician=None, day=None):
    at = app(role, clinician=clinician)
    if day:
        at.query_params["day"] = day
    at.switch_page("pages/groups.py").run()
    assert not at.exception, at.exception
    return at


def test_the_director_sees_every_group_with_its_members_by_hand(program):
    at = _page("director")
    assert [shown(s.value) for s in at.subheader] == ["DBT Skills", "Trauma group at 13:00"]
    assert "09:00 · 3 members, 2 attended" in [shown(c.value) for c in at.caption]
    dbt = at.dataframe[0].value
    assert dbt[
        ["priority", "participant_id", "flags", "last_scores", "attendance", "last_attended", "on_the_day"]
    ].values.tolist() == [
        # safety first, then red, then amber; the flags as the marts raise them on 22 Jan: no hours in the
        # week of 13 Jan (below ASAM), P1 2 of 3 scheduled in 14 days (low attendance), P3 no session
        # attended in 16 days (disengaged) and no PHQ-9 since admission (overdue)
        [
            "⚠ SAFETY",
            "P2",
            "Safety item (PHQ-9) · Hours below ASAM",
            "PHQ-9 10 20 Jan",
            "attended last 2",
            "Tue 21 Jan",
            "late",
        ],
        [
            "● Red",
            "P3",
            "Disengaged · Hours below ASAM · Measure overdue (PHQ-9)",
            "",
            "first session",
            "never",
            "no-show",
        ],
        [
            "○ Amber",
            "P1",
            "Hours below ASAM · Low attendance",
            "PHQ-9 14 (↓4, better) 20 Jan",
            "missed last 1",
            "Mon 20 Jan",
            "attended",
        ],
    ]
    assert at.dataframe[1].value["participant_id"].tolist() == ["P4"]


def test_a_clinician_sees_their_caseloads_groups_and_counts_the_others(program):
    at = _page("clinician", clinician="Chen")
    assert [shown(s.value) for s in at.subheader] == ["DBT Skills"]  # P4's group has no member of Chen's
    assert "09:00 · 3 members, 2 attended · 1 from other caseloads (not shown)" in [shown(c.value) for c in at.caption]
    [table] = [d.value for d in at.dataframe]
    assert table["participant_id"].tolist() == ["P2", "P1"]
    assert table["flags"].tolist() == ["Safety item (PHQ-9) · Hours below ASAM", "Hours below ASAM · Low attendance"]
    assert "clinician" not in table.columns
    on_page = " ".join(str(v) for d in at.dataframe for v in d.value.values.ravel()) + " ".join(
        e.value for e in [*at.caption, *at.subheader, *at.markdown] if isinstance(e.value, str)
    )
    assert "P3" not in on_page and "P4" not in on_page


def test_the_day_is_kept_in_the_address(program):
    at = _page("director", day="2025-01-21")
    assert at.date_input(key="groups_day").value == dt.date(2025, 1, 21)
    assert at.dataframe[0].value["participant_id"].tolist() == ["P2", "P1"]  # flags open on the data date
    assert at.dataframe[0].value["on_the_day"].tolist() == ["attended", "no-show"]
    assert at.dataframe[0].value["attendance"].tolist() == ["attended last 1", "attended last 1"]
    at.date_input(key="groups_day").set_value(DAY).run()
    assert at.query_params["day"] == "2025-01-22"
