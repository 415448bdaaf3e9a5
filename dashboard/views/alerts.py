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
from clinical.validation import ALERT, BASELINES, CHOSEN_RULE, METHODS, pooled
from dashboard.store import db, flag_actions
from dashboard.store.settings import stored
from dashboard.views.statistics import median_interval, proportion, wilson_interval

ALL = "all instruments"


def figures(table: pd.DataFrame) -> pd.DataFrame:
    """Validation counts as rates with 95 % Wilson intervals and the median lead time with its interval,
    per method (clinical.validation.METHODS), instrument and threshold."""
    rows = []
    for r in table.itertuples():
        row = {
            "method": getattr(r, "method", ALERT),
            "instrument": r.instrument,
            "threshold": r.threshold,
            "episodes": r.episodes,
            "not_improved": r.not_improved,
            "deteriorated": r.deteriorated,
            "alerted": r.alerted,
            "with_a_range": r.with_a_range,
            "min_checked": int(getattr(r, "min_checked", 1) or 1),
            "rule_cut": getattr(r, "rule_cut", None),
            "pooled_over": getattr(r, "pooled_over", r.instrument),
        }
        # too few judged episodes had an expected range: nothing was checked, whatever the rates say
        row["checked"] = int(r.with_a_range) >= row["min_checked"]
        for name, k, n in (
            ("sensitivity", r.alerted_not_improved, r.not_improved),
            ("sensitivity_deterioration", r.alerted_deteriorated, r.deteriorated),
            (
                "sensitivity_deterioration_alertable",
                getattr(r, "alerted_deteriorated_alertable", r.alerted_deteriorated),
                getattr(r, "deteriorated_alertable", r.deteriorated),
            ),
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
        leads = _weeks(r.lead_weeks)
        row["lead_weeks"], row["lead_low"], row["lead_high"] = median_interval(leads)
        row["lead_n"] = len(leads)
        first = _weeks(getattr(r, "alert_weeks", None))
        row["alert_week"] = float(np.median(first)) if first else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def _weeks(value) -> list:
    return list(value) if isinstance(value, (list, tuple, np.ndarray)) else []


def label(method: str, cut=None, early_week: int = 4) -> str:
    """A method in words; a baseline with its cut-off X at this flag rate, or, without one (a line across
    thresholds, or measures pooled), what X is for."""
    known = cut is not None and not pd.isna(cut)
    unknown = "cut-off set to flag as many"
    if method == "first_follow_up":
        return "First follow-up: " + (_share(cut) if known else unknown)
    if method == "early_change":
        return f"By week {early_week}: " + (_share(cut) if known else unknown)
    if method == "worst_change":
        if not known:
            return f"Any score, in points: {unknown}"
        if cut > 0:
            return f"Any score, in points: {cut:g}+ points worse than intake"
        if cut == 0:
            return "Any score, in points: no better than intake"
        return f"Any score, in points: less than {-cut:g} points better than intake"
    if method == "percent_change":
        return "Any score, as a share: " + (_share(cut) if known else unknown)
    return METHOD_NAMES[method]


def _share(cut: float) -> str:
    if cut < 0:
        return f"improved less than {-cut:.0%} from intake"
    if cut == 0:
        return "no better than intake"
    return f"{cut:.0%} or more worse than intake"


METHOD_NAMES = {
    ALERT: "Not on track (expected range)",
    CHOSEN_RULE: "Not on track (the one-line rule at the program's own cut-off)",
    "all_signals": "Any plan-review signal",
    "reliable_deterioration": "Deteriorating (reliable change)",
    "worsening": "Worsening or deteriorating (half the reliable change)",
    "no_improvement": "No improvement",
    "severe_persisting": "Still severe",
}


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


def readable(f: pd.DataFrame, by: str = "threshold", early_week: int = 4) -> pd.DataFrame:
    """The figures as a table to read: each rate as 'k/n = x % (low–high)'; by 'threshold' (one
    method's percentiles) or by 'method' (every method at one threshold)."""
    rows = [r for _, r in f.iterrows()]
    first = {"percentile": (f["threshold"] * 100).round().astype(int)}
    if by == "method":
        first["rule"] = [label(r["method"], r["rule_cut"], early_week) for r in rows]
    return pd.DataFrame(
        {
            "instrument": f["instrument"],
            **first,
            "with an expected range": [f"{int(r['with_a_range'])} of {int(r['episodes'])}" for r in rows],
            "sensitivity (no reliable improvement)": [rate(r, "sensitivity", True) for r in rows],
            "sensitivity (deterioration)": [rate(r, "sensitivity_deterioration", True) for r in rows],
            "deterioration, 2+ scores before the last": [
                rate(r, "sensitivity_deterioration_alertable", True) for r in rows
            ],
            "specificity": [rate(r, "specificity", True) for r in rows],
            "flag rate": [rate(r, "flag_rate", True) for r in rows],
            "PPV": [rate(r, "ppv", True) for r in rows],
            "median lead, weeks": [lead(r) for r in rows],
            "median first alert week": [
                "not checked" if not r["checked"] else "—" if pd.isna(r["alert_week"]) else f"{r['alert_week']:g}"
                for r in rows
            ],
        }
    )


def versus_baselines(rows: pd.DataFrame, early_week: int = 4) -> str | None:
    """figures() rows of one instrument at one threshold (every method): how the best one-line rule
    flagging as many episodes did against the alert, in plain words, and whether the program can
    choose a one-line rule as its alert (None: nothing checked)."""
    alert = rows[rows["method"] == ALERT]
    if alert.empty or not alert.iloc[0]["checked"] or not alert.iloc[0]["sensitivity_n"]:
        return None
    a = alert.iloc[0]
    rules = rows[rows["method"].isin(BASELINES)].sort_values("sensitivity_k", ascending=False, kind="stable")
    if rules.empty:
        return None
    b = rules.iloc[0]
    chance = b["sensitivity_high"] >= a["sensitivity_low"] and a["sensitivity_high"] >= b["sensitivity_low"]
    how = (
        f"flagging as many episodes ({a['alerted']}), the alert caught {a['sensitivity_k']} of "
        f"{a['sensitivity_n']} non-improvers and the best one-line rule, “{label(b['method'], b['rule_cut'], early_week)}”, "
        f"caught {b['sensitivity_k']}"
    )
    if b["sensitivity_k"] == a["sensitivity_k"] or chance:
        said = (
            f"A one-line rule does about as well: {how}; the 95 % intervals overlap, so the difference may be chance."
        )
    elif b["sensitivity_k"] > a["sensitivity_k"]:
        said = f"A one-line rule does better: {how}."
    else:
        said = f"The alert does better than each one-line rule: {how}."
    same = rows[rows["method"] == "percent_change"]
    if (b["sensitivity_k"] >= a["sensitivity_k"] or chance) and len(same) and not pd.isna(same.iloc[0]["rule_cut"]):
        c = same.iloc[0]
        x = switch_to(c["rule_cut"])
        if c["sensitivity_k"] >= a["sensitivity_k"] and -1 < x < 1:
            said += (
                f" The one-line rule a program can choose as its alert is “a score {one_line_rule(x)}”: at that "
                f"cut-off it would flag about as many and caught {c['sensitivity_k']} here. An administrator sets it "
                f"(expected_response.alert_rule = percent_change, percent_change_min_improvement = {x:.2f})."
            )
    return said


def switch_to(cut: float) -> float:
    """The program's X (flags an improvement strictly under X) that flags what the percent_change
    baseline flagged at `cut` (an improvement of -cut or less): the next hundredth above -cut."""
    return float(np.floor(-cut * 100 + 1e-9) / 100 + 0.01)


PLAIN = {  # the page's words for a figures() rate: the metrics' labels, the tables' columns, the chart's axes
    "sensitivity": "Non-improvers caught",
    "sensitivity_deterioration": "Deteriorations caught",
    "flag_rate": "Episodes alerted",
    "ppv": "Alerts that were right",
}


def short_rate(r, name: str) -> str:
    """A rate as 'x % (k/n)' for a narrow table (the interval is in the full table and on hover)."""
    if not r["checked"]:
        return "not checked"
    if not r[f"{name}_n"]:
        return "—"
    return f"{r[name]:.0%} ({r[f'{name}_k']}/{r[f'{name}_n']})"


def short_label(method: str, cut=None, early_week: int = 4) -> str:
    """label() short enough for a table column at 1024 px (the page lists the full words beside it)."""
    known = cut is not None and not pd.isna(cut)

    def share(c: float) -> str:
        return f"<{-c:.0%} better" if c < 0 else "no better" if c == 0 else f"≥{c:.0%} worse"

    if method == "first_follow_up":
        return "First follow-up " + (share(cut) if known else "(X)")
    if method == "early_change":
        return f"Week {early_week} " + (share(cut) if known else "(X)")
    if method == "worst_change":
        if not known:
            return "Any score (X points)"
        return "Any score " + (
            f"≥{cut:g} pts worse" if cut > 0 else "no better (pts)" if cut == 0 else f"<{-cut:g} pts better"
        )
    if method == "percent_change":
        return "Any score " + ((share(cut) + (" (%)" if cut == 0 else "")) if known else "(X %)")
    return SHORT_NAMES.get(method, METHOD_NAMES[method])


SHORT_NAMES = {
    ALERT: "Expected range (the alert)",
    CHOSEN_RULE: "One-line alert",
    "all_signals": "Any signal",
    "reliable_deterioration": "Deteriorating",
    "worsening": "Worsening",
    "no_improvement": "No improvement",
    "severe_persisting": "Still severe",
}


def compact(rows: pd.DataFrame, early_week: int = 4, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """figures() rows of one instrument at one threshold as a table narrow enough for 1024 px: each rule's
    short name, then `columns` among the rates of PLAIN ('x % (k/n)'), "lead" (weeks of warning) and
    "first" (the median week of the first alert)."""
    records = [r for _, r in rows.iterrows()]
    table = {"Rule": [short_label(r["method"], r["rule_cut"], early_week) for r in records]}
    for column in columns:
        if column in PLAIN:
            table[PLAIN[column]] = [short_rate(r, column) for r in records]
        elif column == "lead":
            table["Weeks of warning"] = [lead(r) for r in records]
        elif column == "first":
            table["First alert, week"] = [
                "not checked" if not r["checked"] else "—" if pd.isna(r["alert_week"]) else f"{r['alert_week']:g}"
                for r in records
            ]
    return pd.DataFrame(table)


def rules_in_words(rows: pd.DataFrame, early_week: int = 4) -> str:
    """Each row's short name = its full words, for the caption under a compact() table."""
    return "; ".join(
        f"{short_label(r['method'], r['rule_cut'], early_week)}: {label(r['method'], r['rule_cut'], early_week)}"
        for _, r in rows.iterrows()
        if short_label(r["method"], r["rule_cut"], early_week) != label(r["method"], r["rule_cut"], early_week)
        and r["method"] != ALERT
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
    early_week: int  # alert_validation.early_change_week (a baseline's week)
    rule: str  # expected_response.alert_rule: the alert in use
    min_improvement: float  # expected_response.percent_change_min_improvement
    alerted: pd.DataFrame  # alerts/off_track_episodes: every episode-measure ever not on track (live)
    sources: pd.DataFrame  # alerts/range_sources: where each measure's expected ranges come from

    @property
    def instruments(self) -> list[str]:
        return [ALL, *sorted(set(self.figures["instrument"]) - {ALL})] if len(self.figures) else []

    def of(self, instrument: str, method: str = ALERT) -> pd.DataFrame:
        """One method's rows for an instrument, a threshold each."""
        f = self.figures
        return f[(f["instrument"] == instrument) & (f["method"] == method)]

    def at_setting(self, instrument: str) -> pd.DataFrame:
        """Every method's row for an instrument at the threshold in use, in METHODS order."""
        f = self.figures
        rows = f[(f["instrument"] == instrument) & np.isclose(f["threshold"], self.setting)]
        return rows.sort_values("method", key=lambda m: m.map(METHODS.index))

    def follow_up(self, instrument: str) -> dict:
        """review_follow_up() of the live alerts on this measure (for ALL: on every measure, those whose
        re-check could not be pooled included: a review recorded on one is not hidden)."""
        a = self.alerted
        return review_follow_up(a if instrument == ALL else a[a["instrument"] == instrument])

    def pooled_over(self) -> str:
        rows = self.of(ALL)
        return rows.iloc[0]["pooled_over"] if len(rows) and "pooled_over" in rows else ""

    def current(self, instrument: str) -> pd.Series | None:
        """The alert in use (the expected range or the program's one-line rule) at the threshold in use."""
        rows = self.of(instrument, CHOSEN_RULE if self.rule == "percent_change" else ALERT)
        rows = rows[np.isclose(rows["threshold"], self.setting)]
        return rows.iloc[0] if len(rows) else None


def alert_report() -> AlertReport:
    f = db.queries(
        performance=("alerts/performance", {}),
        alerted=("alerts/off_track_episodes", {}),
        info=("common/dataset_info", {}),
        sources=("alerts/range_sources", {}),
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
        settings.whole("alert_validation", "early_change_week"),
        settings.text("expected_response", "alert_rule"),
        settings.number("expected_response", "percent_change_min_improvement"),
        f["alerted"],
        f["sources"],
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


def range_source(row) -> str:
    """Where one measure's expected ranges come from, in a sentence (an alerts/range_sources row)."""
    own, needed = int(row["completed_episodes"]), int(row["needed"])
    if row["range_source"] == "program":
        return f"{row['instrument']}: from the program's own {own:,} completed episodes."
    if row["range_source"] == "published":
        return (
            f"{row['instrument']}: from published recovery curves (two antidepressant trials, by intake severity) "
            f"until the program has {needed} completed episodes of its own; it has {own}."
        )
    return (
        f"{row['instrument']}: none yet: {own} completed episodes, {needed} needed, and no published curve "
        "applies to this measure."
    )


def one_line_rule(min_improvement: float) -> str:
    """The one-line alert at the program's X (expected_response.percent_change_min_improvement), in words:
    it flags an improvement strictly less than X (definitions.sql, short_of_percent_change)."""
    if min_improvement > 0:
        return f"improved less than {min_improvement:.0%} from intake"
    if min_improvement == 0:
        return "worse than intake"
    return f"more than {-min_improvement:.0%} worse than intake"
