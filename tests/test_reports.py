"""The case-review and board-pack PDFs are documents: a running header naming what they are, page
N of M and the confidentiality notice on every page, whole table rows, Yes/No, and data escaped."""

import dataclasses
import datetime as dt
import io
import json
import os
import re
import shutil

import pandas as pd
import pytest
from pypdf import PdfReader

from conftest import build, measures_row, scenario

AS_OF = dt.date(2025, 2, 14)
ADMIT = dt.date(2025, 1, 6)
PID = "IOP-10001"
# instrument: weekly totals (P1 also answers PHQ-9 item by item: deteriorating, item 9 endorsed)
TOTALS = {
    "GAD-7": [15, 14, 12, 10, 8, 6],
    "PCL-5": [60, 58, 57, 58, 59, 61],
    "K10": [35, 33, 30, 28, 26, 22],
    "CORE-10": [28, 27, 25, 24, 20, 18],
    "AUDIT-C": [9, 8, 8, 6, 5, 4],
    "DAST-10": [6, 6, 5, 4, 4, 3],
}


def _day(n):
    return str(ADMIT + dt.timedelta(days=n))


def make_program(folder):
    """Two participants of the Trauma track; IOP-10001 is measured on seven instruments."""
    db = folder / "iop.duckdb"
    roster = [f"{PID},{ADMIT},,,Trauma,O'Brien & Chen,1990,", f"IOP-10002,{ADMIT},,,Trauma,Rivera,1985,"]
    attendance = []
    for d in range(40):
        if d % 7 < 5:
            attendance.append(
                f"{PID},{_day(d)},{'individual' if d % 7 == 2 else 'group'},"
                f"{'no_show,0' if d in (15, 16) else 'attended,180'},Trauma,O'Brien & Chen"
            )
            attendance.append(f"IOP-10002,{_day(d)},group,attended,180,Trauma,Rivera")
    measures = []
    for week in range(6):
        day = _day(7 * week)
        items = [2, 2, 2, 2, 2, 1, 1, 0, 0] if week < 5 else [3, 3, 3, 2, 2, 2, 2, 1, 1]
        measures.append(measures_row(PID, day, "PHQ-9", "", items))
        measures += [measures_row(PID, day, name, totals[week]) for name, totals in TOTALS.items()]
        measures.append(measures_row("IOP-10002", day, "PHQ-9", 14 - week))
    build(folder, db, roster=roster, attendance=attendance, measures=measures, as_of=AS_OF, today=dt.date(2025, 3, 1))
    return db


def _make_program(tmp_path, db):
    make_program(tmp_path)  # at tmp_path / iop.duckdb: db


@pytest.fixture
def program(request, monkeypatch):
    db = scenario(request, _make_program)  # loaded once for the module, copied for each test
    monkeypatch.setenv("IOP_DB", str(db))
    return db


def _chromium_or_skip():
    if not shutil.which("chromium") and not os.environ.get("CI"):
        pytest.skip("documents need Debian's chromium (CI installs it)")


NOTICE_START = "CONFIDENTIAL health information for the care team."


def _squash(text: str) -> str:
    """Text without whitespace: a cell wrapped over lines (or "self-" / "harm") still matches."""
    return re.sub(r"\s+", "", text)


