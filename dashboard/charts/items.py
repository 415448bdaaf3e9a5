"""Item answers across administrations, with safety items outlined so they stand out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.style import FLAG_COLOURS, SEVERITY_RAMP, base_layout, draw, escape_html


def item_heatmap(instrument: str, items: pd.DataFrame, total_only: list | tuple = ()) -> go.Figure:
    """items: assessed_on, item_number, value, item_max, item_label, safety_item (one instrument);
    total_only: days with a total but no item answers, named under the title (never silently left out)."""
    dates = sorted(
        pd.to_datetime(items["assessed_on"]).dt.strftime("%d %b %y").unique(),
        key=lambda d: pd.to_datetime(d, format="%d %b %y"),
    )
    items = items.assign(when=pd.to_datetime(items["assessed_on"]).dt.strftime("%d %b %y"))
    grid = items.pivot_table(index="item_number", columns="when", values="value", aggfunc="first").reindex(
        columns=dates
    )
    safety = set(items.loc[items["safety_item"].fillna(False).astype(bool), "item_number"])
    text = (
        items.dropna(subset=["item_label"]).groupby("item_number")["item_label"].first()
        if "item_label" in items
        else {}
    )
    # "9 better off dead or self-harm (safety)": the catalogue's short label where the wording may be reproduced
    labels = [
        escape_html(f"{n} {text[n]}" if n in text else f"item {n}") + (" (safety)" if n in safety else "")
        for n in grid.index
    ]
    top = float(items["item_max"].max())
    fig = go.Figure(
        go.Heatmap(
            z=grid.values,
            x=dates,
            y=labels,
            zmin=0,
            zmax=top,
            xgap=2,
            ygap=2,
            colorscale=[[i / (len(SEVERITY_RAMP) - 1), c] for i, c in enumerate(SEVERITY_RAMP)],
            colorbar={"title": "answer", "tickvals": list(range(int(top) + 1))},
            text=grid.values,
            texttemplate="%{text}",
            hovertemplate="%{y} on %{x}: %{z}<extra></extra>",
        )
    )
    draw(
        fig,
        [
            (
                {
                    "type": "rect",
                    "x0": col - 0.5,
                    "x1": col + 0.5,
                    "y0": row - 0.5,
                    "y1": row + 0.5,
                    "line": {"color": FLAG_COLOURS["red"], "width": 4},
                },
                None,
            )
            for row, n in enumerate(grid.index)
            if n in safety
            for col, value in enumerate(grid.loc[n].values)
            if pd.notna(value) and value > 0
        ],
    )
    fig.update_yaxes(autorange="reversed")
    missing = (
        "<br><sup>Not in the grid (a total without item answers): "
        + ", ".join(f"{pd.Timestamp(d):%d %b %Y}" for d in total_only)
        + "</sup>"
        if len(total_only)
        else ""
    )
    base_layout(
        fig,
        f"{escape_html(instrument)} item answers (safety item outlined when endorsed){missing}",
        height=max(260, 26 * len(grid.index) + 130),
    )
    fig.update_layout(margin={"l": 260})  # room for the item labels
    return fig
