"""Every reject reason, in the words a person reads, with its row number (header = row 1). Each kind's
cases are one file, loaded once: a good row, then each case on a row of its own."""

import pytest

from conftest import ATTENDANCE_HEADER, MEASURES_HEADER, ROSTER_HEADER, load_files, rows, write

GOOD_ATTENDANCE = "P1,2025-03-03,group,attended,180,Trauma,Rivera\n"

ATTENDANCE_CASES = [
    (",2025-03-03,group,attended,180,,", "participant_id is empty"),
    ("P1,,group,attended,180,,", "session_date is empty"),
    (
        "P1,2025-13-02,group,attended,180,,",
        "session_date '2025-13-02' is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)",
    ),
    (
        "P1,2025-02-30,group,attended,180,,",
        "session_date '2025-02-30' is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)",
    ),
    (
        "P1,yesterday,group,attended,180,,",
        "session_date 'yesterday' is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)",
    ),
    ("P1,2026-03-01,group,attended,180,,", "session_date 2026-03-01 is in the future"),
    ("P1,1985-03-01,group,attended,180,,", "session_date '1985-03-01' is before 1990"),
    ("P1,2025-03-03,,attended,180,,", "session_type is empty"),
    (
        "P1,2025-03-03,yoga,attended,180,,",
        "session_type 'yoga' is not one of group, individual, family, education, medication, other",
    ),
    ("P1,2025-03-03,group,,180,,", "status is empty"),
    (
        "P1,2025-03-03,group,came,180,,",
        "status 'came' is not one of attended, late, left_early, excused, no_show, cancelled",
    ),
    ("P1,2025-03-03,group,attended,,,", "minutes is empty for a session with status attended"),
    ("P1,2025-03-03,group,attended,three hours,,", "minutes 'three hours' is not a number"),
    ("P1,2025-03-03,group,attended,-5,,", "minutes -5 is negative"),
    ("P1,2025-03-03,group,attended,800,,", "minutes 800 is more than 12 hours"),
    ("P1,2025-03-03,group,attended,0,,", "status attended but 0 minutes attended"),
    ("P1,2025-03-03,group,attended,180,Trauma,Rivera,extra", "the row has more fields than the header"),
    ("P1,2025-03-03,group", "the row has fewer fields than the header"),
]


@pytest.mark.parametrize(
    "row,reason", [(i + 3, r) for i, (_, r) in enumerate(ATTENDANCE_CASES)], ids=[r for _, r in ATTENDANCE_CASES]
)
def test_attendance_reject_reason(loaded_cases, row, reason):
    assert loaded_cases["attendance"][1][row] == reason


def measures_line(pid="P1", date="2025-03-03", instrument="PHQ-9", total="", items=("",) * 9):
    return ",".join([pid, date, instrument, total, *items])


MEASURES_CASES = [
    (measures_line(pid=""), "participant_id is empty"),
    (measures_line(date=""), "assessment_date is empty"),
    (
        measures_line(date="31/12/2025", total="10"),
        "assessment_date '31/12/2025' is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)",
    ),
    (measures_line(date="2026-02-01", total="10"), "assessment_date 2026-02-01 is in the future"),
    (measures_line(instrument="", total="10"), "instrument is empty"),
    (
        measures_line(instrument="BDI-II", total="10"),
        "instrument 'BDI-II' is not in the instrument catalogue (PHQ-9, GAD-7, PCL-5, AUDIT-C, DAST-10, BAM, K10, "
        "CORE-10, HAM-D-17)",
    ),
    (measures_line(total="12.5"), "PHQ-9 total '12.5' is not a whole number"),
    (measures_line(total="31"), "PHQ-9 total 31 is above the maximum 27"),
    (measures_line(total="-1"), "PHQ-9 total -1 is below the minimum 0"),
    (measures_line(instrument="GAD-7", total="22"), "GAD-7 total 22 is above the maximum 21"),
    (measures_line(instrument="GAD-7", items=("1",) * 8 + ("",)), "GAD-7 has 7 items, but item_8 has a value"),
    (measures_line(items=("1", "4") + ("1",) * 7), "PHQ-9 item 2 value 4 is above the maximum 3"),
    (measures_line(items=("1", "x") + ("1",) * 7), "PHQ-9 item 2 value 'x' is not a whole number"),
    (measures_line(items=("-1",) + ("1",) * 8), "PHQ-9 item 1 value -1 is below the minimum 0"),
    (measures_line(), "PHQ-9 row has no total and no item answers"),
]


@pytest.mark.parametrize(
    "row,reason", [(i + 3, r) for i, (_, r) in enumerate(MEASURES_CASES)], ids=[r for _, r in MEASURES_CASES]
)
def test_measures_reject_reason(loaded_cases, row, reason):
    assert loaded_cases["measures"][1][row] == reason


