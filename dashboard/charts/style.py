"""Shared look: a colour-blind-safe palette (Okabe & Ito 2008) and a plain layout that pastes
well into a board report."""
from __future__ import annotations

from html import escape

import plotly.graph_objects as go

OKABE_ITO = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
    "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000", "grey": "#999999",
}
# One colour per category (cohort, month): Okabe-Ito's seven, then Paul Tol's muted and light
# qualitative sets, so 18 months of cohorts get 18 different colours; black is kept for the whole program.
CATEGORY_COLOURS = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "sky", "purple", "yellow")] + [
    "#332288", "#882255", "#117733", "#DDCC77", "#CC6677", "#44AA99", "#999933", "#AA4499",   # Tol muted
    "#EE8866", "#BBCC33", "#FFAABB", "#661100", "#225555", "#AAAA00"]                          # Tol light, dark
SESSION_TYPE_COLOURS = {
    "group": OKABE_ITO["blue"], "individual": OKABE_ITO["orange"], "family": OKABE_ITO["green"],
    "education": OKABE_ITO["sky"], "medication": OKABE_ITO["purple"], "other": OKABE_ITO["grey"],
}


def plain(text) -> str:
    """Text from data (a track, a clinician, a reason) for a chart: plotly reads <b>, <a href> and the
    like in labels and hover text, so markup is escaped and shows as typed."""
    return escape(str(text), quote=False)


def hover(text) -> str:
    """Text from data inside a hovertemplate: escaped, and plotly's %{...} placeholders disarmed."""
    return plain(text).replace("%{", "%\u200b{")


def empty(fig: go.Figure, title: str, why: str, height: int = 360) -> go.Figure:
    """A chart with nothing to draw says why, with no axes (an empty axis means nothing)."""
    fig.add_annotation(text=plain(why), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 14, "color": "#555"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return base_layout(fig, title, height=height)


def base_layout(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0, "xanchor": "left"}, template="plotly_white", height=height,
                      margin={"l": 50, "r": 20, "t": 60, "b": 40}, legend_title_text="",
                      font={"family": "Arial, sans-serif", "size": 13})
    return fig

# Severity: one sequential, colour-blind-safe ramp (ColorBrewer YlOrBr) for bands from mildest to
# most severe, and Okabe-Ito vermillion/orange for red and amber flags, on every chart.
SEVERITY_RAMP = ["#ffffe5", "#fff7bc", "#fee391", "#fec44f", "#fe9929", "#ec7014", "#cc4c02"]
FLAG_COLOURS = {"red": OKABE_ITO["vermillion"], "amber": OKABE_ITO["orange"]}
STATUS_COLOURS = {
    "attended": OKABE_ITO["blue"], "late": OKABE_ITO["sky"], "left_early": OKABE_ITO["purple"],
    "excused": OKABE_ITO["grey"], "no_show": OKABE_ITO["vermillion"], "cancelled": "#dddddd",
}
SCORE_COLOUR = OKABE_ITO["black"]
EXPECTED_COLOUR = OKABE_ITO["green"]


def band_colours(n: int) -> list[str]:
    """n band colours spread over the ramp, mildest first."""
    if n <= 1:
        return SEVERITY_RAMP[:n]
    step = (len(SEVERITY_RAMP) - 1) / (n - 1)
    return [SEVERITY_RAMP[round(i * step)] for i in range(n)]
