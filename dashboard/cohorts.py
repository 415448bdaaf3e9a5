"""Cohort outcomes beside the whole program: completeness, Jacobson & Truax categories,
response and remission with Wilson intervals, pre-post Cohen's d, retention (Kaplan-Meier),
mean score by week, and HEDIS-style DMS and DRR. Metrics are computed from per-episode rows the
SQL returns (dashboard/metrics.py); counts are suppressed by the page and the exports."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard import db
from dashboard.filters import Filters
from dashboard.metrics import KM_COLUMNS, cohens_d, kaplan_meier, mean_intervals, proportion, wilson_interval

WHOLE = "Whole program"
EACH_EPISODE = "episode"   # scoped_episodes' grouping with a cohort of its own for each episode
JT_ORDER = ["recovered", "improved", "unchanged", "deteriorated", "not_a_case", "insufficient_data"]
LEFT_EARLY = "discharged before completion"  # the retention event
SUMMARY_COLUMNS = ["cohort", "episodes", "with_pair", "cases", "response", "remission", "response_rate", "remission_rate",
                   "cohens_d", "response_low", "response_high", "remission_low", "remission_high", *JT_ORDER,
                   "follow_up_due", "followed_up", "improved_followed_up", "sustained"]
FOLLOW_UP = ("follow_up_due", "followed_up", "improved_followed_up", "sustained")


@dataclass(frozen=True)
class Measures:
    """The HEDIS-style measures as built: labels and captions are made from these, not retyped."""
    instrument: str
    cutoff: float            # index score at or above (catalogue clinical_cutoff)
    response_drop: float     # share below the index score
    remission_below: float
    follow_up_from: int      # days after the index score
    follow_up_to: int

    @property
    def window(self) -> str:
        return f"{self.follow_up_from}-{self.follow_up_to} days"

    def describe(self) -> str:
        return (f"DMS: participants with an attended session in a 4-month period who have a {self.instrument} in it. "
                f"DRR: an index {self.instrument} of {self.cutoff:g} or more, then the latest {self.instrument} "
                f"{self.follow_up_from} to {self.follow_up_to} days later; response = at least "
                f"{self.response_drop:.0%} lower, remission = below {self.remission_below:g}.")


@dataclass(frozen=True)
class Cohorts:
    filters: Filters
    instrument: str
    episodes: pd.DataFrame       # one row per episode with its outcome
    funnel: pd.DataFrame         # cohort, admitted, with_baseline, two_or_more_scores, discharged, discharge_score
    summary: pd.DataFrame        # one row per cohort and the whole program
    retention: pd.DataFrame      # cohort, time (weeks), at_risk, events, censored, survival, ci_low, ci_high
    weekly: pd.DataFrame         # cohort, week, n, mean, low, high
    dms: pd.DataFrame            # cohort, period_start, participants, with_phq9
    drr: pd.DataFrame            # per index episode
    measures: Measures | None    # None when the depression instrument is not in the catalogue
    follow_up_days: int = 0      # settings outcomes.follow_up_days: the follow-up window after discharge
    thresholds: pd.DataFrame | None = None   # cohort, measure, heading, flagged (at intake), cleared (at latest)

    @property
    def cohort_names(self) -> list[str]:
        return [c for c in self.summary["cohort"] if c != WHOLE]


def _each_cohort(frame: pd.DataFrame):
    """(cohort, its rows) in the order the rows first name each cohort, then (WHOLE, every row);
    nothing for no rows. The frame is not copied per group beyond its own rows."""
    groups = frame.groupby("cohort", sort=False).indices
    for cohort, at in sorted(groups.items(), key=lambda group: group[1][0]):
        yield cohort, frame.take(at)
    if len(frame):
        yield WHOLE, frame


def _summary(episodes: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for cohort, part in _each_cohort(episodes):
        paired = part.dropna(subset=["change"])
        cases = paired[paired["response"].notna()]
        response, remission = int(cases["response"].sum()), int(cases["remission"].fillna(False).sum())
        row = {"cohort": cohort, "episodes": len(part), "with_pair": len(paired), "cases": len(cases),
               "response": response, "remission": remission,
               "response_rate": proportion(response, len(cases)), "remission_rate": proportion(remission, len(cases)),
               "cohens_d": cohens_d(paired["baseline_score"], paired["latest_score"])}
        row["response_low"], row["response_high"] = wilson_interval(response, len(cases))
        row["remission_low"], row["remission_high"] = wilson_interval(remission, len(cases))
        for category in JT_ORDER:
            row[category] = int((part["jt_category"] == category).sum())
        for count in FOLLOW_UP:       # follow-up after discharge (mart follow_up_outcomes)
            row[count] = int(part[count].astype(bool).sum())
        rows.append(row)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def _retention(episodes: pd.DataFrame, censored_teds: list[int]) -> pd.DataFrame:
    """Weeks in program until discharge before completion (any discharge whose TEDS code the
    settings do not censor, or an inferred end); open episodes, completions (1) and transfers (4)
    are censored (settings outcomes.retention_censored_teds_codes)."""
    frames = []
    weeks = (pd.to_datetime(episodes["observed_to"]) - pd.to_datetime(episodes["admit_date"])).dt.days / 7
    left = episodes["discharge_date"].notna() & ~episodes["discharge_teds_code"].isin(censored_teds)
    data = episodes.assign(weeks=weeks.round(1), left=left)
    for cohort, part in _each_cohort(data):
        frames.append(kaplan_meier(part["weeks"], part["left"]).assign(cohort=cohort))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*KM_COLUMNS, "cohort"])


def _weekly(means: pd.DataFrame) -> pd.DataFrame:
    """cohorts/weekly_means with the whole selection named and each mean's t interval
    (metrics.mean_intervals)."""
    low, high = mean_intervals(means["n"], means["mean"], means["sd"])
    weekly = means.assign(cohort=means["cohort"].where(~means["whole"], WHOLE), low=low, high=high)
    return weekly[["cohort", "week", "n", "mean", "low", "high"]].reset_index(drop=True)


def _dms(frame: pd.DataFrame) -> pd.DataFrame:
    counts = {"participants": ("participant_id", "nunique"), "with_phq9": ("has_phq9", "sum")}
    by_cohort = frame.groupby(["cohort", "period_start"], sort=False).agg(**counts).reset_index()
    whole = frame.groupby("period_start", sort=False).agg(**counts).reset_index()
    whole.insert(0, "cohort", pd.Series(WHOLE, index=whole.index, dtype=frame["cohort"].dtype))
    return pd.concat([by_cohort, whole], ignore_index=True)


def cohort_outcomes(filters: Filters, instrument: str) -> Cohorts:
    """The selection's cohorts: made once per load (db.kept), whoever asks again."""
    return db.kept(_cohort_outcomes, filters, instrument)


