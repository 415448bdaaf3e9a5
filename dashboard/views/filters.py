"""The director's filters: date range, track, clinician, age group, a population (an equity field's
value: payer, referral source, diagnosis group, sex or gender, race, ethnicity, as the roster records
them) and a cohort dimension (the equity fields among them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.store import db

DIMENSIONS = ("quarter", "month", "track", "clinician", "age group")
WHOLE = "Whole program"  # the row beside each grouping's cohorts
EACH_EPISODE = "episode"  # scoped_episodes' grouping with a cohort of its own for each episode


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    program: str | None = None
    clinician: str | None = None
    age_group: str | None = None
    dimension: str = "quarter"
    group_field: str | None = None  # an equity field (episode_groups) and its value, or None: everyone
    group_value: str | None = None

    def params(self, admitted_in_range: bool) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "program": self.program,
            "clinician": self.clinician,
            "age_group": self.age_group,
            "dimension": self.dimension,
            "admitted_in_range": admitted_in_range,
            "group_field": self.group_field,
            "group_value": self.group_value,
        }

    def describe(self) -> str:
        """One line for chart captions and exports."""
        parts = [f"{self.start:%d %b %Y} to {self.end:%d %b %Y}"]
        parts += [
            f"{k}: {v}"
            for k, v in (
                ("track", self.program),
                ("clinician", self.clinician),
                ("age group", self.age_group),
                (self.group_field, self.group_value),
            )
            if v
        ]
        return "; ".join(parts)


@dataclass(frozen=True)
class FilterOptions:
    first_admission: dt.date
    data_as_of: dt.date
    tracks: list[str]
    clinicians: list[str]
    age_groups: list[str]
    instruments: list[str]
    primary_instrument: str = ""
    group_fields: list[str] = ()  # the equity fields the program records (episode_groups)
    populations: list[str] = ()  # "field: value" of each, for the population filter


def primary_instrument(opts: FilterOptions) -> str:
    """The program's primary instrument (settings flags.measure_overdue_instrument, as the build
    stored it) when it has scores (or nothing has yet), else the first instrument that has."""
    primary = opts.primary_instrument
    return primary if primary in opts.instruments or not opts.instruments else opts.instruments[0]


def instrument_choices(opts: FilterOptions) -> list[str]:
    """The instruments with scores; before any measure is loaded, the primary one (showing none)."""
    return opts.instruments or [primary_instrument(opts)]


def options() -> FilterOptions:
    row = db.query("common/overview_filters").iloc[0]

    def listed(values) -> list:  # none loaded yet: NULL
        return [] if values is None or values is pd.NA else list(values)

    return FilterOptions(
        pd.Timestamp(row.first_admission).date(),
        pd.Timestamp(row.data_as_of).date(),
        listed(row.tracks),
        listed(row.clinicians),
        listed(row.age_groups),
        listed(row.instruments),
        row.primary_instrument,
        listed(row.group_fields),
        [f"{field}{POPULATION}{value}" for field, value in listed(row.populations)],
    )


POPULATION = ": "  # "race: Asian": an equity field and its value, as the population filter offers them


def population(choice: str | None) -> tuple[str | None, str | None]:
    """The population filter's choice as (field, value); (None, None) for everyone."""
    if not choice or POPULATION not in choice:
        return None, None
    field, value = choice.split(POPULATION, 1)
    return field, value


def score_range(instrument: str) -> tuple[float, float]:
    """The instrument's lowest and highest total (catalogue)."""
    bands = db.query("common/instrument_bands")
    row = bands[bands["instrument"] == instrument]
    return (float(row["total_min"].iloc[0]), float(row["total_max"].iloc[0])) if len(row) else (0.0, 0.0)
