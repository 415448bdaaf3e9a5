"""Exports for boards, payers and accreditors: charts as PNG, SVG and PDF (kaleido with the
system's Chromium; a self-contained HTML file when no browser is installed), tables as CSV and
XLSX, and the board pack (one PDF). Every chart carries its title, filters, N and data-as-of in
the image; every table cell that a spreadsheet would run as a formula is neutralised."""
from __future__ import annotations

import atexit
import copy
import io
import warnings

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from pypdf import PdfWriter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
WIDTH, SCALE = 1100, 2


class ExportUnavailable(RuntimeError):
    """Static images need a Chromium browser (Debian: apt-get install chromium)."""


_renderer_started = False


def _start_renderer() -> None:
    """One browser for every figure of the process (~0.2 s a figure instead of 2-4 s)."""
    global _renderer_started
    if not _renderer_started:
        import kaleido
        kaleido.start_sync_server(silence_warnings=True)
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
        _renderer_started = True


def render(fig: go.Figure, fmt: str, width: int = WIDTH, scale: float = SCALE) -> bytes:
    try:
        _start_renderer()
        with warnings.catch_warnings():  # plotly passes options the shared renderer ignores
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            return pio.to_image(fig, format=fmt, width=width, height=int(fig.layout.height or 400), scale=scale)
    except Exception as e:  # kaleido raises its own errors when no browser can be started
        raise ExportUnavailable(f"static images need Chromium (apt-get install chromium): {e}") from e


def captioned(fig: go.Figure, filters: str, n: str, data_as_of) -> go.Figure:
    """A copy of the figure with a footer line: filters, N and data as of."""
    out = go.Figure(copy.deepcopy(fig.to_dict()))
    height = int(out.layout.height or 400) + 40
    margin_b = (out.layout.margin.b or 40) + 40
    out.update_layout(height=height, margin={"b": margin_b})
    out.add_annotation(text=f"{filters} · N = {n} · data as of {pd.Timestamp(data_as_of):%d %b %Y}",
                       xref="paper", yref="paper", x=0, y=0, yshift=-margin_b + 12, xanchor="left", yanchor="bottom",
                       showarrow=False, font={"size": 11, "color": "#444"})
    return out


def figure_files(fig: go.Figure, filters: str, n: str, data_as_of) -> dict[str, bytes]:
    """{'png', 'svg', 'pdf'} of the captioned figure, or {'html'} with a note when no browser is installed."""
    out = captioned(fig, filters, n, data_as_of)
    try:
        return {fmt: render(out, fmt) for fmt in ("png", "svg", "pdf")}
    except ExportUnavailable as e:
        return {"html": out.to_html(include_plotlyjs=True, full_html=True).encode(), "note": str(e).encode()}


def neutralise(value):
    """Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
    apostrophe (OWASP CSV injection); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _safe(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    return out


def table_csv(table: pd.DataFrame) -> bytes:
    return _safe(table).to_csv(index=False).encode("utf-8")


def table_xlsx(table: pd.DataFrame, sheet: str = "data") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _safe(table).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()


def board_pack(title: str, filters: str, data_as_of, figures: list[tuple[go.Figure, str]]) -> bytes:
    """One PDF: a cover page, then one page per (figure, N) with its caption; vector pages from kaleido."""
    cover = go.Figure()
    cover.add_annotation(text=f"<b>{title}</b><br><br>{filters}<br>data as of {pd.Timestamp(data_as_of):%d %b %Y}<br><br>"
                              "Counts from 1 to 10 are shown as <11 (small-cell suppression).",
                         x=0.5, y=0.6, xref="paper", yref="paper", showarrow=False, font={"size": 18})
    cover.update_layout(height=500, xaxis={"visible": False}, yaxis={"visible": False}, template="plotly_white")
    writer = PdfWriter()
    for fig in [cover] + [captioned(f, filters, n, data_as_of) for f, n in figures]:
        writer.append(io.BytesIO(render(fig, "pdf", scale=1)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
