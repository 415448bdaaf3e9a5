"""Load benchmark: `make bench`.

Generates a large seeded program (about 1 M attendance rows and 250 k assessments with items),
then prints the full load time, DuckDB's own read_csv over the same files, their ratio
(target <= 2x), and the time to reload the unchanged files (target <= 0.1x the full load).

    .venv/bin/python bench/bench_load.py [--participants 24000] [--out bench/out]
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

from etl.demo import write_demo  # noqa: E402
from etl.load import load  # noqa: E402


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


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
        full, results = timed(lambda: load([str(f) for f in files], db, progress=False))
        reload, again = timed(lambda: load([str(f) for f in files], db, progress=False))
        assert all(r.status == "unchanged" for r in again)
        db_size = db.stat().st_size
        with duckdb.connect(str(db), read_only=True) as con:
            counts = dict(con.execute("""SELECT 'sessions', count(*) FROM sessions UNION ALL
                                         SELECT 'assessments', count(*) FROM assessments UNION ALL
                                         SELECT 'assessment_items', count(*) FROM assessment_items UNION ALL
                                         SELECT 'episodes', count(*) FROM episodes""").fetchall())

    print()
    for r in results:
        c = r.counts
        print(f"  {r.path.name:<16} {sizes[r.path.name] / 1e6:7.1f} MB  read {c['read']:>9,}  loaded {c['loaded']:>9,}  "
              f"rejected {c['rejected']:>4,}  duplicates {c['duplicate']:>3,}")
    print(f"  database: {db_size / 1e6:.1f} MB; " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print()
    print(f"{'measure':<44}{'seconds':>9}{'ratio':>9}{'target':>9}")
    print(f"{'DuckDB read_csv of the same files':<44}{scan:>9.2f}{1:>9.2f}")
    print(f"{'DuckDB read_csv into a database file':<44}{disk:>9.2f}{disk / scan:>9.2f}")
    print(f"{'full load (python -m etl load)':<44}{full:>9.2f}{full / scan:>9.2f}{'<= 2':>9}"
          f"  ({full / disk:.2f}x the read into a file)")
    print(f"{'reload of the unchanged files':<44}{reload:>9.2f}{reload / full:>9.3f}{'<= 0.1':>9}  (of the full load)")


if __name__ == "__main__":
    main()
