"""python -m etl load|demo|status — the loader's command line (an interface other tools call)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

DEFAULT_DB = os.environ.get("IOP_DB", "data/iop.duckdb")


def _print_result(r) -> None:
    if r.status == "failed":
        from etl.vocabulary import KINDS

        hint = f" (--kind {'|'.join(KINDS)})" if r.message.endswith("say which kind it is") else ""
        print(f"error: {r.message}{hint}", file=sys.stderr)
        return
    if r.status == "unchanged":
        print(f"{r.path.name}: {r.message}")
        return
    c = r.counts
    print(
        f"{r.path.name} ({r.kind}, load {r.load_id}): read {c['read']:,}, loaded {c['loaded']:,}, "
        f"updated {c['updated']:,}, rejected {c['rejected']:,}, exact duplicates {c['duplicate']:,}"
    )
    for count, example in r.reasons[:8]:
        print(f"    rejected {count:,} × {example}" if count > 1 else f"    rejected 1 × {example}")
    if r.notes:
        print(f"    {len(r.notes):,} notes (kept in load_notes), e.g. row {r.notes[0][0]}: {r.notes[0][1]}")
    if len(r.reasons) > 8:
        print(f"    … {len(r.reasons) - 8} more kinds of problem: see `python -m etl status` and the rejects table")


def _progress_writer(path: str):
    """Each step as one line of JSON, replacing the last (a reader never sees half a line)."""
    import json

    target = Path(path)

    def write(step: str, done: int, total: int) -> None:
        part = target.with_name(target.name + ".part")
        part.write_text(json.dumps({"step": step, "done": done, "total": total}) + "\n")
        os.replace(part, target)

    return write


def cmd_load(args) -> int:
    from etl.load import load

    if args.profile:
        from etl.profiles import load_profile

        try:
            load_profile(args.profile)
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    results = load(
        args.paths,
        args.db,
        kind=args.kind,
        sheet=args.sheet,
        instruments=args.instruments,
        profile=args.profile,
        today=dt.date.fromisoformat(args.today) if args.today else None,
        on_step=_progress_writer(args.progress_file) if args.progress_file else None,
    )
    if args.json:  # for other tools (the dashboard's Data page runs the loader this way)
        from etl.load import as_json

        print(as_json(results))
        return 1 if any(r.status == "failed" for r in results) else 0
    for r in results:
        _print_result(r)
    for note in next((r.build_notes for r in results if r.build_notes), []):
        print(f"note: {note}")
    return 1 if any(r.status == "failed" for r in results) else 0


def cmd_demo(args) -> int:
    from etl.demo import write_demo

    kwargs = {"end": dt.date.fromisoformat(args.end)} if args.end else {}
    paths = write_demo(args.out, participants=args.participants, seed=args.seed, **kwargs)
    for kind, path in paths.items():
        print(f"wrote {path} ({kind})")
    return 0


def cmd_rebuild(args) -> int:
    from clinical.build import CatalogueRefused
    from etl.database import NotLatest
    from etl.files import FileProblem
    from etl.load import rebuild

    try:
        notes = rebuild(args.db, instruments=args.instruments)
    except (FileProblem, CatalogueRefused, NotLatest) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"{args.db}: episodes and marts rebuilt with the current catalogue and settings")
    for note in notes:
        print(f"note: {note}")
    return 0


def cmd_refresh(args) -> int:
    from etl.database import NotLatest
    from etl.load import refresh

    if not Path(args.db).exists():
        print(f"error: {args.db}: no database to refresh", file=sys.stderr)
        return 1
    try:
        done = refresh(args.db)
    except NotLatest as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"{args.db}: " + ("every mart rebuilt, with what learns from the whole history" if done else "nothing to do"))
    return 0


def cmd_status(args) -> int:
    import duckdb

    if not Path(args.db).exists():
        print(f"error: {args.db}: no database yet; load exports with `python -m etl load PATH`", file=sys.stderr)
        return 1
    with duckdb.connect(args.db, read_only=True) as con:
        rows = con.execute("""
            SELECT load_id, strftime(loaded_at, '%Y-%m-%d %H:%M') || ' UTC', kind, file_name,
                   rows_read, rows_loaded, rows_updated, rows_rejected, rows_duplicate
            FROM loads ORDER BY load_id""").fetchall()
        info = con.execute("SELECT data_as_of FROM dataset_info").fetchone() if rows else None
        from etl.derive import state

        built = state(con)
    if not rows:
        print("no loads yet")
        return 0
    head = ("load", "loaded at", "kind", "file", "read", "loaded", "updated", "rejected", "duplicates")
    table = [head] + [
        tuple(f"{v:,}" if isinstance(v, int) and i > 3 else str(v) for i, v in enumerate(r)) for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for row in table:
        print("  ".join(v.rjust(w) if i > 3 or i == 0 else v.ljust(w) for i, (v, w) in enumerate(zip(row, widths))))
    if info:
        print(f"data as of {info[0]}")
    if built:
        whom = "everyone" if built["built_for"] == "everyone" else f"{built['participants_rebuilt']:,} participants"
        print(f"last build: {whom}, {built['built_at']:%Y-%m-%d %H:%M} UTC", end="")
        since = built["history_pending_since"]
        print(
            f"; its second step (every mart: python -m etl refresh) pending since {since:%H:%M} UTC"
            if since
            else "; complete"
        )
    return 0


def cmd_clean(args) -> int:
    from etl.database import clean

    removed = clean(Path(args.db))
    if removed is None:
        print("a load is running: it removes what an earlier one left when it starts")
    else:
        print(f"removed {len(removed)} file(s) or folder(s) left by a killed load")
    return 0


def main(argv: list[str] | None = None) -> int:
    from etl.vocabulary import KINDS

    os.umask(0o077)  # the database, its working copy and its WAL hold identified data: the owner's only
    parser = argparse.ArgumentParser(prog="python -m etl", description="Load IOP exports into DuckDB.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("load", help="load export files or folders")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--kind", choices=KINDS)
    p.add_argument("--sheet", help="XLSX sheet name (default: the first sheet)")
    p.add_argument("--instruments", help="a program's own instrument catalogue file (TOML)")
    p.add_argument("--profile", help="a vendor layout: a shipped profile name (etl/profiles/) or a TOML file")
    p.add_argument("--json", action="store_true", help="print the results as JSON instead")
    p.add_argument("--progress-file", help="keep one line of JSON here with the current step (for the Data page)")
    p.add_argument("--today", help=argparse.SUPPRESS)  # dates after this are in the future (tests)
    p.set_defaults(run=cmd_load)
    p = sub.add_parser("demo", help="write seeded demo exports")
    p.add_argument("--participants", type=int, default=300)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", default="data/demo")
    p.add_argument("--end", help="last day of the demo program (YYYY-MM-DD)")
    p.set_defaults(run=cmd_demo)
    p = sub.add_parser("rebuild", help="rebuild episodes and marts after a catalogue or settings change")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--instruments", help="a program's own instrument catalogue file (TOML)")
    p.set_defaults(run=cmd_rebuild)
    p = sub.add_parser("refresh", help="the second step of a load that rebuilt few participants (a load starts it)")
    p.add_argument("--db", default=DEFAULT_DB)
    p.set_defaults(run=cmd_refresh)
    p = sub.add_parser("clean", help="remove what a killed load left beside the database (working copy, spill)")
    p.add_argument("--db", default=DEFAULT_DB)
    p.set_defaults(run=cmd_clean)
    p = sub.add_parser("status", help="print the load history")
    p.add_argument("--db", default=DEFAULT_DB)
    p.set_defaults(run=cmd_status)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
