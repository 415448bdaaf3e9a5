"""Bar charts of counts as a view may show them (dashboard/privacy/shown_overview.py, shown_cohorts.py): a hidden count is
not drawn, and its bar is labelled with its mark ("<11", or "suppressed" for one hidden only so
that a small one cannot be worked out); its value is not in the figure at all."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.style import CATEGORY_COLOURS, base_layout, empty, escape_html

PALETTE = CATEGORY_COLOURS


def bar_text(values, marks) -> tuple[list, list]:
    """(bar heights, labels): a hidden count (NaN) has no bar and reads as its mark."""
    heights = [0 if m or v is None or (isinstance(v, float) and math.isnan(v)) else v for v, m in zip(values, marks)]
    labels = [m if m else f"{int(v):,}" for v, m in zip(heights, marks)]
    return heights, labels


def count_bars(
    frame: pd.DataFrame,
    x: str,
    y: str,
    title: str,
    colour: str | None = None,
    colours: dict | None = None,
    x_title: str = "",
    y_title: str = "",
    barmode: str = "group",
    horizontal: bool = False,
    height: int = 360,
) -> go.Figure:
    """frame: one row per bar with the count in `y` (NaN when hidden) and its `mark`."""
    fig = go.Figure()
    if not len(frame):
        return empty(fig, title, "Nothing to count in this selection", height=height)
    groups = [(None, frame)] if colour is None else list(frame.groupby(colour, sort=False))
    marks_of = (lambda part: part["mark"].fillna("").tolist()) if "mark" in frame else (lambda part: [""] * len(part))
    for i, (name, part) in enumerate(groups):
        heights, labels = bar_text(part[y].tolist(), marks_of(part))
        categories = [escape_html(v) for v in part[x]]
        bar = dict(
            name=escape_html(name) if name is not None else y,
            text=labels,
            textposition="outside",
            cliponaxis=False,
            marker_color=(colours or {}).get(name, PALETTE[i % len(PALETTE)]),
            showlegend=colour is not None,
            hovertemplate="%{text}<extra>%{" + ("y" if horizontal else "x") + "}</extra>",
        )
        if horizontal:
            fig.add_trace(go.Bar(y=categories, x=heights, orientation="h", **bar))
        else:
            fig.add_trace(go.Bar(x=categories, y=heights, **bar))
    fig.update_layout(barmode=barmode)
    (fig.update_yaxes if not horizontal else fig.update_xaxes)(title=y_title, rangemode="tozero")
    (fig.update_xaxes if not horizontal else fig.update_yaxes)(title=x_title)
    if horizontal:
        fig.update_yaxes(autorange="reversed")
    return base_layout(fig, title, height=height)
