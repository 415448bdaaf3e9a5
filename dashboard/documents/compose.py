"""The pieces of a printed document: the page frame (running header, page N of M, the notice), charts
(drawn by plotly.js in the printing browser: one browser, no image round trip) and HTML tables.
Every text from data is escaped here or by the caller."""

from __future__ import annotations

from html import escape
from pathlib import Path
from string import Template

import pandas as pd
import plotly
import plotly.graph_objects as go
import plotly.io as pio

HERE = Path(__file__).parent
FRAME = Template((HERE / "document.html").read_text(encoding="utf-8"))
PLOTLY_JS = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").as_uri()
CSS = (HERE / "document.css").read_text(encoding="utf-8")


def css_string(text: str) -> str:
    """Text as a CSS string for a margin box: all but letters, digits and spaces as hex escapes, so no
    quote, backslash or </style> in data can leave the string."""
    # an escape ends at the one space after it, which CSS drops: the text's own spaces stay
    return '"' + "".join(c if (c.isascii() and c.isalnum()) or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def document(title: str, header: str, notice: str, body: str, size: str, column: int) -> str:
    """A whole HTML document: header and notice are plain text (escaped here); body is HTML; size the
    @page size; column the width of the printed text in CSS px (the screen's, for the PNG)."""
    return FRAME.substitute(
        title=escape(title),
        css=CSS,
        size=size,
        header_css=css_string(header),
        notice_css=css_string(notice),
        header=escape(header),
        notice=escape(notice),
        body=body,
        plotly=PLOTLY_JS,
        column=int(column),
    )


def chart(fig: go.Figure, width: int, caption: str = "") -> str:
    """The figure as JSON, drawn where it stands by plotly.js in the printing browser (document.html),
    `width` CSS px wide; caption is HTML, printed below the chart."""
    # <, > and & as JSON escapes: nothing in the data can close the <script> element
    data = pio.to_json(fig, validate=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    below = f"<figcaption>{caption}</figcaption>" if caption else ""
    return (
        f'<figure class="chart"><script type="application/json" class="figure" data-width="{int(width)}">'
        f"{data}</script>{below}</figure>"
    )


def cell(value) -> str:
    return "—" if value is None or (not isinstance(value, str) and pd.isna(value)) else escape(str(value))


def table(frame: pd.DataFrame, css_class: str = "") -> str:
    """An HTML table whose header repeats on every page it runs onto; rows are never split."""
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in frame.itertuples(index=False)
    )
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
