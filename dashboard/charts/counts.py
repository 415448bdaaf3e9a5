"""Bar charts of counts that honour small-cell suppression: a count from 1 to the threshold is
not drawn and is labelled '<11', in the page and in every export."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.style import OKABE_ITO, base_layout
from dashboard.suppression import is_small

PALETTE = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "sky", "purple", "yellow", "grey")]


def shown(values: pd.Series, threshold: int) -> tuple[list, list]:
    """(bar heights, labels): a small count is drawn as an empty bar labelled '<11', never its size."""
    values = list(values)
    hidden = [bool(threshold) and is_small(v, threshold) for v in values]
    if sum(hidden) == 1 and len(values) > 1:
        # a series' total is usually shown elsewhere (a headline, a table): hide the next
        # smallest bar too, so the small one cannot be found by subtraction
        rest = [(v, i) for i, v in enumerate(values) if not hidden[i] and v]
        if rest:
            hidden[min(rest)[1]] = True
    heights = [0 if h else v for v, h in zip(values, hidden)]
    labels = [f"<{threshold + 1}" if h else f"{int(v):,}" for v, h in zip(values, hidden)]
    return heights, labels


def count_bars(frame: pd.DataFrame, x: str, y: str, title: str, threshold: int, colour: str | None = None,
               colours: dict | None = None, x_title: str = "", y_title: str = "", barmode: str = "group",
               horizontal: bool = False, height: int = 360) -> go.Figure:
    fig = go.Figure()
    groups = [(None, frame)] if colour is None else list(frame.groupby(colour, sort=False))
    for i, (name, part) in enumerate(groups):
        heights, labels = shown(part[y], threshold)
        bar = dict(name=str(name) if name is not None else y, text=labels, textposition="outside", cliponaxis=False,
                   marker_color=(colours or {}).get(name, PALETTE[i % len(PALETTE)]), showlegend=colour is not None)
        if horizontal:
            fig.add_trace(go.Bar(y=part[x], x=heights, orientation="h", **bar))
        else:
            fig.add_trace(go.Bar(x=part[x], y=heights, **bar))
    fig.update_layout(barmode=barmode)
    (fig.update_yaxes if not horizontal else fig.update_xaxes)(title=y_title, rangemode="tozero")
    (fig.update_xaxes if not horizontal else fig.update_yaxes)(title=x_title)
    if horizontal:
        fig.update_yaxes(autorange="reversed")
    return base_layout(fig, title, height=height)
