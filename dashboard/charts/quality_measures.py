"""Figures for the quality measures page, from the measures as they may be shown (MeasuresShown):
a hidden count is a missing bar with its mark as text, never a number in the figure's data."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.charts.style import CATEGORY_COLOURS, OKABE_ITO, base_layout, empty, escape_html, hover
from dashboard.privacy.shown_measures import MeasuresShown
from dashboard.views.filters import WHOLE
from dashboard.views.quality_measures import rate_label

STEP_COLOUR, EXCLUDED_COLOUR, MET_COLOUR = "#9ab0c8", OKABE_ITO["vermillion"], OKABE_ITO["green"]


def waterfall(m: MeasuresShown, measure_id: str, cohort: str = WHOLE) -> go.Figure:
    """Everyone admitted down to each rate's numerator, one bar a step, with its count; a hidden
    count is no bar, its mark written where the bar would start."""
    spec = next(s for s in m.specs if s.id == measure_id)
    steps = m.steps[(m.steps["measure_id"] == measure_id) & (m.steps["cohort"] == cohort)]
    excl = m.exclusions[(m.exclusions["measure_id"] == measure_id) & (m.exclusions["cohort"] == cohort)]
    rates = m.rates[(m.rates["measure_id"] == measure_id) & (m.rates["cohort"] == cohort)].set_index("rate_id")
    bars = [(label, v, mark, STEP_COLOUR) for label, v, mark in zip(steps["label"], steps["episodes"], steps["mark"])]
    denominator = bars.pop()  # the exclusions go between the closed window and the denominator
    bars += [
        (f"excluded: {r}", v, mark, EXCLUDED_COLOUR)
        for r, v, mark in zip(excl["reason"], excl["episodes"], excl["mark"])
    ]
    bars.append(denominator)
    for rate_id, _ in spec.rates:
        k = rates.loc[rate_id, "numerator"] if rate_id in rates.index else 0
        bars.append(
            (
                f"met: {rate_label(rate_id)}",
                np.nan if isinstance(k, str) else float(k),
                k if isinstance(k, str) else "",
                MET_COLOUR,
            )
        )
    labels = [escape_html(b[0]) for b in bars]
    texts = [b[2] or f"{int(b[1]):,}" for b in bars]
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=[b[1] for b in bars],
            orientation="h",
            marker_color=[b[3] for b in bars],
            text=[t if not b[2] else "" for t, b in zip(texts, bars)],
            textposition="outside",
            cliponaxis=False,
            customdata=texts,
            hovertemplate="%{y}: %{customdata}<extra></extra>",
        )
    )
    for label, b in zip(labels, bars):
        if b[2]:
            fig.add_annotation(
                x=0, y=label, text=escape_html(b[2]), showarrow=False, xanchor="left", font={"color": "#555"}
            )
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=labels, automargin=True)
    fig.update_xaxes(title="episodes", rangemode="tozero")
    title = f"{escape_html(spec.id)}: from everyone admitted to the numerator ({escape_html(cohort)})"
    return base_layout(fig, title, height=max(320, 80 + 34 * len(bars)))


def rates_by_cohort(m: MeasuresShown, measure_id: str) -> go.Figure:
    spec = next(s for s in m.specs if s.id == measure_id)
    part = m.rates[(m.rates["measure_id"] == measure_id) & m.rates["shown"].notna()]
    fig = go.Figure()
    title = f"{escape_html(spec.id)} by {escape_html(m.dimension)}"
    if not len(part):
        return empty(
            fig,
            title,
            f"No rate to show: no denominator yet, or each would rest on a count from 1 to {m.disclosure.threshold}"
            if m.disclosure.suppressed
            else "No rate to show: no denominator yet",
        )
    colours = [OKABE_ITO["blue"], OKABE_ITO["green"], OKABE_ITO["orange"], *CATEGORY_COLOURS]
    order = [escape_html(c) for c in m.cohorts]
    for (rate_id, label), colour in zip(spec.rates, colours):
        r = part[part["rate_id"] == rate_id]
        fig.add_trace(
            go.Scatter(
                y=[escape_html(c) for c in r["cohort"]],
                x=100 * r["rate"],
                mode="markers",
                name=escape_html(label),
                marker={"size": 11, "color": colour},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": 100 * (r["high"] - r["rate"]),
                    "arrayminus": 100 * (r["rate"] - r["low"]),
                },
                hovertemplate=f"{hover(rate_id)}: %{{x:.0f}} %<extra>%{{y}}</extra>",
            )
        )
    fig.update_xaxes(title="% of the denominator (95 % Wilson interval)", range=[-2, 102])  # a dot at 0 or 100 whole
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=order)
    fig.update_layout(legend={"orientation": "h", "y": -0.25})
    return base_layout(fig, title, height=max(300, 120 + 40 * len(order)))


def trend(quarters, spec) -> go.Figure:
    """Each rate of a measure by quarter of admission, with its interval."""
    fig = go.Figure()
    title = f"{escape_html(spec.id)} by quarter of admission"
    part = quarters[quarters["measure_id"] == spec.id]
    if not len(part):
        return empty(fig, title, "No quarter with a rate to show yet (windows still open, or small counts)")
    colours = [OKABE_ITO["blue"], OKABE_ITO["green"], OKABE_ITO["orange"]]
    for (rate_id, label), colour in zip(spec.rates, colours):
        r = part[part["rate_id"] == rate_id].sort_values("quarter_start")
        quarter = [f"{d.year} Q{(d.month - 1) // 3 + 1}" for d in r["quarter_start"]]
        fig.add_trace(
            go.Scatter(
                x=quarter,
                y=100 * r["rate"],
                mode="lines+markers",
                name=escape_html(label),
                line={"color": colour},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": 100 * (r["high"] - r["rate"]),
                    "arrayminus": 100 * (r["rate"] - r["low"]),
                },
                hovertemplate=f"{hover(rate_id)}: %{{y:.0f}} %<extra>%{{x}}</extra>",
            )
        )
    fig.update_yaxes(title="% (95 % Wilson interval)", range=[-2, 102])
    fig.update_xaxes(type="category")
    fig.update_layout(legend={"orientation": "h", "y": -0.25})
    return base_layout(fig, title, height=380)
