"""The continued-stay packet printed on one Letter page (dashboard/views/stay_review.py builds it)."""

from __future__ import annotations

from html import escape

import pandas as pd

from dashboard.documents import compose, printing
from dashboard.views.stay_review import Packet

COLUMN = 700  # CSS px: the printed column of a Letter page less its margins


def heading(p: Packet) -> str:
    return f"Continued-stay review · {p.participant_id} · {p.title}"


def html(p: Packet) -> str:
    """The packet as one printed page (every text from data escaped)."""
    parts = [f"<h1>Continued-stay review</h1><p class='subtitle'>{escape(p.participant_id)} · {escape(p.title)}</p>"]
    for title, frame in p.sections():
        if frame is p.facts:  # two facts a line: the same rows, half the height
            half = -(-len(frame) // 2)
            left, right = frame.iloc[:half].reset_index(drop=True), frame.iloc[half:].reset_index(drop=True)
            frame = pd.concat([left, right.rename(columns={"Item": " Item", "Detail": " Detail"})], axis=1)
        body = compose.table(frame, "packet") if len(frame) else "<p>None.</p>"
        parts.append(f"<h2>{escape(title)}</h2>{body}")
    text = (
        "<p>No justification written yet.</p>"
        if p.justification is None
        else f"<p class='justification'>{escape(p.justification['text'])}</p><p class='subtitle'>{escape(p.justification_line)}</p>"
    )
    parts.append(f"<h2>Clinical justification for continued stay</h2>{text}")
    # one page: compact tables (the packet's limits: stay_justifications.MAX_JUSTIFICATION, and the flags of one episode)
    style = (
        "<style>h1{font-size:14pt} h2{font-size:10pt;margin:2.5mm 0 1mm} table.packet{font-size:7.5pt;margin:0 0 1mm}"
        " table.packet th, table.packet td{padding:0.5mm 1.5mm} .subtitle{font-size:8.5pt;margin:0 0 1mm}"
        " .justification{font-size:8.5pt;white-space:pre-wrap;margin:0 0 1mm}</style>"
    )
    return compose.document(heading(p), heading(p), p.notice, style + "\n".join(parts), "Letter portrait", COLUMN)


def pdf(p: Packet) -> bytes:
    return printing.documents(html(p), pdf=True)["pdf"]
