"""The program summary: headline figures read from the loaded data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.store import db


@dataclass(frozen=True)
class ProgramSummary:
    data_as_of: dt.date | None
    last_load_at: dt.datetime | None
    last_week_start: dt.date | None
    last_week_end: dt.date | None
    active_census: int
    active_inferred: int
    sessions_attended_last_week: int
    participants_attended_last_week: int
    assessments_loaded: int
    participants_assessed: int
    files_loaded: int
    rows_rejected: int
    attended_by_week: pd.DataFrame
    census_by_track: pd.DataFrame
    recent_loads: pd.DataFrame


def _value(v):
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return v.to_pydatetime() if isinstance(v, pd.Timestamp) else v


def program_summary(weeks: int = 12) -> ProgramSummary:
    f = db.queries(
        head=("summary/summary_headline", {}),
        attended=("summary/attended_by_week", {"weeks": weeks}),
        census=("summary/census_by_track", {}),
        loads=("summary/recent_loads", {"limit": 10}),
    )
    head = f["head"].iloc[0].to_dict()
    head = {k: _value(v) for k, v in head.items()}
    for k in ("data_as_of", "last_week_start", "last_week_end"):
        if isinstance(head[k], dt.datetime):
            head[k] = head[k].date()
    counts = {
        k: int(head[k] or 0)
        for k in (
            "active_census",
            "active_inferred",
            "sessions_attended_last_week",
            "participants_attended_last_week",
            "assessments_loaded",
            "participants_assessed",
            "files_loaded",
            "rows_rejected",
        )
    }
    return ProgramSummary(
        data_as_of=head["data_as_of"],
        last_load_at=head["last_load_at"],
        last_week_start=head["last_week_start"],
        last_week_end=head["last_week_end"],
        **counts,
        attended_by_week=f["attended"],
        census_by_track=f["census"],
        recent_loads=f["loads"],
    )
