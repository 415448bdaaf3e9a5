"""Figures for the cohorts page; small cells are never drawn (counts or rates built on 1-10)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.counts import PALETTE
from dashboard.charts.style import OKABE_ITO, base_layout
from dashboard.suppression import is_small

JT_COLOURS = {"recovered": OKABE_ITO["blue"], "improved": OKABE_ITO["sky"], "unchanged": "#bbbbbb",
              "deteriorated": OKABE_ITO["vermillion"], "not_a_case": OKABE_ITO["yellow"], "insufficient_data": "#eeeeee"}
JT_LABELS = {"recovered": "recovered", "improved": "improved", "unchanged": "unchanged", "deteriorated": "deteriorated",
             "not_a_case": "not a case at intake", "insufficient_data": "insufficient data"}


def _small(n, threshold) -> bool:
    return bool(threshold) and is_small(n, threshold)


def _colour(i: int, cohort: str) -> str:
    return "#000000" if cohort == "Whole program" else PALETTE[i % len(PALETTE)]


def jt_categories(summary: pd.DataFrame, instrument: str, threshold: int) -> go.Figure:
    fig = go.Figure()
    totals = summary[list(JT_LABELS)].sum(axis=1)
    for category, name in JT_LABELS.items():
        share = [None if _small(c, threshold) or _small(t, threshold) or not t else 100 * c / t
                 for c, t in zip(summary[category], totals)]
        fig.add_trace(go.Bar(y=summary["cohort"], x=share, name=name, orientation="h", marker_color=JT_COLOURS[category],
                             hovertemplate=f"{name}: %{{x:.0f}} %<extra>%{{y}}</extra>"))
    fig.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.2})
    fig.update_xaxes(title="% of episodes", range=[0, 100])
    fig.update_yaxes(autorange="reversed")
    return base_layout(fig, f"Jacobson & Truax categories ({instrument})", height=max(320, 60 + 40 * len(summary)))


def rates(summary: pd.DataFrame, instrument: str, threshold: int) -> go.Figure:
    fig = go.Figure()
    for offset, (what, colour) in enumerate((("response", OKABE_ITO["blue"]), ("remission", OKABE_ITO["green"]))):
        keep = [not (_small(k, threshold) or _small(n, threshold) or not n) for k, n in zip(summary[what], summary["cases"])]
        part = summary[keep]
        fig.add_trace(go.Scatter(
            y=part["cohort"], x=100 * part[f"{what}_rate"], mode="markers", name=what, marker={"size": 11, "color": colour},
            error_x={"type": "data", "symmetric": False, "array": 100 * (part[f"{what}_high"] - part[f"{what}_rate"]),
                     "arrayminus": 100 * (part[f"{what}_rate"] - part[f"{what}_low"])},
            hovertemplate=f"{what}: %{{x:.0f}} %<extra>%{{y}}</extra>"))
    fig.update_xaxes(title="% of episodes starting at or above the cutoff (95 % Wilson interval)", range=[0, 100])
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=list(summary["cohort"]))
    return base_layout(fig, f"Response and remission ({instrument})", height=max(300, 60 + 40 * len(summary)))


def retention(curves: pd.DataFrame, threshold: int) -> go.Figure:
    """Kaplan-Meier curves, each cut where fewer than threshold + 1 episodes remain at risk."""
    fig = go.Figure()
    for i, (cohort, part) in enumerate(curves.groupby("cohort", sort=False)):
        keep = pd.Series([not _small(n, threshold) for n in part["at_risk"]], index=part.index) | (part["time"] == 0)
        part = part[keep]
        if len(part) < 2 or _small(part["at_risk"].iloc[0], threshold):
            continue
        fig.add_trace(go.Scatter(x=part["time"], y=100 * part["survival"], mode="lines", line_shape="hv", name=cohort,
                                 line={"color": _colour(i, cohort), "width": 3 if cohort == "Whole program" else 2},
                                 hovertemplate="week %{x}: %{y:.0f} % still in treatment<extra>" + cohort + "</extra>"))
    fig.update_xaxes(title="weeks since admission")
    fig.update_yaxes(title="% not discharged before completion", range=[0, 101])
    return base_layout(fig, "Retention (Kaplan-Meier; open episodes, completions and transfers censored)")


def weekly_means(weekly: pd.DataFrame, instrument: str, threshold: int) -> go.Figure:
    fig = go.Figure()
    for i, (cohort, part) in enumerate(weekly.groupby("cohort", sort=False)):
        part = part[[not _small(n, threshold) for n in part["n"]]].sort_values("week")
        if not len(part):
            continue
        colour = _colour(i, cohort)
        fig.add_trace(go.Scatter(x=list(part["week"]) + list(part["week"])[::-1], y=list(part["high"]) + list(part["low"])[::-1],
                                 fill="toself", fillcolor=colour, opacity=0.12, line={"width": 0}, showlegend=False,
                                 hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=part["week"], y=part["mean"], mode="lines+markers", name=cohort, line={"color": colour},
                                 customdata=part["n"], hovertemplate="week %{x}: mean %{y:.1f} (n %{customdata})<extra>" + cohort + "</extra>"))
    fig.update_xaxes(title="weeks since admission", dtick=1)
    fig.update_yaxes(title=f"mean {instrument} (95 % interval)")
    return base_layout(fig, f"Mean {instrument} by week in program")


def pre_post(episodes: pd.DataFrame, instrument: str, threshold: int, low: float, high: float) -> go.Figure:
    """CORE-Net style: intake against latest score, with the no-reliable-change band and cutoff lines."""
    paired = episodes.dropna(subset=["change"])
    fig = go.Figure()
    if _small(len(paired), threshold) or not len(paired):
        fig.add_annotation(text="Too few episodes with two scores to show", showarrow=False, x=0.5, y=0.5,
                           xref="paper", yref="paper")
        return base_layout(fig, f"{instrument}: intake against latest score")
    rc, cutoff = float(paired["reliable_change_points"].iloc[0]), float(paired["clinical_cutoff"].iloc[0])
    line = [low - 0.5, high + 0.5]
    fig.add_trace(go.Scatter(x=line, y=line, mode="lines", line={"color": "#666", "width": 1}, name="no change"))
    for sign in (1, -1):
        fig.add_trace(go.Scatter(x=line, y=[v + sign * rc for v in line], mode="lines", showlegend=sign == 1,
                                 line={"color": "#666", "dash": "dot"}, name=f"reliable change (± {rc:g})"))
    fig.add_vline(x=cutoff - 0.5, line_dash="dash", line_color="#333")
    fig.add_hline(y=cutoff - 0.5, line_dash="dash", line_color="#333", annotation_text=f"cutoff {cutoff:g}")
    for category, part in paired.groupby("jt_category", sort=False):
        fig.add_trace(go.Scatter(x=part["baseline_score"], y=part["latest_score"], mode="markers", name=JT_LABELS.get(category, category),
                                 marker={"color": JT_COLOURS.get(category, "#999"), "size": 7, "opacity": 0.8,
                                         "line": {"width": 0.5, "color": "#333"}},
                                 hovertemplate="intake %{x}, latest %{y}<extra></extra>"))
    fig.update_xaxes(title=f"{instrument} at intake", range=line)
    fig.update_yaxes(title=f"{instrument} latest", range=line, scaleanchor="x")
    return base_layout(fig, f"{instrument}: intake against latest score (below the diagonal = better)", height=520)
