"""Every chart on a page goes through here: drawn with its text alternative (charts/describe.py), so a
screen reader hears the title and the numbers the chart shows."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboard.charts.describe import describe


def show(fig: go.Figure, key: str, **options) -> None:
    st.plotly_chart(fig, key=key, alt=describe(fig), **options)
