"""Clinical results in words, one wording for the screen and every file: Jacobson & Truax
categories, a change against its reliable-change threshold, yes/no, an episode's label."""

from __future__ import annotations

import datetime as dt

import pandas as pd

# Attendance statuses in words (the loader's coded values, etl/vocabulary.toml), for charts and tables.
STATUS_WORDS = {
    "attended": "attended",
    "late": "late",
    "left_early": "left early",
    "excused": "excused",
    "no_show": "no-show",
    "cancelled": "cancelled by program",
}
# The expected-recovery statuses that judge a score (recovery_status; "no expected range" does not).
JUDGED = ("on track", "at risk", "not on track")
JT_LABELS = {
    "recovered": "recovered",
    "improved": "improved",
    "unchanged": "unchanged",
    "deteriorated": "deteriorated",
    "not_a_case": "not a case at intake",
    "insufficient_data": "insufficient data",
    "no_score": "no score",
}


def missing(value) -> bool:
    return value is None or (not isinstance(value, (str, list)) and pd.isna(value))


def truthy(value) -> bool:
    """True for True of any boolean type (Python, numpy, pandas); False for False and missing."""
    return not missing(value) and bool(value)


def yes_no(value) -> str:
    """True/False as Yes/No; missing (not applicable) as —."""
    return "—" if missing(value) else ("Yes" if bool(value) else "No")


def day(value) -> str:
    """A date as every page and file writes it: 06 Dec 2026; missing as —."""
    return "—" if missing(value) or value == "" else f"{pd.Timestamp(value):%d %b %Y}"


def days(values: pd.Series) -> pd.Series:
    """day() of a whole column: each distinct date written once (a list of 50,000 episodes holds a few
    hundred days; written row by row, or by pandas' strftime, it took a second)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    written = pd.Series([day(u) for u in uniques] + ["—"])
    return pd.Series(written.to_numpy()[codes], index=values.index)


def points(value) -> str:
    return f"{float(value):g}".replace("-", "−")


def change(outcome: dict) -> str:
    """'−7 points: reliable improvement (threshold 6)'; '+2 points: no reliable change (needs 6)'."""
    delta, threshold = outcome.get("change"), outcome.get("reliable_change_points")
    if missing(delta):
        return "—"
    text = f"{'+' if delta > 0 else ''}{points(delta)} points"
    if missing(threshold):
        return text + " (no reliable-change threshold: screening instrument)"
    if truthy(outcome.get("reliable_improvement")):
        return f"{text}: reliable improvement (threshold {points(threshold)})"
    if truthy(outcome.get("reliable_deterioration")):
        return f"{text}: reliable deterioration (threshold {points(threshold)})"
    return f"{text}: no reliable change (needs {points(threshold)})"


def category(outcome: dict) -> str:
    """The Jacobson & Truax category in words, with the reason when the data are insufficient."""
    value = outcome.get("jt_category")
    if missing(value):
        return "— (screening instrument)"
    text = JT_LABELS.get(value, str(value))
    note = outcome.get("outcome_note")
    return f"{text}: {note}" if value == "insufficient_data" and not missing(note) else text


def episode_label(number: int, admitted: dt.date, discharged: dt.date | None) -> str:
    """'Episode 2: 19 Dec 2025 – open' (numbered from the first this user may see)."""
    end = "open" if missing(discharged) else f"{pd.Timestamp(discharged):%d %b %Y}"
    return f"Episode {int(number)}: {pd.Timestamp(admitted):%d %b %Y} – {end}"


def share(k: int, n: int, what: str) -> str:
    """'3 of 10 (30%) had a review'; no percentage of nothing, and 1 of 236 is '<1%', not '0%'."""
    if not n:
        return f"{k:,} of {n:,} {what}"
    part = "<1%" if 0 < k / n < 0.005 else f"{k / n:.0%}"
    return f"{k:,} of {n:,} ({part}) {what}"


def percentile(fraction: float) -> str:
    """0.8 -> '80th'; 0.51 -> '51st'."""
    n = int(round(fraction * 100))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
