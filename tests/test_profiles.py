"""Vendor layouts through mapping profiles: wide (a column per date), items named by question
text, Synthea observations (LOINC-coded totals), the canonical layout, and the suggestion."""

import datetime as dt

from conftest import ROOT, etl_cli, load_files, rows, write

TODAY = dt.date(2026, 1, 31)


def test_wide_layout_one_column_per_assessment_date(tmp_path, db):
    f = write(
        tmp_path,
        "assessments.csv",
        "Client ID,Measure,1/6/2025,1/13/2025,1/20/2025\nP1,PHQ-9,18,15,\nP1,GAD-7,12,,9\nP2,PHQ9,31,20,16\n",
    )
    [result] = load_files(db, f, profile="wide-assessments")
    # 7 filled cells are 7 records; P2's 31 is out of range
    assert result.counts == {"read": 7, "loaded": 6, "updated": 0, "rejected": 1, "duplicate": 0}
    assert rows(
        db,
        "SELECT participant_id, instrument, CAST(assessed_on AS VARCHAR), total_score FROM assessments "
        "ORDER BY 1, 2, 3",
    ) == [
        ("P1", "GAD-7", "2025-01-06", 12),
        ("P1", "GAD-7", "2025-01-20", 9),
        ("P1", "PHQ-9", "2025-01-06", 18),
        ("P1", "PHQ-9", "2025-01-13", 15),
        ("P2", "PHQ-9", "2025-01-13", 20),
        ("P2", "PHQ-9", "2025-01-20", 16),
    ]
    assert rows(db, "SELECT row_number, reason FROM rejects") == [(4, "PHQ-9 total 31 is above the maximum 27")]
    assert rows(db, "SELECT count(*) FROM raw_rows") == [(3,)]  # the three rows as the file had them


def test_items_named_by_question_text(tmp_path, db):
    questions = [
        "Little interest or pleasure in doing things?",
        "Feeling down, depressed, or hopeless?",
        "Trouble falling or staying asleep, or sleeping too much?",
        "Feeling tired or having little energy?",
        "Poor appetite or overeating?",
        "Feeling bad about yourself - or that you are a failure?",
        "Trouble concentrating on things, such as reading the newspaper?",
        "Moving or speaking so slowly that other people could have noticed?",
        "Thoughts that you would be better off dead, or of hurting yourself?",
    ]
    header = "Patient,Completed," + ",".join(f'"{q}"' for q in questions) + ",Total\n"
    f = write(tmp_path, "survey.csv", header + "P1,2025-02-03,2,2,1,1,0,1,1,0,1,9\n")
    [result] = load_files(db, f, profile="question-text")
    assert result.counts["loaded"] == 1
    assert rows(db, "SELECT instrument, total_score, items_answered, total_mismatch FROM assessments") == [
        ("PHQ-9", 9, 9, False)
    ]
    assert rows(db, "SELECT value FROM assessment_items WHERE item_number = 9") == [(1,)]


def test_synthea_observations_load_their_instrument_totals(db):
    f = ROOT / "tests" / "fixtures" / "synthea" / "observations.csv"
    [result] = load_files(db, f, profile="synthea-observations", today=dt.date(2026, 11, 26))
    assert result.counts["read"] == 3626 and result.counts["loaded"] == 95
    assert rows(db, "SELECT instrument, count(*) FROM assessments GROUP BY 1 ORDER BY 1") == [
        ("AUDIT-C", 30),
        ("DAST-10", 18),
        ("GAD-7", 43),
        ("PHQ-9", 4),
    ]  # as grep counts the codes in the file
    # other LOINC codes are reported, not guessed
    assert rows(
        db,
        "SELECT count(*) FROM rejects WHERE reason LIKE 'instrument ''LOINC 55758-7 (Patient Health "
        "Questionnaire 2 item%is not in the instrument catalogue%'",
    ) == [(51,)]


def test_canonical_profile_is_the_plain_layout(tmp_path, db):
    f = write(tmp_path, "m.csv", "participant_id,assessment_date,instrument,total,item_1\nP1,2025-01-06,GAD-7,8,\n")
    [result] = load_files(db, f, profile="canonical")
    assert result.counts["loaded"] == 1


def test_the_loader_suggests_a_profile(tmp_path):
    f = write(tmp_path, "assessments.csv", "Client ID,Measure,1/6/2025\nP1,PHQ-9,18\n")
    result = etl_cli("load", f, "--db", tmp_path / "x.duckdb")
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        "— it looks like the 'wide-assessments' layout: load it with --profile wide-assessments"
    )


def test_unknown_profile(tmp_path):
    result = etl_cli("load", tmp_path, "--db", tmp_path / "x.duckdb", "--profile", "nope")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: no profile 'nope' (shipped: canonical, question-text, synthea-observations, "
    )
