"""How well does the below-expected flag at week 4 pick out the episodes that end without
reliable improvement? `python -m dashboard.validate` prints, for the demo program and two real
trials (Riesby imipramine HAM-D, weeks 0-5; rbmi antidepressant HAM-D 17, weeks 0-6): the
sensitivity (flagged at week 4 among episodes that end without reliable improvement) and the
flag rate (share of all episodes flagged). Bands are built out of sample (10 folds), from the
program's own completed episodes, exactly as the expected_response mart builds them.
Anchor: Lambert's expected-recovery curves caught 71-72 % of eventual failures (clinical-rules.md).

The trial files are turned into our export formats and go through the real loader.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.clinical import marts

ROOT = Path(__file__).resolve().parents[1]
TRIALS = ROOT / "tests" / "fixtures" / "trials"
ANCHOR = dt.date(2020, 1, 6)  # trial day 0 becomes this admission date
VALIDATION_SQL = Path(__file__).with_name("clinical") / "validation.sql"


def riesby_exports(out: Path) -> list[Path]:
    data = pd.read_csv(TRIALS / "riesby.dat.txt", sep=r"\s+", header=None, na_values=".",
                       names=["id", "hamd", "intercept", "week", "endog", "endweek"]).dropna(subset=["hamd"])
    return _exports(out, "riesby", data["id"], data["week"] * 7, data["hamd"])


def rbmi_exports(out: Path) -> list[Path]:
    data = pd.read_csv(TRIALS / "rbmi_antidepressant_data_HAMD17.csv")
    baseline = data.drop_duplicates("PATIENT")[["PATIENT", "BASVAL"]].assign(RELDAYS=0).rename(columns={"BASVAL": "HAMDTL17"})
    visits = pd.concat([baseline, data[["PATIENT", "RELDAYS", "HAMDTL17"]]]).dropna()
    return _exports(out, "rbmi", visits["PATIENT"], visits["RELDAYS"], visits["HAMDTL17"])


def _exports(out: Path, name: str, patient, day, score) -> list[Path]:
    """A roster (admitted on day 0, discharged at the last visit) and a measures export."""
    frame = pd.DataFrame({"participant_id": name + "-" + patient.astype(int).astype(str),
                          "assessment_date": [ANCHOR + dt.timedelta(days=int(d)) for d in day],
                          "instrument": "HAM-D-17", "total": score.astype(int)})
    roster = frame.groupby("participant_id").assessment_date.max().rename("discharge_date").reset_index()
    roster = roster.assign(admit_date=ANCHOR, discharge_reason="completed", program=name)
    out.mkdir(parents=True, exist_ok=True)
    roster[["participant_id", "admit_date", "discharge_date", "discharge_reason", "program"]].to_csv(out / f"{name}-roster.csv", index=False)
    frame.to_csv(out / f"{name}-measures.csv", index=False)
    return [out / f"{name}-roster.csv", out / f"{name}-measures.csv"]


def evaluate(db: Path, week: int = 4, folds: int = 10) -> pd.DataFrame:
    """Validation figures per instrument for a loaded database (marts rebuilt in a copy in memory)."""
    con = duckdb.connect()
    con.execute("ATTACH ? AS source (READ_ONLY)", [str(db)])
    for table in ("episodes", "assessments", "assessment_items", "sessions", "dataset_info", "instrument_catalogue",
                  "instrument_items", "instrument_bands", "instrument_subscales", "instrument_safety"):
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM source.{table}")
    con.execute("DETACH source")
    marts.rebuild(con)
    con.execute("SET VARIABLE week = ?", [week])
    con.execute("SET VARIABLE folds = ?", [folds])
    return con.execute(VALIDATION_SQL.read_text()).df()


def _load(paths: list[Path], db: Path) -> None:
    from etl.load import load
    results = load([str(p) for p in paths], db, progress=False)
    failed = [r.message for r in results if r.status == "failed"]
    if failed:
        sys.exit("\n".join(failed))


def datasets(demo_db: Path | None, work: Path) -> dict[str, Path]:
    from etl.demo import write_demo
    out = {}
    if demo_db is None:
        demo_db = work / "demo.duckdb"
        _load(list(write_demo(work / "demo", participants=300, seed=42).values()), demo_db)
    out["demo program (300 participants)"] = demo_db
    for name, make in (("Riesby imipramine, HAM-D", riesby_exports), ("rbmi antidepressant trial, HAM-D 17", rbmi_exports)):
        db = work / f"{make.__name__}.duckdb"
        _load(make(work / make.__name__), db)
        out[name] = db
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.validate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="a loaded database to evaluate instead of a freshly generated demo")
    parser.add_argument("--week", type=int, default=4)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for name, db in datasets(Path(args.db) if args.db else None, Path(tmp)).items():
            print(f"\n{name}: below-expected flag at week {args.week} (80th percentile, 10-fold out of sample)")
            table = evaluate(db, args.week)
            print(table.to_string(index=False) if len(table) else "  no episodes with a score that week")
    print("\nsensitivity = flagged at week 4 among episodes that end without reliable improvement; "
          "flag rate = share of all episodes flagged. Anchor: Lambert's curves caught 71-72 % of eventual failures.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
