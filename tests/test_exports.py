"""Exported files are what they claim: PNG size, SVG, PDF pages, exact CSV, XLSX cells, and
formula-like cells neutralised."""
import io
import os
import shutil

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image
from pypdf import PdfReader

from dashboard import exports


def _needs_chromium():
    if not shutil.which("chromium") and not os.environ.get("CI"):
        pytest.skip("static exports need Debian's chromium (CI installs it)")


TABLE = pd.DataFrame({"Cohort": ["2026 Q1", "=HYPERLINK(\"http://x\")", "+1 call", "@SUM(A1)", "-3"],
                      "episodes": [61, 42, 12, 30, 25], "response": ["40 %", "—", "<11", "35 %", "20 %"]})


def test_csv_is_exact_and_neutralised():
    assert exports.table_csv(TABLE).decode() == (
        "Cohort,episodes,response\n"
        "2026 Q1,61,40 %\n"
        "\"'=HYPERLINK(\"\"http://x\"\")\",42,—\n"
        "'+1 call,12,<11\n"
        "'@SUM(A1),30,35 %\n"
        "'-3,25,20 %\n")


def test_xlsx_cells_are_text_not_formulas():
    book = openpyxl.load_workbook(io.BytesIO(exports.table_xlsx(TABLE, "outcomes")))
    sheet = book["outcomes"]
    assert [c.value for c in sheet["A"]] == ["Cohort", "2026 Q1", "'=HYPERLINK(\"http://x\")", "'+1 call", "'@SUM(A1)", "'-3"]
    assert [c.value for c in sheet["B"]][1:] == [61, 42, 12, 30, 25]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def _figure():
    fig = go.Figure(go.Bar(x=["a", "b"], y=[30, 40]))
    fig.update_layout(title="Admissions", height=400)
    return fig


def test_chart_files_carry_title_filters_n_and_date():
    _needs_chromium()
    files = exports.figure_files(_figure(), "1 Jan 2026 to 31 Mar 2026; track: Trauma", "70", "2026-03-31")
    png = Image.open(io.BytesIO(files["png"]))
    # width 1100 and height 400 + 40 for the caption, at scale 2
    assert png.format == "PNG" and png.size == (2200, 880)
    svg = files["svg"].decode()
    assert svg.startswith("<svg") and "Admissions" in svg
    assert "1 Jan 2026 to 31 Mar 2026; track: Trauma · N = 70 · data as of 31 Mar 2026" in svg
    assert len(PdfReader(io.BytesIO(files["pdf"])).pages) == 1


def test_html_fallback_without_a_browser(monkeypatch):
    def no_browser(*args, **kwargs):
        raise exports.ExportUnavailable("static images need Chromium (apt-get install chromium): not found")
    monkeypatch.setattr(exports, "render", no_browser)
    files = exports.figure_files(_figure(), "all", "70", "2026-03-31")
    assert set(files) == {"html", "note"}
    assert b"plotly" in files["html"] and b"data as of 31 Mar 2026" in files["html"]
    assert files["note"].startswith(b"static images need Chromium")


def test_board_pack_has_a_cover_and_a_page_per_chart():
    _needs_chromium()
    pdf = exports.board_pack("Board pack", "all", "2026-03-31", [(_figure(), "70"), (_figure(), "<11")])
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    assert "Board pack" in reader.pages[0].extract_text()
    assert "N = <11" in reader.pages[2].extract_text()
