"""Cohort outcomes beside the whole program: completeness, Jacobson & Truax categories,
response and remission with Wilson intervals, pre-post Cohen's d, retention (Kaplan-Meier),
mean score by week, and the HEDIS-style DMS-E and DRR-E (dashboard/views/quality_measures.py). Metrics are computed from per-episode rows the
SQL returns (dashboard/views/statistics.py); counts are suppressed by the page and the exports."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from clinical.weeks import weeks_between
from dashboard.store import db
from dashboard.store.settings import stored
from dashboard.views.filters import EACH_EPISODE, WHOLE, Filters
from dashboard.views.quality_measures import StoredMeasure, quality_measures
from dashboard.views.statistics import KM_COLUMNS, cohens_d, kaplan_meier, mean_intervals, proportion, wilson_interval

JT_ORDER = ["recovered", "improved", "unchanged", "deteriorated", "not_a_case", "insufficient_data"]
SUMMARY_COLUMNS = [
    "cohort",
    "episodes",
    "with_pair",
    "cases",
    "response",
    "remission",
    "response_rate",
    "remission_rate",
    "cohens_d",
    "response_low",
    "response_high",
    "remission_low",
    "remission_high",
    *JT_ORDER,
    "follow_up_due",
    "followed_up",
    "improved_followed_up",
    "sustained",
    *(
        "completed_cases",
        "completed_response",
        "completed_remission",
        "itt_cases",
        "itt_response",
        "itt_remission",
        "baseline_only",
        "discharged_early",
    ),
]
FOLLOW_UP = ("follow_up_due", "followed_up", "improved_followed_up", "sustained")


HEDIS = ("DMS-E", "DRR-E")  # the quality measures (clinical/quality_measures) the cohort page shows by cohort


@dataclass(frozen=True)
class Cohorts:
    filters: Filters
    instrument: str
    episodes: pd.DataFrame  # one row per episode with its outcome
    funnel: pd.DataFrame  # cohort, admitted, with_baseline, two_or_more_scores, discharged, discharge_score
    summary: pd.DataFrame  # one row per cohort and the whole program
    retention: pd.DataFrame  # cohort, time (weeks), at_risk, events, censored, survival, ci_low, ci_high
    weekly: pd.DataFrame  # cohort, week, n, mean, low, high
    hedis: pd.DataFrame  # measure_id, rate_id, cohort, numerator, denominator (HEDIS measures' rates)
    hedis_specs: tuple[StoredMeasure, ...]  # their specifications, for labels and the caption
    follow_up_days: int = 0  # settings outcomes.follow_up_days: the follow-up window after discharge
    thresholds: pd.DataFrame | None = None  # cohort, measure, heading, flagged (at intake), cleared (at latest)

    @property
    def cohort_names(self) -> list[str]:
        return [c for c in self.summary["cohort"] if c != WHOLE]


def _groups(frame: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    """(cohort, its row positions) in the order the rows first name each cohort, then (WHOLE, every
    row); nothing for no rows."""
    groups = sorted(frame.groupby("cohort", sort=False).indices.items(), key=lambda group: group[1][0])
    return [*groups, (WHOLE, np.arange(len(frame)))] if len(frame) else groups


def _flag(column: pd.Series) -> np.ndarray:
    """True where the value is true (missing: False), as numpy: each cohort's counts are sums of
    these over its rows, without a frame per cohort (a regrouping at 50 k counts a few dozen)."""
    return column.astype("boolean").to_numpy(dtype=bool, na_value=False)


def _summary(episodes: pd.DataFrame) -> pd.DataFrame:
    paired = episodes["change"].notna().to_numpy()
    cases = paired & episodes["response"].notna().to_numpy()
    response, remission = _flag(episodes["response"]), _flag(episodes["remission"])
    pre = episodes["baseline_score"].to_numpy(dtype=float, na_value=np.nan)
    post = episodes["latest_score"].to_numpy(dtype=float, na_value=np.nan)
    jt = {category: episodes["jt_category"].eq(category).to_numpy(dtype=bool, na_value=False) for category in JT_ORDER}
    follow_up = {count: episodes[count].astype(bool).to_numpy() for count in FOLLOW_UP}  # mart follow_up_outcomes
    everyone = _everyone(episodes)
    rows = []
    for cohort, at in _groups(episodes):
        n_cases = int(cases[at].sum())
        n_response, n_remission = int((cases & response)[at].sum()), int((cases & remission)[at].sum())
        with_pair = at[paired[at]]
        row = {
            "cohort": cohort,
            "episodes": len(at),
            "with_pair": len(with_pair),
            "cases": n_cases,
            "response": n_response,
            "remission": n_remission,
            "response_rate": proportion(n_response, n_cases),
            "remission_rate": proportion(n_remission, n_cases),
            "cohens_d": cohens_d(pre[with_pair], post[with_pair]),
        }
        row["response_low"], row["response_high"] = wilson_interval(n_response, n_cases)
        row["remission_low"], row["remission_high"] = wilson_interval(n_remission, n_cases)
        row.update({name: int(flags[at].sum()) for name, flags in (*jt.items(), *follow_up.items(), *everyone.items())})
        rows.append(row)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def _everyone(episodes: pd.DataFrame) -> dict[str, np.ndarray]:
    """Outcomes for everyone admitted beside the completers', per episode (the summary adds them up
    by cohort): of the episodes starting in the clinical range, response and remission with the last
    score carried (an episode with only a baseline did not respond), those with only a baseline, and
    the completers' own; and who left before completion."""
    in_range = _flag(episodes["baseline_is_case"]) & _flag(episodes["has_rates"])
    response, remission = _flag(episodes["response"]), _flag(episodes["remission"])
    paired = episodes["change"].notna().to_numpy()
    completed = in_range & _flag(episodes["completed"]) & paired
    return {
        "completed_cases": completed,
        "completed_response": completed & response,
        "completed_remission": completed & remission,
        "itt_cases": in_range,
        "itt_response": in_range & response,
        "itt_remission": in_range & remission,
        "baseline_only": in_range & ~paired,
        "discharged_early": _flag(episodes["discharged_early"]),
    }


