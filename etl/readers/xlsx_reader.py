"""XLSX: the first sheet, or the one named with --sheet. Cells become text the way a person
reads them (dates as ISO dates, 12.0 as 12), so the shared SQL parses them like CSV values.

Read streaming, in batches, whatever the sheet's size marker says: openpyxl's read-only mode
trusts `<dimension ref=…>`, which careless exports understate (rows beyond it would be lost
without a word), so the marker is reset and every row is read. The archive's unpacked size is
checked against the loader's limit from its own size fields before anything is unpacked."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import zipfile
from collections.abc import Iterator

import duckdb

from etl.files import ExportFile, FileProblem
from etl.readers.rows import append_rows, start_file_rows

BATCH = 20_000


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


def check_archive(export: ExportFile, max_expanded_mb: float) -> None:
    """Refuses a workbook that would unpack beyond the limit (a ZIP can expand a thousandfold).
    Python's zipfile never inflates a member past its declared size, so the declared sizes bound it."""
    try:
        with zipfile.ZipFile(export.source) as archive:
            expanded = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise FileProblem(export.path, f"is not a readable Excel workbook ({_why(e)})") from None
    if expanded > max_expanded_mb * 1e6:
        raise FileProblem(
            export.path,
            f"unpacks to {expanded / 1e6:,.0f} MB, above the loader's limit of "
            f"{max_expanded_mb:,.0f} MB (settings [loader] xlsx_max_expanded_mb); "
            "export it as CSV or split it",
        )


def _why(e: BaseException) -> str:
    first = (str(e).splitlines() or [""])[0][:120]
    return f"{type(e).__name__}: {first}" if first else type(e).__name__


@contextlib.contextmanager
def _rows(export: ExportFile, sheet: str | None) -> Iterator[Iterator[tuple]]:
    """The sheet's rows as tuples of cell values; any reader error becomes a one-line refusal."""
    from openpyxl import load_workbook  # imported when a workbook is read: CSV loads start faster

    book = None
    try:
        book = load_workbook(export.source, read_only=True, data_only=True)
        if sheet is not None and sheet not in book.sheetnames:
            raise FileProblem(export.path, f"has no sheet '{sheet}' (sheets: {', '.join(book.sheetnames)})")
        if not book.worksheets:
            raise FileProblem(export.path, "has no worksheets")
        worksheet = book[sheet] if sheet else book.worksheets[0]
        if hasattr(worksheet, "reset_dimensions"):
            worksheet.reset_dimensions()  # read to the last row, not to the size marker
        yield worksheet.iter_rows(values_only=True)
    except FileProblem:
        raise
    except Exception as e:  # XML, ZIP and workbook-structure errors of a broken or cut-off file
        raise FileProblem(export.path, f"is not a readable Excel workbook ({_why(e)})") from None
    finally:
        if book is not None:
            with contextlib.suppress(Exception):
                book.close()


def read_header(export: ExportFile, sheet: str | None) -> list[str]:
    with _rows(export, sheet) as rows:
        first = next(rows, None)
    if not first or not any(v is not None for v in first):
        raise FileProblem(export.path, "the first sheet is empty or its first row (the header) is blank")
    return [_text(v) or "" for v in first]


def read_xlsx(con: duckdb.DuckDBPyConnection, export: ExportFile, sheet: str | None) -> None:
    width = len(export.header)
    start_file_rows(con, width)
    batch, rejects = [], []
    with _rows(export, sheet) as rows:
        next(rows, None)
        for number, row in enumerate(rows, start=2):
            cells = [_text(v) for v in row]
            if not any(c is not None for c in cells):
                continue  # a blank row is not a row
            if any(c is not None for c in cells[width:]):  # rejected whole, not loaded
                rejects.append(
                    (
                        number,
                        "the row has values to the right of the last header column",
                        json.dumps({f"column {i + 1}": c for i, c in enumerate(cells) if c is not None}),
                    )
                )
                continue
            batch.append([number, *(cells[:width] + [None] * (width - len(cells)))])
            if len(batch) >= BATCH:
                append_rows(con, width, batch)
                batch = []
    append_rows(con, width, batch)
    if rejects:
        con.executemany("INSERT INTO parse_rejects VALUES (?, ?, ?)", rejects)
