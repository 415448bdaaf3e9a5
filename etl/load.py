"""Loading export files: each file is read, mapped, validated and merged in DuckDB SQL.

Per file: rows_read = rows_loaded + rows_updated + rows_rejected + rows_duplicate."""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from tqdm import tqdm

from clinical import build, marts
from clinical.catalogue import alias_rows, load_catalogue, token
from clinical.rows import insert_rows
from clinical.settings import load_settings
from etl import profiles, raw_store, readers
from etl.database import loaded_files, merge_sql, sql, working_copy, writer_lock
from etl.files import ExportFile, FileProblem, discover, open_export
from etl.headers import ColumnMap, map_header
from etl.readers import fhir_reader
from etl.readers.rows import to_file_rows
from etl.vocabulary import allowed, optional, required, teds_labels, value_rows

ORDER = {"roster": 0, "attendance": 1, "measures": 2, "authorizations": 3}  # episodes need admissions before sessions
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


def _prepare(export: ExportFile, kind: str | None, sheet: str | None, index, codes, profile=None) -> Prepared:
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


def _unreadable(path: Path, e: BaseException) -> str:
    """One line for a reader error that is not a FileProblem (no traceback, no server path)."""
    first = (str(e).splitlines() or [""])[0].replace(str(path), path.name)[:160]
    return f"{path.name}: could not be read ({type(e).__name__}{': ' + first if first else ''})"


def load(
    paths: list[str],
    db: str | Path,
    kind: str | None = None,
    sheet: str | None = None,
    today: dt.date | None = None,
    progress: bool = True,
    instruments: str | None = None,
    as_of: dt.date | None = None,
    profile: str | None = None,
    on_step=None,
) -> list[FileResult]:
    """on_step(text, done, total): called as the load goes, for a progress display."""
    db = Path(db)
    opened: list = []
    try:
        return _load(paths, db, kind, sheet, today, progress, instruments, as_of, profile, on_step, opened)
    finally:
        for _, export in opened:
            export.close()


def _load(paths, db, kind, sheet, today, progress, instruments, as_of, profile, on_step, opened) -> list[FileResult]:
    results: list[FileResult] = []
    prepared: list[tuple[FileResult, Prepared]] = []
    files = discover(paths)
    for p in map(Path, paths):
        if p.is_dir() and not any(f.is_relative_to(p) for f in files):
            results.append(
                FileResult(p, status="failed", message=f"{p.name}: folder has no .csv, .tsv, .txt or .xlsx files")
            )
    for path in files:
        result = FileResult(path)
        results.append(result)
        try:
            opened.append((result, open_export(path)))
        except FileProblem as e:
            result.status, result.message = "failed", str(e)
        except Exception as e:  # each bad file fails alone; the others still load
            result.status, result.message = "failed", _unreadable(path, e)
    # FHIR references (subjects, panel members) may point into other files of the same load
    index = fhir_reader.Index([e.document for _, e in opened if e.format == "fhir"])
    codes = fhir_reader.Codes(load_catalogue(instruments))
    layout = profiles.load_profile(profile) if profile else None
    for result, export in opened:
        try:
            ready = _prepare(export, kind, sheet, index, codes, layout)
        except FileProblem as e:
            result.status, result.message = "failed", str(e)
            continue
        except Exception as e:
            result.status, result.message = "failed", _unreadable(export.path, e)
            continue
        result.kind = ready.columns.kind
        prepared.append((result, ready))

    with writer_lock(db):
        seen = loaded_files(db)
        todo = []
        for result, ready in prepared:
            if ready.export.sha256 in seen:
                load_id, at = seen[ready.export.sha256]
                result.status, result.load_id = "unchanged", load_id
                result.message = f"already loaded as load {load_id} on {at} (same contents); nothing changed"
            elif any(ready.export.sha256 == other.export.sha256 for _, other in todo):
                result.status, result.message = "unchanged", "same contents as another file in this load; skipped"
            else:
                todo.append((result, ready))
        if todo:
            todo.sort(key=lambda pair: ORDER[pair[1].columns.kind])
            try:
                _load_all(db, todo, today, instruments, as_of, progress, on_step or (lambda *_: None))
            except build.CatalogueRefused as e:  # the working copy is gone; the database is as it was
                for result, _ in todo:
                    result.status, result.message = "failed", f"{result.path.name}: not loaded: {e}"
            except Exception as e:  # likewise, in one line per file and no traceback
                why = _stopped(e)
                for result, _ in todo:
                    result.status, result.message = (
                        "failed",
                        f"{result.path.name}: not loaded: {why}; the database is unchanged",
                    )
    return results


def _stopped(e: BaseException) -> str:
    if isinstance(e, duckdb.OutOfMemoryException):
        limit = load_settings()["loader"]["memory_limit_mb"]
        return f"the load needed more than its memory limit of {limit:,} MB (settings [loader] memory_limit_mb)"
    return f"the load stopped ({type(e).__name__}: {(str(e).splitlines() or [''])[0][:160]})"


