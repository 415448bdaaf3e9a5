"""Figures for the cohorts page, from the view as it may be shown (CohortsShown): shares only where
the count and its total are shown, rates only where they rest on no small count, and no
per-episode point or Kaplan-Meier step when the view is suppressed."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.style import CATEGORY_COLOURS, OKABE_ITO, base_layout, draw, empty, escape_html, level, upright
from dashboard.privacy.shown_cohorts import CohortsShown
from dashboard.views.cohorts import WHOLE
from dashboard.views.words import JT_LABELS

JT_COLOURS = {
    "recovered": OKABE_ITO["blue"],
    "improved": OKABE_ITO["sky"],
    "unchanged": "#bbbbbb",
    "deteriorated": OKABE_ITO["vermillion"],
    "not_a_case": OKABE_ITO["yellow"],
    "insufficient_data": "#dddddd",
    "no_score": "#f3f3f3",
}


BANDS_UP_TO = 4  # cohorts whose 95 % bands are drawn; beyond, the whole program's band only


def cohort_colours(c: CohortsShown) -> dict[str, str]:
    """One colour per cohort, the same in every chart of the page; black for the whole program."""
    return {**{n: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i, n in enumerate(c.cohorts)}, WHOLE: "#000000"}


def _order(c: CohortsShown) -> list[str]:
    return [*c.cohorts, WHOLE]


def jt_categories(c: CohortsShown) -> go.Figure:
    """Stacked shares; a share not shown (suppressed, or resting on a small count) is drawn as such: a
    hatched grey 'not shown' segment closes each bar at 100 %, so no segment moves and no bar looks short."""
    fig = go.Figure()
    order = _order(c)
    labels = [escape_html(n) for n in order]
    for category, name in JT_LABELS.items():
        part = c.shares[c.shares["category"] == category].set_index("cohort").reindex(order)["share"]
        fig.add_trace(
            go.Bar(
                y=labels,
                x=part.fillna(0),
                name=name,
                orientation="h",
                marker_color=JT_COLOURS[category],
                customdata=["not shown" if pd.isna(v) else f"{v:.0f} %" for v in part],
                hovertemplate=f"{name}: %{{customdata}}<extra>%{{y}}</extra>",
            )
        )
    # what the shown shares leave of 100 % (derivable from them already: nothing new is told)
    rest = (100 - c.shares.groupby("cohort")["share"].sum().reindex(order).fillna(0)).clip(lower=0)
    rest = rest.where(rest > 0.5, 0)
    if rest.any() and not c.shares["share"].isna().all():
        fig.add_trace(
            go.Bar(
                y=labels,
                x=rest.round(1),
                name="not shown (small counts)",
                orientation="h",
                marker={"color": "#ffffff", "pattern": {"shape": "/", "fgcolor": "#777777"}, "line": {"color": "#777"}},
                hovertemplate="not shown: categories resting on small counts<extra>%{y}</extra>",
            )
        )
    if c.shares["share"].isna().all():
        return empty(
            fig,
            f"Jacobson & Truax categories ({escape_html(c.instrument)})",
            "No category can be shown: no episode in this selection, or every share rests on a small count",
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title="% of episodes", range=[0, 100])
    fig.update_yaxes(autorange="reversed")
    # the legend beside the bars (plotly's default place), clear of the axis title below them
    return base_layout(
        fig, f"Jacobson & Truax categories ({escape_html(c.instrument)})", height=max(340, 100 + 32 * len(order))
    )


def rates(c: CohortsShown) -> go.Figure:
    fig = go.Figure()
    title = f"Response and remission ({escape_html(c.instrument)})"
    if not len(c.rates):
        return empty(fig, title, c.rates_note or "No rate to show")
    for what, colour in (("response", OKABE_ITO["blue"]), ("remission", OKABE_ITO["green"])):
        part = c.rates[c.rates["what"] == what]
        fig.add_trace(
            go.Scatter(
                y=[escape_html(n) for n in part["cohort"]],
                x=100 * part["rate"],
                mode="markers",
                name=what,
                marker={"size": 11, "color": colour},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": 100 * (part["high"] - part["rate"]),
                    "arrayminus": 100 * (part["rate"] - part["low"]),
                },
                hovertemplate=f"{what}: %{{x:.0f}} %<extra>%{{y}}</extra>",
            )
        )
    fig.update_xaxes(title="% of episodes starting at or above the cutoff (95 % Wilson interval)", range=[0, 100])
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=[escape_html(n) for n in _order(c)])
    return base_layout(fig, title, height=max(300, 60 + 40 * len(_order(c))))


def retention(c: CohortsShown) -> go.Figure:
    """Kaplan-Meier curves (true counts), or the share still in treatment at fixed weeks (suppressed)."""
    fig = go.Figure()
    colours = cohort_colours(c)
    if not len(c.retention):
        return empty(fig, "Retention", "No episode in this selection")
    for cohort, part in c.retention.groupby("cohort", sort=False):
        steps = bool(part["steps"].iloc[0])
        if steps and len(part) < 2:
            continue
        fig.add_trace(
            go.Scatter(
                x=part["time"],
                y=100 * part["survival"],
                mode="lines" if steps else "lines+markers",
                line_shape="hv" if steps else "linear",
                name=escape_html(cohort),
                line={"color": colours.get(cohort, "#999"), "width": 3 if cohort == WHOLE else 2},
                hovertemplate="week %{x}: %{y:.0f} % still in treatment<extra>" + escape_html(cohort) + "</extra>",
            )
        )
    steps = c.retention["steps"].all() if len(c.retention) else not c.disclosure.suppressed
    fig.update_xaxes(title="weeks since admission", **({} if steps else {"range": [0, 12.5], "dtick": 2}))
    fig.update_yaxes(title="% not discharged before completion", range=[0, 101])
    title = (
        "Retention (Kaplan-Meier; open episodes, completions and transfers censored)"
        if steps
        else "Retention at weeks 2, 4, ... 12 (Kaplan-Meier; shown where it rests on no small count)"
    )
    return base_layout(fig, title, height=_tall_enough(c))


def _tall_enough(c: CohortsShown) -> int:
    """Room for every cohort in the legend (18 months of cohorts run past 360 px)."""
    return max(360, 140 + 21 * (len(c.cohorts) + 1))


def weekly_means(c: CohortsShown, low: float | None = None, high: float | None = None) -> go.Figure:
    """Mean score by treatment week with 95 % intervals; the y axis is the instrument's range
    (low, high) when given, so an interval never suggests a score the scale does not have."""
    fig = go.Figure()
    colours = cohort_colours(c)
    title = f"Mean {escape_html(c.instrument)} by treatment week"
    if not len(c.weekly):
        return empty(fig, title, f"No {c.instrument} scores in treatment weeks of this selection that may be shown")
    many = len(c.cohorts) > BANDS_UP_TO
    for cohort, part in c.weekly.groupby("cohort", sort=False):
        part = part.sort_values("week")
        colour = colours.get(cohort, "#999")
        if not many or cohort == WHOLE:  # a dozen overlapping bands hide the means: the whole program's only
            fig.add_trace(
                go.Scatter(
                    x=list(part["week"]) + list(part["week"])[::-1],
                    y=list(part["high"]) + list(part["low"])[::-1],
                    fill="toself",
                    fillcolor=colour,
                    opacity=0.12,
                    line={"width": 0},
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
        with_n = part["n"].notna().all()
        fig.add_trace(
            go.Scatter(
                x=part["week"],
                y=part["mean"],
                mode="lines+markers",
                name=escape_html(cohort),
                line={"color": colour},
                customdata=part["n"] if with_n else None,
                hovertemplate="week %{x}: mean %{y:.1f}"
                + (" (n %{customdata})" if with_n else "")
                + "<extra>"
                + escape_html(cohort)
                + "</extra>",
            )
        )
    fig.update_xaxes(title="treatment week (week 1 holds the admission day)", dtick=1)
    fig.update_yaxes(
        title=f"mean {escape_html(c.instrument)} (95 % interval)",
        range=[low, high] if low is not None and high is not None and high > low else None,
    )
    return base_layout(fig, title, height=_tall_enough(c))


MAX_POINT_PX = 26  # the intake/latest pair with most episodes
PAIRS_FULL_SIZE = 12  # ... and a pair needs at least this many to be drawn that large (one episode: ~7 px)


def pre_post(c: CohortsShown, low: float, high: float) -> go.Figure:
    """CORE-Net style: intake against latest score, with the no-reliable-change band and cutoff lines.
    Drawn from each episode's scores (one point per pair of scores, with its episodes), so for the
    care team only."""
    fig = go.Figure()
    paired = c.episodes.dropna(subset=["change"]) if c.episodes is not None else None
    if paired is None or not len(paired):
        return empty(
            fig,
            f"{escape_html(c.instrument)}: intake against latest score",
            "One point per episode is shown to the care team only"
            if paired is None
            else "No episode with two scores in this selection",
        )
    rc, cutoff = float(paired["reliable_change_points"].iloc[0]), float(paired["clinical_cutoff"].iloc[0])
    line = [low - 0.5, high + 0.5]
    fig.add_trace(go.Scatter(x=line, y=line, mode="lines", line={"color": "#666", "width": 1}, name="no change"))
    for sign in (1, -1):
        fig.add_trace(
            go.Scatter(
                x=line,
                y=[v + sign * rc for v in line],
                mode="lines",
                showlegend=sign == 1,
                line={"color": "#666", "dash": "dot"},
                name=f"reliable change (± {rc:g})",
            )
        )
    draw(
        fig,
        [
            upright(cutoff - 0.5, line={"dash": "dash", "color": "#333"}),
            level(cutoff - 0.5, f"cutoff {cutoff:g}", note_at="right", line={"dash": "dash", "color": "#333"}),
        ],
    )
    # one point per pair of scores, sized by its episodes: scores are whole numbers, so at 50 k
    # participants 35 k markers fell on a few hundred places, hid how many sat on each and took the
    # browser seconds to draw
    pairs = (
        paired.groupby(["jt_category", "baseline_score", "latest_score"], sort=False)
        .size()
        .rename("episodes")
        .reset_index()
    )
    sizeref = 2 * max(int(pairs["episodes"].max()), PAIRS_FULL_SIZE) / MAX_POINT_PX**2  # plotly's area sizing
    for category, part in pairs.groupby("jt_category", sort=False):
        fig.add_trace(
            go.Scatter(
                x=part["baseline_score"],
                y=part["latest_score"],
                mode="markers",
                name=JT_LABELS.get(category, category),
                customdata=part["episodes"],
                marker={
                    "color": JT_COLOURS.get(category, "#999"),
                    "size": part["episodes"],
                    "sizemode": "area",
                    "sizeref": sizeref,
                    "sizemin": 5,
                    "opacity": 0.8,
                    "line": {"width": 0.5, "color": "#333"},
                },
                hovertemplate="intake %{x}, latest %{y}: %{customdata} episode(s)<extra></extra>",
            )
        )
    # both axes exactly the instrument's range (no scaleanchor: it widened the range to fit the column)
    fig.update_xaxes(title=f"{escape_html(c.instrument)} at intake", range=line)
    fig.update_yaxes(title=f"{escape_html(c.instrument)} latest", range=line)
    fig.update_layout(legend_itemsizing="constant")  # the legend's marks at full size, not the smallest point's
    return base_layout(
        fig,
        f"{escape_html(c.instrument)}: intake against latest score (below the diagonal = better; "
        "larger points, more episodes)",
        height=520,
    )
