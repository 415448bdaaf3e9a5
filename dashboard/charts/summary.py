"""Figures for the program summary page."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboard.charts.style import SESSION_TYPE_COLOURS, base_layout


def attended_by_week(frame: pd.DataFrame) -> go.Figure:
    """Stacked bars: sessions attended per week, by session type."""
    fig = px.bar(
        frame,
        x="week_start",
        y="sessions",
        color="session_type",
        color_discrete_map=SESSION_TYPE_COLOURS,
        category_orders={"session_type": list(SESSION_TYPE_COLOURS)},
        labels={"week_start": "Week starting", "sessions": "Sessions attended", "session_type": "Session type"},
    )
    fig.update_xaxes(dtick=pd.Timedelta(weeks=2).total_seconds() * 1000, tickformat="%d %b")
    return base_layout(fig, "Sessions attended per week")
