"""Figures for the cohorts page, from the view as it may be shown (CohortsShown): shares only where
the count and its total are shown, rates only where they rest on no small count, and no
per-episode point or Kaplan-Meier step when the view is suppressed."""
from __future__ import annotations

import plotly.graph_objects as go

from dashboard.charts.counts import PALETTE
from dashboard.charts.style import OKABE_ITO, base_layout, plain
from dashboard.cohorts import WHOLE
from dashboard.privacy.views import CohortsShown

JT_COLOURS = {"recovered": OKABE_ITO["blue"], "improved": OKABE_ITO["sky"], "unchanged": "#bbbbbb",
              "deteriorated": OKABE_ITO["vermillion"], "not_a_case": OKABE_ITO["yellow"], "insufficient_data": "#eeeeee"}
JT_LABELS = {"recovered": "recovered", "improved": "improved", "unchanged": "unchanged", "deteriorated": "deteriorated",
             "not_a_case": "not a case at intake", "insufficient_data": "insufficient data", "no_score": "no score"}
JT_COLOURS["no_score"] = "#f6f6f6"


def _colour(i: int, cohort: str) -> str:
    return "#000000" if cohort == WHOLE else PALETTE[i % len(PALETTE)]


def _order(c: CohortsShown) -> list[str]:
    return [*c.cohorts, WHOLE]


def jt_categories(c: CohortsShown) -> go.Figure:
    fig = go.Figure()
    order = _order(c)
    for category, name in JT_LABELS.items():
        part = c.shares[c.shares["category"] == category].set_index("cohort").reindex(order)
        fig.add_trace(go.Bar(y=[plain(n) for n in order], x=part["share"], name=name, orientation="h",
                             marker_color=JT_COLOURS[category], hovertemplate=f"{name}: %{{x:.0f}} %<extra>%{{y}}</extra>"))
    fig.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.2})
    fig.update_xaxes(title="% of episodes", range=[0, 100])
    fig.update_yaxes(autorange="reversed")
    return base_layout(fig, f"Jacobson & Truax categories ({c.instrument})", height=max(320, 60 + 40 * len(order)))


def rates(c: CohortsShown) -> go.Figure:
    fig = go.Figure()
    for what, colour in (("response", OKABE_ITO["blue"]), ("remission", OKABE_ITO["green"])):
        part = c.rates[c.rates["what"] == what]
        fig.add_trace(go.Scatter(
            y=[plain(n) for n in part["cohort"]], x=100 * part["rate"], mode="markers", name=what,
            marker={"size": 11, "color": colour},
            error_x={"type": "data", "symmetric": False, "array": 100 * (part["high"] - part["rate"]),
                     "arrayminus": 100 * (part["rate"] - part["low"])},
            hovertemplate=f"{what}: %{{x:.0f}} %<extra>%{{y}}</extra>"))
    fig.update_xaxes(title="% of episodes starting at or above the cutoff (95 % Wilson interval)", range=[0, 100])
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=[plain(n) for n in _order(c)])
    return base_layout(fig, f"Response and remission ({c.instrument})", height=max(300, 60 + 40 * len(_order(c))))


def retention(c: CohortsShown) -> go.Figure:
    """Kaplan-Meier curves (true counts), or the share still in treatment at fixed weeks (suppressed)."""
    fig = go.Figure()
    for i, (cohort, part) in enumerate(c.retention.groupby("cohort", sort=False)):
        steps = bool(part["steps"].iloc[0])
        if steps and len(part) < 2:
            continue
        fig.add_trace(go.Scatter(x=part["time"], y=100 * part["survival"], mode="lines" if steps else "lines+markers",
                                 line_shape="hv" if steps else "linear", name=plain(cohort),
                                 line={"color": _colour(i, cohort), "width": 3 if cohort == WHOLE else 2},
                                 hovertemplate="week %{x}: %{y:.0f} % still in treatment<extra>" + plain(cohort) + "</extra>"))
    steps = c.retention["steps"].all() if len(c.retention) else not c.disclosure.suppressed
    fig.update_xaxes(title="weeks since admission", **({} if steps else {"range": [0, 12.5], "dtick": 2}))
    fig.update_yaxes(title="% not discharged before completion", range=[0, 101])
    title = ("Retention (Kaplan-Meier; open episodes, completions and transfers censored)" if steps else
             "Retention at weeks 2, 4, ... 12 (Kaplan-Meier; shown where it rests on no small count)")
    return base_layout(fig, title)


