"""`python -m dashboard.validate`: the below-expected flag's figures on the demo program and two
real trials (dashboard/clinical/validation.py says what they mean). The exports go through the
real loader, run as its own command, so the figures are those of a program that loaded them.

    .venv/bin/python -m dashboard.validate [--db data/iop.duckdb] [--week 4] [--trials DIR]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from dashboard.clinical.validation import TRIALS, evaluate, rbmi_exports, riesby_exports

ROOT = Path(__file__).resolve().parents[1]


def _etl(*args: str) -> None:
    run = subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True)
    if run.returncode:
        sys.exit(run.stderr or run.stdout)


def datasets(demo_db: Path | None, work: Path, trials: Path = TRIALS) -> dict[str, Path]:
    out = {}
    if demo_db is None:
        demo_db = work / "demo.duckdb"
        _etl("demo", "--participants", "300", "--seed", "42", "--out", str(work / "demo"))
        _etl("load", str(work / "demo"), "--db", str(demo_db))
    out["demo program (300 participants)"] = demo_db
    for name, make in (("Riesby imipramine, HAM-D", riesby_exports), ("rbmi antidepressant trial, HAM-D 17", rbmi_exports)):
        db = work / f"{make.__name__}.duckdb"
        _etl("load", *map(str, make(work / make.__name__, trials)), "--db", str(db))
        out[name] = db
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.validate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="a loaded database to evaluate instead of a freshly generated demo")
    parser.add_argument("--week", type=int, default=4, help="the treatment week judged (week 1 holds the admission day)")
    parser.add_argument("--trials", type=Path, default=TRIALS, help="a folder with the trial files")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for name, db in datasets(Path(args.db) if args.db else None, Path(tmp), args.trials).items():
            print(f"\n{name}: below-expected flag in treatment week {args.week} (80th percentile, 10-fold out of sample)")
            table = evaluate(db, args.week)
            print(table.to_string(index=False) if len(table) else "  no episodes with a score that week")
    print(f"\nsensitivity = flagged in week {args.week} among episodes that end without reliable improvement; "
          "flag rate = share of all episodes flagged. Anchor: Lambert's curves caught 71-72 % of eventual failures.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
