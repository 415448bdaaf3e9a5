"""The cohort page as it may be shown under a disclosure, as shown_overview.py does for the overview:
counts registered as cells and suppressed together, then materialised with their marks. Rates are
shown only when their numerator, denominator and the difference are each 0 or above the threshold;
per-episode points, n in hover text and Kaplan-Meier steps are not shown suppressed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.privacy.auditor import suppress
from dashboard.privacy.cells import CellSet
from dashboard.privacy.marks import (
    FUNNEL,
    FUNNEL_LABELS,
    MILESTONES,
    NO_SCORE,
    count_or_mark,
    label,
    percent,
    register_funnel,
)
from dashboard.privacy.policy import Disclosure
from dashboard.views.cohorts import FOLLOW_UP, JT_ORDER, WHOLE, Cohorts


@dataclass(frozen=True)
class CohortsShown:
    disclosure: Disclosure
    instrument: str
    dimension: str
    n: tuple  # (episodes admitted, mark)

    def n_text(self) -> str:
        """N as every file and caption writes it, saying what it counts."""
        return f"{label(*self.n)} episodes admitted in the range"

    funnel: pd.DataFrame  # Cohort, admitted, baseline, 2+ scores, discharged, discharge score
    outcomes: pd.DataFrame  # Cohort, JT categories, total, response/remission % (95 % CI), Cohen's d
    hedis: pd.DataFrame  # Cohort, DMS and DRR percentages
    follow_up: pd.DataFrame  # Cohort, followed up of discharged, improvement sustained at follow-up
    everyone: (
        pd.DataFrame
    )  # Cohort, completers' response/remission beside everyone admitted's, baseline only, left early
    thresholds: (
        pd.DataFrame
    )  # Cohort, then per threshold measure (AUDIT-C, BAM Use …) out of the flagged range at latest
    shares: pd.DataFrame  # cohort, category, share (NaN when hidden or the total is)
    rates: pd.DataFrame  # cohort, what, rate, low, high (only rates that may be shown)
    weekly: pd.DataFrame  # cohort, week, mean, low, high, n (n NaN when suppressed)
    retention: pd.DataFrame  # cohort, time, survival, steps (False: milestone points only)
    episodes: pd.DataFrame | None  # per-episode outcomes for the intake/latest scatter; None when suppressed
    cohorts: list[str]
    measures_note: str = ""  # how the HEDIS-style measures are defined, from the stored catalogue and settings
    rates_note: str = ""  # why no response or remission rate is drawn, when none is
    follow_up_note: str = ""  # what counts as a follow-up, from the stored settings


def _cohort_key(c: Cohorts, cohort: str) -> tuple:
    return (WHOLE,) if cohort == WHOLE else (c.filters.dimension, cohort)


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame[frame["cohort"] != WHOLE], frame[frame["cohort"] == WHOLE]], ignore_index=True)


def register_cohorts(cells: CellSet, c: Cohorts) -> None:
    ins = c.instrument
    funnel = _ordered(c.funnel).set_index("cohort")
    summary = _ordered(c.summary).set_index("cohort")
    columns: dict[str, list] = {}
    whole: dict[str, object] = {}
    for cohort in funnel.index:
        ck = _cohort_key(c, cohort)
        admitted = cells.add(("admitted", *ck), funnel.loc[cohort, "admitted"])
        register_funnel(cells, funnel.loc[cohort], ("funnel", ins, *ck), admitted)
        row = summary.loc[cohort] if cohort in summary.index else None
        jt = [cells.add(("jt", ins, *ck, cat), row[cat] if row is not None else 0) for cat in JT_ORDER]
        # episodes with no score on this instrument have no category: shown as such, so the row adds up
        # to the cohort's size (the same cell as the completeness table's "admitted")
        no_score = cells.add(("jt", ins, *ck, NO_SCORE), cells.values[admitted] - sum(cells.values[k] for k in jt))
        cells.line([*jt, no_score], admitted)
        keys = {
            "admitted": admitted,
            NO_SCORE: no_score,
            **{f"jt {cat}": k for cat, k in zip(JT_ORDER, jt)},
            **{step: ("funnel", ins, *ck, step) for step in FUNNEL},
        }
        for name, key in keys.items():
            (whole.__setitem__(name, key) if cohort == WHOLE else columns.setdefault(name, []).append(key))
    if WHOLE in funnel.index and columns:
        for name, members in columns.items():
            cells.line(members, whole[name])


def _cell(marks: dict, cells_values, key):
    return count_or_mark(cells_values[key], marks.get(key, ""))


def materialise_cohorts(c: Cohorts, cells: CellSet, marks: dict, disclosure: Disclosure) -> CohortsShown:
    t, ins, values = disclosure.threshold, c.instrument, cells.values
    funnel = _ordered(c.funnel)
    summary = _ordered(c.summary).set_index("cohort")
    names = funnel["cohort"].tolist()

    def key(cohort, *rest):
        return (*rest[:-1], *_cohort_key(c, cohort), rest[-1])

    funnel_table = pd.DataFrame(
        {
            "Cohort": names,
            "admitted": [_cell(marks, values, ("admitted", *_cohort_key(c, n))) for n in names],
            **{
                label_: [_cell(marks, values, key(n, "funnel", ins, step)) for n in names]
                for step, label_ in zip(FUNNEL, FUNNEL_LABELS)
            },
        }
    )
    outcome_table = pd.DataFrame(
        {
            "Cohort": names,
            **{
                cat.replace("_", " "): [_cell(marks, values, key(n, "jt", ins, cat)) for n in names]
                for cat in (*JT_ORDER, NO_SCORE)
            },
            "total": [_cell(marks, values, ("admitted", *_cohort_key(c, n))) for n in names],
        }
    )
    rates_rows, outcome_rates = [], {"response": [], "remission": []}
    for n in names:
        s = summary.loc[n] if n in summary.index else None
        for what in ("response", "remission"):
            k, cases = (s[what], s["cases"]) if s is not None else (0, 0)
            shown = percent(k, cases, t)
            low, high = (s[f"{what}_low"], s[f"{what}_high"]) if s is not None else (np.nan, np.nan)
            # its base beside it where counts are true (the care team): three tables give three response rates,
            # each of its own population; a shared view keeps the base out (it would add up hidden categories)
            base = "" if t or shown is None else f" of {int(cases):,}"
            outcome_rates[what].append("—" if shown is None else f"{shown}{base} ({100 * low:.0f}–{100 * high:.0f})")
            if shown is not None:
                rates_rows.append({"cohort": n, "what": what, "rate": k / cases, "low": low, "high": high})
    outcome_table["response % (95 % CI)"] = outcome_rates["response"]
    outcome_table["remission % (95 % CI)"] = outcome_rates["remission"]
    outcome_table["Cohen's d"] = [
        "—" if s is None or pd.isna(s["cohens_d"]) or (t and 1 <= s["with_pair"] <= t) else f"{s['cohens_d']:.2f}"
        for s in (summary.loc[n] if n in summary.index else None for n in names)
    ]
    shares = []
    for n in names:
        total_key = ("admitted", *_cohort_key(c, n))
        for cat in (*JT_ORDER, NO_SCORE):
            k = key(n, "jt", ins, cat)
            hidden = marks.get(k) or marks.get(total_key) or not values[total_key]
            shares.append(
                {"cohort": n, "category": cat, "share": np.nan if hidden else 100 * values[k] / values[total_key]}
            )
    whole_key = ("admitted", WHOLE)
    return CohortsShown(
        disclosure,
        ins,
        c.filters.dimension,
        (values.get(whole_key, 0) if not marks.get(whole_key) else np.nan, marks.get(whole_key, "")),
        funnel_table,
        outcome_table,
        _hedis(c, t, names, marks),
        _follow_up(summary, names, t),
        _everyone(summary, names, t),
        _thresholds(c.thresholds, names, t),
        pd.DataFrame(shares, columns=["cohort", "category", "share"]),
        pd.DataFrame(rates_rows, columns=["cohort", "what", "rate", "low", "high"]),
        _weekly(c.weekly, t),
        _retention(c.retention, t),
        None if t else c.episodes,
        [n for n in names if n != WHOLE],
        " ".join(f"{spec.id}: {spec.version}." for spec in c.hedis_specs) + " Quality measures page: each step.",
        "" if rates_rows else _no_rates(c, t),
        f"{c.instrument} scores taken up to {c.follow_up_days} days after discharge, in no later episode. Followed up: "
        "of the discharges whose follow-up window has closed by the data date. Sustained: the last "
        "follow-up score is still a reliable improvement on intake, of those reliably improved at discharge and "
        "followed up.",
    )


def _no_rates(c: Cohorts, t: int) -> str:
    e = c.episodes
    if len(e) and not e["has_rates"].fillna(False).astype(bool).any():
        return f"{c.instrument} has no response or remission definition in the instrument catalogue"
    if not (e["baseline_is_case"].fillna(False).astype(bool) & e["change"].notna()).any():
        return f"No episode started at or above the {c.instrument} cutoff with a later score"
    return f"Every rate here would rest on a count from 1 to {t}: none is shown" if t else "No rate to show"


def _hedis(c: Cohorts, t: int, names: list[str], marks: dict) -> pd.DataFrame:
    """The HEDIS-style measures' rates by cohort (dashboard/views/quality_measures.py): a share over each
    measure's denominator, shared as _share says; — where a release that also holds the measures
    (privacy/release.py) hides the numerator or the denominator."""
    at = c.hedis.set_index(["measure_id", "rate_id", "cohort"])
    table = {"Cohort": names}
    for spec in c.hedis_specs:
        for rate_id, rate_label in spec.rates:
            column = []
            for n in names:
                ck = _cohort_key(c, n)
                hidden = marks.get(("measure", spec.id, rate_id, "met", *ck)) or marks.get(
                    ("measure", spec.id, "denominator", *ck)
                )
                row = at.loc[(spec.id, rate_id, n)] if (spec.id, rate_id, n) in at.index else None
                column.append("—" if hidden or row is None else _share(row["numerator"], row["denominator"], t))
            table[f"{spec.id}: {rate_label}"] = column
    return pd.DataFrame(table)


# each outcome's completers beside everyone admitted: side by side, the comparison stays in view at 1024 px
EVERYONE = {
    "Response: completed treatment": ("completed_response", "completed_cases"),
    "Response: everyone admitted": ("itt_response", "itt_cases"),
    "Remission: completed treatment": ("completed_remission", "completed_cases"),
    "Remission: everyone admitted": ("itt_remission", "itt_cases"),
    "Only a baseline (of everyone admitted)": ("baseline_only", "itt_cases"),
    "Left before completion (of admitted)": ("discharged_early", "episodes"),
}


def _everyone(summary: pd.DataFrame, names: list[str], t: int) -> pd.DataFrame:
    """Outcomes for everyone admitted beside the completers' (cohorts._everyone), shared as _share says."""
    rows = []
    for n in names:
        s = summary.loc[n] if n in summary.index else None
        rows.append(
            {
                "Cohort": n,
                **{heading: "—" if s is None else _share(s[k], s[d], t) for heading, (k, d) in EVERYONE.items()},
            }
        )
    return pd.DataFrame(rows, columns=["Cohort", *EVERYONE])


