"""From a file dropped in the inbox to the pages showing it (`make bench`): the 50 k-participant
program loaded up to the day before its last, the watcher (`python -m dashboard watch`) running as
in production, then the last day's exports dropped in the inbox as an EHR's SFTP upload does it
(written under a temporary name, then renamed). Printed, per way of dropping:

- with a `.done` marker per file (taken at once), and without (taken once size and time have held
  for inbox.stable_seconds, 30 s by default);
- seconds from the drop to the arrivals loaded and the new data date read by the dashboard's own
  data layer (what every page reads first), min / median of --repeat.

    .venv/bin/python bench/bench_inbox.py [--participants 50000] [--repeat 3] [--stable 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_daily import last_day, summary  # the same day's exports, the same min / median

POLL = 0.05  # how often this script looks: well under the times measured


def _data_date(db: Path) -> dt.date | None:
    """The data date as the dashboard reads it (dataset_info), or None while the file is being swapped."""
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute("SELECT data_as_of FROM dataset_info").fetchone()[0]
    except duckdb.Error:
        return None


def _settled(state: Path) -> bool:
    import sqlite3

    with sqlite3.connect(state) as con:
        statuses = [r[0] for r in con.execute("SELECT status FROM inbox_arrivals")]
    return bool(statuses) and "loading" not in statuses


def _drop(day: Path, inbox: Path, marker: bool) -> float:
    """The day's files copied in as an SFTP upload lands (temporary name, then rename); returns when."""
    for f in sorted(day.glob("*.csv")):
        shutil.copyfile(f, inbox / f"{f.name}.part")
    dropped = time.perf_counter()
    for f in sorted(day.glob("*.csv")):
        os.rename(inbox / f"{f.name}.part", inbox / f.name)
        if marker:
            (inbox / f"{f.name}.done").write_text("")
    return dropped


def configure(tmp: Path, stable: float) -> tuple[Path, Path]:
    """One configuration folder for the base load and every drop (as in production: the same program,
    so a day's load rebuilds only its participants) and the inbox it names."""
    inbox, config = tmp / "inbox", tmp / "config"
    config.mkdir()
    (config / "settings.toml").write_text(f'[inbox]\nfolder = "{inbox}"\nstable_seconds = {stable}\npoll_seconds = 5\n')
    return inbox, config


def one_drop(first: Path, day: Path, tmp: Path, inbox: Path, config: Path, marker: bool) -> tuple[float, float]:
    """(seconds to the arrivals settled, seconds to the new data date read) for one drop."""
    run = Path(tempfile.mkdtemp(dir=tmp))
    db = run / "iop.duckdb"
    shutil.copyfile(first, db)
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir()
    env = {**os.environ, "IOP_DB": str(db), "IOP_STATE": str(run / "state.sqlite"), "IOP_CONFIG": str(config)}
    watcher = subprocess.Popen([sys.executable, "-m", "dashboard", "watch"], cwd=ROOT, env=env)
    try:
        time.sleep(3)  # started and looking
        before = _data_date(db)
        dropped = _drop(day, inbox, marker)
        settled = visible = None
        while visible is None:
            now = time.perf_counter()
            if settled is None and _settled(run / "state.sqlite"):
                settled = now - dropped
            seen = _data_date(db)
            if seen is not None and seen != before and settled is not None:
                visible = now - dropped
            if now - dropped > 900:
                raise TimeoutError("nothing visible after 15 minutes")
            time.sleep(POLL)
        return settled, visible
    finally:
        watcher.send_signal(signal.SIGTERM)
        watcher.wait(timeout=120)
        shutil.rmtree(run, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=50000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stable", type=float, default=30.0, help="inbox.stable_seconds for the drops without marker")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base, day = last_day(args.participants, tmp)
        first = tmp / "base.duckdb"
        inbox, config = configure(tmp, args.stable)
        subprocess.run(
            [sys.executable, "-m", "etl", "load", str(base), "--db", str(first), "--today", "2026-11-26"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env={**os.environ, "IOP_CONFIG": str(config)},
        )
        files = ", ".join(f"{f.name} {f.stat().st_size / 1e6:.1f} MB" for f in sorted(day.glob("*.csv")))
        times = {True: [], False: []}
        for _ in range(args.repeat):
            for marker in (True, False):
                times[marker].append(one_drop(first, day, tmp, inbox, config, marker))
    print(f"\nThe last day's exports for {args.participants:,} participants dropped in the inbox ({files})")
    print(f"{'s from the drop, min / median of ' + str(args.repeat):<52}{'loaded':>14}{'on the pages':>16}")
    for marker, label in ((True, "with a .done marker per file"), (False, f"without (size held {args.stable:g} s)")):
        settled = [s for s, _ in times[marker]]
        visible = [v for _, v in times[marker]]
        print(f"{label:<52}{summary(settled, 1):>14}{summary(visible, 1):>16}")


if __name__ == "__main__":
    main()
