"""The case-review export: one PDF (a page per section) and one PNG (all sections stacked) of a
participant's header, flags, outcome summary and charts. Figures are rendered by kaleido with
the system's Chromium; composing pages is Pillow's job."""
from __future__ import annotations

import io

import pandas as pd
import plotly.graph_objects as go
from PIL import Image
from plotly.subplots import make_subplots

from dashboard.charts.attendance import attendance_calendar, weekly_hours
from dashboard.charts.items import item_heatmap
from dashboard.charts.style import base_layout
from dashboard.charts.trajectory import trajectory
from dashboard.exports import render
from dashboard.flag_labels import labels
from dashboard.participant import EpisodeView

WIDTH = 1100


def summary_figure(view: EpisodeView) -> go.Figure:
    e = view.episode
    fig = make_subplots(rows=3, cols=1, specs=[[{"type": "table"}]] * 3, row_heights=[0.3, 0.35, 0.35],
                        subplot_titles=("Episode", "Open flags", "Outcome summary"), vertical_spacing=0.06)
    header = [["Participant", "Track", "Admitted", "Week in program", "Clinician", "Status", "Data as of"],
              [view.participant_id, e["program"] or "—", f"{e['admit_date']:%d %b %Y}", str(view.week_in_program),
               e["primary_clinician"] or "—", view.status, f"{pd.Timestamp(view.data_as_of):%d %b %Y}"]]
    fig.add_trace(go.Table(header={"values": ["", ""], "height": 4}, cells={"values": header, "align": "left"}), row=1, col=1)
    flags = view.flags
    fig.add_trace(go.Table(columnwidth=[1, 2, 6], header={"values": ["Severity", "Flag", "Explanation"], "align": "left"},
                           cells={"values": [flags["severity"], labels(flags),
                                             flags["explanation"]] if len(flags) else [["—"], ["none"], [""]],
                                  "align": "left"}), row=2, col=1)
    o = view.outcomes
    fig.add_trace(go.Table(header={"values": ["Instrument", "Baseline", "Latest", "Change", "Reliable change", "Category",
                                              "Response", "Remission"], "align": "left"},
                           cells={"values": [o[c].astype(object).where(o[c].notna(), "—") for c in
                                             ("instrument", "baseline_score", "latest_score", "change", "reliable_change_points",
                                              "jt_category", "response", "remission")], "align": "left"}), row=3, col=1)
    return base_layout(fig, f"Case review: {view.participant_id}", height=720)


def figures(view: EpisodeView) -> list[go.Figure]:
    out = [summary_figure(view)]
    for instrument in view.instruments:
        out.append(trajectory(instrument, view.scores[view.scores["instrument"] == instrument],
                              view.bands[view.bands["instrument"] == instrument], view.outcome(instrument),
                              view.expected[view.expected["instrument"] == instrument],
                              view.flags[view.flags["instrument"] == instrument], view.episode["admit_date"]))
    for instrument in sorted(view.items["instrument"].unique()):
        out.append(item_heatmap(instrument, view.items[view.items["instrument"] == instrument]))
    if len(view.sessions):
        out.append(attendance_calendar(view.sessions))
    if len(view.weeks):
        out.append(weekly_hours(view.weeks))
    return out


def _png(fig: go.Figure) -> Image.Image:
    return Image.open(io.BytesIO(render(fig, "png", scale=1.5))).convert("RGB")


def case_review_files(view: EpisodeView) -> dict[str, bytes]:
    pages = [_png(fig) for fig in figures(view)]
    pdf = io.BytesIO()
    pages[0].save(pdf, format="PDF", save_all=True, append_images=pages[1:], resolution=150)
    stacked = Image.new("RGB", (max(p.width for p in pages), sum(p.height for p in pages)), "white")
    top = 0
    for page in pages:
        stacked.paste(page, (0, top))
        top += page.height
    png = io.BytesIO()
    stacked.save(png, format="PNG")
    return {"pdf": pdf.getvalue(), "png": png.getvalue()}
