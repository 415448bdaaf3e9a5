"""The board pack as a document: a cover (title, selection, N, data date, what the counts are), then a
page per chart with its caption printed below it as text, never over the chart; the title, page N
of M and the confidentiality notice on every page. Letter landscape: a board chart's width."""
from __future__ import annotations

from html import escape

import pandas as pd
import plotly.graph_objects as go

from dashboard.documents import compose, printing
from dashboard.exports import FileInfo, marked

COLUMN = 950               # CSS px: a Letter landscape page less its margins
TALLEST = 560              # CSS px: a taller chart is shortened so that it and its caption fill one page


def html(info: FileInfo, figures: list[tuple[go.Figure, str]], notice: str) -> str:
    date = f"{pd.Timestamp(info.data_as_of):%d %b %Y}"
    title = f"IOP outcomes: {info.heading}"
    facts = [("Selection", info.filters), ("N", info.n), ("Data as of", date), ("What the counts are", info.note),
             ("Charts", str(len(figures)))]
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in facts)
    parts = [f'<section class="cover"><h1>{escape(title)}</h1><table class="facts"><tbody>{rows}</tbody></table></section>']
    for fig, n in figures:
        fig = marked(fig, info)             # a copy: its title says INTERNAL when the counts are true counts
        fig.update_layout(height=min(int(fig.layout.height or 400), TALLEST))
        caption = f"{escape(info.filters)} · N = {escape(str(n))} · data as of {date}<br>{escape(info.note)}"
        parts.append(f'<div class="page">{compose.chart(fig, COLUMN, caption)}</div>')
    return compose.document(title, title, notice, "\n".join(parts), "Letter landscape", COLUMN)


def pdf(info: FileInfo, figures: list[tuple[go.Figure, str]], notice: str = "") -> bytes:
    return printing.documents(html(info, figures, notice))["pdf"]
