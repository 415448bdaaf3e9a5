"""participant_outcomes: baseline, latest, Jacobson & Truax categories, response and remission,
with hand-computed expectations at and either side of each threshold (PHQ-9: cutoff 10,
reliable change 6, response = 50 % drop, remission < 5)."""

import datetime as dt

import pytest

from clinical.formulas import cutoff_a, cutoff_b, cutoff_c, reliable_change_index, reliable_change_points
from conftest import build, measures_row, rows

ADMIT = "2025-01-06"


def outcome(tmp_path, db, scores, instrument="PHQ-9"):
    """scores: [(day after admission, total)] for one participant; returns their outcome row."""
    roster = ["P1,2025-01-06,,,Trauma,Chen,1990,"]
    measures = [
        measures_row("P1", str(dt.date(2025, 1, 6) + dt.timedelta(days=d)), instrument, total) for d, total in scores
    ]
    build(tmp_path, db, roster=roster, measures=measures, as_of=dt.date(2025, 4, 1))
    [row] = rows(
        db,
        """SELECT baseline_score, latest_score, n_scores, change, reliable_change_points, jt_category,
                               response, remission FROM participant_outcomes WHERE instrument = ?""",
        [instrument],
    )
    return row


JT = [
    # baseline, latest, category (PHQ-9: cutoff 10, reliable change 6)
    (16, 10, "improved"),  # down exactly 6: reliable; 10 is still at the cutoff
    (16, 11, "unchanged"),  # down 5: not reliable
    (16, 9, "recovered"),  # down 7, below the cutoff
    (15, 9, "recovered"),  # down exactly 6 and crossed below 10
    (15, 10, "unchanged"),  # down 5
    (14, 20, "deteriorated"),  # up exactly 6
    (14, 19, "unchanged"),  # up 5
    (10, 4, "recovered"),  # at the cutoff at baseline: a case
    (9, 3, "not_a_case"),  # one below the cutoff at baseline
    (11, 5, "recovered"),
]


@pytest.mark.parametrize("baseline,latest,category", JT, ids=[f"{b}->{later}" for b, later, _ in JT])
def test_jacobson_truax_categories(tmp_path, db, baseline, latest, category):
    got = outcome(tmp_path, db, [(0, baseline), (28, latest)])
    assert got[:6] == (baseline, latest, 2, latest - baseline, 6.0, category)


def test_gad7_uses_its_own_numbers(tmp_path, db):
    # GAD-7: cutoff 8, reliable change 4
    assert outcome(tmp_path, db, [(0, 12), (28, 8)], "GAD-7")[5] == "improved"


def test_gad7_recovery_below_its_cutoff(tmp_path, db):
    assert outcome(tmp_path, db, [(0, 12), (28, 7)], "GAD-7")[5] == "recovered"


def test_one_score_is_insufficient(tmp_path, db):
    assert outcome(tmp_path, db, [(0, 18)])[2:6] == (1, None, 6.0, "insufficient_data")


def test_baseline_window_is_14_days_before_to_7_after_admission(tmp_path, db):
    assert outcome(tmp_path, db, [(-14, 20), (28, 10)])[:2] == (20, 10)
    assert outcome(tmp_path, db, [(7, 20), (28, 10)])[:2] == (20, 10)


def test_no_score_in_the_baseline_window_is_insufficient(tmp_path, db):
    assert outcome(tmp_path, db, [(8, 20), (28, 10)])[0] is None
    assert outcome(tmp_path, db, [(8, 20), (28, 10)])[5] == "insufficient_data"


def test_latest_is_the_last_valid_score_and_invalid_totals_do_not_count(tmp_path, db):
    roster = ["P1,2025-01-06,,,Trauma,Chen,1990,"]
    measures = [
        measures_row("P1", "2025-01-06", "PHQ-9", 18),
        measures_row("P1", "2025-01-20", "PHQ-9", 14),
        measures_row("P1", "2025-02-03", "PHQ-9", "", [1, 1, 1, 1, 1, 1, 1, 1]),
    ]  # item 9 missing: no total
    build(tmp_path, db, roster=roster, measures=measures, as_of=dt.date(2025, 3, 1))
    assert rows(db, "SELECT latest_date, latest_score, n_scores FROM participant_outcomes") == [
        (dt.date(2025, 1, 20), 14, 2)
    ]


RESPONSE = [
    # baseline, latest, response (>= 50 % drop), remission (< 5)
    (20, 10, True, False),
    (20, 11, False, False),
    (12, 4, True, True),
    (12, 5, True, False),
    (9, 2, None, None),  # not a case at baseline: not applicable
]


@pytest.mark.parametrize(
    "baseline,latest,response,remission", RESPONSE, ids=[f"{b}->{later}" for b, later, *_ in RESPONSE]
)
def test_phq9_response_and_remission(tmp_path, db, baseline, latest, response, remission):
    assert outcome(tmp_path, db, [(0, baseline), (42, latest)])[6:] == (response, remission)


def test_screening_instruments_have_no_category(tmp_path, db):
    assert outcome(tmp_path, db, [(0, 6), (28, 2)], "AUDIT-C")[4:6] == (None, None)


def test_cutoff_formula_worked_example():
    # clinical-rules.md: clinical 35.48 (SD 8.16), functional 8 (SD 8) -> c = 21.6
    assert round(cutoff_c(35.48, 8.16, 8, 8), 1) == 21.6
    assert round(cutoff_a(35.48, 8.16), 2) == 19.16
    assert cutoff_b(8, 8) == 24


def test_reliable_change_from_sd_and_r():
    # clinical-rules.md section 2: GAD-7 SD 4.7 with alpha .92 -> 3.7; PHQ-9 SD 6.17 with alpha .89 -> 5.7
    assert round(reliable_change_points(4.7, 0.92), 1) == 3.7
    assert round(reliable_change_points(6.17, 0.89), 1) == 5.7
    assert (
        round(reliable_change_index(20, 14, 6.17, 0.89), 2) == -2.07
    )  # S_diff = 6.17 * sqrt(0.22) = 2.894; -6 / 2.894
