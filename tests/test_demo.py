"""The demo program: seeded, realistic, and loaded through the real loader with its planted mess."""

import datetime as dt
import filecmp

from conftest import ROOT, etl_cli, load_files, rows
from etl.demo import write_demo


def test_shipped_demo_exports_are_what_the_generator_writes(tmp_path):
    result = etl_cli("demo", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("attendance.csv", "measures.csv", "roster.csv", "authorizations.csv", "diagnoses.csv"):
        assert filecmp.cmp(tmp_path / name, ROOT / "data" / "demo" / name, shallow=False), name


def test_demo_loads_with_exactly_the_planted_problems(tmp_path, db):
    paths = write_demo(tmp_path, participants=120, seed=3)
    results = load_files(db, *paths.values(), today=dt.date(2026, 11, 26))
    counts = {r.kind: r.counts for r in results}
    assert {k: (c["rejected"], c["duplicate"]) for k, c in counts.items()} == {
        "attendance": (2, 1),
        "measures": (1, 1),
        "roster": (0, 0),
        "authorizations": (1, 0),
        "diagnoses": (2, 0),
    }
    backwards = rows(db, "SELECT file_name, reason FROM rejects WHERE reason LIKE 'end_date%' ORDER BY 1")
    assert [f for f, _ in backwards] == ["authorizations.csv", "diagnoses.csv"]
    assert all(r.startswith("end_date ") and " is before start_date " in r for _, r in backwards)
    assert sorted(r for (r,) in rows(db, "SELECT reason FROM rejects WHERE reason NOT LIKE 'end_date%'")) == [
        "PHQ-9 total 31 is above the maximum 27",
        "icd10_code '296.32' is not an ICD-10 code (a letter, two characters, then up to four; e.g. F33.1)",
        "session_date '2025-02-30' is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)",
        "status 'came' is not one of attended, late, left_early, excused, no_show, cancelled",
    ]


def test_demo_is_clinically_plausible(tmp_path, db):
    load_files(db, *write_demo(tmp_path, participants=300, seed=42).values(), today=dt.date(2026, 11, 26))
    # every session and score belongs to a roster episode: in treatment, or as a follow-up after discharge
    assert rows(db, "SELECT count(*) FROM sessions WHERE episode_id IS NULL") == [(0,)]
    assert rows(
        db,
        "SELECT count(*) FROM assessments WHERE episode_id IS NULL AND assessment_id NOT IN "
        "(SELECT assessment_id FROM follow_up_scores)",
    ) == [(0,)]
    [(followed, due)] = rows(
        db,
        "SELECT count(*) FILTER (followed_up AND follow_up_due), count(*) FILTER (follow_up_due) "
        "FROM follow_up_outcomes WHERE instrument = 'PHQ-9'",
    )
    assert 0.5 < followed / due < 0.9  # 55 % of completers and 25 % of dropouts answer at 30 or 90 days
    # the substance-use tracks take AUDIT-C, DAST-10 and the BAM; no other track does
    assert rows(
        db,
        "SELECT DISTINCT e.program FROM assessments a JOIN episodes e USING (episode_id) "
        "WHERE a.instrument IN ('AUDIT-C', 'DAST-10', 'BAM') ORDER BY 1",
    ) == [("Dual Diagnosis",), ("Substance Use",)]
    [(using, stopped)] = rows(
        db,
        "SELECT count(*), count(*) FILTER (NOT flagged_at_latest) FROM threshold_outcomes "
        "WHERE measure = 'BAM Use' AND flagged_at_intake AND has_pair",
    )
    assert 0.3 < stopped / using < 0.8  # no use in the past 30 days at the latest BAM
    # items always add up to the totals they come with
    assert rows(db, "SELECT count(*) FROM assessments WHERE total_mismatch") == [(0,)]
    # group about 3 h, individual 50 min, family 60 min when fully attended
    assert rows(db, "SELECT session_type, max(minutes) FROM sessions GROUP BY 1 ORDER BY 1") == [
        ("family", 60.0),
        ("group", 180.0),
        ("individual", 50.0),
        ("medication", 20.0),
    ]
    [(share_attended,)] = rows(db, "SELECT avg((status IN ('attended', 'late', 'left_early'))::INT) FROM sessions")
    assert 0.8 < share_attended < 0.9
    # PCL-5 only on the trauma-focused tracks; PHQ-9 item 9 endorsed now and then
    assert {
        t
        for (t,) in rows(
            db,
            "SELECT DISTINCT e.program FROM assessments a JOIN episodes e USING (episode_id) "
            "WHERE instrument = 'PCL-5'",
        )
    } <= {"Trauma", "Dual Diagnosis"}
    [(item9,)] = rows(
        db,
        "SELECT avg((value > 0)::INT) FROM assessment_items i JOIN assessments a USING (assessment_id) "
        "WHERE instrument = 'PHQ-9' AND item_number = 9",
    )
    assert 0.01 < item9 < 0.10
    assert rows(db, "SELECT count(DISTINCT program) FROM episodes") == [(4,)]
    assert rows(db, "SELECT age_group, count(*) > 30 FROM participants GROUP BY 1 ORDER BY 1") == [
        ("adolescent", True),
        ("adult", True),
    ]


def test_demo_trajectories_fall_in_the_published_ranges_they_were_built_from(demo_db):
    """docs/clinical.md, "The demo program's trajectories": each figure is computed from the loaded
    data and compared with the published range, not with a number fixed from one run."""
    # Early improvement (>= 20 % lower PHQ-9 two weeks in: treatment week 3, days 14-20) among
    # clinical intakes followed for at least 6 weeks, and whether they responded (>= 50 % lower).
    [(n, early_share, responders_early)] = rows(
        demo_db,
        """
        WITH followed AS (
            SELECT o.episode_id, o.baseline_score, o.response, arg_max(a.total_score, a.assessed_on) AS week3
            FROM participant_outcomes o JOIN assessments a USING (episode_id, instrument)
            WHERE o.instrument = 'PHQ-9' AND o.baseline_is_case AND a.total_valid AND a.treatment_week = 3
              AND o.latest_date >= o.baseline_date + 42
            GROUP BY ALL)
        SELECT count(*), avg((week3 <= 0.8 * baseline_score)::INT),
               avg((week3 <= 0.8 * baseline_score)::INT) FILTER (WHERE response)
        FROM followed""",
    )
    assert n >= 50
    assert 0.35 <= early_share <= 0.85  # early improvers: 35-85 % across trials (J Psychiatr Res 2017;94:96)
    assert responders_early > 0.5  # most responders improved early (Szegedi et al. 2009)
    # Reliable deterioration: 5-10 % of adults (clinical-rules.md section 3 [24]), give or take two
    # standard errors of a share over this many judged episodes.
    [(judged, deteriorated)] = rows(
        demo_db,
        """
        SELECT count(*), avg(reliable_deterioration::INT) FROM participant_outcomes
        WHERE instrument = 'PHQ-9' AND jt_category NOT IN ('insufficient_data', 'not_a_case')""",
    )
    assert 0.05 - 2 * (0.05 * 0.95 / judged) ** 0.5 <= deteriorated <= 0.10 + 2 * (0.10 * 0.90 / judged) ** 0.5


# the codes each roster diagnosis group may carry (etl/demo/parameters.py), by prefix
GROUP_CODES = {
    "Depressive disorders": ("F32.", "F33.", "F34.1", "F31.", "F60.3", "F29"),
    "Anxiety disorders": ("F41.1", "F32.1"),
    "Trauma- and stressor-related disorders": ("F43.1",),
    "Substance use disorders": ("F10.20", "F11.20", "F12.20"),
    "Co-occurring disorders": ("F10.20", "F11.20", "F12.20", "F33.1", "F41.1"),
}


def test_demo_diagnoses_and_dates_of_birth_agree_with_the_roster(demo_db):
    assert rows(
        demo_db,
        "SELECT rows_read, rows_loaded, rows_updated, rows_rejected, rows_duplicate FROM loads WHERE kind = 'diagnoses'",
    ) == [(358, 356, 0, 2, 0)]
    # a date of birth in the birth year, one per person, and the age group the birth year gave
    assert rows(
        demo_db,
        """SELECT count(*) FILTER (birth_date IS NULL OR year(birth_date) <> birth_year),
                  count(DISTINCT participant_id) - count(DISTINCT (participant_id, birth_date)),
                  count(*) FILTER ((year(admit_date) - birth_year < 18) <> (age_group = 'adolescent'))
           FROM roster_admissions""",
    ) == [(0, 0, 0)]
    # every code fits a roster diagnosis group of its person
    held = rows(
        demo_db,
        "SELECT d.icd10_code, list(DISTINCT r.diagnosis_group) FROM diagnoses d "
        "JOIN roster_admissions r USING (participant_id) GROUP BY d.participant_id, d.icd10_code",
    )
    assert len(held) == rows(demo_db, "SELECT count(DISTINCT (participant_id, icd10_code)) FROM diagnoses")[0][0]
    assert not [(c, g) for c, g in held if not any(c.startswith(GROUP_CODES[x]) for x in g)]
    # the excluding diagnoses: each on a few depressive episodes, noted before the admission
    excluded = rows(
        demo_db,
        """SELECT substr(d.icd10_code, 1, 3), count(*), bool_and(d.start_date < r.admit_date)
           FROM diagnoses d JOIN roster_admissions r USING (participant_id)
           WHERE d.icd10_code SIMILAR TO 'F(31|60|29).*' AND r.diagnosis_group = 'Depressive disorders'
           GROUP BY 1 ORDER BY 1""",
    )
    assert [(code, n >= 1, before) for code, n, before in excluded] == [
        ("F29", True, True),
        ("F31", True, True),
        ("F60", True, True),
    ]
