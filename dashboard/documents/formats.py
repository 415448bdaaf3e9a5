"""Exports for boards, payers and accreditors: charts as PNG, SVG and PDF (kaleido with the
system's Chromium; a self-contained HTML file when no browser is installed), tables as CSV and
XLSX, and the board pack (one PDF). Every file carries its title, filters, N, data date and what
its counts are (suppressed for sharing, or INTERNAL true counts, which the title then says too);
every table cell that a spreadsheet would run as a formula is neutralised, and numbers stay numbers."""

from __future__ import annotations

import atexit
import copy
import csv
import io
import re
import shutil
import warnings
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
WIDTH, SCALE = 1100, 2


@dataclass(frozen=True)
class FileInfo:
    """What a file says about itself, above its data."""

    title: str
    filters: str
    n: str
    data_as_of: object
    note: str  # what the counts are (privacy.policy.Disclosure.note)
    internal: bool  # true counts: the title says INTERNAL

    @property
    def heading(self) -> str:
        return f"INTERNAL · {self.title}" if self.internal else self.title

    def lines(self) -> list[str]:
        return [
            f"IOP outcomes: {self.heading}",
            f"Selection: {self.filters}",
            f"N = {self.n}",
            f"Data as of {pd.Timestamp(self.data_as_of):%d %b %Y}",
            self.note,
        ]


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


def browser() -> str | None:
    """The Chromium kaleido uses, and the documents are printed with: BROWSER_PATH, else on PATH."""
    import os

    return (
        os.environ.get("BROWSER_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )


def renderer_available() -> bool:
    """Can static images be made here (a Chromium for kaleido)?"""
    return bool(browser())


def marked(fig: go.Figure, info: FileInfo) -> go.Figure:
    """A copy of the figure, its title marked INTERNAL when it holds true counts."""
    out = go.Figure(copy.deepcopy(fig.to_dict()))
    if info.internal:
        out.update_layout(title_text=f"INTERNAL · {out.layout.title.text or info.title}")
    return out


def captioned(fig: go.Figure, info: FileInfo) -> go.Figure:
    """A copy of the figure with its title marked INTERNAL when it holds true counts, and two footer
    lines: the selection, N and data date; what the counts are."""
    out = marked(fig, info)
    height = int(out.layout.height or 400) + 56
    margin_b = (out.layout.margin.b or 40) + 56
    out.update_layout(height=height, margin={"b": margin_b})
    from html import escape

    text = (
        f"{escape(info.filters)} · N = {escape(info.n)} · data as of {pd.Timestamp(info.data_as_of):%d %b %Y}"
        f"<br>{escape(info.note)}"
    )
    out.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-margin_b + 8,
        xanchor="left",
        yanchor="bottom",
        align="left",
        showarrow=False,
        font={"size": 11, "color": "#444"},
    )
    return out


def figure_file(fig: go.Figure, fmt: str, info: FileInfo) -> bytes:
    """The captioned figure as png, svg, pdf or (no browser needed) a self-contained html file."""
    out = captioned(fig, info)
    if fmt == "html":
        return out.to_html(include_plotlyjs=True, full_html=True).encode()
    return render(out, fmt)


def neutralise(value):
    """Text a spreadsheet would run as a formula (=, +, -, @, tab or CR first) gets a leading
    apostrophe (OWASP CSV injection); a number written as text (-7, +3.5) is left as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


CELL_MAX = 32_767  # the most characters a spreadsheet cell holds (Excel); longer text is cut and says so


def _fits(text: str) -> str:
    if len(text) <= CELL_MAX:
        return text
    note = f" … [cut: {len(text):,} characters]"
    return text[: CELL_MAX - len(note)] + note


def _cells(table: pd.DataFrame) -> list[list]:
    """Header and rows with every text cell neutralised and cut to what a spreadsheet cell holds;
    numbers (and missing values) as they are."""

    def cell(v):
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return None
        if hasattr(v, "item") and not isinstance(v, str):  # numpy scalars
            v = v.item()
        if isinstance(v, (pd.Timestamp,)):
            return v.to_pydatetime()
        return _fits(neutralise(v)) if isinstance(v, str) else v

    return [[neutralise(str(c)) for c in table.columns]] + [
        [cell(v) for v in row] for row in table.itertuples(index=False)
    ]


def table_csv(table: pd.DataFrame, info: FileInfo) -> bytes:
    """Five lines about the file, a blank line, then the table (UTF-8 with a BOM, so Excel reads it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for line in info.lines():
        writer.writerow([neutralise(line)])
    writer.writerow([])
    writer.writerows(_cells(table))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_xlsx(table: pd.DataFrame, info: FileInfo, sheet: str = "data") -> bytes:
    """The same as the CSV in a sheet: the lines about the file above the table, numbers as numbers,
    no cell a formula (openpyxl would write text starting with = as one)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    for line in info.lines():
        ws.append([neutralise(line)])
    ws["A1"].font = Font(bold=True)
    ws.append([])
    for i, row in enumerate(_cells(table)):
        ws.append(row)
        if i == 0:
            for c in ws[ws.max_row]:
                c.font = Font(bold=True)
    for row in ws.iter_rows():
        for c in row:
            if c.data_type == "f":  # never: neutralise prefixed it; belt and braces
                c.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def submission_zip(table: pd.DataFrame, info: FileInfo, name: str, columns: dict[str, str]) -> bytes:
    """A submission file: a ZIP holding `<name>.csv`, exactly the documented columns and one header
    line (UTF-8, no lines above it, text cells neutralised, numbers as numbers), and beside it
    `<name>-about.txt`: the lines every file carries (title, selection, N, data date, what the counts
    are) and what each column holds."""
    import zipfile

    if list(table.columns) != list(columns):
        raise ValueError(f"{name}: columns {list(table.columns)} are not the documented layout {list(columns)}")
    data = io.StringIO()
    csv.writer(data, lineterminator="\n").writerows(_cells(table))
    about = (
        "\n".join(
            [
                *info.lines(),
                "",
                f"{name}.csv: {len(table):,} rows; columns:",
                *(f"- {column}: {meaning}" for column, meaning in columns.items()),
            ]
        )
        + "\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{name}.csv", data.getvalue())
        z.writestr(f"{name}-about.txt", about)
    return buffer.getvalue()
