"""Follow-up after discharge, worked by hand: scores up to outcomes.follow_up_days (120) after an
episode's discharge that no episode holds are its follow-ups; never its latest in-treatment score,
never an episode of their own; shown on the participant page after the discharge line and in the
cohort outcomes as 'improvement sustained at follow-up' beside 'followed up of discharged'.

Every episode but P4's second and P5's is admitted Mon 6 Jan 2025 and discharged (completed) Fri
14 Feb 2025, with PHQ-9 at both ends (reliable change 6). The data date is 20 Jun 2025 (P1's last
score), so a 14 Feb discharge's window (to 14 Jun) has closed.
- P1: 18 -> 10 (improved 8); follow-ups 11 on 16 Mar (30 days) and 13 on 15 May (90 days): the latest,
  5 below intake, is no longer a reliable improvement. 20 Jun (126 days) is outside the window.
- P2: 20 -> 12 (improved 8); follow-up 11 on 15 Apr (60 days): 9 below intake, sustained.
- P3: 16 -> 9 (improved 7); no follow-up: in the denominator, not followed up.
- P4: 15 -> 14; readmitted 10 Mar; its 5 Mar score is the new episode's baseline, not a follow-up.
- P5: discharged 1 Jun: its window is still open and it has no follow-up: not yet counted.
PHQ-9, whole program: followed up 2 of 4 discharged (P1, P2 of P1-P4), sustained 1 of 2 (P2)."""

import datetime as dt

import pytest

from conftest import app, build, chart, measures_row, rows, scenario

ROSTER = [f"P{i},2025-01-06,2025-02-14,completed,Trauma,Chen,1990,yes" for i in range(1, 5)] + [
    "P4,2025-03-10,,,Trauma,Chen,1990,",
    "P5,2025-03-03,2025-06-01,completed,Trauma,Chen,1990,yes",
]
SCORES = {
    "P1": [("2025-01-06", 18), ("2025-02-14", 10), ("2025-03-16", 11), ("2025-05-15", 13), ("2025-06-20", 12)],
    "P2": [("2025-01-06", 20), ("2025-02-14", 12), ("2025-04-15", 11)],
    "P3": [("2025-01-06", 16), ("2025-02-14", 9)],
    "P4": [("2025-01-06", 15), ("2025-02-14", 14), ("2025-03-05", 17)],
    "P5": [("2025-03-03", 17), ("2025-06-01", 8)],
}


def _make_program(tmp_path, db):
    measures = [measures_row(pid, day, "PHQ-9", score) for pid, scores in SCORES.items() for day, score in scores]
    build(tmp_path, db, roster=ROSTER, measures=measures)


@pytest.fixture
def program(request, monkeypatch):
    db = scenario(request, _make_program)  # loaded once for the module, copied for each test
    monkeypatch.setenv("IOP_DB", str(db))
    return db


def test_follow_ups_belong_to_the_discharged_episode_within_the_window(program):
    assert rows(
        program, "SELECT episode_id, assessed_on, total_score, days_after_discharge FROM follow_up_scores ORDER BY 1, 2"
    ) == [
        ("P1#20250106", dt.date(2025, 3, 16), 11, 30),
        ("P1#20250106", dt.date(2025, 5, 15), 13, 90),
        ("P2#20250106", dt.date(2025, 4, 15), 11, 60),
    ]
    # the readmission's pre-admission score is its baseline; the score 126 days out is nobody's
    assert rows(
        program,
        "SELECT participant_id, assessed_on, episode_id FROM assessments "
        "WHERE assessed_on IN ('2025-03-05', '2025-06-20') ORDER BY 1",
    ) == [("P1", dt.date(2025, 6, 20), None), ("P4", dt.date(2025, 3, 5), "P4#20250310")]


def test_a_follow_up_is_never_the_latest_score_nor_an_episode(program):
    assert rows(
        program, "SELECT latest_date, latest_score FROM participant_outcomes WHERE episode_id = 'P1#20250106'"
    ) == [(dt.date(2025, 2, 14), 10)]
    assert rows(program, "SELECT count(*) FROM episodes") == [(6,)]


def test_sustained_improvement_by_hand(program):
    assert rows(
        program,
        "SELECT episode_id, improved_at_discharge, follow_up_score, follow_up_due, followed_up, sustained "
        "FROM follow_up_outcomes ORDER BY 1",
    ) == [
        ("P1#20250106", True, 13, True, True, False),
        ("P2#20250106", True, 11, True, True, True),
        ("P3#20250106", True, None, True, False, False),
        ("P4#20250106", False, None, True, False, False),
        ("P5#20250303", True, None, False, False, False),
    ]


def test_cohort_outcomes_show_sustained_beside_followed_up(program):
    at = app("director")
    at.switch_page("pages/cohorts.py").run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Followed up (of discharged)" in d.value.columns).set_index("Cohort")
    assert table.loc["Whole program"].tolist() == ["2 of 4 (50 %)", "1 of 2 (50 %)"]


def test_the_participant_page_shows_follow_ups_after_the_discharge_line(program):
    at = app("director")
    at.query_params["participant"] = "P1"
    at.switch_page("pages/participant.py").run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "After discharge" in d.value.columns)
    assert table["After discharge"].tolist() == [
        "13 on 15 May 2025 (90 days after discharge): improvement not sustained"
    ]
    fig = chart(at, 0)
    [follow] = [t for t in fig["data"] if t.get("name") == "after discharge (follow-up)"]
    assert follow["y"] == [11, 13]
    [line] = [t for t in fig["data"] if t.get("name") == "PHQ-9"]
    assert line["y"] == [18, 10]  # the in-treatment line ends at discharge
    assert [a["text"] for a in fig["layout"]["annotations"] if "discharged" in a["text"]] == ["discharged 14 Feb"]


def test_settings_refuse_a_window_of_no_days():
    from clinical import settings

    values = settings.load_settings()
    with pytest.raises(ValueError, match="outcomes.follow_up_days"):
        settings._check({**values, "outcomes": {**values["outcomes"], "follow_up_days": 0}})