def _with_discharge(episodes: pd.DataFrame, completed_teds: list[int], censored_teds: list[int]) -> pd.DataFrame:
    """Each episode's completed (a discharge with a completed code) and discharged_early (a discharge the
    retention curve does not censor: not completion, not transfer; settings outcomes.*_teds_codes)."""
    discharged = episodes["discharge_date"].notna()
    return episodes.assign(
        completed=discharged & episodes["discharge_teds_code"].isin(completed_teds),
        discharged_early=discharged & ~episodes["discharge_teds_code"].isin(censored_teds),
    )


def _retention(episodes: pd.DataFrame) -> pd.DataFrame:
    """Weeks in program until discharge before completion (discharged_early: any discharge whose TEDS code
    the settings do not censor, or an inferred end); open episodes, completions (1) and transfers (4)
    are censored (settings outcomes.retention_censored_teds_codes)."""
    frames = []
    weeks = weeks_between(episodes["admit_date"], episodes["observed_to"])
    weeks, left = weeks.round(1).to_numpy(), _flag(episodes["discharged_early"])
    for cohort, at in _groups(episodes):
        frames.append(kaplan_meier(weeks[at], left[at]).assign(cohort=cohort))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*KM_COLUMNS, "cohort"])


def _weekly(means: pd.DataFrame) -> pd.DataFrame:
    """cohorts/weekly_means with the whole selection named and each mean's t interval
    (metrics.mean_intervals)."""
    low, high = mean_intervals(means["n"], means["mean"], means["sd"])
    weekly = means.assign(cohort=means["cohort"].where(~means["whole"], WHOLE), low=low, high=high)
    return weekly[["cohort", "week", "n", "mean", "low", "high"]].reset_index(drop=True)


def cohort_outcomes(filters: Filters, instrument: str) -> Cohorts:
    """The selection's cohorts: made once per load (db.kept), whoever asks again."""
    return db.kept(_cohort_outcomes, filters, instrument)


