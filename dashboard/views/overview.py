"""The program overview for clinical directors: who came and went, attendance and hours against
the ASAM minimum, modality mix, flags and how fast they are acted on, measurement completeness,
aftercare. Every frame is for the episodes the filters select."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.store import db, flag_actions
from dashboard.store.settings import stored
from dashboard.views.filters import Filters


@dataclass(frozen=True)
class Overview:
    filters: Filters
    headline: dict
    flow: pd.DataFrame
    discharges: pd.DataFrame
    attendance: pd.DataFrame
    modality: pd.DataFrame
    family: dict
    flags: pd.DataFrame
    actions: pd.DataFrame
    completeness: pd.DataFrame
    aftercare: pd.DataFrame
    asam_minimums: str  # "9 h adults, 6 h adolescents": the settings the build used


def program_overview(filters: Filters, instrument: str) -> Overview:
    f = db.queries(
        filters.params(admitted_in_range=False),
        headline=("overview/headline", {}),
        flow=("overview/flow", {}),
        discharges=("overview/discharges", {}),
        attendance=("overview/attendance", {}),
        modality=("overview/modality", {}),
        family=("overview/family", {}),
        flags=("overview/flags", {}),
        completeness=("common/completeness", {"instrument": instrument}),
        aftercare=("overview/aftercare", {}),
        episodes=("overview/episode_ids", {}),
        loads=("overview/load_times", {}),
    )
    actions = flag_actions.first_actions()
    actions = seen_to_action(actions[actions["episode_id"].isin(f["episodes"]["episode_id"])], f["loads"])
    completeness = f["completeness"][f["completeness"]["cohort"].isna()].drop(columns="cohort")
    return Overview(
        filters,
        f["headline"].iloc[0].to_dict(),
        f["flow"],
        f["discharges"],
        f["attendance"],
        f["modality"],
        f["family"].iloc[0].to_dict(),
        open_flags_by_rule(f["flags"]),
        actions,
        completeness,
        f["aftercare"],
        asam_minimums(),
    )


def seen_to_action(actions: pd.DataFrame, loads: pd.DataFrame) -> pd.DataFrame:
    """days_to_action counted from when the flag could first be seen (the first load on or after its
    evidence date) to its first action: two events, so the figure does not grow with the wall clock
    or with how late an export arrived."""
    if not len(actions):
        return actions.assign(seen_at=pd.Series(dtype="datetime64[us]"))
    fired = pd.to_datetime(actions["fired_on"]).astype("datetime64[us]")
    loaded = pd.to_datetime(loads["loaded_at"]).astype("datetime64[us]").sort_values().to_numpy()
    after = loaded.searchsorted(fired.to_numpy())  # the first load at or after the evidence day's start
    seen = pd.Series(
        [loaded[i] if i < len(loaded) else f for i, f in zip(after, fired)], index=actions.index, dtype="datetime64[us]"
    )
    acted = pd.to_datetime(actions["acted_at"]).astype("datetime64[us]")
    days = ((acted - seen).dt.total_seconds() / 86400).clip(lower=0)
    return actions.assign(seen_at=seen, days_to_action=days)


def open_flags_by_rule(flags: pd.DataFrame) -> pd.DataFrame:
    """Open flags (neither acknowledged nor snoozed: the caseload's reading) by rule, most urgent rule first."""
    open_flags = flag_actions.open_only(flags.assign(label=flags["flag_label"]))
    return (
        open_flags.groupby(["rule_id", "severity", "rule_label", "rule_priority"], as_index=False)
        .agg(flags=("flag_key", "size"), episodes=("episode_id", "nunique"))
        .sort_values(["rule_priority", "flags", "rule_id"], ascending=[True, False, True], kind="stable")
        .rename(columns={"rule_label": "label"})
        .drop(columns="rule_priority")
        .reset_index(drop=True)
    )


def asam_minimums() -> str:
    """The ASAM level 2.1 minimum hours a week (settings flags.asam_*_hours), in words."""
    s = stored()
    return f"{s.number('flags', 'asam_adult_hours'):g} h adults, {s.number('flags', 'asam_adolescent_hours'):g} h adolescents"