def _pages(pdf: bytes) -> list[str]:
    assert pdf.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _long_view():
    """IOP-10001's episode with extra flags (one of them carrying markup) and an outcome table four
    times as long, so that both tables run over a page."""
    from dashboard.views.participant import EpisodeView, episode_view

    class Long(EpisodeView):
        def outcome_table(self):
            base = super().outcome_table()
            copies = [base.assign(Instrument=base["Instrument"] + f" (copy {i})") for i in range(1, 4)]
            return pd.concat([base, *copies], ignore_index=True)

    from clinical import flag_rules

    def flag(rule_id, instrument, explanation):  # as the flags mart holds it, with its rule's label and priority
        return {
            "severity": flag_rules.rule(rule_id).severity,
            "rule_id": rule_id,
            "instrument": instrument,
            "fired_on": AS_OF,
            "explanation": explanation,
            "label": flag_rules.label(rule_id, instrument),
            "priority": flag_rules.rule(rule_id).rank,
            "status": "active",  # as the view gives it (flag_actions.with_status): open
        }

    view = episode_view(PID)
    extra = pd.DataFrame(
        [
            flag("measure_overdue", "GAD-7", f"flag {i} of the test: a long explanation " + "that runs on " * (3 * i))
            for i in range(9)
        ]  # enough that the table surely runs over a page
        + [flag("safety_item", "PHQ-9", "typed <b>x</b> & kept as typed")]
    )
    fields = {f.name: getattr(view, f.name) for f in dataclasses.fields(view)}
    return Long(**(fields | {"flags": pd.concat([view.flags, extra], ignore_index=True)}))


def test_case_review_pages_name_the_participant_and_keep_every_row_whole(program):
    _chromium_or_skip()
    from dashboard.documents.case_review import case_review_files

    view = _long_view()
    assert (
        len(view.flags) == 14
    )  # 4 of the participant (not on track against the published curves among them), 10 added
    files = case_review_files(view)
    pages = _pages(files["pdf"])
    header = f"Case review · {PID} · Episode 1: 06 Jan 2025 – open"
    for n, text in enumerate(pages, start=1):
        assert header in text, n
        assert f"page {n} of {len(pages)}" in text
        assert _squash(view.notice) in _squash(text), n
    everything = "\n".join(pages)
    assert re.search(r"\bYes\b", everything) and re.search(r"\bNo\b", everything)
    assert not re.search(r"\b(true|false)\b", everything, re.IGNORECASE)
    squashed = [_squash(t) for t in pages]

    def pages_holding(cells) -> list[int]:
        """The pages that hold every cell of a row: one, unless the row was cut."""
        return [i for i, t in enumerate(squashed) if all(_squash(str(c)) in t for c in cells)]

    table = view.outcome_table()
    rows = [pages_holding(row) for row in table.itertuples(index=False)]
    assert all(rows), [r for r, at in zip(table["Instrument"], rows) if not at]
    assert len({at[0] for at in rows}) > 1  # the table runs over a page...
    header_row = "InstrumentIntakeLatestExpectedrecoveryChangeCategoryResponseRemissionScores"
    assert all(header_row in squashed[at[0]] for at in rows)  # ...and its header repeats there
    flags = [pages_holding([x]) for x in view.flags["explanation"]]
    assert all(flags)
    assert len({at[0] for at in flags}) > 1
    assert "typed <b>x</b> & kept as typed" in everything  # markup from data shows as typed
    for words in (
        "Red",
        "Amber",
        "Safety item (PHQ-9)",
        "Clinician O'Brien & Chen",
        "PHQ-9 over the episode",
        "PHQ-9 item answers",
        "Sessions by day and type",
        "Weekly hours",
    ):
        assert words in everything


def test_case_review_png_is_one_image_of_the_document(program):
    _chromium_or_skip()
    from PIL import Image

    from dashboard.documents.case_review import case_review_files
    from dashboard.views.participant import episode_view

    files = case_review_files(episode_view(PID), formats=("png",))
    assert set(files) == {"png"}
    png = Image.open(io.BytesIO(files["png"]))
    # 700 CSS px of column and 2 x 24 of margin, at 1.5x; ten charts and the tables, cut below the notice
    assert png.format == "PNG" and png.width == 1122 and 6000 < png.height < 16000
    last = png.convert("L").crop((0, png.height - 6, png.width, png.height))
    assert last.getextrema() == (255, 255)  # white below the end: nothing cut off


def test_margin_box_text_cannot_leave_its_css_string():
    from dashboard.documents.compose import css_string, document

    text = 'IOP-1"; } body { display: none } </style><script>alert(1)</script> \\'
    quoted = css_string(text)
    assert quoted.count('"') == 2 and "<" not in quoted and "\\" + "\n" not in quoted
    html = document("t", text, "notice & <b>", "<p>body</p>", "Letter portrait", 700)
    assert "<script>alert(1)" not in html and "notice &amp; &lt;b&gt;" in html


