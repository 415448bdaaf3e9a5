"""Mart rebuild benchmark: `make bench` (target: 50 k episodes in <= 5 s on 2 cores).

Loads a seeded program of about 50 k episodes, then times clinical.marts.rebuild()
(participant_outcomes, flags, attendance_weekly, expected_response) on it, best of three.

    .venv/bin/python bench/bench_marts.py [--participants 48500] [--out bench/out]
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

from clinical import marts
from etl.demo import write_demo
from etl.load import load


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=48500)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out"))
    args = parser.parse_args()
    out = Path(args.out) / f"demo-{args.participants}"
    if not (out / "attendance.csv").exists():
        write_demo(out, participants=args.participants, seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        started = time.perf_counter()
        load([str(out)], db, progress=False)
        loaded = time.perf_counter() - started
        con = duckdb.connect(str(db))
        counts = con.execute("""SELECT (SELECT count(*) FROM episodes), (SELECT count(*) FROM sessions),
                                       (SELECT count(*) FROM assessments)""").fetchone()
        times = []
        for _ in range(3):
            started = time.perf_counter()
            marts.rebuild(con)
            times.append(time.perf_counter() - started)
        sizes = con.execute("""SELECT (SELECT count(*) FROM participant_outcomes), (SELECT count(*) FROM flags),
                                      (SELECT count(*) FROM attendance_weekly), (SELECT count(*) FROM expected_response)""").fetchone()
        con.close()
    print(f"\n{counts[0]:,} episodes, {counts[1]:,} sessions, {counts[2]:,} assessments (loaded in {loaded:.1f} s)")
    print(
        f"marts: participant_outcomes {sizes[0]:,}, flags {sizes[1]:,}, attendance_weekly {sizes[2]:,}, "
        f"expected_response {sizes[3]:,}"
    )
    print(f"{'measure':<44}{'seconds':>9}{'target':>9}")
    print(f"{'mart rebuild (best of 3)':<44}{min(times):>9.2f}{'<= 5':>9}")
    print(f"{'per 10 k episodes':<44}{min(times) / counts[0] * 1e4:>9.2f}")


if __name__ == "__main__":
    main()
