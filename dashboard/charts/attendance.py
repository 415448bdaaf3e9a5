"""Attendance over an episode: a calendar of sessions by status, and weekly hours against the
ASAM level 2.1 minimum."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.style import FLAG_COLOURS, OKABE_ITO, STATUS_COLOURS, base_layout
from dashboard.views.words import STATUS_WORDS, truthy

TYPE_ORDER = ["group", "individual", "family", "education", "medication", "other"]


def attendance_calendar(sessions: pd.DataFrame) -> go.Figure:
    """sessions: session_date, session_type, status, minutes."""
    fig = go.Figure()
    for status, label in STATUS_WORDS.items():
        part = sessions[sessions["status"] == status]
        if not len(part):
            continue
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(part["session_date"]),
                y=part["session_type"],
                mode="markers",
                name=label,
                marker={
                    "symbol": "square",
                    "size": 11,
                    "color": STATUS_COLOURS[status],
                    "line": {"width": 1, "color": "#555"} if status == "cancelled" else None,
                },
                customdata=part["minutes"],
                hovertemplate=f"%{{y}} on %{{x|%a %d %b}}: {label}, %{{customdata:.0f}} min<extra></extra>",
            )
        )
    types = [t for t in TYPE_ORDER if t in set(sessions["session_type"])]
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(types)))
    # the legend beside the days (plotly's default place): below, it clipped the date labels
    fig.update_xaxes(tickformat="%d %b")
    return base_layout(fig, "Sessions by day and type", height=max(200, 110 + 40 * len(types)))


def weekly_hours(weeks: pd.DataFrame) -> go.Figure:
    """weeks: week_start, hours_attended, asam_min_hours, full_week, below_asam."""
    # truthy(), not `is True`: the flags arrive as numpy or pandas booleans (NULL for partial weeks)
    colours = [
        FLAG_COLOURS["amber"] if truthy(b) else (OKABE_ITO["blue"] if truthy(f) else "#9ecae1")
        for b, f in zip(weeks["below_asam"], weeks["full_week"])
    ]
    fig = go.Figure(
        go.Bar(
            x=pd.to_datetime(weeks["week_start"]),
            y=weeks["hours_attended"],
            marker_color=colours,
            # colour is never the only cue: a partial week is hatched and its bar says so
            marker_pattern_shape=["" if truthy(f) else "/" for f in weeks["full_week"]],
            marker_line={"color": "#333", "width": [0 if truthy(f) else 1 for f in weeks["full_week"]]},
            text=["" if truthy(f) else "partial" for f in weeks["full_week"]],
            textposition="outside",
            name="hours attended",
            customdata=["" if truthy(f) else " (partial week)" for f in weeks["full_week"]],
            hovertemplate="week of %{x|%d %b}: %{y:.1f} h%{customdata}<extra></extra>",
        )
    )
    if len(weeks):  # the minimum as a named line in the legend: as a label it was drawn over the bars
        minimum = float(weeks["asam_min_hours"].iloc[0])
        x = pd.to_datetime(weeks["week_start"])
        fig.add_trace(
            go.Scatter(
                x=[x.min() - pd.Timedelta(days=4), x.max() + pd.Timedelta(days=4)],
                y=[minimum, minimum],
                mode="lines",
                line={"dash": "dash", "color": "#333"},
                name=f"ASAM level 2.1 minimum ({minimum:g} h)",
                hoverinfo="skip",
            )
        )
    fig.update_yaxes(title="hours attended")
    fig.update_xaxes(title="week starting", tickformat="%d %b")
    base_layout(fig, "Weekly hours (amber: a full week below the minimum; hatched: partial week)", height=340)
    fig.update_layout(legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"}, margin={"t": 90})
    return fig
