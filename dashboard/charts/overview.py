"""Figures for the program overview, from the view as it may be shown (OverviewShown): hidden
counts are not in the data, only their marks."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.charts.counts import count_bars
from dashboard.charts.style import FLAG_COLOURS, OKABE_ITO, SESSION_TYPE_COLOURS, base_layout, escape_html
from dashboard.privacy.shown_overview import OverviewShown


def flow(o: OverviewShown) -> go.Figure:
    frame = o.flow.assign(month=pd.to_datetime(o.flow["month"]).dt.strftime("%b %Y"))
    return count_bars(
        frame,
        "month",
        "episodes",
        "Admissions and discharges by month",
        colour="movement",
        colours={"admissions": OKABE_ITO["blue"], "discharges": OKABE_ITO["orange"]},
        y_title="episodes",
    )


def discharge_reasons(o: OverviewShown) -> go.Figure:
    return count_bars(
        o.discharges, "reason", "episodes", "Discharges by reason (TEDS-D)", horizontal=True, y_title="discharges"
    )


def attendance(o: OverviewShown) -> go.Figure:
    """Weekly attendance rate and mean hours per participant against the ASAM minimum; a week's
    rate is left out when it rests on small counts, its hours when a week has a small count of
    participant-weeks (from 1 to the disclosure's threshold)."""
    frame = o.attendance
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=("Sessions attended / scheduled", "Hours per participant in whole weeks"),
    )
    x = pd.to_datetime(frame["week_start"])
    fig.add_trace(
        go.Scatter(
            x=x,
            y=frame["rate"],
            mode="lines+markers",
            name="attendance rate (%)",
            line={"color": OKABE_ITO["blue"]},
            hovertemplate="week of %{x|%d %b}: %{y:.0f} %<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=frame["mean_hours"],
            mode="lines+markers",
            name="mean hours attended",
            line={"color": OKABE_ITO["green"]},
            hovertemplate="week of %{x|%d %b}: %{y:.1f} h<extra></extra>",
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=frame["mean_asam_min"],
            mode="lines",
            name=f"ASAM level 2.1 minimum (mean of {o.asam_minimums})",
            line={"color": "#333", "dash": "dash"},
        ),
        row=2,
        col=1,
    )
    fig.update_yaxes(title="%", range=[0, 100], row=1, col=1)
    fig.update_yaxes(title="hours", rangemode="tozero", row=2, col=1)
    base_layout(fig, "Attendance and hours by week", height=520)
    fig.update_layout(legend={"orientation": "h", "y": -0.12})
    return fig


def modality(o: OverviewShown) -> go.Figure:
    frame = o.modality
    fig = go.Figure(
        go.Bar(
            x=[escape_html(t) for t in frame["session_type"]],
            y=frame["hours"].fillna(0),
            marker_color=[SESSION_TYPE_COLOURS.get(t, "#999") for t in frame["session_type"]],
            text=[
                f"{h:,.0f} h" if pd.notna(h) else f"fewer than {o.disclosure.threshold + 1} people"
                for h in frame["hours"]
            ],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    fig.update_yaxes(title="hours attended", rangemode="tozero")
    return base_layout(fig, "Modality mix: hours attended by session type")


def flags_by_rule(o: OverviewShown) -> go.Figure:
    frame = o.flags.assign(rule=o.flags["label"])
    return count_bars(
        frame,
        "rule",
        "flags",
        "Open flags by rule",
        colour="severity",
        colours=FLAG_COLOURS,
        horizontal=True,
        barmode="stack",
        y_title="open flags",
    )


def actions_taken(o: OverviewShown) -> go.Figure:
    return count_bars(
        o.actions, "action_taken", "flags", "What was done about flags", horizontal=True, y_title="flags acted on"
    )


def completeness(o: OverviewShown, instrument: str) -> go.Figure:
    """Horizontal, so the steps' names are read in full whatever the column's width."""
    fig = count_bars(
        o.completeness,
        "step",
        "episodes",
        f"Measurement completeness ({escape_html(instrument)})",
        y_title="episodes",
        horizontal=True,
        height=300,
    )
    fig.update_layout(margin={"l": 150, "r": 50})
    return fig


def aftercare(o: OverviewShown) -> go.Figure:
    return count_bars(o.aftercare, "aftercare", "discharges", "Aftercare plan at discharge", y_title="discharges")
