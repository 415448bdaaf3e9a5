"""The not-on-track alert's trade-off: sensitivity for eventual non-improvement against the share of
episodes alerted, one point per percentile threshold (dashboard/views/alerts.py figures), for the
director's page and `python -m dashboard validate`."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.style import CATEGORY_COLOURS, OKABE_ITO, base_layout, empty, escape_html
from dashboard.views.words import percentile

TITLE = "Non-improvers caught against episodes alerted"  # fits a 1024 px window with its suffix


def tradeoff(
    series: dict[str, pd.DataFrame],
    current: float | None = None,
    target: tuple[float, float] | None = None,
    height: int = 480,
) -> go.Figure:
    """series: name → figures() rows of one instrument (threshold, sensitivity, flag_rate and their
    counts); current: the threshold in use, ringed; target: (flag-rate limit, sensitivity) lines.
    With current, the first series is the alert: only its points carry percentile labels and the
    ring (the others, one-line rules flagging as many, sit straight above or below them)."""
    fig = go.Figure()
    if not any(len(rows) for rows in series.values()):
        return empty(fig, TITLE, "No ended episode could be judged yet", height=height)
    for i, (name, rows) in enumerate(series.items()):
        rows = rows.sort_values("threshold")
        labelled = current is None or i == 0
        fig.add_scatter(
            x=rows["flag_rate"],
            y=rows["sensitivity"],
            mode="lines+markers+text" if labelled else "lines+markers",
            name=escape_html(name),
            line={"color": CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)], "dash": "solid" if labelled else "dot"},
            # labels at the ends and at the threshold in use: every one of nine collides at 1024 px
            text=[
                percentile(t)
                if t in (rows["threshold"].min(), rows["threshold"].max())
                or (current is not None and abs(t - current) < 1e-9)
                else ""
                for t in rows["threshold"]
            ],
            textposition="top left",
            customdata=rows[["sensitivity_k", "sensitivity_n", "flag_rate_k", "flag_rate_n"]]
            .assign(percentile=[percentile(t) for t in rows["threshold"]])
            .to_numpy(),
            hovertemplate=(
                "percentile %{customdata[4]}: " if labelled else "flagging as many as the alert at %{customdata[4]}: "
            )
            + "caught %{customdata[0]} of %{customdata[1]} non-improvers "
            "(%{y:.0%}); alerted %{customdata[2]} of %{customdata[3]} episodes (%{x:.0%})<extra></extra>",
        )
        if current is not None and i == 0:
            now = rows[(rows["threshold"] - current).abs() < 1e-9]
            fig.add_scatter(
                x=now["flag_rate"],
                y=now["sensitivity"],
                mode="markers",
                showlegend=True,
                name=f"in use: {percentile(current)} percentile",
                hoverinfo="skip",
                marker={"size": 18, "symbol": "circle-open", "color": OKABE_ITO["vermillion"], "line": {"width": 3}},
            )
    if target is not None:
        fig.add_hline(y=target[1], line_dash="dot", annotation_text=f"target {target[1]:.0%}")
        fig.add_vline(x=target[0], line_dash="dot", annotation_text=f"{target[0]:.0%} flagged")
    widest = max((float(r["flag_rate"].max()) for r in series.values() if len(r)), default=1.0)
    if target is not None:
        widest = max(widest, target[0])
    fig.update_xaxes(
        title="episodes alerted (share of ended episodes judged)",
        tickformat=".0%",
        range=[0, min(1.0, widest * 1.15 + 0.02)],
    )
    fig.update_yaxes(title="non-improvers caught (before their last score)", tickformat=".0%", range=[0, 1.05])
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return base_layout(fig, TITLE + " (labels: percentile)", height=height)
