"""How well the not-on-track alert works, for the director: its out-of-sample hit rate on the
program's own ended episodes (the alert_performance mart, refitted at every load), and what followed
the alerts (structured reviews recorded with their acknowledgement, later reliable improvement).
`python -m dashboard validate` prints the same figures for the demo and two trials."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from clinical import flag_rules
from clinical.validation import pooled
from dashboard.store import db, flag_actions
from dashboard.store.settings import stored
from dashboard.views.statistics import median_interval, proportion, wilson_interval

ALL = "all instruments"


def figures(table: pd.DataFrame) -> pd.DataFrame:
    """Validation counts as rates with 95 % Wilson intervals and the median lead time with its interval."""
    rows = []
    for r in table.itertuples():
        row = {
            "instrument": r.instrument,
            "threshold": r.threshold,
            "episodes": r.episodes,
            "not_improved": r.not_improved,
            "deteriorated": r.deteriorated,
            "alerted": r.alerted,
            "with_a_range": r.with_a_range,
            "min_checked": int(getattr(r, "min_checked", 1) or 1),
        }
        # too few judged episodes had an expected range: nothing was checked, whatever the rates say
        row["checked"] = int(r.with_a_range) >= row["min_checked"]
        for name, k, n in (
            ("sensitivity", r.alerted_not_improved, r.not_improved),
            ("sensitivity_deterioration", r.alerted_deteriorated, r.deteriorated),
            ("specificity", r.improved_not_alerted, r.improved),
            ("flag_rate", r.alerted, r.episodes),
            ("ppv", r.alerted_not_improved, r.alerted),
        ):
            low, high = wilson_interval(int(k), int(n))
            row.update(
                {
                    name: proportion(int(k), int(n)),
                    f"{name}_k": int(k),
                    f"{name}_n": int(n),
                    f"{name}_low": low,
                    f"{name}_high": high,
                }
            )
        leads = list(r.lead_weeks) if isinstance(r.lead_weeks, (list, tuple, np.ndarray)) else []
        row["lead_weeks"], row["lead_low"], row["lead_high"] = median_interval(leads)
        row["lead_n"] = len(leads)
        rows.append(row)
    return pd.DataFrame(rows)


def not_checked(r) -> str:
    """Why a figures() row says nothing: too few judged episodes had an expected range."""
    return (
        f"not checked: {int(r['with_a_range'])} of {int(r['episodes'])} judged episodes had an expected range "
        f"(at least {int(r['min_checked'])} needed)"
    )


def rate(r, name: str, short: bool = False) -> str:
    """One rate of a figures() row as 'k/n = x % (low–high)', or why it was not checked."""
    if not r["checked"]:
        return "not checked" if short else not_checked(r)
    if not r[f"{name}_n"]:
        return "—"
    return f"{r[f'{name}_k']}/{r[f'{name}_n']} = {r[name]:.0%} ({r[f'{name}_low']:.0%}–{r[f'{name}_high']:.0%})"


def lead(r) -> str:
    if not r["checked"]:
        return "not checked"
    if not r["lead_n"]:
        return "—"
    interval = "" if pd.isna(r["lead_low"]) else f" ({r['lead_low']:g}–{r['lead_high']:g})"
    return f"{r['lead_weeks']:g}{interval}"


def readable(f: pd.DataFrame) -> pd.DataFrame:
    """The figures as a table to read: each rate as 'k/n = x % (low–high)'."""
    rows = [r for _, r in f.iterrows()]
    return pd.DataFrame(
        {
            "instrument": f["instrument"],
            "percentile": (f["threshold"] * 100).round().astype(int),
            "with an expected range": [f"{int(r['with_a_range'])} of {int(r['episodes'])}" for r in rows],
            "sensitivity (no reliable improvement)": [rate(r, "sensitivity", True) for r in rows],
            "sensitivity (deterioration)": [rate(r, "sensitivity_deterioration", True) for r in rows],
            "specificity": [rate(r, "specificity", True) for r in rows],
            "flag rate": [rate(r, "flag_rate", True) for r in rows],
            "PPV": [rate(r, "ppv", True) for r in rows],
            "median lead, weeks": [lead(r) for r in rows],
        }
    )


@dataclass(frozen=True)
class AlertReport:
    data_as_of: dt.date | None
    figures: pd.DataFrame  # figures() per instrument and threshold, with ALL pooled over instruments
    setting: float  # the off-track percentile in use
    at_risk: float
    folds: int
    max_episodes: int
    first_week: int
    follow_up: dict  # review_follow_up()

    @property
    def instruments(self) -> list[str]:
        return [ALL, *sorted(set(self.figures["instrument"]) - {ALL})] if len(self.figures) else []

    def of(self, instrument: str) -> pd.DataFrame:
        return self.figures[self.figures["instrument"] == instrument]

    def current(self, instrument: str) -> pd.Series | None:
        rows = self.of(instrument)
        rows = rows[np.isclose(rows["threshold"], self.setting)]
        return rows.iloc[0] if len(rows) else None


def alert_report() -> AlertReport:
    f = db.queries(
        performance=("alerts/performance", {}),
        alerted=("alerts/off_track_episodes", {}),
        info=("common/dataset_info", {}),
    )
    settings = stored()
    table = f["performance"].drop(columns="whole_program")
    rows = figures(pd.concat([table, pooled(table, ALL)], ignore_index=True)) if len(table) else pd.DataFrame()
    info = f["info"]
    as_of = info["data_as_of"].iloc[0] if len(info) and "data_as_of" in info else None
    return AlertReport(
        None if as_of is None or pd.isna(as_of) else pd.Timestamp(as_of).date(),
        rows,
        settings.number("expected_response", "off_track_percentile"),
        settings.number("expected_response", "at_risk_percentile"),
        settings.whole("alert_validation", "folds"),
        settings.whole("alert_validation", "max_episodes"),
        settings.whole("expected_response", "first_week"),
        review_follow_up(f["alerted"]),
    )


def review_follow_up(alerted: pd.DataFrame) -> dict:
    """Of the episodes (per instrument) ever not on track: how many had a structured review, how many a
    recorded plan change, and the later reliable improvement with and without a plan change, among
    those scored again after their first alert."""
    reviews = flag_actions.reviews()
    reviews = reviews[reviews["rule_id"].isin(flag_rules.reviewed_rules())]
    keys = ["episode_id", "instrument"]
    done = reviews.groupby(keys, as_index=False).agg(
        reviewed=("plan_changed", "size"), plan_changed=("plan_changed", "any")
    )
    a = alerted.merge(done, on=keys, how="left")
    a["reviewed"] = a["reviewed"].fillna(0) > 0
    a["plan_changed"] = a["plan_changed"].fillna(False).astype(bool)
    followed = a[a["scored_after"].fillna(False).astype(bool)]
    out = {
        "alerted": len(a),
        "open": int(a["open"].sum()),
        "reviewed": int(a["reviewed"].sum()),
        "plan_changed": int(a["plan_changed"].sum()),
        "scored_after": len(followed),
    }
    for name, part in (
        ("with_change", followed[followed["plan_changed"]]),
        ("without_change", followed[~followed["plan_changed"]]),
    ):
        k, n = int(part["improved_after"].fillna(False).astype(bool).sum()), len(part)
        out[name] = (k, n, proportion(k, n), *wilson_interval(k, n))
    return out
