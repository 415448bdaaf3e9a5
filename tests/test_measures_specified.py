"""The quality measures counted as their specifications count them (mart measure_specified), at every
edge the specification text draws, each worked by hand (docs/measures.md, the conformance table).

DEP-REM-6 / DEP-RESP-6 (NQF 0711 / 1884, CMS159): index = the first PHQ-9 above 9 in the measurement
period (the calendar year) with an active F32/F33/F34.1 diagnosis, aged 12 or more on that day; the
window = six calendar months after the index minus 60 days to plus 60 days, inclusive; the latest
PHQ-9 in it is judged; excluded by a bipolar, personality, psychotic or pervasive developmental
disorder or palliative care diagnosis starting by the window's last day, or death. HEDIS DRR-E: the
same index in the intake period (1 May to 30 April, counted for the year it ends in), days 120-240.

Everyone has F33.1 from 1 Jan 2025 unless said otherwise; data as of 30 Jun 2027.
  A1  born 10 Mar 2014: PHQ-9 15 on 9 Mar 2026 (aged 11), 14 on 10 Mar 2026 (12th birthday) -> index 10 Mar
  A2  PHQ-9 9 on 1 Feb 2026 (not above 9), 10 on 15 Feb -> index 15 Feb, value 10
  W1-W4  index 31 Aug 2026 -> +6 months = 28 Feb 2027 -> window 30 Dec 2026 .. 29 Apr 2027;
         a PHQ-9 3 on 29 Dec (outside), 30 Dec (first day), 29 Apr (last day), 30 Apr (outside)
  W5-W6  index 30 Apr 2026 -> 30 Oct 2026 -> window 31 Aug .. 29 Dec 2026; a 3 on 30 Aug (outside), 31 Aug (in)
  W7-W8  index 31 Mar 2026 -> 30 Sep 2026 (a 30-day month: the 31st ends on the 30th) -> window 1 Aug .. 29 Nov;
         a 3 on 31 Jul (outside), 1 Aug (in)
  X1  PHQ-9 16 on 1 Feb 2026, F32.1 from 2 Feb (no diagnosis before), 13 on 20 Feb -> index 20 Feb (13)
  X2  PHQ-9 16 on 1 Feb 2026, F32.1 from 2 Feb, no later score -> no index event
  E1  index 15 Jan 2026 (window 16 May .. 13 Sep 2026), F31.81 from 13 Sep 2026 -> excluded
  E2  the same, F31.81 from 14 Sep 2026 -> not excluded (no score in the window: not met)
  L1  index 20 on 15 Jan 2026; 3 on 1 Jun, 8 on 1 Sep -> the latest (8) is judged: no remission, response (8 <= 10)
  T1  PHQ-9 18 on 1 Mar 2025, 4 on 15 Aug 2025 (in its window 3 Jul .. 31 Oct 2025), 17 on 1 Feb 2026
      -> two index events, one per period: 2025 met, 2026 not met
  G1  no diagnoses exported for them; roster group "major depressive  DISORDER " -> eligible by the roster's group
  M1  (DMS-E) attended 10 Jan and 12 May 2026, PHQ-9 14 on 10 Jan -> Jan-Apr met, May-Aug not met
  P1  index 15 Jan 2026, palliative care (Z51.5) from 1 Jan to 30 Jun 2024 -> not excluded (before the period)
  P2  index 15 Jan 2026, palliative care from 1 Mar 2026 -> excluded
  F1  only F32.81 (premenstrual dysphoric disorder, not a major depressive episode), PHQ-9 15 -> no index event"""

import datetime as dt

import duckdb
import pandas as pd
import pytest

from conftest import ATTENDANCE_HEADER, ITEMS_HEADER, load_files, measures_row, scenario, write

