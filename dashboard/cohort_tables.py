"""The cohort tables as shown and exported: counts through complementary suppression, rates only
where neither numerator nor denominator is a small cell."""
from __future__ import annotations

import math

import pandas as pd

from dashboard.cohorts import JT_ORDER, WHOLE, Cohorts
from dashboard.suppression import safe_percent, suppress_table


def _rate(k, n, low, high, threshold) -> str:
    shown = safe_percent(k, n, threshold) if threshold else (f"{round(100 * k / n)} %" if n else None)
    if shown is None:
        return "—"
    return f"{shown} ({100 * low:.0f}–{100 * high:.0f})"


def outcome_table(c: Cohorts, threshold: int) -> pd.DataFrame:
    s = c.summary
    counts = s[["cohort", *JT_ORDER]].copy()
    counts["total"] = counts[JT_ORDER].sum(axis=1)
    counts = pd.concat([counts[counts["cohort"] != WHOLE], counts[counts["cohort"] == WHOLE]], ignore_index=True)
    shown = suppress_table(counts, [*JT_ORDER, "total"], threshold, total_row=True, total_column="total") if threshold \
        else counts.astype({k: str for k in [*JT_ORDER, "total"]})
    s = s.set_index("cohort").loc[shown["cohort"]].reset_index()
    shown["response % (95 % CI)"] = [_rate(*v, threshold) for v in
                                      zip(s["response"], s["cases"], s["response_low"], s["response_high"])]
    shown["remission % (95 % CI)"] = [_rate(*v, threshold) for v in
                                       zip(s["remission"], s["cases"], s["remission_low"], s["remission_high"])]
    shown["Cohen's d"] = ["—" if (isinstance(d, float) and math.isnan(d)) or (threshold and 1 <= n <= threshold)
                          else f"{d:.2f}" for d, n in zip(s["cohens_d"], s["with_pair"])]
    return shown.rename(columns={"cohort": "Cohort", "not_a_case": "not a case", "insufficient_data": "insufficient data"})


def funnel_table(c: Cohorts, threshold: int) -> pd.DataFrame:
    steps = ["admitted", "with_baseline", "two_or_more_scores", "discharged", "discharge_score"]
    f = c.funnel[["cohort", *steps]]
    f = pd.concat([f[f["cohort"] != WHOLE], f[f["cohort"] == WHOLE]], ignore_index=True)
    shown = suppress_table(f, steps, threshold, total_row=True) if threshold else f.astype({k: str for k in steps})
    return shown.rename(columns={"cohort": "Cohort", "with_baseline": "baseline", "two_or_more_scores": "2+ scores",
                                 "discharge_score": "discharge score"})


def hedis_table(c: Cohorts, threshold: int) -> pd.DataFrame:
    dms = c.dms.groupby("cohort", sort=False)[["participants", "with_phq9"]].sum().reset_index()
    drr = c.drr.assign(cohort=c.drr["cohort"]).groupby("cohort").agg(
        index_episodes=("episode_id", "count"), followed_up=("followed_up", "sum"),
        response=("response", "sum"), remission=("remission", "sum")).reset_index()
    whole = c.drr.agg({"episode_id": "count", "followed_up": "sum", "response": "sum", "remission": "sum"})
    drr = pd.concat([drr, pd.DataFrame([{"cohort": WHOLE, "index_episodes": whole["episode_id"],
                                          "followed_up": whole["followed_up"], "response": whole["response"],
                                          "remission": whole["remission"]}])], ignore_index=True)
    t = dms.merge(drr, on="cohort", how="outer").fillna(0)
    pct = (lambda k, n: safe_percent(k, n, threshold) or "—") if threshold else (lambda k, n: f"{round(100 * k / n)} %" if n else "—")
    return pd.DataFrame({
        "Cohort": t["cohort"],
        "DMS: PHQ-9 in each 4-month period": [pct(k, n) for k, n in zip(t["with_phq9"], t["participants"])],
        "DRR: followed up 120-240 days": [pct(k, n) for k, n in zip(t["followed_up"], t["index_episodes"])],
        "DRR: response": [pct(k, n) for k, n in zip(t["response"], t["followed_up"])],
        "DRR: remission": [pct(k, n) for k, n in zip(t["remission"], t["followed_up"])],
    })
