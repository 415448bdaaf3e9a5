"""One export file into the working copy: read, mapped to the canonical columns, staged (each row's
first problem in words), merged in one transaction and recorded (rejects and raw rows kept, the
counts checked). A file that breaks the loader changes nothing and says why in one line.

Per file: rows_read = rows_loaded + rows_updated + rows_rejected + rows_duplicate."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from tqdm import tqdm

from clinical.settings import load_settings
from etl import profiles, raw_store, readers
from etl.database import merge_sql, now, set_variables, sql
from etl.files import ExportFile, FileProblem
from etl.headers import ColumnMap, map_header
from etl.readers import fhir_reader
from etl.readers.rows import to_file_rows
from etl.vocabulary import optional, required

PROGRESS_BYTES = 5_000_000


@dataclass
class FileResult:
    path: Path
    kind: str | None = None
    status: str = "loaded"  # loaded | unchanged | failed
    message: str = ""
    load_id: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    reasons: list[tuple[int, str]] = field(default_factory=list)  # (count, example) per kind of problem
    notes: list[tuple[int, str]] = field(default_factory=list)  # (row, note): findings that did not reject a row
    build_notes: list[str] = field(default_factory=list)  # the clinical engine's, for the whole run


@dataclass
class Prepared:
    export: ExportFile
    columns: ColumnMap | None = None
    sheet: str | None = None  # xlsx: the sheet to read (None: the first)
    fhir: tuple | None = None  # (header, rows, raw JSON, rejects, notes) from the FHIR reader
    profile: object | None = None  # a vendor layout (etl/profiles.py), applied after reading
    catalogue: dict | None = None


def prepare(export: ExportFile, kind: str | None, sheet: str | None, index, codes, profile=None) -> Prepared:
    if export.format == "fhir":
        if kind not in (None, "measures"):
            raise FileProblem(export.path, f"is FHIR JSON, which holds measures, not {kind}")
        read = fhir_reader.read_fhir(export.document, index, codes)
        export.header = read[0]
        return Prepared(export, map_header(export.path, read[0], "measures"), fhir=read)
    if export.format == "xlsx":
        readers.xlsx_reader.check_archive(export, load_settings()["loader"]["xlsx_max_expanded_mb"])
        export.header = readers.xlsx_reader.read_header(export, sheet)
    if profile is not None:  # the header is mapped after the profile has reshaped the rows
        return Prepared(
            export, ColumnMap("measures", {}, {}, export.header), sheet, profile=profile, catalogue=codes.catalogue
        )
    try:
        columns = map_header(export.path, export.header, kind)
    except FileProblem as e:
        hint = profiles.suggest(export.header)
        if hint and not kind:
            raise FileProblem(
                export.path,
                f"{str(e).split(': ', 1)[1]} — it looks like the '{hint}' layout: load it with --profile {hint}",
            ) from None
        raise
    return Prepared(export, columns, sheet)


def unreadable(path: Path, e: BaseException) -> str:
    """One line for a reader error that is not a FileProblem (no traceback, no server path)."""
    first = (str(e).splitlines() or [""])[0].replace(str(path), path.name)[:160]
    return f"{path.name}: could not be read ({type(e).__name__}{': ' + first if first else ''})"


def _source_sql(columns: ColumnMap) -> tuple[str, str]:
    """SQL making `src` (canonical text columns) and `src_items` from `file_rows`."""
    fields = [
        f"c{columns.fields[f]} AS {f}" if f in columns.fields else f"NULL::VARCHAR AS {f}"
        for f in required(columns.kind) + optional(columns.kind)
    ]
    src = f"CREATE OR REPLACE TEMP VIEW src AS SELECT row_number, {', '.join(fields)} FROM file_rows"
    if columns.items:
        picks = ", ".join(f'c{pos} AS "{n}"' for n, pos in sorted(columns.items.items()))
        items = (
            f"CREATE OR REPLACE TEMP TABLE src_items AS SELECT row_number, CAST(item_number AS INTEGER) AS item_number, raw_value "
            f"FROM (UNPIVOT (SELECT row_number, {picks} FROM file_rows) ON COLUMNS(* EXCLUDE row_number) "
            f"INTO NAME item_number VALUE raw_value) WHERE NOT blank(raw_value)"
        )
    else:
        items = "CREATE OR REPLACE TEMP TABLE src_items (row_number BIGINT, item_number INTEGER, raw_value VARCHAR)"
    return src, items


def load_one(con: duckdb.DuckDBPyConnection, result: FileResult, ready: Prepared, progress: bool) -> None:
    export, kind = ready.export, ready.columns.kind
    started = time.perf_counter()
    steps = tqdm(
        total=4, desc=export.path.name, unit="step", leave=False, disable=not progress or export.size < PROGRESS_BYTES
    )
    in_transaction, read_in_place, load_id = False, False, None
    try:
        load_id = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchone()[0]
        set_variables(con, load_id=load_id, file_name=export.path.name, loaded_at=now())
        # Reading and staging fill temp tables only; the writes below are one transaction.
        if export.format == "fhir":
            header, rows, raws, rejects, notes = ready.fhir
            to_file_rows(con, len(header), rows, raw=raws, rejects=rejects)
            result.notes = notes
        elif export.format == "xlsx":
            readers.read_xlsx(con, export, ready.sheet)
        else:
            read_in_place = readers.read_csv(con, export, raw_store.table(load_id))
        if ready.profile is not None:
            header = profiles.apply(con, ready.profile, export.header, export.path, ready.catalogue)
            ready.columns = map_header(export.path, header, "measures")
            if read_in_place:  # the reshaped rows carry their own JSON: the file's table is not kept
                con.execute(f"DROP TABLE {raw_store.table(load_id)}")
                read_in_place = False
        steps.update()
        for statement in _source_sql(ready.columns):
            con.execute(statement)
        con.execute(sql(f"stage_{kind}.sql"))
        if kind == "attendance":
            result.notes += _scheduled_minutes_note(con)
        steps.update()
        con.execute("BEGIN")
        in_transaction = True
        con.execute(merge_sql(kind))
        steps.update()
        as_json = export.format == "fhir" or ready.profile is not None  # rows that exist only as JSON
        counts = _record(
            con,
            result,
            export,
            kind,
            load_id,
            time.perf_counter() - started,
            None if as_json else raw_store.column_names(ready.columns.header),
            read_in_place,
        )
        steps.update()
        con.execute("COMMIT")
    except Exception as e:  # a file that breaks the loader changes nothing and says so in one line
        if in_transaction:
            con.execute("ROLLBACK")
        if load_id is not None:
            con.execute(f"DROP TABLE IF EXISTS {raw_store.table(load_id)}")  # read before the transaction
        result.status = "failed"
        result.message = (
            str(e)
            if isinstance(e, FileProblem)
            else unreadable(export.path, e)
            .replace("could not be read", "could not be loaded")
            .replace(str(export.source), export.path.name)
        )
        return
    finally:
        steps.close()
    result.load_id, result.counts = load_id, counts


def _scheduled_minutes_note(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    [(n, statuses)] = con.execute("""SELECT count(*), string_agg(DISTINCT status, ', ' ORDER BY status) FROM staged
                                     WHERE reason IS NULL AND scheduled_length(status, minutes_given) IS NOT NULL""").fetchall()
    if not n:
        return []
    return [
        (
            0,
            f"{n:,} rows with status {statuses} gave minutes: kept as the scheduled length "
            f"(scheduled_minutes), with 0 minutes attended",
        )
    ]


def _record(
    con,
    result: FileResult,
    export: ExportFile,
    kind: str,
    load_id: int,
    seconds: float,
    names: list[str] | None,
    read_in_place: bool,
) -> dict[str, int]:
    """Rejects and raw rows kept, counts checked, the load recorded. names: the file's columns
    (None: each row carries its own JSON, `raw_json`)."""
    raw = "file_rows.raw_json" if names is None else raw_store.json_of(names, "file_rows.")
    rows = (
        "file_rows"
        if names is not None
        else "(SELECT DISTINCT ON (row_number) row_number, raw_json FROM file_rows) AS file_rows"
    )  # a wide row: several records
    con.execute(f"""
        INSERT INTO rejects
        SELECT getvariable('load_id'), getvariable('file_name'), row_number, reason, raw_row FROM (
            SELECT row_number, reason, raw_row FROM parse_rejects
            UNION ALL
            SELECT bad.row_number, bad.reason, {raw} FROM (
                SELECT row_number, reason FROM staged WHERE reason IS NOT NULL
                UNION ALL SELECT row_number, reason FROM conflicts) AS bad
            JOIN {rows} USING (row_number))
        ORDER BY row_number""")
    con.execute(
        "INSERT INTO raw_rows_json SELECT getvariable('load_id'), getvariable('file_name'), row_number, raw_row "
        "FROM parse_rejects"
    )
    if names is None:  # a wide row gives several records: one raw row
        con.execute(
            "INSERT INTO raw_rows_json SELECT DISTINCT ON (row_number) getvariable('load_id'), "
            "getvariable('file_name'), row_number, raw_json FROM file_rows"
        )
    else:
        raw_store.keep_columns(con, load_id, export.path.name, names, read_in_place)
    raw_store.refresh_view(con)
    outcome = dict(con.execute("SELECT outcome, count(*) FROM merge_plan GROUP BY ALL").fetchall())
    read = con.execute("SELECT (SELECT count(*) FROM file_rows) + (SELECT count(*) FROM parse_rejects)").fetchone()[0]
    rejected = con.execute("SELECT count(*) FROM rejects WHERE load_id = getvariable('load_id')").fetchone()[0]
    counts = {
        "read": read,
        "loaded": outcome.get("loaded", 0),
        "updated": outcome.get("updated", 0),
        "rejected": rejected,
        "duplicate": outcome.get("duplicate", 0),
    }
    assert counts["read"] == counts["loaded"] + counts["updated"] + counts["rejected"] + counts["duplicate"], counts
    if result.notes:
        con.executemany(
            "INSERT INTO load_notes VALUES (getvariable('load_id'), getvariable('file_name'), ?, ?)", result.notes
        )
    con.execute(
        "INSERT INTO loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, getvariable('loaded_at'), ?, ?)",
        [
            load_id,
            export.path.name,
            str(export.path.resolve()),
            export.sha256,
            kind,
            counts["read"],
            counts["loaded"],
            counts["updated"],
            counts["rejected"],
            counts["duplicate"],
            export.describe,
            round(seconds, 3),
        ],
    )
    # Group reasons by their wording with the quoted values and numbers taken out.
    result.reasons = [
        (n, example)
        for n, example in con.execute(r"""
        SELECT count(*), min_by(reason, row_number)
        FROM rejects WHERE load_id = getvariable('load_id')
        GROUP BY regexp_replace(reason, '''[^'']*''|\d+', '…', 'g') ORDER BY 1 DESC, 2""").fetchall()
    ]
    return counts
