"""The plan-review flags' rules as data (flags.toml): label, severity, and whether a rule is a safety
concern or asks for a structured review. The build stores them as the table flag_rules, which the
flags mart joins for each flag's severity; every list, page and document orders and names flags
from here, so a rule's place and words are one entry."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from clinical.rows import insert_rows

FILE = Path(__file__).with_name("flags.toml")
SEVERITIES = ("red", "amber")
# Priority of a flag in lists, most urgent first: 0 safety, 1 red, 2 amber (3: no flag). Words with a
# mark of their own shape, so colour is never the only cue (text symbols, not emoji: every font has them)
PRIORITY = {0: "⚠ SAFETY", 1: "● Red", 2: "○ Amber", 3: ""}


@dataclass(frozen=True)
class FlagRule:
    rule: str
    label: str
    severity: str
    position: int  # its place in flags.toml: the order lists show rules of one priority
    safety: bool = False  # a safety concern: before every other flag, acknowledged and never snoozed
    review: bool = False  # acknowledging it records the structured review

    @property
    def rank(self) -> int:
        """0 safety, 1 red, 2 amber (PRIORITY)."""
        return 0 if self.safety else 1 + SEVERITIES.index(self.severity)


@cache
def rules() -> dict[str, FlagRule]:
    out = {}
    for position, entry in enumerate(tomllib.loads(FILE.read_text())["flags"]):
        unknown = set(entry) - {"rule", "label", "severity", "safety", "review"}
        if unknown or entry.get("severity") not in SEVERITIES or not entry.get("label"):
            raise ValueError(
                f"{FILE.name}: flag {entry.get('rule')!r} needs a label and a severity of "
                f"{', '.join(SEVERITIES)}, and nothing else but safety and review"
            )
        out[entry["rule"]] = FlagRule(
            entry["rule"],
            entry["label"],
            entry["severity"],
            position,
            bool(entry.get("safety")),
            bool(entry.get("review")),
        )
    return out


def rule(rule_id: str) -> FlagRule | None:
    return rules().get(rule_id)


def label(rule_id: str, instrument: str | None = None) -> str:
    known = rule(rule_id)
    text = known.label if known else rule_id
    return f"{text} ({instrument})" if instrument else text


def safety_rules() -> tuple[str, ...]:
    return tuple(r.rule for r in rules().values() if r.safety)


def reviewed_rules() -> tuple[str, ...]:
    return tuple(r.rule for r in rules().values() if r.review)


def write_rules(con: duckdb.DuckDBPyConnection) -> None:
    """The table flag_rules (rule_id, label, severity, priority, position, safety, review)."""
    con.execute("""CREATE OR REPLACE TABLE flag_rules (rule_id VARCHAR PRIMARY KEY, label VARCHAR, severity VARCHAR,
                   priority INTEGER, position INTEGER, safety BOOLEAN, review BOOLEAN)""")
    insert_rows(
        con,
        "flag_rules",
        [(r.rule, r.label, r.severity, r.rank, r.position, r.safety, r.review) for r in rules().values()],
    )
