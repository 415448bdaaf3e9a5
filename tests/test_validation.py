"""The below-expected validation on real trial data, through the real loader."""
import duckdb

from dashboard.clinical.validation import evaluate, rbmi_exports, riesby_exports
from etl.load import load


def _load(paths, db):
    results = load([str(p) for p in paths], db, progress=False)
    assert all(r.status == "loaded" and r.counts["rejected"] == 0 for r in results)


def test_riesby_loads_every_score_as_ham_d(tmp_path):
    db = tmp_path / "riesby.duckdb"
    _load(riesby_exports(tmp_path / "exports"), db)
    with duckdb.connect(str(db), read_only=True) as con:
        # 66 patients; 61 + 63 + 65 + 65 + 63 + 58 non-missing scores in weeks 0-5
        assert con.execute("SELECT count(DISTINCT participant_id), count(*) FROM assessments").fetchone() == (66, 375)
        assert con.execute("SELECT reliable_change FROM instrument_catalogue WHERE instrument = 'HAM-D-17'").fetchone() == (6.0,)
        assert con.execute("SELECT count(*) FROM episodes WHERE discharge_date IS NULL").fetchone() == (0,)


def test_riesby_figures_by_treatment_week(tmp_path):
    db = tmp_path / "riesby.duckdb"
    _load(riesby_exports(tmp_path / "exports"), db)
    # treatment week 4 holds days 21-27: the trial's week-3 visit (day 21)
    [row] = evaluate(db, week=4).to_dict("records")
    assert row["instrument"] == "HAM-D-17"
    assert (row["episodes"], row["without_reliable_improvement"], row["flagged"]) == (65, 16, 14)
    assert (row["sensitivity"], row["flag_rate"]) == (0.438, 0.215)
    # treatment week 5 holds the day-28 visit: the figures judged before the one week formula as "week 4"
    [row] = evaluate(db, week=5).to_dict("records")
    assert (row["episodes"], row["without_reliable_improvement"], row["flagged"]) == (55, 12, 10)
    assert (row["sensitivity"], row["flag_rate"]) == (0.333, 0.182)


def test_rbmi_baseline_and_visits(tmp_path):
    db = tmp_path / "rbmi.duckdb"
    _load(rbmi_exports(tmp_path / "exports"), db)
    with duckdb.connect(str(db), read_only=True) as con:
        # 172 baselines + 608 visits
        assert con.execute("SELECT count(DISTINCT participant_id), count(*) FROM assessments").fetchone() == (172, 780)
