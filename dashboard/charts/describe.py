"""A chart's text alternative, made from the figure itself: its title, then each series with its values
(a short series in full, a long one as its range and last value). Made from the figure as drawn, so it
says no more than the chart does (a suppressed value reads "not shown", never a number)."""

from __future__ import annotations

import datetime as dt
import math
import re
from html import unescape

import numpy as np
import pandas as pd
import plotly.graph_objects as go

LISTED = 12  # a series of up to this many values is read out in full
SERIES = 8  # series described; a note says how many more


def _plain(text) -> str:
    """Chart text without its markup: <br> as a space, other tags dropped, entities decoded; a date as
    every page writes it."""
    if isinstance(text, (dt.date, np.datetime64)):
        return f"{pd.Timestamp(text):%d %b %Y}"
    text = re.sub(r"<br\s*/?>", " ", str(text if text is not None else ""))
    return " ".join(unescape(re.sub(r"<[^>]+>", "", text)).split())


def _value(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "not shown"
    if isinstance(v, float):
        return f"{v:,.1f}".removesuffix(".0")
    return _plain(v)


def _series(trace) -> str | None:
    horizontal = getattr(trace, "orientation", None) == "h"
    labels, values = (trace.y, trace.x) if horizontal else (trace.x, trace.y)
    if values is None:  # a heatmap or a table-like trace: its shape
        z = getattr(trace, "z", None)
        return f"a grid of {len(z)} rows" if z is not None else None
    values = list(values)
    labels = list(labels) if labels is not None else list(range(1, len(values) + 1))
    marks = list(trace.customdata) if trace.customdata is not None and len(trace.customdata) == len(values) else []
    # a stacked segment drawn as 0 because its share is not shown says so in its customdata
    values = [None if i < len(marks) and str(marks[i]) == "not shown" else v for i, v in enumerate(values)]
    name = _plain(trace.name) or "values"
    if not values:
        return None
    if len(values) <= LISTED:
        return f"{name}: " + ", ".join(f"{_plain(k)} {_value(v)}" for k, v in zip(labels, values))
    shown = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not shown:
        return f"{name}: {len(values)} values, none shown"
    return (
        f"{name}: {len(values)} values from {_plain(labels[0])} to {_plain(labels[-1])}, "
        f"lowest {_value(min(shown))}, highest {_value(max(shown))}, last {_value(values[-1])}"
    )


def describe(fig: go.Figure) -> str:
    """One paragraph: the title, then each named series with its values."""
    title = _plain(fig.layout.title.text) if fig.layout.title and fig.layout.title.text else "Chart"
    parts = [p for p in (_series(t) for t in fig.data if t.showlegend is not False or len(fig.data) == 1) if p]
    if not parts:
        parts = [p for p in (_series(t) for t in fig.data) if p]
    more = f"; and {len(parts) - SERIES} more series" if len(parts) > SERIES else ""
    return f"{title}. " + ("; ".join(parts[:SERIES]) + more if parts else "No data drawn.")