def weekly_means(c: CohortsShown) -> go.Figure:
    fig = go.Figure()
    for i, (cohort, part) in enumerate(c.weekly.groupby("cohort", sort=False)):
        part = part.sort_values("week")
        colour = _colour(i, cohort)
        fig.add_trace(go.Scatter(x=list(part["week"]) + list(part["week"])[::-1], y=list(part["high"]) + list(part["low"])[::-1],
                                 fill="toself", fillcolor=colour, opacity=0.12, line={"width": 0}, showlegend=False,
                                 hoverinfo="skip"))
        with_n = part["n"].notna().all()
        fig.add_trace(go.Scatter(x=part["week"], y=part["mean"], mode="lines+markers", name=plain(cohort),
                                 line={"color": colour}, customdata=part["n"] if with_n else None,
                                 hovertemplate="week %{x}: mean %{y:.1f}" + (" (n %{customdata})" if with_n else "")
                                 + "<extra>" + plain(cohort) + "</extra>"))
    fig.update_xaxes(title="weeks since admission", dtick=1)
    fig.update_yaxes(title=f"mean {c.instrument} (95 % interval)")
    return base_layout(fig, f"Mean {c.instrument} by week in program")


def pre_post(c: CohortsShown, low: float, high: float) -> go.Figure:
    """CORE-Net style: intake against latest score, with the no-reliable-change band and cutoff lines.
    One point per episode, so for the care team only."""
    fig = go.Figure()
    paired = c.episodes.dropna(subset=["change"]) if c.episodes is not None else None
    if paired is None or not len(paired):
        text = ("One point per episode is shown to the care team only" if paired is None
                else "No episode with two scores")
        fig.add_annotation(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return base_layout(fig, f"{c.instrument}: intake against latest score")
    rc, cutoff = float(paired["reliable_change_points"].iloc[0]), float(paired["clinical_cutoff"].iloc[0])
    line = [low - 0.5, high + 0.5]
    fig.add_trace(go.Scatter(x=line, y=line, mode="lines", line={"color": "#666", "width": 1}, name="no change"))
    for sign in (1, -1):
        fig.add_trace(go.Scatter(x=line, y=[v + sign * rc for v in line], mode="lines", showlegend=sign == 1,
                                 line={"color": "#666", "dash": "dot"}, name=f"reliable change (± {rc:g})"))
    fig.add_vline(x=cutoff - 0.5, line_dash="dash", line_color="#333")
    fig.add_hline(y=cutoff - 0.5, line_dash="dash", line_color="#333", annotation_text=f"cutoff {cutoff:g}")
    for category, part in paired.groupby("jt_category", sort=False):
        fig.add_trace(go.Scatter(x=part["baseline_score"], y=part["latest_score"], mode="markers",
                                 name=JT_LABELS.get(category, category),
                                 marker={"color": JT_COLOURS.get(category, "#999"), "size": 7, "opacity": 0.8,
                                         "line": {"width": 0.5, "color": "#333"}},
                                 hovertemplate="intake %{x}, latest %{y}<extra></extra>"))
    fig.update_xaxes(title=f"{c.instrument} at intake", range=line)
    fig.update_yaxes(title=f"{c.instrument} latest", range=line, scaleanchor="x")
    return base_layout(fig, f"{c.instrument}: intake against latest score (below the diagonal = better)", height=520)
