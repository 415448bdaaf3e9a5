"""The demo program: seeded, realistic, and loaded through the real loader with its planted mess."""
import datetime as dt
import filecmp

from conftest import ROOT, etl_cli, load_files, rows

from etl.demo import write_demo


def test_shipped_demo_exports_are_what_the_generator_writes(tmp_path):
    result = etl_cli("demo", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("attendance.csv", "measures.csv", "roster.csv"):
        assert filecmp.cmp(tmp_path / name, ROOT / "data" / "demo" / name, shallow=False), name


def test_demo_loads_with_exactly_the_planted_problems(tmp_path, db):
    paths = write_demo(tmp_path, participants=120, seed=3)
    results = load_files(db, *paths.values(), today=dt.date(2026, 11, 26))
    counts = {r.kind: r.counts for r in results}
    assert {k: (c["rejected"], c["duplicate"]) for k, c in counts.items()} == {
        "attendance": (2, 1), "measures": (1, 1), "roster": (0, 0)}
    assert sorted(r for (r,) in rows(db, "SELECT reason FROM rejects")) == [
        "PHQ-9 total 31 is above the maximum 27",
        "session_date '2025-02-30' is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)",
        "status 'came' is not one of attended, late, left_early, excused, no_show, cancelled",
    ]


def test_demo_is_clinically_plausible(tmp_path, db):
    load_files(db, *write_demo(tmp_path, participants=300, seed=42).values(), today=dt.date(2026, 11, 26))
    # every session and score belongs to a roster episode
    assert rows(db, "SELECT count(*) FROM sessions WHERE episode_id IS NULL") == [(0,)]
    assert rows(db, "SELECT count(*) FROM assessments WHERE episode_id IS NULL") == [(0,)]
    # items always add up to the totals they come with
    assert rows(db, "SELECT count(*) FROM assessments WHERE total_mismatch") == [(0,)]
    # group about 3 h, individual 50 min, family 60 min when fully attended
    assert rows(db, "SELECT session_type, max(minutes) FROM sessions GROUP BY 1 ORDER BY 1") == [
        ("family", 60.0), ("group", 180.0), ("individual", 50.0), ("medication", 20.0)]
    [(share_attended,)] = rows(db, "SELECT avg((status IN ('attended', 'late', 'left_early'))::INT) FROM sessions")
    assert 0.8 < share_attended < 0.9
    # PCL-5 only on the trauma-focused tracks; PHQ-9 item 9 endorsed now and then
    assert {t for (t,) in rows(db, "SELECT DISTINCT e.program FROM assessments a JOIN episodes e USING (episode_id) "
                                   "WHERE instrument = 'PCL-5'")} <= {"Trauma", "Dual Diagnosis"}
    [(item9,)] = rows(db, "SELECT avg((value > 0)::INT) FROM assessment_items i JOIN assessments a USING (assessment_id) "
                          "WHERE instrument = 'PHQ-9' AND item_number = 9")
    assert 0.01 < item9 < 0.10
    assert rows(db, "SELECT count(DISTINCT program) FROM episodes") == [(4,)]
    assert rows(db, "SELECT age_group, count(*) > 30 FROM participants GROUP BY 1 ORDER BY 1") == [
        ("adolescent", True), ("adult", True)]