AS_OF = dt.date(2027, 6, 30)
ROSTER = (
    "participant_id,admit_date,discharge_date,discharge_reason,program,primary_clinician,birth_date,diagnosis_group\n"
)
PEOPLE = {  # id: (admission, birth date, roster group)
    "A1": ("2026-03-09", "2014-03-10", "Depressive disorders"),
    "A2": ("2026-02-01", "1990-05-05", "Depressive disorders"),
    "W1": ("2026-08-31", "1990-05-05", "Depressive disorders"),
    "W2": ("2026-08-31", "1990-05-05", "Depressive disorders"),
    "W3": ("2026-08-31", "1990-05-05", "Depressive disorders"),
    "W4": ("2026-08-31", "1990-05-05", "Depressive disorders"),
    "W5": ("2026-04-30", "1990-05-05", "Depressive disorders"),
    "W6": ("2026-04-30", "1990-05-05", "Depressive disorders"),
    "W7": ("2026-03-31", "1990-05-05", "Depressive disorders"),
    "W8": ("2026-03-31", "1990-05-05", "Depressive disorders"),
    "X1": ("2026-02-01", "1990-05-05", "Depressive disorders"),
    "X2": ("2026-02-01", "1990-05-05", "Depressive disorders"),
    "E1": ("2026-01-15", "1990-05-05", "Depressive disorders"),
    "E2": ("2026-01-15", "1990-05-05", "Depressive disorders"),
    "L1": ("2026-01-15", "1990-05-05", "Depressive disorders"),
    "T1": ("2025-03-01", "1990-05-05", "Depressive disorders"),
    "G1": ("2026-03-01", "1990-05-05", "major depressive  DISORDER "),
    "M1": ("2026-01-10", "1990-05-05", "Depressive disorders"),
    "P1": ("2026-01-15", "1990-05-05", "Depressive disorders"),
    "P2": ("2026-01-15", "1990-05-05", "Depressive disorders"),
    "F1": ("2026-01-15", "1990-05-05", "Depressive disorders"),
}
SCORES = [
    ("A1", "2026-03-09", 15), ("A1", "2026-03-10", 14),
    ("A2", "2026-02-01", 9), ("A2", "2026-02-15", 10),
    ("W1", "2026-08-31", 16), ("W1", "2026-12-29", 3),
    ("W2", "2026-08-31", 16), ("W2", "2026-12-30", 3),
    ("W3", "2026-08-31", 16), ("W3", "2027-04-29", 3),
    ("W4", "2026-08-31", 16), ("W4", "2027-04-30", 3),
    ("W5", "2026-04-30", 16), ("W5", "2026-08-30", 3),
    ("W6", "2026-04-30", 16), ("W6", "2026-08-31", 3),
    ("W7", "2026-03-31", 16), ("W7", "2026-07-31", 3),
    ("W8", "2026-03-31", 16), ("W8", "2026-08-01", 3),
    ("X1", "2026-02-01", 16), ("X1", "2026-02-20", 13),
    ("X2", "2026-02-01", 16),
    ("E1", "2026-01-15", 15), ("E2", "2026-01-15", 15),
    ("L1", "2026-01-15", 20), ("L1", "2026-06-01", 3), ("L1", "2026-09-01", 8),
    ("T1", "2025-03-01", 18), ("T1", "2025-08-15", 4), ("T1", "2026-02-01", 17),
    ("G1", "2026-03-01", 12),
    ("M1", "2026-01-10", 14),
    ("P1", "2026-01-15", 15), ("P2", "2026-01-15", 15), ("F1", "2026-01-15", 15),
]  # fmt: skip
DIAGNOSES = [(p, "F33.1", "2025-01-01", "") for p in PEOPLE if p not in {"X1", "X2", "G1", "F1"}] + [
    ("X1", "F32.1", "2026-02-02", ""),
    ("X2", "F32.1", "2026-02-02", ""),
    ("E1", "F31.81", "2026-09-13", ""),
    ("E2", "F31.81", "2026-09-14", ""),
    ("P1", "Z51.5", "2024-01-01", "2024-06-30"),
    ("P2", "Z51.5", "2026-03-01", ""),
    ("F1", "F32.81", "2025-01-01", ""),
]


def _load(folder, db):
    roster = ROSTER + "".join(f"{p},{a},,,IOP,Chen,{born},{group}\n" for p, (a, born, group) in PEOPLE.items())
    scores = ITEMS_HEADER + "\n".join(measures_row(p, d, "PHQ-9", v) for p, d, v in SCORES) + "\n"
    diagnoses = "participant_id,icd10_code,start_date,end_date\n" + "".join(
        f"{p},{c},{d},{e}\n" for p, c, d, e in DIAGNOSES
    )
    sessions = (
        ATTENDANCE_HEADER + "M1,2026-01-10,group,attended,180,IOP,Chen\nM1,2026-05-12,group,attended,180,IOP,Chen\n"
    )
    files = [
        write(folder, "roster.csv", roster),
        write(folder, "measures.csv", scores),
        write(folder, "diagnoses.csv", diagnoses),
        write(folder, "attendance.csv", sessions),
    ]
    results = load_files(db, *files, today=dt.date(2027, 7, 1), as_of=AS_OF)
    assert all(r.status == "loaded" and not r.counts["rejected"] for r in results), results


