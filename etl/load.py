"""Loading export files: the files are opened and recognised, those not loaded before go into one
working copy (each file by etl/load_file.py), then episodes are derived and the clinical engine
builds (etl/derive.py: for the participants the load touched when they are few); the copy
replaces the database, or nothing changes (etl/database.py). What learns from the whole history
may follow in a second step, `python -m etl refresh`, started in the background."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from clinical import build
from clinical.catalogue import alias_rows, load_catalogue, token
from clinical.rows import insert_rows
from clinical.settings import load_settings
from etl import derive, profiles, raw_store
from etl.database import NotLatest, loaded_files, now, set_variables, sql, working_copy, writer_lock
from etl.files import FileProblem, discover, open_export
from etl.load_file import FileResult, Prepared, load_one, prepare, unreadable
from etl.readers import fhir_reader
from etl.vocabulary import allowed, teds_labels, value_rows

# episodes need admissions before sessions
ORDER = {"roster": 0, "attendance": 1, "measures": 2, "authorizations": 3, "diagnoses": 4}


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
            result.status, result.message = "failed", unreadable(path, e)
    # FHIR references (subjects, panel members) may point into other files of the same load
    index = fhir_reader.Index([e.document for _, e in opened if e.format == "fhir"])
    codes = fhir_reader.Codes(load_catalogue(instruments))
    layout = profiles.load_profile(profile) if profile else None
    for result, export in opened:
        try:
            ready = prepare(export, kind, sheet, index, codes, layout)
        except FileProblem as e:
            result.status, result.message = "failed", str(e)
            continue
        except Exception as e:
            result.status, result.message = "failed", unreadable(export.path, e)
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
                left = _load_all(db, todo, today, instruments, as_of, progress, on_step or (lambda *_: None))
                if left and _whole_history() == "background":  # "later": a scheduled `etl refresh` does it
                    start_refresh(db)
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


def _working_copy(db: Path):
    """The loader's working copy with this machine's settings: its memory limit, the servers it publishes to."""
    settings = load_settings()
    return working_copy(db, settings["loader"]["memory_limit_mb"], settings["servers"]["publish_to"])


def _stopped(e: BaseException) -> str:
    if isinstance(e, NotLatest):
        return str(e)
    if isinstance(e, duckdb.OutOfMemoryException):
        limit = load_settings()["loader"]["memory_limit_mb"]
        return f"the load needed more than its memory limit of {limit:,} MB (settings [loader] memory_limit_mb)"
    return f"the load stopped ({type(e).__name__}: {(str(e).splitlines() or [''])[0][:160]})"


def _load_all(db, todo, today, instruments, as_of, progress, on_step) -> bool:
    """Every file into one working copy, then episodes and marts; the copy replaces the database.
    True when what learns from the whole history is left to `etl refresh` (in the background)."""
    total = len(todo) + 2
    on_step("preparing the working copy", 0, total)
    with _working_copy(db) as con:
        build_notes = _setup(con, today or dt.date.today(), instruments)
        for done, (result, ready) in enumerate(todo):
            on_step(f"{ready.export.path.name}: reading and checking", done, total)
            load_one(con, result, ready, progress)
        on_step("episodes and flags", len(todo), total)
        # rows read keep their file order (row numbers); what is derived from here on has ORDER BY
        # where order matters, and without the guarantee DuckDB needs less memory
        con.execute("SET preserve_insertion_order = false")
        # each session's meaning: the build's definitions (in _setup) wrote it for the rows held,
        # the merge for the rows it wrote
        set_variables(con, loaded_at=now())
        max_share = load_settings()["loader"]["incremental_max_share"]
        left = derive.after_load(con, as_of, _whole_history(), max_share)
        on_step("saving", total, total)
    for result, _ in todo:
        result.build_notes = build_notes
    return left


def _whole_history() -> str:
    """settings loader.whole_history; IOP_WHOLE_HISTORY overrides it (tests: "inline", or "later"
    to look at a load's first step). A machine that publishes to other servers does it inline: its
    second swap, later and apart from the load, would publish outside the servers' one-load-at-a-time
    lock and could overwrite another server's load (docs/operations.md, "Several servers")."""
    if os.environ.get("IOP_WHOLE_HISTORY"):
        return os.environ["IOP_WHOLE_HISTORY"]
    settings = load_settings()
    return "inline" if settings["servers"]["publish_to"] else settings["loader"]["whole_history"]


def start_refresh(db: Path) -> subprocess.Popen:
    """`python -m etl refresh` on its own, outliving the caller; it waits for the writer lock."""
    return subprocess.Popen(
        [sys.executable, "-m", "etl", "refresh", "--db", str(db.resolve())],
        cwd=derive.ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def refresh(db: str | Path) -> bool:
    """The second step of a load that rebuilt few participants: every mart, with what learns from
    the whole history. False when there was nothing to do (another refresh or a full load did it)."""
    db = Path(db)
    with writer_lock(db):
        with duckdb.connect(str(db), read_only=True) as con:
            if not derive.pending(con):
                return False
        with _working_copy(db) as con:
            derive.refresh(con)
    return True


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
    set_variables(
        con,
        today=today,
        session_types=", ".join(allowed("session_type")),
        statuses=", ".join(allowed("status")),
        instruments=", ".join(known),
        max_id_characters=load_settings()["loader"]["max_id_characters"],
    )
    return notes


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
    with writer_lock(db), _working_copy(db) as con:
        notes = _setup(con, dt.date.today(), instruments)
        set_variables(con, loaded_at=now())
        con.execute(sql("dataset_info.sql"))
        derive.everything(con, as_of)
    return notes