ROSTER_CASES = [
    (",2025-01-06,,,Trauma,Chen,1990,", "participant_id is empty"),
    ("P2,,,,Trauma,Chen,1990,", "admit_date is empty"),
    (
        "P2,2025-01-32,,,Trauma,Chen,1990,",
        "admit_date '2025-01-32' is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)",
    ),
    (
        "P2,2025-01-06,2025-13-01,,Trauma,Chen,1990,",
        "discharge_date '2025-13-01' is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)",
    ),
    (
        "P2,2025-01-06,2025-01-01,completed,Trauma,Chen,1990,yes",
        "discharge_date 2025-01-01 is before admit_date 2025-01-06",
    ),
    (
        "P2,2025-01-06,2025-02-01,went home,Trauma,Chen,1990,yes",
        "discharge_reason 'went home' is not a known reason (see etl/vocabulary.toml; e.g. completed, dropped out, "
        "terminated by facility, transferred, incarcerated, death, other)",
    ),
    ("P2,2025-01-06,,completed,Trauma,Chen,1990,", "discharge_reason 'completed' given without a discharge_date"),
    ("P2,2025-01-06,,,Trauma,Chen,19x0,", "birth_year '19x0' is not a year"),
    ("P2,2025-01-06,,,Trauma,Chen,2030,", "birth_year 2030 is not possible for an admission in 2025"),
]


@pytest.mark.parametrize(
    "row,reason", [(i + 3, r) for i, (_, r) in enumerate(ROSTER_CASES)], ids=[r for _, r in ROSTER_CASES]
)
def test_roster_reject_reason(loaded_cases, row, reason):
    assert loaded_cases["roster"][1][row] == reason


KINDS = {
    "attendance": (ATTENDANCE_HEADER, GOOD_ATTENDANCE, ATTENDANCE_CASES),
    "measures": (MEASURES_HEADER, measures_line(date="2025-03-01", total="9") + "\n", MEASURES_CASES),
    "roster": (ROSTER_HEADER, "P1,2025-01-06,2025-03-01,Left AMA,Trauma,Chen,1990,no\n", ROSTER_CASES),
}


@pytest.fixture(scope="module")
def loaded_cases(tmp_path_factory) -> dict:
    """kind -> (the load's result, row number -> reject reason), each kind's file loaded once into a
    database of its own (with no program configuration, as every test's)."""
    folder = tmp_path_factory.mktemp("cases")
    out = {}
    with pytest.MonkeyPatch.context() as env:
        env.setenv("IOP_CONFIG", str(folder / "config"))
        for kind, (header, good, cases) in KINDS.items():
            f = write(folder, f"{kind}.csv", header + good + "".join(line + "\n" for line, _ in cases))
            [result] = load_files(folder / f"{kind}.duckdb", f)
            out[kind] = (result, dict(rows(folder / f"{kind}.duckdb", "SELECT row_number, reason FROM rejects")))
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_every_bad_row_is_rejected_alone_and_the_good_one_loaded(loaded_cases, kind):
    result, reasons = loaded_cases[kind]
    cases = len(KINDS[kind][2])
    assert result.counts == {"read": cases + 1, "loaded": 1, "updated": 0, "rejected": cases, "duplicate": 0}
    assert sorted(reasons) == list(range(3, cases + 3))  # each case's row, and none other


def test_conflicting_rows_in_one_file_reject_the_later_one(tmp_path, db):
    f = write(
        tmp_path,
        "attendance.csv",
        ATTENDANCE_HEADER + GOOD_ATTENDANCE + "P1,2025-03-03,group,late,150,Trauma,Rivera\n" + GOOD_ATTENDANCE,
    )
    [result] = load_files(db, f)
    assert result.counts == {"read": 3, "loaded": 1, "updated": 0, "rejected": 1, "duplicate": 1}
    assert rows(db, "SELECT row_number, reason FROM rejects") == [
        (3, "repeats row 2 (same participant, date and group session) with different values")
    ]
    assert rows(db, "SELECT status, minutes FROM sessions") == [("attended", 180.0)]


def test_rejected_row_is_kept_as_read(tmp_path, db):
    f = write(tmp_path, "attendance.csv", "Client ID,DOS,Type,Status,Minutes\nP1,2025-03-03,group,came,180\n")
    load_files(db, f)
    assert rows(db, "SELECT file_name, raw_row FROM rejects") == [
        ("attendance.csv", '{"Client ID":"P1","DOS":"2025-03-03","Type":"group","Status":"came","Minutes":"180"}')
    ]