@pytest.fixture
def program(request):
    return scenario(request, _load)  # loaded once, copied per test


@pytest.fixture
def frame(program):
    with duckdb.connect(str(program), read_only=True) as con:
        return con.execute("SELECT * FROM measure_specified ORDER BY unit_start").df()


@pytest.fixture
def specified(frame):
    """measure_specified's rows: (measure, rate, participant, period year) -> row as a dict (one index
    per participant and period: a key holds one row, but for DMS-E's member-periods)."""
    rows = frame[frame["measure_id"] != "DMS-E"].to_dict("records")
    keyed = {(r["measure_id"], r["rate_id"], r["participant_id"], r["period_start"].year): r for r in rows}
    assert len(keyed) == len(rows)  # one index event per participant, period and rate
    return keyed


def _day(value) -> dt.date:
    return value.date() if hasattr(value, "date") else value


def test_the_12th_birthday_and_an_index_of_9_and_10(specified):
    a1 = specified[("DEP-REM-6", "remission", "A1", 2026)]
    assert _day(a1["index_date"]) == dt.date(2026, 3, 10) and a1["index_value"] == 14  # not 9 Mar: aged 11
    a2 = specified[("DEP-REM-6", "remission", "A2", 2026)]
    assert _day(a2["index_date"]) == dt.date(2026, 2, 15) and a2["index_value"] == 10  # 9 is not above 9


@pytest.mark.parametrize(
    "person,opens,closes,met",
    [
        ("W1", dt.date(2026, 12, 30), dt.date(2027, 4, 29), False),  # 29 Dec: the day before
        ("W2", dt.date(2026, 12, 30), dt.date(2027, 4, 29), True),  # the first day
        ("W3", dt.date(2026, 12, 30), dt.date(2027, 4, 29), True),  # the last day
        ("W4", dt.date(2026, 12, 30), dt.date(2027, 4, 29), False),  # the day after
        ("W5", dt.date(2026, 8, 31), dt.date(2026, 12, 29), False),
        ("W6", dt.date(2026, 8, 31), dt.date(2026, 12, 29), True),
        ("W7", dt.date(2026, 8, 1), dt.date(2026, 11, 29), False),
        ("W8", dt.date(2026, 8, 1), dt.date(2026, 11, 29), True),
    ],
)
def test_the_window_is_six_calendar_months_minus_and_plus_60_days(specified, person, opens, closes, met):
    row = specified[("DEP-REM-6", "remission", person, 2026)]
    assert (_day(row["window_opens"]), _day(row["window_closes"])) == (opens, closes)
    assert row["met"] == met and row["stopped_at"] == ("met" if met else "numerator")


def test_drr_e_keeps_days_120_to_240(specified):
    row = specified[("DRR-E", "follow_up", "W1", 2027)]  # index 31 Aug 2026: intake May 2026 - Apr 2027
    assert (_day(row["window_opens"]), _day(row["window_closes"])) == (dt.date(2026, 12, 29), dt.date(2027, 4, 28))
    assert row["met"]  # 29 Dec is day 120: inside DRR-E's window, a day before DEP-REM-6's


def test_a_diagnosis_starting_the_day_after_the_index(specified):
    x1 = specified[("DEP-REM-6", "remission", "X1", 2026)]
    assert _day(x1["index_date"]) == dt.date(2026, 2, 20) and x1["index_value"] == 13
    x2 = specified[("DEP-REM-6", "remission", "X2", 2026)]
    assert x2["stopped_at"] == "eligible" and pd.isna(x2["index_date"])
    assert x2["reason"] == "no major depression or dysthymia diagnosis active at an elevated PHQ-9"


def test_an_exclusion_starting_on_the_windows_last_day(specified):
    e1, e2 = (specified[("DEP-REM-6", "remission", p, 2026)] for p in ("E1", "E2"))
    assert _day(e1["window_closes"]) == dt.date(2026, 9, 13)
    assert (e1["stopped_at"], e1["reason"]) == ("excluded", "diagnosis: bipolar disorder")
    assert e2["stopped_at"] == "numerator"  # its bipolar diagnosis starts the day after


