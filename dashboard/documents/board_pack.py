"""The board pack: one PDF of the overview and cohort charts for the selection, built from the
payloads as they may leave the program (suppressed unless a care-team member chose otherwise). A
cover (title, selection, N, data date, what the counts are), then a page per chart with its caption
printed below it as text, never over the chart; the title, page N of M and the program's
confidentiality notice on every page. Letter landscape: a board chart's width."""

from __future__ import annotations

from html import escape

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import cohorts as cohort_charts
from dashboard.charts import overview as overview_charts
from dashboard.documents import compose, formats, printing
from dashboard.documents.formats import FileInfo, marked
from dashboard.privacy.shown_cohorts import CohortsShown
from dashboard.privacy.shown_overview import OverviewShown
from dashboard.store.settings import stored

COLUMN = 950  # CSS px: a Letter landscape page less its margins
TALLEST = 560  # CSS px: a taller chart is shortened so that it and its caption fill one page


def html(info: FileInfo, figures: list[tuple[go.Figure, str]], notice: str) -> str:
    date = f"{pd.Timestamp(info.data_as_of):%d %b %Y}"
    title = f"IOP outcomes: {info.heading}"
    facts = [
        ("Selection", info.filters),
        ("N", info.n),
        ("Data as of", date),
        ("What the counts are", info.note),
        ("Charts", str(len(figures))),
    ]
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in facts)
    parts = [
        f'<section class="cover"><h1>{escape(title)}</h1><table class="facts"><tbody>{rows}</tbody></table></section>'
    ]
    for fig, n in figures:
        fig = marked(fig, info)  # a copy: its title says INTERNAL when the counts are true counts
        fig.update_layout(height=min(int(fig.layout.height or 400), TALLEST))
        caption = f"{escape(info.filters)} · N = {escape(str(n))} · data as of {date}<br>{escape(info.note)}"
        parts.append(f'<div class="page">{compose.chart(fig, COLUMN, caption)}</div>')
    return compose.document(title, title, notice, "\n".join(parts), "Letter landscape", COLUMN)


def pdf(info: FileInfo, figures: list[tuple[go.Figure, str]], notice: str = "") -> bytes:
    return printing.documents(html(info, figures, notice))["pdf"]


def board_pack_figures(o: OverviewShown, c: CohortsShown, instrument: str, total_min: float, total_max: float):
    n_o, n_c = o.n(), c.n_text()
    return [
        (overview_charts.flow(o), n_o),
        (overview_charts.discharge_reasons(o), n_o),
        (overview_charts.attendance(o), n_o),
        (overview_charts.modality(o), n_o),
        (overview_charts.completeness(o, instrument), n_o),
        (overview_charts.flags_by_rule(o), n_o),
        (cohort_charts.jt_categories(c), n_c),
        (cohort_charts.rates(c), n_c),
        (cohort_charts.weekly_means(c), n_c),
        (cohort_charts.pre_post(c, total_min, total_max), n_c),
        (cohort_charts.retention(c), n_c),
    ]


def board_pack_pdf(
    o: OverviewShown, c: CohortsShown, instrument: str, total_min: float, total_max: float, selection: str, data_as_of
) -> bytes:
    info = formats.FileInfo(
        "board pack",
        selection,
        f"{o.n()} (overview charts); {c.n_text()} (outcome charts)",
        data_as_of,
        o.disclosure.note(),
        not o.disclosure.suppressed,
    )
    return pdf(info, board_pack_figures(o, c, instrument, total_min, total_max), notice())


def notice() -> str:
    """The confidentiality notice every page carries (settings reports.confidentiality_notice)."""
    return stored().text("reports", "confidentiality_notice")