def _load_all(db, todo, today, instruments, as_of, progress, on_step) -> None:
    """Every file into one working copy, then episodes and marts; the copy replaces the database."""
    total = len(todo) + 2
    on_step("preparing the working copy", 0, total)
    with working_copy(db, load_settings()["loader"]["memory_limit_mb"]) as con:
        build_notes = _setup(con, today or dt.date.today(), instruments)
        for done, (result, ready) in enumerate(todo):
            on_step(f"{ready.export.path.name}: reading and checking", done, total)
            _load_one(con, result, ready, progress)
        on_step("episodes and flags", len(todo), total)
        # rows read keep their file order (row numbers); what is derived from here on has ORDER BY
        # where order matters, and without the guarantee DuckDB needs less memory
        con.execute("SET preserve_insertion_order = false")
        _set(con, loaded_at=_now())
        build.flag_sessions(con)
        _derive(con)
        on_step("outcomes and summaries", len(todo) + 1, total)
        marts.rebuild(con, as_of=as_of)
        on_step("saving", total, total)
    for result, _ in todo:
        result.build_notes = build_notes


SESSIONS_PER_BATCH = 2_000_000


def _derive(con: duckdb.DuckDBPyConnection) -> None:
    """Participants and episodes, and each session's and assessment's episode."""
    con.execute(sql("derive.sql"))
    [n] = con.execute("SELECT count(*) FROM sessions").fetchone()
    batches = max(1, -(-n // SESSIONS_PER_BATCH))
    for batch in range(batches):
        _set(con, batch=batch, batches=batches)
        con.execute(sql("assign_sessions.sql"))
        if batches > 1:
            con.execute("CHECKPOINT")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _set(con: duckdb.DuckDBPyConnection, **values) -> None:
    for name, value in values.items():
        con.execute(f"SET VARIABLE {name} = ?", [value])


def _setup(con: duckdb.DuckDBPyConnection, today: dt.date, instruments: str | None) -> list[str]:
    """The clinical engine's settings, catalogue and definitions, then the loader's own lookups;
    returns the engine's notes (stored definitions it kept)."""
    con.execute(sql("macros.sql"))
    raw_store.migrate(con)
    catalogue, notes = build.prepare(con, instruments)
    con.execute(sql("lookups.sql"))
    aliases = dict(alias_rows(catalogue))
    for code, name in build.kept_instruments(con, catalogue):  # a stored definition kept: still matched by name
        aliases.setdefault(token(code), code)
        aliases.setdefault(token(name), code)
    insert_rows(con, "instrument_alias", sorted(aliases.items()))
    insert_rows(con, "vocab", value_rows())
    insert_rows(con, "teds_reasons", sorted(teds_labels().items()))
    known = [*catalogue, *(code for code, _ in build.kept_instruments(con, catalogue))]
    _set(
        con,
        today=today,
        session_types=", ".join(allowed("session_type")),
        statuses=", ".join(allowed("status")),
        instruments=", ".join(known),
    )
    return notes


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


def _load_one(con: duckdb.DuckDBPyConnection, result: FileResult, ready: Prepared, progress: bool) -> None:
    export, kind = ready.export, ready.columns.kind
    started = time.perf_counter()
    steps = tqdm(
        total=4, desc=export.path.name, unit="step", leave=False, disable=not progress or export.size < PROGRESS_BYTES
    )
    in_transaction, read_in_place, load_id = False, False, None
    try:
        load_id = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchone()[0]
        _set(con, load_id=load_id, file_name=export.path.name, loaded_at=_now())
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
            else _unreadable(export.path, e)
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


def as_json(results: list[FileResult]) -> str:
    return json.dumps(
        [
            {
                "file": str(r.path),
                "kind": r.kind,
                "status": r.status,
                "message": r.message,
                "load_id": r.load_id,
                **r.counts,
                "reasons": r.reasons,
                "notes": [note for _, note in r.notes],
                "build_notes": r.build_notes,
            }
            for r in results
        ],
        indent=2,
    )


def rebuild(db: str | Path, instruments: str | None = None, as_of: dt.date | None = None) -> list[str]:
    """Re-derive episodes and rebuild the catalogue tables and marts without loading anything:
    after a change to instruments.toml, settings.toml or vocabulary.toml. Atomic like a load."""
    db = Path(db)
    if not db.exists():
        raise FileProblem(db, "no database to rebuild")
    with writer_lock(db), working_copy(db, load_settings()["loader"]["memory_limit_mb"]) as con:
        notes = _setup(con, dt.date.today(), instruments)
        _set(con, loaded_at=_now())
        build.flag_sessions(con)
        _derive(con)
        marts.rebuild(con, as_of=as_of)
    return notes
