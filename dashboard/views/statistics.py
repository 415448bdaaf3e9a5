"""Cohort statistics for the outcomes pages: rates with Wilson intervals, pre-post effect size,
means with t intervals and the Kaplan-Meier retention curve.

Pure functions on numbers and arrays; no database access; quantiles and intervals from scipy.
Suppression of small counts is the caller's job (dashboard.privacy) — these return the raw figures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

Z_95 = float(stats.norm.ppf(0.975))  # two-sided 95 % standard normal critical value (1.959964)

KM_COLUMNS = ["time", "at_risk", "events", "censored", "survival", "ci_low", "ci_high"]


def proportion(successes: int, n: int) -> float:
    """Observed proportion successes / n; nan when n == 0."""
    return math.nan if n == 0 else successes / n


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """95 % Wilson score interval for a proportion, as (low, high) in 0..1; (nan, nan) when n == 0.

    Wilson 1927 (scipy.stats.binomtest(...).proportion_ci(method="wilson")); recommended over the
    Wald interval for small n and rates near 0 or 1 by Newcombe 1998 (method 3) and Brown, Cai &
    DasGupta 2001."""
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return math.nan, math.nan
    # Newcombe 1998's closed form, the arithmetic scipy's proportion_ci uses, without building a
    # binomial test per rate (a page computes a few hundred)
    p = successes / n
    denom = 2 * (n + z**2)
    center = (2 * n * p + z**2) / denom
    delta = z / denom * math.sqrt(4 * n * p * (1 - p) + z**2)
    # at 0 or n the bound is exactly 0 or 1: set it so rounding never shows -0.0 or 0.9999999
    low = 0.0 if successes == 0 else max(0.0, center - delta)
    high = 1.0 if successes == n else min(1.0, center + delta)
    return low, high


def cohens_d(pre, post) -> float:
    """Pre-post effect size for paired scores: (mean(pre) - mean(post)) / sd(pre, ddof=1).

    Cohen 1988, standardised by the baseline SD (Becker 1988's pre-post d). Positive = scores
    fell = improvement on higher-is-worse scales. Pairs with a NaN in either score are dropped;
    nan when fewer than 2 pairs remain or the baseline SD is 0."""
    pre = np.asarray(pre, dtype=float)
    post = np.asarray(post, dtype=float)
    if pre.shape != post.shape:
        raise ValueError(f"pre and post must be paired (same length), got {pre.shape} and {post.shape}")
    keep = ~(np.isnan(pre) | np.isnan(post))
    pre, post = pre[keep], post[keep]
    if pre.size < 2:
        return math.nan
    sd = float(np.std(pre, ddof=1))
    if sd == 0:
        return math.nan
    return float((pre.mean() - post.mean()) / sd)


def mean_interval(values, confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) with a t-based interval: mean ± t_{0.975, n-1} · sd / sqrt(n).

    Student 1908 t interval for a mean. Only 95 % is supported (ValueError otherwise). NaN values
    are dropped; (nan, nan, nan) when nothing is left; (x, nan, nan) for a single value."""
    if not math.isclose(confidence, 0.95):
        raise ValueError(f"only 95 % intervals are supported, got confidence={confidence}")
    x = np.asarray(values, dtype=float).ravel()
    x = x[~np.isnan(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    [low], [high] = mean_intervals([x.size], [mean], [float(np.std(x, ddof=1)) if x.size > 1 else math.nan])
    return mean, float(low), float(high)


def mean_intervals(n, mean, sd) -> tuple[np.ndarray, np.ndarray]:
    """mean_interval's bounds for many groups at once, from each group's count, mean and sd (ddof=1):
    (low, high) arrays, nan where n < 2."""
    n, mean, sd = (np.asarray(v, dtype=float) for v in (n, mean, sd))
    t = np.full(n.shape, math.nan)
    many = n >= 2
    t[many] = stats.t.ppf(0.975, n[many] - 1)
    half = t * sd / np.sqrt(np.where(many, n, 1.0))
    return mean - half, mean + half


def median_interval(values) -> tuple[float, float, float]:
    """(median, low, high): a distribution-free 95 % interval for a median from order statistics
    (the binomial method, Conover 1999 §3.2; ranks from scipy.stats.binom). NaN values are dropped;
    (nan, nan, nan) when nothing is left; the bounds are nan when too few values give 95 %."""
    x = np.sort(np.asarray(values, dtype=float).ravel())
    x = x[~np.isnan(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    low_rank = int(stats.binom.ppf(0.025, x.size, 0.5))  # 1-based rank of the lower bound
    if low_rank < 1:
        return float(np.median(x)), math.nan, math.nan
    return float(np.median(x)), float(x[low_rank - 1]), float(x[x.size - low_rank])


def kaplan_meier(durations, events) -> pd.DataFrame:
    """Product-limit survival estimate (Kaplan & Meier 1958) with Greenwood's variance (Greenwood 1926).

    durations: time to event or censoring (e.g. weeks in program, numbers >= 0); events: 1/True =
    event, 0/False = censored. Returns a first row at time 0 (survival 1.0, at_risk = everyone, no
    events) and then one row per distinct time at which something happened — so data at time 0
    gives a second time-0 row, the drop at the start of a step plot. Columns: time, at_risk, events,
    censored, survival, ci_low, ci_high. Those censored at t count as at risk at t (events are taken
    to happen before censoring). ci_* is a 95 % pointwise interval on the log(-log S) scale
    (Kalbfleisch & Prentice 1980: S ** exp(±z·se), se = sqrt(Greenwood sum) / |log S|), clipped to
    [0, 1]; nan where S is 0 or 1. Empty input gives the time-0 row only, with at_risk 0."""
    times = pd.Series(np.asarray(durations)).reset_index(drop=True)
    flags = pd.Series(np.asarray(events)).reset_index(drop=True)
    if len(times) != len(flags):
        raise ValueError(f"durations and events differ in length: {len(times)} and {len(flags)}")
    if len(times) and not pd.api.types.is_numeric_dtype(times):
        raise ValueError("durations must be numeric")
    if times.isna().any() or flags.isna().any():
        raise ValueError("durations and events must not be missing")
    if (times < 0).any():
        raise ValueError("durations must be >= 0")
    if len(times) == 0:
        times = times.astype(float)

    # counted per distinct time in numpy: a cohort page draws one curve per cohort
    time, at = np.unique(times.to_numpy(), return_inverse=True)
    leaving = np.bincount(at, minlength=len(time)).astype("int64")
    d = np.bincount(at, weights=flags.astype(bool).to_numpy(), minlength=len(time)).astype("int64")
    total = len(times)
    at_risk = total - np.concatenate([[0], np.cumsum(leaving)[:-1]]).astype("int64") if len(time) else leaving
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(1.0 - d / at_risk)
        # Greenwood: Var(log S(t)) = sum over event times <= t of d / (n (n - d)); infinite once S hits 0.
        greenwood = np.cumsum(d / (at_risk * (at_risk - d)))
        se_loglog = np.sqrt(greenwood) / np.abs(np.log(survival))
        ci_low = survival ** np.exp(Z_95 * se_loglog)
        ci_high = survival ** np.exp(-Z_95 * se_loglog)
    defined = (survival > 0) & (survival < 1)
    # the first row: time 0, everyone at risk, nothing yet
    return pd.DataFrame(
        {
            "time": pd.Series(np.concatenate([np.zeros(1, dtype=time.dtype), time]), dtype=times.dtype),
            "at_risk": np.concatenate([[total], at_risk]).astype("int64"),
            "events": np.concatenate([[0], d]).astype("int64"),
            "censored": np.concatenate([[0], leaving - d]).astype("int64"),
            "survival": np.concatenate([[1.0], survival]).astype(float),
            "ci_low": np.concatenate([[math.nan], np.where(defined, np.clip(ci_low, 0, 1), math.nan)]).astype(float),
            "ci_high": np.concatenate([[math.nan], np.where(defined, np.clip(ci_high, 0, 1), math.nan)]).astype(float),
        }
    )[KM_COLUMNS]
