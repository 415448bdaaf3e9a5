"""One instrument's scores over an episode, read against its severity bands, clinical cutoff,
the baseline's no-reliable-change band and the program's expected response."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from clinical.weeks import treatment_week, week_middle, week_position
from dashboard.charts.style import (
    EXPECTED_COLOUR,
    FLAG_COLOURS,
    SCORE_COLOUR,
    band,
    band_colours,
    base_layout,
    draw,
    escape_html,
    hover,
    level,
)


def _x(dates: pd.Series, admit: dt.date, weeks: bool):
    """Dates, or positions on the treatment-week axis: week N spans N to N + 1, so a score sits
    inside the week the database numbers it (the admission day starts week 1)."""
    return week_position(dates, admit).round(2) if weeks else pd.to_datetime(dates)


def _span(valid: pd.DataFrame, admit: dt.date, end: dt.date | None, weeks: bool) -> list:
    """The x range: the episode's scores and its days so far (to `end`: the data date, or the
    discharge), not the 12 weeks of the expected band, so a week-3 participant fills the width."""
    first = min([pd.Timestamp(admit), *pd.to_datetime(valid["assessed_on"])])
    last = max([pd.Timestamp(end or admit), *pd.to_datetime(valid["assessed_on"])])
    if weeks:
        return [
            min(1.0, float(_x(pd.Series([first]), admit, True).iloc[0])) - 0.2,
            float(_x(pd.Series([last]), admit, True).iloc[0]) + 0.5,
        ]
    return [first - pd.Timedelta(days=2), last + pd.Timedelta(days=3)]


def trajectory(
    instrument: str,
    scores: pd.DataFrame,
    bands: pd.DataFrame,
    outcome: dict | None,
    expected: pd.DataFrame,
    flags: pd.DataFrame,
    admit: dt.date,
    weeks: bool = False,
    end: dt.date | None = None,
    discharged: dt.date | None = None,
    follow_ups: pd.DataFrame | None = None,
) -> go.Figure:
    """scores: assessed_on, total_score, total_valid, band; bands: band_from, band_to, label (+ catalogue columns);
    outcome: the participant_outcomes row; expected: the expected recovery for the intake score
    (treatment_week, p50, at_risk_limit, off_track_limit, available); end: the
    last day of the episode so far (data date or discharge); discharged: the discharge date, drawn as a
    line; follow_ups: assessed_on, total_score, days_after_discharge of the scores after it that belong
    to the episode (never joined to the in-treatment line)."""
    catalogue = bands.iloc[0]
    low, high = float(catalogue.total_min), float(catalogue.total_max)
    fig = go.Figure()
    labelled = bands.dropna(subset=["band_from"])
    # edges at half points, so an integer score never sits on a boundary
    marks = [
        band(
            b.band_from - 0.5,
            b.band_to + 0.5,
            b.label,
            {"size": 11, "color": "#555"},
            fillcolor=colour,
            opacity=0.6,
            line={"width": 0},
            layer="below",
        )
        for colour, b in zip(band_colours(len(labelled)), labelled.itertuples())
    ]
    if pd.notna(catalogue.clinical_cutoff):
        marks.append(
            level(
                catalogue.clinical_cutoff - 0.5,
                f"clinical cutoff (≥ {catalogue.clinical_cutoff:g})",
                {"size": 11},
                line={"dash": "dash", "color": "#333", "width": 1.5},
            )
        )
    if outcome and pd.notna(outcome.get("baseline_score")) and pd.notna(outcome.get("reliable_change_points")):
        b, rc = float(outcome["baseline_score"]), float(outcome["reliable_change_points"])
        marks.append(
            band(
                max(low - 0.5, b - rc + 0.5),
                min(high + 0.5, b + rc - 0.5),
                fillcolor="#777",
                opacity=0.25,
                line={"width": 1, "dash": "dot", "color": "#333"},
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": "square", "size": 12, "color": "#bbb"},
                name=f"no reliable change (baseline {b:g} ± {rc:g})",
            )
        )
    draw(fig, marks)
    valid = scores[scores["total_valid"] & scores["total_score"].notna()]
    follow_ups = follow_ups if follow_ups is not None else pd.DataFrame(columns=["assessed_on", "total_score"])
    span = _span(pd.concat([valid[["assessed_on"]], follow_ups[["assessed_on"]]]), admit, end, weeks)
    treated = _span(valid, admit, end, weeks)  # the expected band stops with the treatment, not the follow-ups
    shown = expected[expected["available"].fillna(False)] if len(expected) else expected
    if len(shown):  # the band as far as the episode has got (and one week beyond), not to week 12
        reached = (treatment_week(treated[1], admit) if not weeks else int(treated[1])) + 1
        shown = shown[shown["treatment_week"] <= reached]
    if len(shown):
        # a week's percentiles drawn at its middle
        x = shown["treatment_week"] + 0.5 if weeks else [week_middle(w, admit) for w in shown["treatment_week"]]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=shown["off_track_limit"],
                mode="lines",
                line={"color": EXPECTED_COLOUR, "width": 1.5, "dash": "dash"},
                name="not on track beyond",
                hovertemplate="not on track beyond %{y:.1f}<extra></extra>",
            )
        )
        if shown["at_risk_limit"].notna().any():  # none with the one-line alert: only its own limit
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=shown["at_risk_limit"],
                    mode="lines",
                    line={"color": EXPECTED_COLOUR, "width": 1, "dash": "dot"},
                    name="at risk beyond",
                    hovertemplate="at risk beyond %{y:.1f}<extra></extra>",
                )
            )
        if shown["p50"].notna().any():  # no range (the one-line alert still has its limit)
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=shown["p50"],
                    mode="lines",
                    line={"color": EXPECTED_COLOUR, "width": 2},
                    name="expected (published trials' median)"
                    if "range_source" in shown and (shown["range_source"] == "published").any()
                    else "expected (similar intakes' median)",
                    hovertemplate="median %{y:.1f}<extra></extra>",
                )
            )
    week_no = valid["treatment_week"].astype("Int64").astype(str)  # the stored treatment week
    fig.add_trace(
        go.Scatter(
            x=_x(valid["assessed_on"], admit, weeks),
            y=valid["total_score"],
            mode="lines+markers",
            name=escape_html(instrument),
            line={"color": SCORE_COLOUR, "width": 2.5},
            marker={"size": 8, "color": SCORE_COLOUR},
            customdata=list(
                zip(valid["band"].fillna("—"), pd.to_datetime(valid["assessed_on"]).dt.strftime("%d %b %Y"), week_no)
            ),
            hovertemplate=f"{hover(instrument)} %{{y}}<br>%{{customdata[0]}}<br>%{{customdata[1]}} (week %{{customdata[2]}})<extra></extra>",
        )
    )
    if discharged is not None:
        x = _x(pd.Series([discharged]), admit, weeks).iloc[0]
        fig.add_shape(
            type="line", x0=x, x1=x, yref="paper", y0=0, y1=1, line={"dash": "dot", "color": "#333", "width": 1.5}
        )
        fig.add_annotation(
            x=x,
            yref="paper",
            y=1,
            text=f"discharged {pd.Timestamp(discharged):%d %b}",
            showarrow=False,
            xanchor="right",
            yanchor="top",
            font={"size": 11, "color": "#333"},
        )
    if len(follow_ups):
        fig.add_trace(
            go.Scatter(
                x=_x(follow_ups["assessed_on"], admit, weeks),
                y=follow_ups["total_score"],
                mode="markers",
                name="after discharge (follow-up)",
                marker={"size": 10, "symbol": "circle-open", "color": SCORE_COLOUR, "line": {"width": 2.5}},
                customdata=list(
                    zip(
                        pd.to_datetime(follow_ups["assessed_on"]).dt.strftime("%d %b %Y"),
                        follow_ups["days_after_discharge"].astype(int),
                    )
                ),
                hovertemplate=f"{hover(instrument)} %{{y}}<br>%{{customdata[0]}} (%{{customdata[1]}} days after discharge)"
                "<extra>follow-up</extra>",
            )
        )
    for flag in flags.iloc[::-1].itertuples():  # red last, drawn on top
        hit = valid[pd.to_datetime(valid["assessed_on"]) == pd.Timestamp(flag.fired_on)]
        y = float(hit["total_score"].iloc[0]) if len(hit) else high
        fig.add_trace(
            go.Scatter(
                x=_x(pd.Series([flag.fired_on]), admit, weeks),
                y=[y],
                mode="markers",
                showlegend=False,
                marker={
                    "symbol": "diamond-open",
                    "size": 18,
                    "color": FLAG_COLOURS[flag.severity],
                    "line": {"width": 3, "color": FLAG_COLOURS[flag.severity]},
                },
                hovertemplate=f"{flag.severity} flag: {hover(flag.explanation)}<extra></extra>",
            )
        )
    fig.update_yaxes(range=[low - 0.5, high + 0.5], title=f"{escape_html(instrument)} score (higher = worse)")
    # the legend-only trace has no x values, so the axis type is set rather than guessed
    # no axis title: the ticks say "week 3" or "18 Oct", and the legend below the axis has the room
    fig.update_xaxes(
        type="linear" if weeks else "date",
        range=span,
        **({"dtick": 1, "tickprefix": "week "} if weeks else {"tickformat": "%d %b"}),
    )
    base_layout(fig, f"{escape_html(instrument)} over the episode", height=440)
    fig.update_layout(legend={"orientation": "h", "x": 0, "y": -0.1, "yanchor": "top"}, margin={"r": 120, "b": 20})
    return fig
