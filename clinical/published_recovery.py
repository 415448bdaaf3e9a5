"""Published recovery curves for a program too new for its own (published_recovery.toml says what and
why): each trial participant's improvement from intake in each treatment week, as a share of the
intake score, with the intake's severity (intake / the instrument's severe_from). The build stores
them as the table published_recovery; sql/04b_expected_recovery.sql scales them to an episode's
intake when a measure has too few completed episodes of the program's own. The trial readers are
also what `python -m dashboard validate` loads the trials with (validation.py)."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    import pandas as pd

TRIALS = Path(__file__).with_name("trials")
SPEC = Path(__file__).with_name("published_recovery.toml")


def riesby_visits(trials: Path = TRIALS) -> pd.DataFrame:
    """patient, day (from intake), score of the Reisby imipramine study (HAM-D, weeks 0-5)."""
    import pandas as pd  # here, not at the top: every load imports this module, and pandas costs 0.4 s

    data = pd.read_csv(
        trials / "riesby.dat.txt",
        sep=r"\s+",
        header=None,
        na_values=".",
        names=["id", "hamd", "intercept", "week", "endog", "endweek"],
    ).dropna(subset=["hamd"])
    return pd.DataFrame({"patient": data["id"].astype(int), "day": data["week"] * 7, "score": data["hamd"]})


def rbmi_visits(trials: Path = TRIALS) -> pd.DataFrame:
    """patient, day, score of the rbmi antidepressant trial (HAM-D 17 at baseline, weeks 1, 2, 4, 6)."""
    import pandas as pd

    data = pd.read_csv(trials / "rbmi_antidepressant_data_HAMD17.csv")
    baseline = data.drop_duplicates("PATIENT")[["PATIENT", "BASVAL"]].assign(RELDAYS=0)
    visits = pd.concat([baseline.rename(columns={"BASVAL": "HAMDTL17"}), data[["PATIENT", "RELDAYS", "HAMDTL17"]]])
    visits = visits.dropna()
    return pd.DataFrame(
        {"patient": visits["PATIENT"].astype(int), "day": visits["RELDAYS"], "score": visits["HAMDTL17"]}
    )


READERS = {"riesby.dat.txt": riesby_visits, "rbmi_antidepressant_data_HAMD17.csv": rbmi_visits}


def spec() -> dict:
    return tomllib.loads(SPEC.read_text())


def curves(severe_from: float, trials: Path = TRIALS) -> pd.DataFrame:
    """trial, patient, intake, severity, week, share: for each treatment week the spec covers, the
    participant's score nearest that week (within a week either side; the later of two as near),
    as the improvement from intake over the intake. Intake: the score on day 0."""
    import pandas as pd

    s = spec()
    rows = []
    for trial in s["trials"]:
        visits = READERS[trial["file"]](trials)
        visits = visits.assign(week=visits["day"] // 7 + 1)  # the treatment week (week 1 holds day 0)
        intake = visits[visits["day"] == 0].groupby("patient")["score"].first()
        later = visits[visits["day"] > 0].join(intake.rename("intake"), on="patient", how="inner")
        for week in range(s["first_week"], s["last_week"] + 1):
            gap = (later["week"] - week).abs()
            near = later.assign(gap=gap)[gap <= 1]
            near = near.sort_values(["patient", "gap", "day"], ascending=[True, True, False])
            near = near.drop_duplicates("patient")
            rows.append(
                pd.DataFrame(
                    {
                        "trial": trial["name"],
                        "patient": near["patient"],
                        "intake": near["intake"],
                        "severity": near["intake"] / severe_from,
                        "week": week,
                        "share": (near["intake"] - near["score"]) / near["intake"].clip(lower=1),
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def _inputs(severe_from) -> str:
    """What the curves are made from: the spec, the trial files and the severe band."""
    digest = hashlib.sha256(SPEC.read_bytes() + repr(severe_from).encode())
    for trial in spec()["trials"]:
        digest.update((TRIALS / trial["file"]).read_bytes())
    return digest.hexdigest()


def _made_from(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        return con.execute("SELECT inputs FROM published_recovery_inputs").fetchone()[0]
    except (duckdb.CatalogException, TypeError):
        return None


def write_curves(con: duckdb.DuckDBPyConnection) -> None:
    """The table published_recovery, from the trials and the catalogue's severe band of their
    instrument (stored: a copy of the database keeps the curves its build used). Made again only
    when what they are made from changed: every load builds, and reading the trials costs a second."""
    found = con.execute(
        "SELECT severe_from FROM instrument_catalogue WHERE instrument = ?", [spec()["instrument"]]
    ).fetchall()
    severe_from = found[0][0] if found else None
    inputs = _inputs(severe_from)
    if _made_from(con) == inputs:
        return
    con.execute("""CREATE OR REPLACE TABLE published_recovery (trial VARCHAR, patient INTEGER, intake DOUBLE,
                   severity DOUBLE, week INTEGER, share DOUBLE)""")
    con.execute("CREATE OR REPLACE TABLE published_recovery_measures (instrument VARCHAR)")
    con.execute("INSERT INTO published_recovery_measures SELECT unnest(?::VARCHAR[])", [spec()["applies_to"]])
    if severe_from is not None:  # a catalogue without the trials' instrument: no published curves
        con.register("trial_curves", curves(float(severe_from)))
        con.execute("INSERT INTO published_recovery SELECT * FROM trial_curves")
        con.unregister("trial_curves")
    con.execute("CREATE OR REPLACE TABLE published_recovery_inputs AS SELECT ?::VARCHAR AS inputs", [inputs])