def test_palliative_care_counts_only_in_the_period_and_f32_81_is_not_major_depression(specified):
    p1, p2, f1 = (specified[("DEP-REM-6", "remission", p, 2026)] for p in ("P1", "P2", "F1"))
    assert p1["stopped_at"] == "numerator"  # palliative care ended in 2024
    assert (p2["stopped_at"], p2["reason"]) == ("excluded", "diagnosis: palliative care")
    assert f1["stopped_at"] == "eligible"


def test_the_latest_score_in_the_window_not_the_best(specified):
    assert specified[("DEP-REM-6", "remission", "L1", 2026)]["result_value"] == 8
    assert not specified[("DEP-REM-6", "remission", "L1", 2026)]["met"]  # 8 is not below 5 (1 June's 3 was)
    assert specified[("DEP-RESP-6", "response", "L1", 2026)]["met"]  # 8 <= 50 % of 20


def test_two_index_events_in_two_periods(specified):
    y2025, y2026 = (specified[("DEP-REM-6", "remission", "T1", y)] for y in (2025, 2026))
    assert (_day(y2025["index_date"]), y2025["met"]) == (dt.date(2025, 3, 1), True)  # 4 on 15 Aug 2025
    assert (_day(y2026["index_date"]), y2026["met"]) == (dt.date(2026, 2, 1), False)


def test_a_lower_case_diagnosis_group_is_the_same_group(specified, program):
    g1 = specified[("DEP-REM-6", "remission", "G1", 2026)]
    assert g1["dx_source"] == "roster diagnosis group" and g1["stopped_at"] != "eligible"
    with duckdb.connect(str(program), read_only=True) as con:
        [(stopped, source)] = con.execute(
            "SELECT stopped_at, dx_source FROM measure_episodes WHERE measure_id = 'DEP-REM-6' AND participant_id = 'G1'"
        ).fetchall()
    assert stopped != "eligible" and source == "roster diagnosis group"  # the per-episode view agrees


def test_depression_monitoring_counts_member_periods(frame):
    m1 = frame[(frame["measure_id"] == "DMS-E") & (frame["participant_id"] == "M1")]
    assert [(_day(d), met) for d, met in zip(m1["unit_start"], m1["met"])] == [
        (dt.date(2026, 1, 1), True),  # attended 10 Jan, PHQ-9 that day
        (dt.date(2026, 5, 1), False),  # attended 12 May, no PHQ-9 in May-August
    ]


def test_the_submission_file_counts_as_specified(program, monkeypatch):
    """DEP-REM-6, 2026: 21 with a PHQ-9 above 9 -> 19 index events (not X2, F1) -> every window closed ->
    E1 and P2 excluded -> 17; remission: W2, W3, W6, W8. Diagnoses: ICD-10 for 18, the roster's group for G1."""
    from dashboard.documents.specified_tables import SPECIFIED_COLUMNS, submission
    from dashboard.privacy.policy import Disclosure
    from dashboard.privacy.shown_specified import shown_specified
    from dashboard.store import db as data
    from dashboard.views.measures_specified import periods, specified
    from dashboard.views.quality_measures import stored_specs

    monkeypatch.setenv("IOP_DB", str(program))
    with data.scoped(data.ReadScope()):
        year = next(p for p in periods() if p.start == dt.date(2026, 1, 1))
        shown = shown_specified(specified(year), stored_specs(), Disclosure(0))
    table = submission(shown)
    assert list(table.columns) == list(SPECIFIED_COLUMNS)
    row = table[table["measure_id"] == "DEP-REM-6"].iloc[0].to_dict()
    assert {k: row[k] for k in list(SPECIFIED_COLUMNS)[5:]} == {
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "period_ended": 1,
        "unit": "index event",
        "candidates": 21,
        "index_events": 19,
        "window_closed": 19,
        "excluded": 2,
        "denominator": 17,
        "numerator": 4,
        "rate_percent": 23.5,
        "ci_low_percent": 9.6,
        "ci_high_percent": 47.3,
        "diagnoses_icd10": 18,
        "diagnoses_roster_group": 1,
        "diagnoses_not_recorded": 0,
    }
    with data.scoped(data.ReadScope()):
        hidden = submission(shown_specified(specified(year), stored_specs(), Disclosure(10)))
    counts = hidden[["candidates", "index_events", "window_closed", "excluded", "denominator", "numerator"]]
    assert all(isinstance(v, str) or v == 0 or v > 10 for v in counts.to_numpy().ravel())  # nothing from 1 to 10
