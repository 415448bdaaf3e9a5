"""Scoring from items: reversed items, subscales, prorating, instruments without a total, and an
instrument a program adds in its own catalogue file."""

import datetime as dt

from conftest import build, etl_cli, measures_row, rows, write

ROSTER = ["P1,2025-01-06,,,Substance Use,Chen,1990,"]


def score(tmp_path, db, instrument, items, total=""):
    results = build(
        tmp_path,
        db,
        roster=ROSTER,
        measures=[measures_row("P1", "2025-01-06", instrument, total, items)],
        as_of=dt.date(2025, 1, 10),
    )
    return results


def test_dast10_item_3_is_reversed(tmp_path, db):
    # all "no" (0): item 3 "always able to stop" answered no scores 1
    score(tmp_path, db, "DAST-10", [0] * 10)
    assert rows(db, "SELECT total_score, total_source FROM assessments") == [(1, "items")]
    assert rows(db, "SELECT value FROM assessment_items WHERE item_number = 3") == [(0,)]  # kept as answered


def test_dast10_all_yes_scores_9(tmp_path, db):
    score(tmp_path, db, "DAST-10", [1] * 10)
    assert rows(db, "SELECT total_score FROM assessments") == [(9,)]


def test_dast10_item_above_one_is_rejected(tmp_path, db):
    results = score(tmp_path, db, "DAST-10", [0, 2] + [0] * 8)
    assert [r.counts["rejected"] for r in results] == [0, 1]  # roster, measures
    assert rows(db, "SELECT reason FROM rejects") == [("DAST-10 item 2 value 2 is above the maximum 1",)]


def test_bam_subscales_and_no_total(tmp_path, db):
    items = [1, 2, 0, 1, 2, 3, 0, 4, 3, 2, 1, 4, 1, 0, 2, 3, 2]
    score(tmp_path, db, "BAM", items)
    assert rows(db, "SELECT total_score, total_valid, total_source FROM assessments") == [
        (None, False, "none (subscales)")
    ]
    # Use = 4+5+6 = 1+2+3; Risk = 1,2,3,8,11,15 = 1+2+0+4+1+2; Protective = 9,10,12,13,14,16 = 3+2+4+1+0+3
    assert rows(db, "SELECT subscale, score FROM assessment_subscales ORDER BY subscale") == [
        ("Protective", 13),
        ("Risk", 10),
        ("Use", 6),
    ]
    assert rows(db, "SELECT count(*) FROM participant_outcomes WHERE instrument = 'BAM'") == [(0,)]


def test_bam_total_is_refused(tmp_path, db):
    score(tmp_path, db, "BAM", [0] * 17, total=12)
    assert rows(db, "SELECT reason FROM rejects") == [
        ("BAM has no total score (it is scored by subscales); leave total empty",)
    ]


def test_core10_prorates_one_missing_item_and_reverses_items_2_and_3(tmp_path, db):
    # answered: 2, 1 (reversed -> 3), 1 (reversed -> 3), 2, 2, 0, 2, 2, 2 = 18 over 9 items -> 18 * 10 / 9 = 20
    score(tmp_path, db, "CORE-10", [2, 1, 1, 2, 2, 0, 2, 2, 2])
    assert rows(db, "SELECT total_score, items_answered, total_valid, total_source FROM assessments") == [
        (20, 9, True, "items, prorated")
    ]


def test_core10_two_missing_items_is_not_scorable(tmp_path, db):
    score(tmp_path, db, "CORE-10", [2, 1, 1, 2, 2, 0, 2, 2])
    assert rows(db, "SELECT total_score, total_valid, total_source FROM assessments") == [
        (None, False, "not scorable: items missing")
    ]


def test_phq9_missing_item_gives_no_total(tmp_path, db):
    score(tmp_path, db, "PHQ-9", [3, 3, 3, 3, 3, 3, 3, 3])
    assert rows(db, "SELECT total_score, total_valid FROM assessments") == [(None, False)]


def test_hamd17_items_have_their_own_ranges(tmp_path, db):
    score(tmp_path, db, "HAMD", [2, 2, 2, 3] + [0] * 13)
    assert rows(db, "SELECT reason FROM rejects") == [("HAM-D-17 item 4 value 3 is above the maximum 2",)]


BDI = """
[instruments.BDI-II]
name = "Beck Depression Inventory-II"
aliases = ["BDI", "BDI 2", "Beck Depression Inventory"]
items = 21
item_min = 0
item_max = 3
total_min = 0
total_max = 63
clinical_cutoff = 14
reliable_change = 8
bands = [{ from = 0, label = "minimal" }, { from = 14, label = "mild" }, { from = 20, label = "moderate" }, { from = 29, label = "severe" }]
severe_from = 29
sources = "test entry"
"""


def test_program_adds_an_instrument_in_its_own_catalogue(tmp_path, db):
    catalogue = write(tmp_path, "our-instruments.toml", BDI)
    roster = write(tmp_path, "roster.csv", "participant_id,admit_date\nP1,2025-01-06\n")
    measures = write(
        tmp_path,
        "measures.csv",
        "participant_id,assessment_date,instrument,total\n"
        "P1,2025-01-06,BDI,30\nP1,2025-02-03,Beck Depression Inventory,12\n"
        "P1,2025-02-10,BDI-II,64\n",
    )
    result = etl_cli("load", roster, measures, "--db", db, "--instruments", catalogue, "--today", "2025-03-01")
    assert result.returncode == 0, result.stderr
    assert "rejected 1 × BDI-II total 64 is above the maximum 63" in result.stdout
    assert rows(
        db,
        "SELECT baseline_score, latest_score, change, jt_category, baseline_band, latest_band "
        "FROM participant_outcomes",
    ) == [(30, 12, -18, "recovered", "severe", "minimal")]


def test_unknown_instrument_without_the_programs_catalogue(tmp_path, db):
    [result] = build(tmp_path, db, measures=[measures_row("P1", "2025-01-06", "BDI", 30)])
    assert result.counts["rejected"] == 1