def _cohort_outcomes(filters: Filters, instrument: str) -> Cohorts:
    # the selection's rows with a cohort of their own for each episode (queries/_connection.sql), the
    # same whatever the grouping and so read once (db.queries keeps them), then labelled and ordered
    # as the queries order them for this grouping
    f = db.queries(
        {**replace(filters, dimension=EACH_EPISODE).params(admitted_in_range=True), "instrument": instrument},
        episodes=("cohorts/outcomes", {}),
        funnel=("common/completeness", {}),
        substance=("cohorts/substance", {}),
        cohorts=("cohorts/episode_cohorts", {"dimension": filters.dimension}),
        # a few hundred rows aggregated along the grouping itself: cheaper read again on a
        # regrouping than a quarter of a million per-episode scores kept and relabelled
        means=("cohorts/weekly_means", {"dimension": filters.dimension}),
    )
    labels = _Labels(f["cohorts"])
    episodes = labels.grouped(f["episodes"])
    measures = quality_measures(filters)
    funnel = labels.funnel(f["funnel"])
    funnel = funnel.assign(cohort=funnel["cohort"].fillna(WHOLE))
    settings = stored()
    codes = {
        name: list(settings.wholes("outcomes", f"{name}_teds_codes")) for name in ("completed", "retention_censored")
    }
    episodes = _with_discharge(episodes, codes["completed"], codes["retention_censored"])
    return Cohorts(
        filters,
        instrument,
        episodes,
        funnel,
        _summary(episodes),
        _retention(episodes),
        _weekly(f["means"]),
        measures.rates[measures.rates["measure_id"].isin(HEDIS)].reset_index(drop=True),
        tuple(s for s in measures.specs if s.id in HEDIS),
        settings.whole("outcomes", "follow_up_days"),
        _thresholds(labels.grouped(f["substance"])),
    )


def _thresholds(frame: pd.DataFrame) -> pd.DataFrame:
    """Per cohort (and the whole program) and threshold measure: the episodes in the flagged range at
    intake with a later score, and those out of it at the latest."""
    columns = ["cohort", "measure", "heading", "flagged", "cleared"]
    if not len(frame):
        return pd.DataFrame(columns=columns)
    frame = frame.assign(cleared=~frame["flagged_at_latest"].astype(bool))
    counts = {"flagged": ("episode_id", "size"), "cleared": ("cleared", "sum")}
    rule = ["measure", "at_least", "at_most"]
    # one grouping for every cohort (in the order the rows name them), one for the whole program
    by_cohort = frame.groupby(["cohort", *rule], sort=False, observed=True, dropna=False).agg(**counts).reset_index()
    whole = frame.groupby(rule, sort=True, dropna=False).agg(**counts).reset_index().assign(cohort=WHOLE)
    out = pd.concat([by_cohort.astype({"cohort": object}), whole], ignore_index=True)
    out["heading"] = [
        f"{m} 0 at latest"
        if low == 1
        else f"{m} {'<' if pd.notna(low) else '>'} {(low if pd.notna(low) else high):g} at latest"
        for m, low, high in zip(out["measure"], out["at_least"], out["at_most"])
    ]
    return out[columns]


class _Labels:
    """Each selected episode's cohort along the page's grouping (cohorts/episode_cohorts), for rows
    read with a cohort of their own for each episode (its id in the cohort column)."""

    def __init__(self, cohorts: pd.DataFrame):
        self.episodes = pa.array(cohorts["episode_id"], type=pa.string())
        self.names = cohorts["cohort"].array
        # each episode's cohort's place in the order the queries sort cohorts (by name)
        names = cohorts["cohort"].to_numpy(dtype=object)
        self.rank = np.searchsorted(np.array(sorted(set(names)), dtype=object), names)

    def _at(self, ids: pd.Series) -> np.ndarray:
        """Each row's episode's place in the selection's episodes (-1: not among them); arrow's
        hash lookup, a fraction of pandas' on 250 k rows of text."""
        at = pc.index_in(pa.array(ids, type=pa.string()), value_set=self.episodes)
        return pc.fill_null(at, -1).to_numpy(zero_copy_only=False)

    def relabelled(self, frame: pd.DataFrame) -> pd.DataFrame:
        at = self._at(frame["cohort"])
        if (at < 0).any():
            raise RuntimeError(
                "rows of an episode the selection does not hold: read from another file than its cohorts"
            )
        return frame.assign(cohort=pd.Series(self.names.take(at), index=frame.index)).astype(
            {"cohort": frame["cohort"].dtype}
        )

    def grouped(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Rows ordered by cohort, then as the query ordered them (by episode, then its own order):
        the order the query gives when it groups along the page's grouping itself."""
        at = self._at(frame["cohort"])
        order = np.argsort(self.rank[at], kind="stable")
        return self.relabelled(frame).take(order).reset_index(drop=True)

    def funnel(self, per_episode: pd.DataFrame) -> pd.DataFrame:
        """common/completeness's rows by cohort (ordered by cohort) and its total (cohort NULL, last):
        the counts of each cohort's episodes added up."""
        total = per_episode[per_episode["cohort"].isna()]
        counts = (
            self.relabelled(per_episode[per_episode["cohort"].notna()]).groupby("cohort", sort=True).sum().reset_index()
        )
        return pd.concat([counts, total], ignore_index=True).astype(per_episode.dtypes.to_dict())
