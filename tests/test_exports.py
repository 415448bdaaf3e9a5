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

from dashboard.documents import board_pack, formats


def _needs_chromium():
    if not shutil.which("chromium") and not os.environ.get("CI"):
        pytest.skip("static exports need Debian's chromium (CI installs it)")


TABLE = pd.DataFrame(
    {
        "Cohort": ["2026 Q1", '=HYPERLINK("http://x")', "+1 call", "@SUM(A1)", "-3", "\tcmd"],
        "episodes": [61, 42, "<11", 30, "suppressed", -7],
        "response": ["40 %", "—", "<11", "35 %", "20 %", ""],
    }
)
INFO = formats.FileInfo(
    "outcomes (PHQ-9)",
    "admitted 1 Jan 2026 to 31 Mar 2026; track: Trauma",
    "70",
    "2026-03-31",
    "Suppressed for sharing: counts from 1 to 10 read <11",
    internal=False,
)


def test_csv_says_what_it_is_and_neutralises_formulas():
    assert formats.table_csv(TABLE, INFO).decode("utf-8-sig") == (
        "IOP outcomes: outcomes (PHQ-9)\n"
        "Selection: admitted 1 Jan 2026 to 31 Mar 2026; track: Trauma\n"
        "N = 70\n"
        "Data as of 31 Mar 2026\n"
        "Suppressed for sharing: counts from 1 to 10 read <11\n"
        "\n"
        "Cohort,episodes,response\n"
        "2026 Q1,61,40 %\n"
        '"\'=HYPERLINK(""http://x"")",42,—\n'
        "'+1 call,<11,<11\n"
        "'@SUM(A1),30,35 %\n"
        "-3,suppressed,20 %\n"  # a number stays a number
        "'\tcmd,-7,\n"
    )


def test_an_internal_file_says_so_in_its_title():
    internal = formats.FileInfo("outcomes", "all", "70", "2026-03-31", "INTERNAL: true counts", internal=True)
    assert formats.table_csv(TABLE, internal).decode("utf-8-sig").startswith("IOP outcomes: INTERNAL · outcomes\n")


def test_xlsx_numbers_are_numbers_and_text_is_never_a_formula():
    book = openpyxl.load_workbook(io.BytesIO(formats.table_xlsx(TABLE, INFO, "outcomes")))
    sheet = book["outcomes"]
    assert [sheet.cell(row=r, column=1).value for r in range(1, 6)] == [
        "IOP outcomes: outcomes (PHQ-9)",
        "Selection: admitted 1 Jan 2026 to 31 Mar 2026; track: Trauma",
        "N = 70",
        "Data as of 31 Mar 2026",
        "Suppressed for sharing: counts from 1 to 10 read <11",
    ]
    assert [c.value for c in sheet["A"]][6:] == [
        "Cohort",
        "2026 Q1",
        '\'=HYPERLINK("http://x")',
        "'+1 call",
        "'@SUM(A1)",
        "-3",
        "'\tcmd",
    ]
    assert [c.value for c in sheet["B"]][7:] == [61, 42, "<11", 30, "suppressed", -7]
    assert [sheet.cell(row=r, column=2).data_type for r in (8, 9, 11, 13)] == ["n", "n", "n", "n"]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def _figure():
    fig = go.Figure(go.Bar(x=["a", "b"], y=[30, 40]))
    fig.update_layout(title="Admissions", height=400)
    return fig


def test_chart_files_carry_title_selection_n_date_and_what_the_counts_are():
    _needs_chromium()
    info = formats.FileInfo(
        "admissions",
        "1 Jan 2026 to 31 Mar 2026; track: Trauma",
        "70",
        "2026-03-31",
        "INTERNAL: true counts for the care team, not for sharing outside the program",
        internal=True,
    )
    png = Image.open(io.BytesIO(formats.figure_file(_figure(), "png", info)))
    # width 1100 and height 400 + 56 for the caption, at scale 2
    assert png.format == "PNG" and png.size == (2200, 912)
    svg = formats.figure_file(_figure(), "svg", info).decode()
    assert svg.startswith("<svg") and "INTERNAL · Admissions" in svg
    assert "1 Jan 2026 to 31 Mar 2026; track: Trauma · N = 70 · data as of 31 Mar 2026" in svg
    assert "not for sharing outside the program" in svg
    assert len(PdfReader(io.BytesIO(formats.figure_file(_figure(), "pdf", info))).pages) == 1


def test_html_needs_no_browser():
    html = formats.figure_file(_figure(), "html", INFO)
    assert b"plotly" in html and b"data as of 31 Mar 2026" in html


def test_board_pack_has_a_cover_and_a_page_per_chart():
    _needs_chromium()
    pdf = board_pack.pdf(INFO, [(_figure(), "70"), (_figure(), "<11")])
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    assert "outcomes (PHQ-9)" in reader.pages[0].extract_text()
    assert "N = <11" in reader.pages[2].extract_text()


def test_text_longer_than_a_spreadsheet_cell_is_cut_and_says_so():
    table = pd.DataFrame({"row": ["P" * 100_000, "short"]})
    book = openpyxl.load_workbook(io.BytesIO(formats.table_xlsx(table, INFO, "rejects")))
    long, short = book["rejects"]["A"][7].value, book["rejects"]["A"][8].value
    assert len(long) == formats.CELL_MAX and long.endswith("… [cut: 100,000 characters]") and short == "short"
    assert "[cut: 100,000 characters]" in formats.table_csv(table, INFO).decode("utf-8-sig")
