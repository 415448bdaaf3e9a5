"""A day's export at health-system scale (`make bench`): the 50 k-participant program loaded up to
the day before its last, then the last day's rows of each kind with a few corrections of earlier
rows (statuses changed, scores rescored), as `python -m etl load` in its own process (as the Data
page's worker runs it). Printed: the time until the new rows are in the live file and the pages
show them (target <= 3 s), how many participants were rebuilt, the background step's time until
every mart is rebuilt, and the same day loaded as before this change (every episode and mart
rebuilt: `incremental_max_share = 0`).

    .venv/bin/python bench/bench_daily.py [--participants 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.demo import write_demo
from etl.demo.days import split_days

END = dt.date(2026, 11, 20)


def etl(*args: str, env: dict | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "etl", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    )
    return time.perf_counter() - started, done.stdout


def corrections(base: Path, day: Path) -> None:
    """A few earlier rows sent again with the day's export, changed: 20 sessions' statuses, 5 scores."""
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT * REPLACE (CASE WHEN status = 'attended' THEN 'no show' ELSE 'attended' END AS status)
                          FROM read_csv('{base / "attendance.csv"}', all_varchar = true) USING SAMPLE 20 ROWS (reservoir, 7))
                    TO '{day / "corrected_attendance.csv"}' (HEADER)""")
    con.execute(f"""COPY (SELECT * REPLACE (CAST(total::INTEGER + 1 AS VARCHAR) AS total,
                                            CAST(item_1::INTEGER + 1 AS VARCHAR) AS item_1)
                          FROM (SELECT * FROM read_csv('{base / "measures.csv"}', all_varchar = true)
                                WHERE instrument = 'PHQ-9' AND item_1 IN ('0', '1', '2') AND total ~ '^[0-9]+$')
                          USING SAMPLE 5 ROWS (reservoir, 7))
                    TO '{day / "corrected_measures.csv"}' (HEADER)""")
    con.close()


def pending(db: Path) -> bool:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT history_pending_since IS NOT NULL FROM build_state").fetchone()[0]


def rebuilt(db: Path) -> tuple[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT built_for, participants_rebuilt FROM build_state").fetchone()


def summary(values: list[float], digits: int = 2) -> str:
    return f"{min(values):.{digits}f} / {statistics.median(values):.{digits}f}"


def last_day(participants: int, tmp: Path) -> tuple[Path, Path]:
    """The demo program of this size (written once into bench/out) split into every day before its
    last (base) and its last day's exports (day); bench_inbox.py drops the same day."""
    source = ROOT / "bench" / "out" / f"demo-{participants}"
    if not (source / "attendance.csv").exists():
        write_demo(source, participants=participants, seed=7)
    return split_days(source, tmp / "days", [END - dt.timedelta(days=1), END])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=50000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base, day = last_day(args.participants, tmp)
        corrections(base, day)
        rows = {}
        with duckdb.connect() as con:
            for f in sorted(day.glob("*.csv")):
                rows[f.name] = con.execute(f"SELECT count(*) FROM read_csv('{f}', all_varchar = true)").fetchone()[0]
        first = tmp / "base.duckdb"
        full_seconds, _ = etl("load", str(base), "--db", str(first), "--today", "2026-11-26")
        everyone = tmp / "everyone.toml"
        everyone.write_text("[loader]\nincremental_max_share = 0\n")
        times: dict[str, list[float]] = {"visible": [], "refresh": [], "inline": [], "before": []}
        counts = None
        for _ in range(args.repeat):
            for mode in ("background", "inline", "before"):
                db = tmp / f"{mode}.duckdb"
                shutil.copyfile(first, db)
                env = {"IOP_WHOLE_HISTORY": "later" if mode == "background" else "inline"}
                if mode == "before":
                    env["IOP_SETTINGS"] = str(everyone)
                seconds, out = etl("load", str(day), "--db", str(db), "--today", "2026-11-26", "--json", env=env)
                assert all(r["status"] != "failed" for r in json.loads(out)), out
                if mode == "background":
                    counts = rebuilt(db)
                    times["visible"].append(seconds)
                    assert pending(db)
                    times["refresh"].append(etl("refresh", "--db", str(db))[0])
                    assert not pending(db)
                else:
                    times[mode].append(seconds)
    print(
        f"\nA day's export for {args.participants:,} participants ({', '.join(f'{k} {v:,}' for k, v in rows.items())})"
    )
    print(
        f"base (every day before) loaded in {full_seconds:.1f} s; the day rebuilt {counts[1]:,} participants ({counts[0]})"
    )
    print(f"{'s, min / median of ' + str(args.repeat):<62}{'':>14}{'target':>8}")
    print(
        f"{'day loaded and visible (first step; pages say the rest follows)':<62}{summary(times['visible']):>14}{'3':>8}"
    )
    print(f"{'then every mart rebuilt in the background (etl refresh)':<62}{summary(times['refresh']):>14}")
    print(f"{'day loaded, both steps before the load ends (inline)':<62}{summary(times['inline']):>14}")
    print(f"{'day loaded as before: every episode and mart rebuilt':<62}{summary(times['before']):>14}")


if __name__ == "__main__":
    main()
