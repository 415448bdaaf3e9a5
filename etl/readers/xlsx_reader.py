"""XLSX: the first sheet, or the one named with --sheet. Cells become text the way a person
reads them (dates as ISO dates, 12.0 as 12), so the shared SQL parses them like CSV values."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import duckdb
from openpyxl import load_workbook

from etl.files import ExportFile, FileProblem
from etl.readers.rows import to_file_rows


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def load_sheet(export: ExportFile, sheet: str | None) -> list[tuple]:
    try:
        book = load_workbook(io.BytesIO(export.data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise FileProblem(export.path, f"is not a readable Excel workbook ({type(e).__name__})") from None
    if sheet is not None and sheet not in book.sheetnames:
        raise FileProblem(export.path, f"has no sheet '{sheet}' (sheets: {', '.join(book.sheetnames)})")
    rows = list((book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True))
    book.close()
    if not rows or not any(v is not None for v in rows[0]):
        raise FileProblem(export.path, "the first sheet is empty or its first row (the header) is blank")
    return rows


def read_xlsx(con: duckdb.DuckDBPyConnection, export: ExportFile, rows: list[tuple]) -> None:
    width = len(export.header)
    records, rejects = [], []
    for number, row in enumerate(rows[1:], start=2):
        cells = [_text(v) for v in row]
        if not any(c is not None for c in cells):
            continue  # a blank row is not a row
        if any(c is not None for c in cells[width:]):
            rejects.append((number, "the row has values to the right of the last header column",
                            {f"column {i + 1}": c for i, c in enumerate(cells) if c is not None}))
        records.append([number, *(cells[:width] + [None] * (width - len(cells)))])
    to_file_rows(con, width, records, rejects=[(n, reason, json.dumps(raw)) for n, reason, raw in rejects])
    # rows with extra values are rejected whole, not loaded
    con.execute("DELETE FROM file_rows WHERE row_number IN (SELECT row_number FROM parse_rejects)")
