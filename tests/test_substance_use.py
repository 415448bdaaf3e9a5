"""The substance-use track's outcomes, worked by hand: screening totals (AUDIT-C, DAST-10) and the
BAM's flagged subscales (Use = items 4-6 >= 1, Risk = 1, 2, 3, 8, 11, 15 >= 12, Protective = 9, 10,
12, 13, 14, 16 <= 12) at intake and latest, on the cohort page and the participant page; the
measurement plan's monthly cadence for the track.

P1 and P2 (Substance Use) are admitted Mon 6 Jan 2025, scored at intake and on Mon 3 Feb.
- P1: BAM Use 3 -> 0, Risk 13 -> 6, Protective 10 -> 18 (every flag cleared); AUDIT-C 8 -> 3 (below
  the cutoff of 4); DAST-10 5 -> 4 (still at or above 3).
- P2: BAM Use 2 -> 1 (still using), Risk 12 -> 12 (still flagged), Protective 18 -> 18 (never
  flagged); AUDIT-C 2 -> 2 (never a positive screen).
Whole program: AUDIT-C 1 of 1 below 4; BAM Use 0 in 1 of 2; Risk below 12 in 1 of 2; Protective above
12 in 1 of 1; DAST-10 below 3 in 0 of 1."""

import datetime as dt

import pytest

from conftest import app, build, chart, measures_row, rows, scenario


def bam(use, risk, protective):
    """17 BAM items from the Use (items 4, 5, 6), Risk and Protective item values."""
    items = [0] * 17
    for number, value in zip((4, 5, 6), use):
        items[number - 1] = value
    for number, value in zip((1, 2, 3, 8, 11, 15), risk):
        items[number - 1] = value
    for number, value in zip((9, 10, 12, 13, 14, 16), protective):
        items[number - 1] = value
    return items


MEASURES = [
    measures_row("P1", "2025-01-06", "BAM", "", bam((2, 1, 0), (3, 2, 2, 2, 2, 2), (1, 2, 2, 2, 2, 1))),
    measures_row("P1", "2025-02-03", "BAM", "", bam((0, 0, 0), (1,) * 6, (3,) * 6)),
    measures_row("P1", "2025-01-06", "AUDIT-C", "", [3, 3, 2]),
    measures_row("P1", "2025-02-03", "AUDIT-C", "", [2, 1, 0]),
    measures_row("P1", "2025-01-06", "DAST-10", 5),
    measures_row("P1", "2025-02-03", "DAST-10", 4),
    measures_row("P2", "2025-01-06", "BAM", "", bam((1, 0, 1), (2,) * 6, (3,) * 6)),
    measures_row("P2", "2025-02-03", "BAM", "", bam((0, 0, 1), (2,) * 6, (3,) * 6)),
    measures_row("P2", "2025-01-06", "AUDIT-C", "", [1, 1, 0]),
    measures_row("P2", "2025-02-03", "AUDIT-C", "", [1, 1, 0]),
]


def _make_program(tmp_path, db):
    build(
        tmp_path,
        db,
        roster=["P1,2025-01-06,,,Substance Use,Chen,1990,", "P2,2025-01-06,,,Substance Use,Chen,1985,"],
        attendance=[
            "P1,2025-02-03,group,attended,180,Substance Use,Chen",
            "P2,2025-02-03,group,attended,180,Substance Use,Chen",
        ],
        measures=MEASURES,
    )


@pytest.fixture
def program(request, monkeypatch):
    db = scenario(request, _make_program)  # loaded once for the module, copied for each test
    monkeypatch.setenv("IOP_DB", str(db))
    return db


def test_threshold_outcomes_by_hand(program):
    assert rows(
        program,
        "SELECT participant_id, measure, intake_value, latest_value, flagged_at_intake, flagged_at_latest "
        "FROM threshold_outcomes ORDER BY 1, 2",
    ) == [
        ("P1", "AUDIT-C", 8, 3, True, False),
        ("P1", "BAM Protective", 10, 18, True, False),
        ("P1", "BAM Risk", 13, 6, True, False),
        ("P1", "BAM Use", 3, 0, True, False),
        ("P1", "DAST-10", 5, 4, True, True),
        ("P2", "AUDIT-C", 2, 2, False, False),
        ("P2", "BAM Protective", 18, 18, False, False),
        ("P2", "BAM Risk", 12, 12, True, True),
        ("P2", "BAM Use", 2, 1, True, True),
    ]


def test_the_cohort_page_shows_the_tracks_outcomes(program):
    at = app("director")
    at.query_params["by"] = "track"
    at.switch_page("pages/cohorts.py").run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "BAM Use 0 at latest" in d.value.columns).set_index("Cohort")
    assert table.loc["Whole program"].to_dict() == {
        "AUDIT-C < 4 at latest": "1 of 1 (100 %)",
        "BAM Protective > 12 at latest": "1 of 1 (100 %)",
        "BAM Risk < 12 at latest": "1 of 2 (50 %)",
        "BAM Use 0 at latest": "1 of 2 (50 %)",
        "DAST-10 < 3 at latest": "0 of 1 (0 %)",
    }


def test_the_quality_role_sees_no_count_from_one_to_ten(program):
    at = app("quality")
    at.switch_page("pages/cohorts.py").run()
    assert not at.exception, at.exception
    for d in at.dataframe:
        if any("at latest" in c for c in d.value.columns):
            assert set(d.value.drop(columns="Cohort").values.ravel()) <= {"—"}


def test_the_participant_page_draws_the_bam_by_subscale(program):
    at = app("director")
    at.query_params["participant"] = "P1"
    at.switch_page("pages/participant.py").run()
    assert not at.exception, at.exception
    figures = [chart(at, i) for i in range(len(at.get("plotly_chart")))]
    titles = [f["layout"]["title"]["text"] for f in figures]
    assert "BAM over the episode" not in titles  # no total to draw
    [bam_chart] = [f for f in figures if f["layout"]["title"]["text"] == "BAM subscales over the episode"]
    assert [a["text"] for a in bam_chart["layout"]["annotations"][:3]] == ["Use", "Risk", "Protective"]
    assert [t["y"] for t in bam_chart["data"]] == [[3, 0], [13, 6], [10, 18]]
    assert "AUDIT-C over the episode" in titles and "DAST-10 over the episode" in titles


def test_the_track_is_due_its_substance_measures_every_four_weeks(program):
    assert rows(
        program,
        "SELECT instrument, every_days, due_on FROM measures_due WHERE participant_id = 'P1' "
        "AND instrument IN ('AUDIT-C', 'DAST-10', 'BAM') ORDER BY 1",
    ) == [("AUDIT-C", 28, dt.date(2025, 3, 3)), ("BAM", 28, dt.date(2025, 3, 3)), ("DAST-10", 28, dt.date(2025, 3, 3))]
