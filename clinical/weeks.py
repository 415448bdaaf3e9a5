"""Weeks of treatment in Python, for what SQL does not hand over (a chart's axis, a duration): the
same formula as the treatment_week() macro of setup/definitions.sql, which every mart and query
uses; tests/test_definitions.py checks the two agree day by day. The admission day is in week 1
(days 0-6), days 7-13 are week 2, days before admission are week 0 or earlier."""

from __future__ import annotations

import pandas as pd

DAYS = 7


def _days(day, admit) -> pd.Series | int:
    return (pd.to_datetime(day) - pd.to_datetime(admit)) // pd.Timedelta(days=1)


def treatment_week(day, admit):
    """The treatment week a date is in (dates, or a Series of them)."""
    return _days(day, admit) // DAYS + 1


def week_position(day, admit):
    """Where a date sits on a treatment-week axis: week N spans N to N + 1, so a date's position
    rounded down is its treatment week."""
    return _days(day, admit) / DAYS + 1


def week_middle(week, admit):
    """The middle of a treatment week (its fourth day, at noon), where a week's figure is drawn on a
    calendar axis; week N + 0.5 is the same place on a week axis."""
    return pd.Timestamp(admit) + pd.Timedelta(days=DAYS * (week - 1) + DAYS / 2)


def weeks_between(start, end):
    """The length of a span in weeks (a fraction: 10 days are 1.43 weeks)."""
    return _days(end, start) / DAYS
