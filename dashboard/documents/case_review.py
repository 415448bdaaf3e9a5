"""The case-review export: one document of a participant's episode (facts, open flags, outcome summary,
then the charts), printed to PDF by the system Chromium, and the same document as one PNG. Every page
names the participant and the episode and carries page N of M and the confidentiality notice."""

from __future__ import annotations

from html import escape

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.attendance import attendance_calendar, weekly_hours
from dashboard.charts.items import item_heatmap
from dashboard.charts.subscales import subscale_chart
from dashboard.charts.trajectory import trajectory
from dashboard.documents import compose, printing
from dashboard.views.participant import EpisodeView

SEVERITY = {0: "⚠ Safety", 1: "Red", 2: "Amber"}  # by priority (clinical/flag_rules.py)
PRIORITY_CLASS = {0: "safety", 1: "red", 2: "amber"}
COLUMN = 700  # CSS px: the printed column of a Letter page less its margins; the PNG's too


def heading(view: EpisodeView) -> str:
    return f"Case review · {view.participant_id} · {view.label}"


def facts(view: EpisodeView) -> str:
    e = view.episode
    rows = [
        ("Participant", view.participant_id),
        ("Episode", view.label),
        ("Track", e["program"] or "not recorded"),
        ("Admitted", f"{pd.Timestamp(e['admit_date']):%d %b %Y}"),
        ("Week in program", view.week_in_program),
        ("Clinician", e["primary_clinician"] or "not recorded"),
        ("Status", view.status),
        ("Data as of", f"{pd.Timestamp(view.data_as_of):%d %b %Y}"),
    ]
    body = "".join(f"<tr><th>{escape(k)}</th><td>{compose.cell(v)}</td></tr>" for k, v in rows)
    return f'<section><h2>Episode</h2><table class="facts"><tbody>{body}</tbody></table></section>'


def flags(view: EpisodeView) -> str:
    """Open flags (neither acknowledged nor snoozed), then those handled with who handled them and how:
    the same state as the caseload and the progress page."""
    f = view.flags
    active, handled = f[f["status"] == "active"], f[f["status"] != "active"]
    if not len(active):
        section = "<section><h2>Open flags</h2><p>No open flags.</p></section>"
    else:
        rows = "".join(
            f'<tr class="{PRIORITY_CLASS[r]}"><td><span class="severity {PRIORITY_CLASS[r]}">{escape(SEVERITY[r])}</span></td>'
            f"<td>{escape(label)}</td><td>{compose.cell(x)}</td><td class='numbers'>{_date(when)}</td></tr>"
            for r, label, x, when in zip(active["priority"], active["label"], active["explanation"], active["fired_on"])
        )
        section = (
            '<h2>Open flags</h2><table class="flags"><colgroup><col style="width:11%"><col style="width:25%"><col>'
            '<col style="width:13%"></colgroup><thead><tr><th>Severity</th><th>Flag</th><th>Explanation</th>'
            f"<th>Raised</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    if not len(handled):
        return section
    rows = "".join(
        f"<tr><td>{escape(SEVERITY[r])}</td><td>{escape(label)}</td><td>{escape(_handling(status, until))}</td>"
        f"<td>{compose.cell(taken)}: {compose.cell(note)}</td><td>{compose.cell(by)}</td></tr>"
        for r, label, status, until, taken, note, by in zip(
            handled["priority"],
            handled["label"],
            handled["status"],
            handled["snooze_until"],
            handled["action_taken"],
            handled["note"],
            handled["author"],
        )
    )
    return section + (
        '<h2>Acknowledged and snoozed</h2><table class="flags"><colgroup><col style="width:11%">'
        '<col style="width:25%"><col style="width:17%"><col><col style="width:13%"></colgroup><thead><tr>'
        "<th>Severity</th><th>Flag</th><th>State</th><th>Action taken: note</th><th>By</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _handling(status: str, until) -> str:
    return f"snoozed until {_date(until)}" if status == "snoozed" else status


def _date(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d %b %Y}"


def charts(view: EpisodeView) -> list[tuple[str, list[tuple[go.Figure, str]]]]:
    """(section heading, [(figure, caption HTML)]) in the page's order."""
    scores = []
    for instrument in view.total_instruments:
        expected = view.expected[view.expected["instrument"] == instrument]
        fig = trajectory(
            instrument,
            view.scores[view.scores["instrument"] == instrument],
            view.bands[view.bands["instrument"] == instrument],
            view.outcome(instrument),
            expected,
            view.flags[view.flags["instrument"] == instrument],
            view.episode["admit_date"],
            False,
            view.end_date,
            view.episode["discharge_date"],
            view.follow_ups[view.follow_ups["instrument"] == instrument],
        )
        note = expected["note"].dropna() if len(expected) and not expected["available"].any() else []
        scores.append((fig, f"Expected recovery: {escape(str(note.iloc[0]))}." if len(note) else ""))
    scores += [
        (subscale_chart(i, view.subscales[view.subscales["instrument"] == i]), "") for i in view.subscale_instruments
    ]
    items = [
        (item_heatmap(i, view.items[view.items["instrument"] == i], view.total_only(i)), "")
        for i in view.item_instruments
    ]
    attendance = ([(attendance_calendar(view.sessions), "")] if len(view.sessions) else []) + (
        [(weekly_hours(view.weeks), "")] if len(view.weeks) else []
    )
    return [(h, c) for h, c in (("Scores", scores), ("Item answers", items), ("Attendance", attendance)) if c]


def html(view: EpisodeView) -> tuple[str, int]:
    """The document, and about how tall it is on screen (CSS px), for the PNG's window."""
    outcomes = view.outcome_table()
    parts = [
        f"<h1>Case review</h1><p class='subtitle'>{escape(view.participant_id)} · {escape(view.label)}</p>",
        facts(view),
        flags(view),
        "<h2>Outcome summary</h2>",
        compose.table(outcomes, "outcomes"),
    ]
    height = 700 + 45 * (len(view.flags) + len(outcomes))
    for title, figures in charts(view):
        drawn = [compose.chart(fig, COLUMN, caption) for fig, caption in figures]
        height += 60 + sum(int(fig.layout.height or 400) + 40 for fig, _ in figures)
        # the heading travels with its first chart, never alone at a page's foot
        parts.append(f'<div class="keep"><h2>{escape(title)}</h2>{drawn[0]}</div>' + "".join(drawn[1:]))
    return compose.document(
        heading(view), heading(view), view.notice, "\n".join(parts), "Letter portrait", COLUMN
    ), height


def case_review_files(view: EpisodeView, formats: tuple[str, ...] = ("pdf", "png")) -> dict[str, bytes]:
    """{"pdf": the printed case review, "png": the same document as one image}; `formats` may ask
    for one of them (each is a browser run)."""
    document, height = html(view)
    return printing.documents(
        document,
        pdf="pdf" in formats,
        png_width=COLUMN + 48 if "png" in formats else None,
        png_height=int(height * 1.2),
    )
