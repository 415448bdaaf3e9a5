"""Load benchmark: `make bench`.

Generates a large seeded program (about 1 M attendance rows and 380 k assessments with items),
then prints the full load time, DuckDB's own read_csv over the same files, their ratio
(target <= 2x), the time to reload the unchanged files (target <= 0.1x the full load), and the
loader's peak memory (each load runs as `python -m etl load` in its own process, as the Data
page's worker runs it). With --big-gb, also an attendance CSV of that many GB (the demo's rows
repeated under new participant ids) and the loader's peak memory on it (target <= 1.5 GB).

    .venv/bin/python bench/bench_load.py [--participants 24000] [--out bench/out] [--big-gb 1.0]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.demo import write_demo


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def etl_load(files: list[Path], db: Path) -> tuple[float, float, list[dict]]:
    """(seconds, peak RSS in MB, per-file results) of `python -m etl load` in its own process."""
    import json
    import os
    import subprocess

    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "etl", "load", *map(str, files), "--db", str(db), "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    return seconds, usage.ru_maxrss / 1024, json.loads(out)


def big_attendance(source: Path, target: Path, gigabytes: float) -> Path:
    """The attendance file's rows repeated under new participant ids until the file is that big."""
    if target.exists() and target.stat().st_size >= gigabytes * 1e9:
        return target
    copies = max(1, int(gigabytes * 1e9 / source.stat().st_size) + 1)
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT * REPLACE (participant_id || '-' || copy AS participant_id)
                          FROM read_csv('{source}', all_varchar = true), range({copies}) AS c(copy))
                    TO '{target}' (HEADER, DELIMITER ',')""")
    con.close()
    return target


def duckdb_scan(files: list[Path], db: str = ":memory:") -> float:
    """DuckDB reading the same CSVs into tables with its own sniffer, all as text (the files carry
    a few bad values): the floor for any loader. With a file, it also writes them to disk."""
    con = duckdb.connect(db)
    started = time.perf_counter()
    for i, f in enumerate(files):
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv('{f}', all_varchar = true)")
    con.execute("CHECKPOINT")
    seconds = time.perf_counter() - started
    con.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=24000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    parser.add_argument("--big-gb", type=float, default=0, help="also load an attendance CSV of this many GB")
    args = parser.parse_args()
    out = Path(args.out) / f"demo-{args.participants}"
    if not (out / "attendance.csv").exists():
        seconds, _ = timed(lambda: write_demo(out, participants=args.participants, seed=7))
        print(f"generated {args.participants:,} participants in {seconds:.1f} s")
    files = [out / "roster.csv", out / "attendance.csv", out / "measures.csv"]
    sizes = {f.name: f.stat().st_size for f in files}

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        scan = min(duckdb_scan(files) for _ in range(2))
        disk = duckdb_scan(files, str(Path(tmp) / "scan.duckdb"))
        full, full_mb, results = etl_load(files, db)
        reload, reload_mb, again = etl_load(files, db)
        assert all(r["status"] == "unchanged" for r in again), again
        db_size = db.stat().st_size
        with duckdb.connect(str(db), read_only=True) as con:
            counts = dict(
                con.execute("""SELECT 'sessions', count(*) FROM sessions UNION ALL
                                         SELECT 'assessments', count(*) FROM assessments UNION ALL
                                         SELECT 'assessment_items', count(*) FROM assessment_items UNION ALL
                                         SELECT 'episodes', count(*) FROM episodes""").fetchall()
            )
        big = None
        if args.big_gb:
            path = big_attendance(
                out / "attendance.csv", Path(args.out) / f"attendance-{args.big_gb:g}gb.csv", args.big_gb
            )
            big_scan = duckdb_scan([path])
            seconds, mb, [r] = etl_load([path], Path(tmp) / "big.duckdb")
            big = (path, seconds, mb, r, big_scan)

    print()
    for c in results:
        name = Path(c["file"]).name
        print(
            f"  {name:<16} {sizes[name] / 1e6:7.1f} MB  read {c['read']:>9,}  loaded {c['loaded']:>9,}  "
            f"rejected {c['rejected']:>4,}  duplicates {c['duplicate']:>3,}"
        )
    print(f"  database: {db_size / 1e6:.1f} MB; " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print()
    print(f"{'measure':<44}{'seconds':>9}{'ratio':>9}{'target':>9}")
    print(f"{'DuckDB read_csv of the same files':<44}{scan:>9.2f}{1:>9.2f}")
    print(f"{'DuckDB read_csv into a database file':<44}{disk:>9.2f}{disk / scan:>9.2f}")
    print(
        f"{'full load (python -m etl load)':<44}{full:>9.2f}{full / scan:>9.2f}{'<= 2':>9}"
        f"  ({full / disk:.2f}x the read into a file)"
    )
    print(f"{'reload of the unchanged files':<44}{reload:>9.2f}{reload / full:>9.3f}{'<= 0.1':>9}  (of the full load)")
    print()
    print(f"{'peak memory of the loader':<44}{'MB':>9}")
    print(f"{'full load, ' + f'{sum(sizes.values()) / 1e6:.0f} MB of CSV':<44}{full_mb:>9.0f}")
    print(f"{'reload of the unchanged files':<44}{reload_mb:>9.0f}")
    if big:
        path, seconds, mb, r, big_scan = big
        label = f"{path.name}, {path.stat().st_size / 1e9:.2f} GB, {r['read']:,} rows"
        print(
            f"{label:<44}{mb:>9.0f}{'<= 1500':>9}"
            f"  (loaded in {seconds:.0f} s; DuckDB read_csv {big_scan:.0f} s = {seconds / big_scan:.1f}x)"
        )


if __name__ == "__main__":
    main()
