"""Plotly figure builders: one palette and one style for every chart."""
