"""The marts the cohort page reads, against hand-worked rows: each episode's last valid score per
instrument and treatment week (the DMS-E periods are tested with the quality measures)."""

import datetime as dt

import pandas as pd

from conftest import build, measures_row, rows


def test_last_valid_score_of_each_treatment_week(tmp_path, db):
    # admitted Mon 5 Jan 2026: week 1 = 5-11 Jan, week 2 = 12-18 Jan; week 13 is past max_week (12)
    build(
        tmp_path,
        db,
        roster=["P1,2026-01-05,,,Trauma,Chen,1980,"],
        measures=[
            measures_row("P1", "2026-01-05", "PHQ-9", 20),
            measures_row("P1", "2026-01-09", "PHQ-9", 18),
            measures_row("P1", "2026-01-12", "PHQ-9", 15),
            measures_row("P1", "2026-01-12", "GAD-7", 12),
            measures_row("P1", "2026-01-14", "PHQ-9", items=[1, 1, 1, 1, 1, 1, 1, 1]),  # an item missing: not valid
            measures_row("P1", "2026-04-01", "PHQ-9", 9),
        ],
        today=dt.date(2026, 4, 30),
    )
    assert rows(db, "SELECT instrument, week, score FROM episode_week_scores ORDER BY 1, 2") == [
        ("GAD-7", 2, 12),
        ("PHQ-9", 1, 18),
        ("PHQ-9", 2, 15),
    ]


def test_weekly_means_by_cohort_and_for_the_whole_selection(tmp_path, db, monkeypatch):
    from dashboard.views import cohorts
    from dashboard.views.filters import Filters

    build(
        tmp_path,
        db,
        roster=[
            "P1,2026-01-05,,,Trauma,Chen,1980,",
            "P2,2026-01-05,,,Trauma,Chen,1980,",
            "P3,2026-01-05,,,Depression,Chen,1980,",
        ],
        measures=[
            measures_row("P1", "2026-01-05", "PHQ-9", 18),
            measures_row("P2", "2026-01-06", "PHQ-9", 12),
            measures_row("P3", "2026-01-07", "PHQ-9", 10),
            measures_row("P1", "2026-01-12", "PHQ-9", 14),
        ],
        today=dt.date(2026, 4, 30),
    )
    monkeypatch.setenv("IOP_DB", str(db))
    weekly = cohorts.cohort_outcomes(
        Filters(dt.date(2026, 1, 1), dt.date(2026, 4, 30), dimension="track"), "PHQ-9"
    ).weekly
    got = {(r.cohort, r.week): (r.n, round(r.mean, 3), round(r.low, 2), round(r.high, 2)) for r in weekly.itertuples()}
    # Trauma week 1: 18 and 12, mean 15, sd 4.243, t(0.975, 1) = 12.706: 15 ± 12.706 · 4.243 / √2 = 15 ± 38.12
    # whole week 1: 18, 12, 10, mean 13.333, sd 4.163, t(0.975, 2) = 4.303: ± 4.303 · 4.163 / √3 = ± 10.342
    assert got[("Trauma", 1)] == (2, 15.0, -23.12, 53.12)
    assert got[(cohorts.WHOLE, 1)] == (3, 13.333, 2.99, 23.68)
    assert got[("Depression", 1)][:2] == (1, 10.0) and pd.isna(got[("Depression", 1)][2])  # one score: no interval
    assert got[("Trauma", 2)][:2] == (1, 14.0)
    assert [(r.cohort, r.week) for r in weekly.itertuples()] == [
        ("Depression", 1),
        ("Trauma", 1),
        ("Trauma", 2),
        (cohorts.WHOLE, 1),
        (cohorts.WHOLE, 2),
    ]