FOLLOWED_UP = "Followed up (of discharged)"
SUSTAINED = "Improvement sustained at follow-up (of improved at discharge)"


def _share(k, n, t: int) -> str:
    """The care team reads 'k of n (p %)'; a shared view the share alone, or — when it would rest on a
    count from 1 to t."""
    if t:
        return percent(k, n, t) or "—"
    return "—" if not n else f"{int(k):,} of {int(n):,} ({100 * k / n:.0f} %)"


def _thresholds(frame: pd.DataFrame | None, names: list[str], t: int) -> pd.DataFrame:
    """One column per threshold measure: of the episodes flagged at intake with a later score, those
    out of the flagged range at the latest."""
    if frame is None or not len(frame):
        return pd.DataFrame(columns=["Cohort"])
    table = {"Cohort": names}
    for heading, part in frame.groupby("heading", sort=True):
        at = part.set_index("cohort")
        table[heading] = [
            _share(at.loc[n, "cleared"], at.loc[n, "flagged"], t) if n in at.index else "—" for n in names
        ]
    return pd.DataFrame(table)


def _follow_up(summary: pd.DataFrame, names: list[str], t: int) -> pd.DataFrame:
    """Follow-up after discharge, shared as _share says."""

    def share(k, n):
        return _share(k, n, t)

    rows = []
    for n in names:
        s = summary.loc[n] if n in summary.index else None
        due, followed, improved, sustained = (int(s[c]) for c in FOLLOW_UP) if s is not None else (0, 0, 0, 0)
        rows.append({"Cohort": n, FOLLOWED_UP: share(followed, due), SUSTAINED: share(sustained, improved)})
    return pd.DataFrame(rows, columns=["Cohort", FOLLOWED_UP, SUSTAINED])


