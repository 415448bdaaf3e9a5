"""Shared look: a colour-blind-safe palette (Okabe & Ito 2008) and a plain layout that pastes
well into a board report."""
from __future__ import annotations

import plotly.graph_objects as go

OKABE_ITO = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
    "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000", "grey": "#999999",
}
SESSION_TYPE_COLOURS = {
    "group": OKABE_ITO["blue"], "individual": OKABE_ITO["orange"], "family": OKABE_ITO["green"],
    "education": OKABE_ITO["sky"], "medication": OKABE_ITO["purple"], "other": OKABE_ITO["grey"],
}


def base_layout(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0, "xanchor": "left"}, template="plotly_white", height=height,
                      margin={"l": 50, "r": 20, "t": 60, "b": 40}, legend_title_text="",
                      font={"family": "Arial, sans-serif", "size": 13})
    return fig
