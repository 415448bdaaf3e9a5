"""Short labels for flags in lists (the explanation sentence carries the numbers)."""
from __future__ import annotations

LABELS = {
    "safety_item": "Safety item",
    "subscale_flag": "Flagged subscale",
    "reliable_deterioration": "Deteriorating",
    "no_improvement": "No improvement",
    "severe_persisting": "Still severe",
    "below_expected": "Not on track",
    "consecutive_no_shows": "No-shows in a row",
    "low_attendance": "Low attendance",
    "disengaged": "Disengaged",
    "below_asam_hours": "Hours below ASAM",
    "measure_overdue": "Measure overdue",
}
SEVERITY_RANK = {"red": 0, "amber": 1}
SAFETY_RULES = {"safety_item"}          # a safety concern comes before every other red flag
# Worklist priority, most urgent first: words with a mark of its own shape, so colour is never the
# only cue (text symbols, not emoji: they draw with the fonts every machine has)
PRIORITY = {0: "⚠ SAFETY", 1: "● Red", 2: "○ Amber", 3: ""}


def priority_ranks(flags):
    """Each flag's priority rank: 0 safety, 1 red, 2 amber (PRIORITY)."""
    rank = flags["severity"].map(SEVERITY_RANK).astype("float64") + 1
    return rank.where(~flags["rule_id"].isin(SAFETY_RULES), 0).astype("int64")


def label(rule_id: str, instrument: str | None = None) -> str:
    text = LABELS.get(rule_id, rule_id)
    return f"{text} ({instrument})" if instrument else text


def labels(flags) -> list[str]:
    """The short label of every row of a flags frame (rule_id, instrument)."""
    return [label(r, i if isinstance(i, str) else None) for r, i in zip(flags["rule_id"], flags["instrument"])]
