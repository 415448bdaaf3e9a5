"""An instrument's subscale scores over an episode (the BAM's Use, Risk and Protective), one panel
each with its own range and the catalogue's flag rule, for instruments scored by subscale alone."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.charts.style import FLAG_COLOURS, SCORE_COLOUR, base_layout, escape_html, hover


def subscale_chart(instrument: str, subscales: pd.DataFrame) -> go.Figure:
    """subscales: assessed_on, subscale, score, flag_at_least, flag_at_most, low, high, raises_flag. A cutoff
    that raises a plan-review flag is drawn red and says so; the instrument's other cutoffs are levels of
    concern, drawn grey: they raise no flag."""
    names = list(dict.fromkeys(subscales["subscale"]))
    fig = make_subplots(
        rows=1, cols=len(names), subplot_titles=[escape_html(n) for n in names], horizontal_spacing=0.08
    )
    for col, name in enumerate(names, start=1):
        part = subscales[subscales["subscale"] == name]
        first = part.iloc[0]
        raises = bool(first.get("raises_flag", False))
        what = "red flag" if raises else "concern (no flag)"
        rule = (
            f"{what} at {first.flag_at_least:g} or more"
            if pd.notna(first.flag_at_least)
            else f"{what} at {first.flag_at_most:g} or less"
            if pd.notna(first.flag_at_most)
            else ""
        )
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(part["assessed_on"]),
                y=part["score"],
                mode="lines+markers",
                showlegend=False,
                line={"color": SCORE_COLOUR, "width": 2.5},
                marker={"size": 8, "color": SCORE_COLOUR},
                customdata=pd.to_datetime(part["assessed_on"]).dt.strftime("%d %b %Y"),
                hovertemplate=f"{hover(instrument)} {hover(name)} %{{y}}<br>%{{customdata}}<br>{hover(rule)}<extra></extra>",
            ),
            row=1,
            col=col,
        )
        if rule:
            at = first.flag_at_least if pd.notna(first.flag_at_least) else first.flag_at_most
            # the line sits half a point inside the flagged range, so a score on the threshold is on its flagged side
            y = at - 0.5 if pd.notna(first.flag_at_least) else at + 0.5
            fig.add_hline(
                y=y,
                line={"dash": "dash", "color": FLAG_COLOURS["red"] if raises else "#666666", "width": 1.5},
                row=1,
                col=col,
                annotation_text=rule,
                annotation_position="top left",
                annotation_font={"size": 10},
            )
        fig.update_yaxes(range=[float(first.low) - 0.5, float(first.high) + 0.5], row=1, col=col)
        fig.update_xaxes(tickformat="%d %b", row=1, col=col)
    base_layout(fig, f"{escape_html(instrument)} subscales over the episode", height=360)
    return fig
