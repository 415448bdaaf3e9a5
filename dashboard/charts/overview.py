"""Figures for the program overview (every count through small-cell suppression)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.charts.counts import count_bars
from dashboard.charts.style import FLAG_COLOURS, OKABE_ITO, SESSION_TYPE_COLOURS, base_layout
from dashboard.flag_labels import LABELS
from dashboard.suppression import is_small


def flow(frame: pd.DataFrame, threshold: int) -> go.Figure:
    frame = frame.assign(month=pd.to_datetime(frame["month"]).dt.strftime("%b %Y"))
    return count_bars(frame, "month", "episodes", "Admissions and discharges by month", threshold, colour="movement",
                      colours={"admissions": OKABE_ITO["blue"], "discharges": OKABE_ITO["orange"]}, y_title="episodes")


def discharge_reasons(frame: pd.DataFrame, threshold: int) -> go.Figure:
    return count_bars(frame, "reason", "episodes", "Discharges by reason (TEDS-D)", threshold, horizontal=True,
                      y_title="discharges")


def attendance(frame: pd.DataFrame, threshold: int) -> go.Figure:
    """Weekly attendance rate and mean hours per participant against the ASAM minimum; a week's
    rate is hidden when its counts are small, its hours when fewer than 11 participant-weeks."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("Sessions attended / scheduled", "Hours per participant in whole weeks"))
    small = lambda v: threshold and is_small(v, threshold)  # noqa: E731
    rate = [None if small(a) or small(s) or not s else 100 * a / s for a, s in zip(frame["attended"], frame["scheduled"])]
    hours = [None if small(n) or not n else h for h, n in zip(frame["mean_hours"], frame["participant_weeks"])]
    x = pd.to_datetime(frame["week_start"])
    fig.add_trace(go.Scatter(x=x, y=rate, mode="lines+markers", name="attendance rate (%)",
                             line={"color": OKABE_ITO["blue"]}, hovertemplate="week of %{x|%d %b}: %{y:.0f} %<extra></extra>"),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=x, y=hours, mode="lines+markers", name="mean hours attended",
                             line={"color": OKABE_ITO["green"]}, hovertemplate="week of %{x|%d %b}: %{y:.1f} h<extra></extra>"),
                  row=2, col=1)
    fig.add_trace(go.Scatter(x=x, y=frame["mean_asam_min"], mode="lines", name="ASAM level 2.1 minimum (mean of 9 h adults, 6 h adolescents)",
                             line={"color": "#333", "dash": "dash"}), row=2, col=1)
    fig.update_yaxes(title="%", range=[0, 100], row=1, col=1)
    fig.update_yaxes(title="hours", rangemode="tozero", row=2, col=1)
    base_layout(fig, "Attendance and hours by week", height=520)
    fig.update_layout(legend={"orientation": "h", "y": -0.12})
    return fig


def modality(frame: pd.DataFrame, threshold: int) -> go.Figure:
    frame = frame.assign(hours_shown=[None if threshold and is_small(e, threshold) else h
                                      for h, e in zip(frame["hours"], frame["episodes"])])
    fig = go.Figure(go.Bar(x=frame["session_type"], y=frame["hours_shown"],
                           marker_color=[SESSION_TYPE_COLOURS.get(t, "#999") for t in frame["session_type"]],
                           text=[f"{h:,.0f} h" if h is not None else "<11 people" for h in frame["hours_shown"]],
                           textposition="outside", cliponaxis=False))
    fig.update_yaxes(title="hours attended", rangemode="tozero")
    return base_layout(fig, "Modality mix: hours attended by session type")


def flags_by_rule(frame: pd.DataFrame, threshold: int) -> go.Figure:
    frame = frame.assign(rule=frame["rule_id"].map(LABELS).fillna(frame["rule_id"]))
    return count_bars(frame, "rule", "flags", "Open flags by rule", threshold, colour="severity", colours=FLAG_COLOURS,
                      horizontal=True, barmode="stack", y_title="open flags")


def actions_taken(frame: pd.DataFrame, threshold: int) -> go.Figure:
    counts = frame.groupby("action_taken").size().rename("flags").reset_index()
    return count_bars(counts, "action_taken", "flags", "What was done about flags", threshold, horizontal=True,
                      y_title="flags acted on")


def completeness(frame: pd.DataFrame, instrument: str, threshold: int) -> go.Figure:
    row = frame.iloc[0] if len(frame) else pd.Series(dtype=float)
    steps = pd.DataFrame({"step": ["admitted", "baseline", "2 or more scores", "discharged", "discharge score"],
                          "episodes": [int(row.get(c, 0) or 0) for c in
                                       ("admitted", "with_baseline", "two_or_more_scores", "discharged", "discharge_score")]})
    return count_bars(steps, "step", "episodes", f"Measurement completeness ({instrument})", threshold, y_title="episodes")


def aftercare(frame: pd.DataFrame, threshold: int) -> go.Figure:
    return count_bars(frame, "aftercare", "discharges", "Aftercare plan at discharge", threshold, y_title="discharges")
