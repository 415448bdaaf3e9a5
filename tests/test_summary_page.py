"""AppTest of the program summary page against a small database with hand-counted figures."""

import pytest
from streamlit.testing.v1 import AppTest

from conftest import (
    ATTENDANCE_HEADER,
    MEASURES_HEADER,
    ROSTER_HEADER,
    app,
    chart,
    load_files,
    scenario,
    write,
)


def _make_summary_db(tmp_path, db):
    roster = write(
        tmp_path,
        "roster.csv",
        ROSTER_HEADER
        + "\n".join(
            [
                "P1,2025-02-24,,,Trauma,Chen,1990,",
                "P2,2025-03-03,,,Depression/Anxiety,Rivera,1985,",
                "P3,2025-01-06,2025-02-28,Completed treatment,Trauma,Chen,1970,yes",
            ]
        )
        + "\n",
    )
    attendance = write(
        tmp_path,
        "attendance.csv",
        ATTENDANCE_HEADER
        + "\n".join(
            [
                "P1,2025-03-02,group,attended,180,Trauma,Chen",  # Sunday before the week
                "P1,2025-03-03,group,attended,180,Trauma,Chen",  # week of Mon 3 Mar: counted
                "P1,2025-03-04,individual,late,40,Trauma,Chen",  # counted
                "P1,2025-03-05,group,no_show,0,Trauma,Chen",  # not attended
                "P2,2025-03-09,group,left_early,120,Depression/Anxiety,Rivera",  # Sunday: counted
                "P2,2025-03-12,group,attended,180,Depression/Anxiety,Rivera",  # this week: not a full week
                "P5,2025-03-06,group,attended,180,Trauma,Chen",  # not on the roster: inferred, open, counted
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
                "P1,2025-02-24,PHQ-9,18,,,,,,,,,",
                "P1,2025-03-03,PHQ-9,15,,,,,,,,,",
                "P2,2025-03-03,GAD-7,11,,,,,,,,,",
            ]
        )
        + "\n",
    )
    load_files(db, roster, attendance, measures)


@pytest.fixture
def summary_db(request, monkeypatch):
    db = scenario(request, _make_summary_db)  # loaded once for the module, copied for each test
    monkeypatch.setenv("IOP_DB", str(db))
    return db


def _run() -> AppTest:
    at = app("director")
    at.run()
    at.switch_page("pages/summary.py").run()
    return at


def test_summary_shows_the_figures_of_the_loaded_data(summary_db):
    at = _run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Active census": "3",
        "Sessions attended, week of 03 Mar": "4",
        "Assessments loaded": "3",
        "Last load": metrics["Last load"],
    }
    assert "The latest activity in them is 12 Mar 2025" in at.warning[0].value  # old data: said at the top
    assert at.caption[0].value == "1 of the active episodes are inferred from attendance (no roster row)."
    census = at.dataframe[0].value
    # on 12 Mar, Trauma: P1 16 days in = treatment week 3, P5 6 days = week 1 -> median 2; P2 9 days = week 2
    assert census.to_dict("list") == {
        "track": ["Trauma", "Depression/Anxiety"],
        "active": [2, 1],
        "inferred_from_attendance": [1, 0],
        "median_treatment_week": [2.0, 2.0],
    }
    assert at.dataframe[1].value["File"].tolist() == ["measures.csv", "attendance.csv", "roster.csv"]


def test_chart_counts_attended_sessions_by_week_and_type(summary_db):
    at = _run()
    bars = {trace["name"]: {x[:10]: y for x, y in zip(trace["x"], trace["y"])} for trace in chart(at)["data"]}
    assert chart(at)["layout"]["title"]["text"] == "Sessions attended per week"
    # the week of 24 Feb (P1 on Sun 2 Mar) and the week of 3 Mar; 12 Mar is in the unfinished week
    assert bars == {"group": {"2025-02-24": 1, "2025-03-03": 3}, "individual": {"2025-03-03": 1}}


def test_without_a_database_the_page_says_how_to_load(tmp_path, monkeypatch):
    monkeypatch.setenv("IOP_DB", str(tmp_path / "none.duckdb"))
    at = _run()
    assert not at.exception
    assert at.info[0].value.startswith(
        f"No database at {tmp_path / 'none.duckdb'}. Load exports with `python -m etl load"
    )


def test_page_shows_a_new_load_without_a_restart(summary_db, tmp_path):
    at = _run()
    assert {m.label: m.value for m in at.metric}["Assessments loaded"] == "3"
    load_files(summary_db, write(tmp_path, "more.csv", MEASURES_HEADER + "P2,2025-03-10,GAD-7,9,,,,,,,,,\n"))
    at.run()
    assert {m.label: m.value for m in at.metric}["Assessments loaded"] == "4"
