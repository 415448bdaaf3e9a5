"""Shared look: a colour-blind-safe palette (Okabe & Ito 2008) and a escape_html layout that pastes
well into a board report."""

from __future__ import annotations

from html import escape

import plotly.graph_objects as go
import plotly.io as pio

OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#999999",
}
# One colour per category (cohort, month): Okabe-Ito's seven, then Paul Tol's muted and light
# qualitative sets, so 18 months of cohorts get 18 different colours; black is kept for the whole program.
CATEGORY_COLOURS = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "sky", "purple", "yellow")] + [
    "#332288",
    "#882255",
    "#117733",
    "#DDCC77",
    "#CC6677",
    "#44AA99",
    "#999933",
    "#AA4499",  # Tol muted
    "#EE8866",
    "#BBCC33",
    "#FFAABB",
    "#661100",
    "#225555",
    "#AAAA00",
]  # Tol light, dark
SESSION_TYPE_COLOURS = {
    "group": OKABE_ITO["blue"],
    "individual": OKABE_ITO["orange"],
    "family": OKABE_ITO["green"],
    "education": OKABE_ITO["sky"],
    "medication": OKABE_ITO["purple"],
    "other": OKABE_ITO["grey"],
}


def escape_html(text) -> str:
    """Text from data (a track, a clinician, a reason) for a chart: plotly reads <b>, <a href> and the
    like in labels and hover text, so markup is escaped and shows as typed."""
    return escape(str(text), quote=False)


def hover(text) -> str:
    """Text from data inside a hovertemplate: escaped, and plotly's %{...} placeholders disarmed."""
    return escape_html(text).replace("%{", "%\u200b{")


def empty(fig: go.Figure, title: str, why: str, height: int = 360) -> go.Figure:
    """A chart with nothing to draw says why, with no axes (an empty axis means nothing)."""
    fig.add_annotation(
        text=escape_html(why),
        showarrow=False,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        font={"size": 14, "color": "#555"},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return base_layout(fig, title, height=height)


def base_layout(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    _white(fig)
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        height=height,
        margin={"l": 50, "r": 20, "t": 60, "b": 40},
        legend_title_text="",
        font={"family": "Arial, sans-serif", "size": 13},
    )
    return fig


def band(
    y0: float, y1: float, note: str | None = None, note_font: dict | None = None, **shape
) -> tuple[dict, dict | None]:
    """A band across the plot from y0 to y1 and its note at the right: the shape and annotation
    plotly's fig.add_hrect(..., annotation_position="right") makes (tests/test_charts.py compares)."""
    return (
        {"type": "rect", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": y0, "y1": y1, **shape},
        None
        if note is None
        else {
            "text": note,
            "showarrow": False,
            "xref": "x domain",
            "x": 1,
            "xanchor": "right",
            "yref": "y",
            "y": (y0 + y1) / 2,
            "yanchor": "middle",
            **({"font": note_font} if note_font else {}),
        },
    )


def level(
    y: float, note: str | None = None, note_font: dict | None = None, note_at: str = "left", **shape
) -> tuple[dict, dict | None]:
    """A line across the plot at y and its note above its left (or right) end: as fig.add_hline(...,
    annotation_position="top left" or "top right") makes them."""
    return (
        {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": y, "y1": y, **shape},
        None
        if note is None
        else {
            "text": note,
            "showarrow": False,
            "xref": "x domain",
            "x": 0 if note_at == "left" else 1,
            "xanchor": note_at,
            "yref": "y",
            "y": y,
            "yanchor": "bottom",
            **({"font": note_font} if note_font else {}),
        },
    )


def upright(x: float, **shape) -> tuple[dict, None]:
    """A line up the plot at x: as fig.add_vline(...) makes it."""
    return {"type": "line", "xref": "x", "x0": x, "x1": x, "yref": "y domain", "y0": 0, "y1": 1, **shape}, None


def draw(fig: go.Figure, marks: list[tuple[dict, dict | None]]) -> None:
    """Shapes and their notes added at once: plotly's add_hrect, add_hline and add_shape check every
    shape drawn before each new one, ~20 ms a shape."""
    if marks:
        fig.update_layout(
            shapes=[*fig.layout.shapes, *(s for s, _ in marks)],
            annotations=[*fig.layout.annotations, *(a for _, a in marks if a is not None)],
        )


def _white(fig: go.Figure) -> None:
    """The plotly_white template, set the way plotly sets a new figure's default one: the registered
    template is valid already, so it is copied as it is. Set by name (template="plotly_white") it is
    validated again, property by property: ~20 ms a figure, most of a page's chart time."""
    layout = fig.layout
    validate, layout._validate = layout._validate, False
    try:
        layout.template = pio.templates["plotly_white"]
    finally:
        layout._validate = validate


# Severity: one sequential, colour-blind-safe ramp (ColorBrewer YlOrBr) for bands from mildest to
# most severe, and Okabe-Ito vermillion/orange for red and amber flags, on every chart.
SEVERITY_RAMP = ["#ffffe5", "#fff7bc", "#fee391", "#fec44f", "#fe9929", "#ec7014", "#cc4c02"]
FLAG_COLOURS = {"red": OKABE_ITO["vermillion"], "amber": OKABE_ITO["orange"]}
STATUS_COLOURS = {
    "attended": OKABE_ITO["blue"],
    "late": OKABE_ITO["sky"],
    "left_early": OKABE_ITO["purple"],
    "excused": OKABE_ITO["grey"],
    "no_show": OKABE_ITO["vermillion"],
    "cancelled": "#dddddd",
}
SCORE_COLOUR = OKABE_ITO["black"]
EXPECTED_COLOUR = OKABE_ITO["green"]


def band_colours(n: int) -> list[str]:
    """n band colours spread over the ramp, mildest first."""
    if n <= 1:
        return SEVERITY_RAMP[:n]
    step = (len(SEVERITY_RAMP) - 1) / (n - 1)
    return [SEVERITY_RAMP[round(i * step)] for i in range(n)]