def _cohort_outcomes(filters: Filters, instrument: str) -> Cohorts:
    # the selection's rows with a cohort of their own for each episode (queries/_connection.sql), the
    # same whatever the grouping and so read once (db.queries keeps them), then labelled and ordered
    # as the queries order them for this grouping
    f = db.queries({**replace(filters, dimension=EACH_EPISODE).params(admitted_in_range=True), "instrument": instrument},
                   episodes=("cohorts/outcomes", {}), funnel=("common/completeness", {}),
                   substance=("cohorts/substance", {}),
                   dms=("cohorts/dms", {}), drr=("cohorts/drr", {}),
                   settings=("common/settings", {}), measures=("cohorts/measure_definitions", {}),
                   cohorts=("cohorts/episode_cohorts", {"dimension": filters.dimension}),
                   # a few hundred rows aggregated along the grouping itself: cheaper read again on a
                   # regrouping than a quarter of a million per-episode scores kept and relabelled
                   means=("cohorts/weekly_means", {"dimension": filters.dimension}))
    labels = _Labels(f["cohorts"])
    episodes, drr = (labels.grouped(f[name]) for name in ("episodes", "drr"))
    dms = labels.relabelled(f["dms"]).drop_duplicates(["period_start", "period_end", "cohort", "participant_id"])
    dms = dms.sort_values(["period_start", "cohort", "participant_id"], ignore_index=True)
    funnel = labels.funnel(f["funnel"])
    funnel = funnel.assign(cohort=funnel["cohort"].fillna(WHOLE))
    settings = f["settings"].set_index("name")
    censored = [int(c) for c in settings.loc["outcomes_retention_censored_teds_codes", "list"]]
    return Cohorts(filters, instrument, episodes, funnel, _summary(episodes),
                   _retention(episodes, censored), _weekly(f["means"]), _dms(dms), drr,
                   Measures(**f["measures"].iloc[0].to_dict()) if len(f["measures"]) else None,
                   int(settings.loc["outcomes_follow_up_days", "number"]), _thresholds(labels.grouped(f["substance"])))


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
    out["heading"] = [f"{m} 0 at latest" if low == 1 else
                      f"{m} {'<' if pd.notna(low) else '>'} {(low if pd.notna(low) else high):g} at latest"
                      for m, low, high in zip(out["measure"], out["at_least"], out["at_most"])]
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
            raise RuntimeError("rows of an episode the selection does not hold: read from another file than its cohorts")
        return frame.assign(cohort=pd.Series(self.names.take(at), index=frame.index)).astype({"cohort": frame["cohort"].dtype})

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
        counts = self.relabelled(per_episode[per_episode["cohort"].notna()]).groupby("cohort", sort=True).sum().reset_index()
        return pd.concat([counts, total], ignore_index=True).astype(per_episode.dtypes.to_dict())