NOTICE = "CONFIDENTIAL: for the board <only> & its members."


def _board_info(internal=False):
    from dashboard.documents import formats

    return formats.FileInfo(
        "outcomes (PHQ-9)",
        "admitted 1 Jan 2026 to 31 Mar 2026; track: <b>Trauma</b>",
        "70",
        "2026-03-31",
        "Suppressed for sharing: counts from 1 to 10 read <11",
        internal=internal,
    )


def _bar():
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=["a", "b"], y=[30, 40], name="admissions"))
    fig.update_layout(title="Admissions", height=400, legend={"orientation": "h", "y": -0.2})
    return fig


def test_board_pack_pages_carry_title_numbers_notice_and_a_caption_below_each_chart():
    _chromium_or_skip()
    from dashboard.documents import board_pack

    figures = [(_bar(), "70"), (_bar(), "<11")]
    pages = _pages(board_pack.pdf(_board_info(), figures, notice=NOTICE))
    assert len(pages) == 3  # a cover and a page per chart
    for n, text in enumerate(pages, start=1):
        assert "IOP outcomes: outcomes (PHQ-9)" in text and f"page {n} of 3" in text
        assert _squash(NOTICE) in _squash(text)
    for text, n in zip(pages[1:], ("70", "<11")):
        caption = f"admitted 1 Jan 2026 to 31 Mar 2026; track: <b>Trauma</b> · N = {n} · data as of 31 Mar 2026"
        assert _squash(caption) in _squash(text)
        assert _squash("Suppressed for sharing: counts from 1 to 10 read <11") in _squash(text)
        assert "Admissions" in text
    assert _squash("What the counts are Suppressed for sharing") in _squash(pages[0])
    # the caption is text of the page below the chart, not part of the figure over its legend
    html = board_pack.html(_board_info(), figures, NOTICE)
    assert html.count("<figcaption>admitted 1 Jan 2026 to 31 Mar 2026; track: &lt;b&gt;Trauma&lt;/b&gt; · N = ") == 2
    charts = re.findall(r'<script type="application/json" class="figure"[^>]*>(.*?)</script>', html)
    assert len(charts) == 2 and not any("N = " in c or json.loads(c)["layout"].get("annotations") for c in charts)


def test_an_internal_board_pack_says_so_on_every_page():
    _chromium_or_skip()
    from dashboard.documents import board_pack

    pages = _pages(board_pack.pdf(_board_info(internal=True), [(_bar(), "70")], notice=NOTICE))
    assert all("IOP outcomes: INTERNAL · outcomes (PHQ-9)" in t for t in pages)
    assert "INTERNAL · Admissions" in pages[1]


def test_board_pack_of_the_program_carries_the_settings_notice(program):
    _chromium_or_skip()
    from dashboard.documents.board_pack import board_pack_pdf, notice
    from dashboard.privacy import policy, shown_cohorts, shown_overview
    from dashboard.views.cohorts import cohort_outcomes
    from dashboard.views.filters import Filters
    from dashboard.views.overview import program_overview

    assert notice().startswith(NOTICE_START)
    filters, disclosure = Filters(ADMIT, AS_OF), policy.for_export("director", True)
    o = shown_overview.shown_overview(program_overview(filters, "PHQ-9"), disclosure, "PHQ-9")
    c = shown_cohorts.shown_cohorts(
        cohort_outcomes(dataclasses.replace(filters, dimension="quarter"), "PHQ-9"), disclosure
    )
    pages = _pages(board_pack_pdf(o, c, "PHQ-9", 0, 27, filters.describe(), AS_OF))
    assert len(pages) == 12  # the cover and eleven charts
    for n, text in enumerate(pages, start=1):
        assert "IOP outcomes: board pack" in text and f"page {n} of 12" in text
        assert _squash(notice()) in _squash(text)
    for text in pages[1:]:
        assert _squash(f"{filters.describe()} · N = ") in _squash(text)
