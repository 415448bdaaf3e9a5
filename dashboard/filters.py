"""The director's filters: date range, track, clinician, age group (and a cohort dimension)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard import db

DIMENSIONS = ("quarter", "month", "track", "clinician", "age group")


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    program: str | None = None
    clinician: str | None = None
    age_group: str | None = None
    dimension: str = "quarter"

    def params(self, admitted_in_range: bool) -> dict:
        return {"start": self.start, "end": self.end, "program": self.program, "clinician": self.clinician,
                "age_group": self.age_group, "dimension": self.dimension, "admitted_in_range": admitted_in_range}

    def describe(self) -> str:
        """One line for chart captions and exports."""
        parts = [f"{self.start:%d %b %Y} to {self.end:%d %b %Y}"]
        parts += [f"{k}: {v}" for k, v in (("track", self.program), ("clinician", self.clinician),
                                             ("age group", self.age_group)) if v]
        return "; ".join(parts)


@dataclass(frozen=True)
class FilterOptions:
    first_admission: dt.date
    data_as_of: dt.date
    tracks: list[str]
    clinicians: list[str]
    age_groups: list[str]
    instruments: list[str]


def options() -> FilterOptions:
    row = db.query("overview_filters").iloc[0]
    return FilterOptions(pd.Timestamp(row.first_admission).date(), pd.Timestamp(row.data_as_of).date(),
                         list(row.tracks), list(row.clinicians), list(row.age_groups), list(row.instruments))
