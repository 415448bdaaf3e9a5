"""Cohort statistics against values worked out by hand (arithmetic in the comments)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.views.statistics import cohens_d, kaplan_meier, mean_interval, proportion, wilson_interval

# --- Wilson interval -------------------------------------------------------------------------


def test_wilson_8_of_10():
    # p = 0.8, z^2 = 3.841459, z^2/n = 0.3841459, denominator = 1.3841459
    # centre = (0.8 + 0.1920729) / 1.3841459 = 0.716740
    # half   = 1.959964 * sqrt(0.8*0.2/10 + 3.841459/400) / 1.3841459
    #        = 1.959964 * sqrt(0.016 + 0.0096036) / 1.3841459 = 1.959964 * 0.160011 / 1.3841459 = 0.226578
    # -> (0.4902, 0.9433)
    low, high = wilson_interval(8, 10)
    assert round(low, 4) == 0.4902
    assert round(high, 4) == 0.9433


def test_wilson_0_of_10_starts_at_exactly_zero():
    # p = 0: centre = half = (z^2/2n) / (1 + z^2/n) = 0.1920729 / 1.3841459 = 0.138766 -> high = 0.277533
    low, high = wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(0.277533, abs=1e-6)


def test_wilson_all_successes_ends_at_exactly_one():
    # mirror image of 0 of 10: (1 - 0.277533, 1)
    low, high = wilson_interval(10, 10)
    assert high == 1.0
    assert low == pytest.approx(0.722467, abs=1e-6)


@pytest.mark.parametrize("n", [1, 2, 7, 50, 9_999])
def test_wilson_agrees_with_scipy(n):
    # the closed form is scipy's own arithmetic (Newcombe 1998): every k of n agrees
    from scipy import stats

    for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
        ci = stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
        assert wilson_interval(k, n) == pytest.approx((max(0.0, ci.low), min(1.0, ci.high)), abs=1e-12)


def test_wilson_empty_is_nan():
    low, high = wilson_interval(0, 0)
    assert math.isnan(low) and math.isnan(high)


def test_wilson_rejects_impossible_counts():
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_proportion():
    assert proportion(3, 12) == 0.25
    assert math.isnan(proportion(0, 0))


# --- Cohen's d -------------------------------------------------------------------------------


def test_cohens_d_uses_baseline_sd():
    # mean(pre) = 14, mean(post) = 10, difference 4
    # pre deviations -4,-2,0,2,4 -> squares 16+4+0+4+16 = 40, / (5-1) = 10, sd = sqrt(10) = 3.162278
    # d = 4 / 3.162278 = 1.264911
    d = cohens_d([10, 12, 14, 16, 18], [8, 9, 10, 11, 12])
    assert d == pytest.approx(1.264911, abs=1e-6)


def test_cohens_d_drops_incomplete_pairs_and_is_negative_when_scores_rise():
    # pairs kept: (10,14) (12,13) (14,15) -> mean pre 12, mean post 14, diff -2
    # pre sd: deviations -2,0,2 -> 8/2 = 4, sd 2 -> d = -2/2 = -1
    d = cohens_d([10, 12, np.nan, 14, 20], [14, 13, 9, 15, np.nan])
    assert d == pytest.approx(-1.0)


def test_cohens_d_undefined_cases():
    assert math.isnan(cohens_d([10], [8]))  # one pair
    assert math.isnan(cohens_d([10, 10, 10], [8, 9, 7]))  # baseline sd 0
    with pytest.raises(ValueError):
        cohens_d([1, 2, 3], [1, 2])


# --- mean with t interval ----------------------------------------------------------------------


def test_mean_interval_small_sample_uses_t_table():
    # values 2,4,6,8: mean 5; deviations -3,-1,1,3 -> squares 20, / 3 -> sd = sqrt(6.6667) = 2.581989
    # se = 2.581989 / sqrt(4) = 1.290994; df = 3 -> t = 3.182446; half = 4.108520
    # -> (5, 0.891480, 9.108520)
    mean, low, high = mean_interval([2, 4, 6, 8])
    assert mean == 5.0
    assert low == pytest.approx(0.891480, abs=1e-5)
    assert high == pytest.approx(9.108520, abs=1e-5)


def test_mean_interval_uses_t_beyond_30_degrees_of_freedom():
    # 41 values: 0, 2 twenty times and one 1: mean 1; squared deviations 40, sd = sqrt(40/40) = 1
    # df 40: t_{0.975, 40} = 2.021075 (tables; scipy.stats.t.ppf), not 1.959964;
    # half = 2.021075 * 1 / sqrt(41) = 0.315639
    from scipy import stats

    mean, low, high = mean_interval([0, 2] * 20 + [1])
    assert mean == 1.0
    assert high - mean == pytest.approx(0.315639, abs=1e-6)
    assert high - mean == pytest.approx(stats.t.ppf(0.975, 40) / math.sqrt(41), rel=1e-12)
    assert mean - low == pytest.approx(0.315639, abs=1e-6)


def test_mean_interval_edge_cases():
    assert all(math.isnan(v) for v in mean_interval([]))
    mean, low, high = mean_interval([7.5])
    assert mean == 7.5 and math.isnan(low) and math.isnan(high)
    # NaN dropped: 4, 6 -> mean 5, sd sqrt(2), se 1, df 1 -> t 12.706205
    assert mean_interval([4, np.nan, 6]) == pytest.approx((5.0, 5 - 12.706205, 5 + 12.706205))
    with pytest.raises(ValueError):
        mean_interval([1, 2, 3], confidence=0.9)


# --- Kaplan-Meier ----------------------------------------------------------------------------

DURATIONS = [1, 2, 2, 3, 4, 4, 5]
EVENTS = [1, 1, 0, 1, 0, 1, 0]


def test_kaplan_meier_with_censoring_by_hand():
    # t=1: n=7 d=1 c=0  S = 6/7
    # t=2: n=6 d=1 c=1  S = 6/7 * 5/6 = 5/7        (the one censored at 2 is still at risk at 2)
    # t=3: n=4 d=1 c=0  S = 5/7 * 3/4 = 15/28
    # t=4: n=3 d=1 c=1  S = 15/28 * 2/3 = 5/14
    # t=5: n=1 d=0 c=1  S = 5/14
    curve = kaplan_meier(DURATIONS, EVENTS)
    assert list(curve.columns) == ["time", "at_risk", "events", "censored", "survival", "ci_low", "ci_high"]
    assert curve["time"].tolist() == [0, 1, 2, 3, 4, 5]
    assert curve["at_risk"].tolist() == [7, 7, 6, 4, 3, 1]
    assert curve["events"].tolist() == [0, 1, 1, 1, 1, 0]
    assert curve["censored"].tolist() == [0, 0, 1, 0, 1, 1]
    assert curve["survival"].tolist() == pytest.approx([1, 6 / 7, 5 / 7, 15 / 28, 5 / 14, 5 / 14])


def test_kaplan_meier_greenwood_log_log_interval_by_hand():
    # At t=2, S = 5/7. Greenwood sum = 1/(7*6) + 1/(6*5) = 1/42 + 1/30 = 12/210 = 0.0571429
    # log S = ln(5/7) = -0.3364722; se on log(-log S) = sqrt(0.0571429) / 0.3364722 = 0.7104471
    # z*se = 1.959964 * 0.7104471 = 1.3924508; exp(+1.3924508) = 4.024701, exp(-1.3924508) = 0.248466
    # low  = (5/7)^4.024701 = exp(-0.3364722 * 4.024701) = exp(-1.354200) = 0.258154
    # high = (5/7)^0.248466 = exp(-0.3364722 * 0.248466) = exp(-0.083602) = 0.919797
    row = kaplan_meier(DURATIONS, EVENTS).set_index("time").loc[2]
    assert row["ci_low"] == pytest.approx(0.258154, abs=1e-5)
    assert row["ci_high"] == pytest.approx(0.919797, abs=1e-5)


def test_kaplan_meier_interval_undefined_at_one_and_zero():
    curve = kaplan_meier([1, 2, 2], [0, 1, 1])
    # t=1: only censoring, S = 1 -> no interval; t=2: n=2 d=2, S = 0 -> no interval
    assert curve["survival"].tolist() == pytest.approx([1.0, 1.0, 0.0])
    assert curve["ci_low"].isna().all() and curve["ci_high"].isna().all()


def test_kaplan_meier_accepts_booleans_and_series():
    curve = kaplan_meier(pd.Series([3, 1, 3]), pd.Series([True, False, False]))
    # t=1: n=3 c=1 S=1; t=3: n=2 d=1 c=1 S = 1/2
    assert curve["at_risk"].tolist() == [3, 3, 2]
    assert curve["survival"].tolist() == pytest.approx([1.0, 1.0, 0.5])


def test_kaplan_meier_time_zero_data_follows_the_start_row():
    # two leave at week 0 (one event, one still open): start row S=1, then t=0: n=4 d=1 S=3/4
    curve = kaplan_meier([0, 0, 2, 3], [1, 0, 1, 0])
    assert curve["time"].tolist() == [0, 0, 2, 3]
    assert curve["survival"].tolist() == pytest.approx([1.0, 3 / 4, 3 / 4 * 1 / 2, 3 / 8])
    assert curve["at_risk"].tolist() == [4, 4, 2, 1]


def test_kaplan_meier_empty_input_is_the_start_row():
    curve = kaplan_meier([], [])
    assert len(curve) == 1
    assert curve.loc[0, "time"] == 0 and curve.loc[0, "at_risk"] == 0
    assert curve.loc[0, "survival"] == 1.0


def test_kaplan_meier_rejects_bad_input():
    with pytest.raises(ValueError):
        kaplan_meier([1, -1], [1, 0])
    with pytest.raises(ValueError):
        kaplan_meier([1, 2], [1])
    with pytest.raises(ValueError):
        kaplan_meier([1, np.nan], [1, 0])


def test_kaplan_meier_agrees_with_scipy_ecdf_and_its_log_log_interval():
    """The curve keeps its own at-risk and event counts (suppression needs them); its estimate and
    interval are checked against scipy.stats.ecdf on censored data."""
    from scipy import stats

    rng = np.random.default_rng(3)
    weeks = rng.integers(0, 12, size=80).astype(float)
    left = rng.random(80) < 0.6
    curve = kaplan_meier(weeks, left)
    fit = stats.ecdf(stats.CensoredData(uncensored=weeks[left], right=weeks[~left])).sf
    ci = fit.confidence_interval(0.95, method="log-log")
    ours = curve.drop_duplicates("time", keep="last").set_index("time")
    theirs = pd.DataFrame(
        {"survival": fit.probabilities, "low": ci.low.probabilities, "high": ci.high.probabilities}, index=fit.quantiles
    )
    both = ours.join(theirs.add_suffix("_scipy"), how="inner")
    assert len(both) == len(theirs) >= 10
    assert np.allclose(both["survival"], both["survival_scipy"], rtol=1e-12)
    inside = both["survival"].between(0, 1, inclusive="neither")
    assert np.allclose(both.loc[inside, "ci_low"], both.loc[inside, "low_scipy"], rtol=1e-9)
    assert np.allclose(both.loc[inside, "ci_high"], both.loc[inside, "high_scipy"], rtol=1e-9)
