"""How well does the not-on-track alert pick out the episodes that end without reliable improvement
(or with reliable deterioration)? Out of sample: folds by episode, or a temporal split (fitted on
earlier admissions, tested on later ones), with the expected-recovery macro the marts use
(sql/04b_expected_recovery.sql, setup/validation.sql), for a range of thresholds.

The trial data ship with the engine (trials/, licences in trials/LICENSES.md): Riesby imipramine
HAM-D (weeks 0-5) and the rbmi antidepressant trial HAM-D 17 (weeks 0-6), turned here into the
loader's export formats; `python -m dashboard validate` loads them and prints the figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from clinical import build, marts
from clinical.published_recovery import TRIALS, rbmi_visits, riesby_visits
from clinical.settings import load_settings, variables

ANCHOR = dt.date(2020, 1, 6)  # trial day 0 becomes this admission date


def riesby_exports(out: Path, trials: Path = TRIALS) -> list[Path]:
    v = riesby_visits(trials)
    return _exports(out, "riesby", v["patient"], v["day"], v["score"])


def rbmi_exports(out: Path, trials: Path = TRIALS) -> list[Path]:
    v = rbmi_visits(trials)
    return _exports(out, "rbmi", v["patient"], v["day"], v["score"])


def _exports(out: Path, name: str, patient, day, score) -> list[Path]:
    """A roster (admitted on day 0, discharged at the last visit) and a measures export."""
    frame = pd.DataFrame(
        {
            "participant_id": name + "-" + patient.astype(int).astype(str),
            "assessment_date": [ANCHOR + dt.timedelta(days=int(d)) for d in day],
            "instrument": "HAM-D-17",
            "total": score.astype(int),
        }
    )
    roster = frame.groupby("participant_id").assessment_date.max().rename("discharge_date").reset_index()
    roster = roster.assign(admit_date=ANCHOR, discharge_reason="completed", program=name)
    out.mkdir(parents=True, exist_ok=True)
    roster[["participant_id", "admit_date", "discharge_date", "discharge_reason", "program"]].to_csv(
        out / f"{name}-roster.csv", index=False
    )
    frame.to_csv(out / f"{name}-measures.csv", index=False)
    return [out / f"{name}-roster.csv", out / f"{name}-measures.csv"]


SPLITS = ("folds", "temporal")

# What setup/validation.sql judges, by its method name: the alert, the plan-review signals the
# clinician sees (alone and together), and the one-line baselines at the alert's flag rate.
ALERT = "expected_range"
SIGNALS = ("all_signals", "reliable_deterioration", "worsening", "no_improvement", "severe_persisting")
# the one-line alert at the program's own X (expected_response.percent_change_min_improvement)
CHOSEN_RULE = "percent_change_setting"
BASELINES = ("first_follow_up", "early_change", "worst_change", "percent_change")
METHODS = (ALERT, CHOSEN_RULE, *BASELINES, *SIGNALS)
LISTS = ("lead_weeks", "alert_weeks")  # per-episode weeks, concatenated when instruments are pooled


def counts(db: Path, split: str = "folds", folds: int = 10, thresholds: list[float] | None = None) -> pd.DataFrame:
    """Per instrument and threshold: episodes judged and alerted, with the events (no reliable
    improvement, reliable deterioration) and each true alert's lead time in weeks, for a loaded
    database (its marts rebuilt in a copy in memory, with the settings it was built with)."""
    if split not in SPLITS:
        raise ValueError(f"split is one of {SPLITS}, not {split!r}")
    con = duckdb.connect()
    con.execute("ATTACH ? AS source (READ_ONLY)", [str(db)])
    present = {
        t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'source'").fetchall()
    }
    for table in (
        "episodes",
        "assessments",
        "assessment_items",
        "sessions",
        "authorizations",
        "participants",  # with roster_admissions and diagnoses: the quality measures' ages and diagnoses
        "roster_admissions",
        "diagnoses",
        "dataset_info",
        "teds_reasons",
        "instrument_catalogue",
        "instrument_items",
        "instrument_bands",
        "instrument_subscales",
        "instrument_safety",
        *build.STORED,  # the settings, plan, flag rules, measures and curves the database was built with
    ):
        if table in present:
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM source.{table}")
    con.execute("DETACH source")
    # built with every setting this version reads: rebuilt with the database's own settings, plan and
    # rules (an older build lacks some: the configuration folder's are read instead)
    stored = {n for (n,) in con.execute("SELECT name FROM settings").fetchall()} if "settings" in present else set()
    if "measurement_plan" in present and set(variables(load_settings(shipped_only=True))) <= stored:
        build.define(con)
    marts.rebuild(con)
    if thresholds is None:  # the settings' thresholds (alert_validation.thresholds, in percent)
        thresholds = [p / 100 for p in con.execute("SELECT getvariable('alert_validation_thresholds')").fetchone()[0]]
    return run(con, split, folds, thresholds)


def run(con: duckdb.DuckDBPyConnection, split: str, folds: int, thresholds: list[float]) -> pd.DataFrame:
    """setup/validation.sql on a connection whose marts are built."""
    marts.validate(con, split, folds, thresholds)
    return con.execute(
        "SELECT *, getvariable('alert_validation_min_checked') AS min_checked FROM validation_counts "
        "ORDER BY method, instrument, threshold"
    ).df()


def checked_instruments(table: pd.DataFrame) -> list[str]:
    """The instruments whose alert could be checked: at least min_checked judged episodes with an
    expected range (the same at every threshold)."""
    if table.empty or "min_checked" not in table:
        return sorted(set(table.get("instrument", [])))
    alert = table[table["method"] == ALERT] if "method" in table else table
    return sorted(set(alert.loc[alert["with_a_range"] >= alert["min_checked"], "instrument"]))


def pooled(table: pd.DataFrame, label: str = "all instruments") -> pd.DataFrame:
    """counts() added up over the instruments whose alert could be checked (all of them when none
    could), per method and threshold (one setting applies to every instrument): a measure without
    expected ranges would count every one of its non-improvers as missed."""
    if table.empty:
        return table
    checked = checked_instruments(table)
    if checked:
        table = table[table["instrument"].isin(checked)]
    keys = ["method", "threshold"] if "method" in table else ["threshold"]
    numbers = (
        table.drop(columns=["instrument", *LISTS, "min_checked", "rule_cut"], errors="ignore")
        .groupby(keys, as_index=False)
        .sum()
    )
    if "min_checked" in table:  # a setting, not a count: the same for every instrument
        numbers["min_checked"] = table["min_checked"].max()
    weeks = table.groupby(keys)[[c for c in LISTS if c in table]].agg(
        lambda lists: sorted(w for x in lists if isinstance(x, (list, tuple, np.ndarray)) for w in x)
    )
    # a baseline's X is per instrument (points of different scales): none over all of them
    pooled_over = ", ".join(sorted(set(table["instrument"])))
    return numbers.merge(weeks.reset_index(), on=keys).assign(instrument=label, pooled_over=pooled_over)