def _weekly(weekly: pd.DataFrame, t: int) -> pd.DataFrame:
    keep = weekly.loc[~weekly["n"].between(1, t)].copy() if t else weekly.copy()
    if t:
        keep["n"] = np.nan  # with n, a hidden cohort's week could be worked out from the whole program's
    return keep


def _retention(curves: pd.DataFrame, t: int) -> pd.DataFrame:
    """True counts (t = 0): every curve to its end. Suppressed (counts from 1 to t hidden):
    the share still in treatment at fixed weeks, where at least t + 1 remain at risk and the number
    who left so far is 0 or above t (a step of the curve would show how many left at once)."""
    columns = ["cohort", "time", "survival", "steps"]
    if not t:
        return curves.assign(steps=True)[columns].reset_index(drop=True)
    rows = []
    milestones = np.asarray(MILESTONES)
    for cohort, at in curves.groupby("cohort", sort=False).indices.items():
        part = curves.take(at).sort_values("time", kind="stable")
        time, survival = part["time"].to_numpy(), part["survival"].to_numpy()
        at_risk, left = part["at_risk"].to_numpy(), part["events"].cumsum().to_numpy()
        upto = np.searchsorted(time, milestones, side="right")  # rows at or before each week
        for week, n in zip(MILESTONES, upto):
            remaining = at_risk[n] if n < len(time) else 0
            gone = left[n - 1] if n else 0
            if remaining > t and not (1 <= gone <= t):
                rows.append({"cohort": cohort, "time": week, "survival": survival[n - 1], "steps": False})
    return pd.DataFrame(rows, columns=columns)


def shown_cohorts(c: Cohorts, disclosure: Disclosure) -> CohortsShown:
    cells = CellSet()
    register_cohorts(cells, c)
    return materialise_cohorts(c, cells, suppress(cells, disclosure.threshold)[0], disclosure)
