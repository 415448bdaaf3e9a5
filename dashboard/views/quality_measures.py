"""Quality measures for a selection (docs/measures.md): each measure's steps from everyone admitted
to its numerator, by cohort and for the whole selection, its rates with Wilson intervals, and the
episodes at each step. The steps come from the mart measure_episodes, which applies the pinned
specifications (clinical/quality_measures/*.toml); nothing here re-derives a rule."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from clinical.measure_specs import MeasureText
from dashboard.store import db
from dashboard.views.filters import WHOLE, Filters
from dashboard.views.statistics import wilson_interval

# the steps of every measure, in order; an episode's stopped_at names the step it did not pass
STEPS = ("admitted", "eligible", "index", "window", "denominator")
STEP_LABELS = {
    "admitted": "admitted in the period",
    "eligible": "eligible (diagnosis)",
    "index": "index event",
    "window": "window closed",
    "denominator": "denominator (after exclusions)",
}
STOPPED_BEFORE = {
    "eligible": ("eligible",),
    "index": ("eligible", "index"),
    "window": ("eligible", "index", "window"),
    "denominator": ("eligible", "index", "window", "excluded"),
}
IN_DENOMINATOR = ("numerator", "met")
STOP_LABELS = {
    "eligible": "not eligible",
    "index": "no index event",
    "window": "window not closed",
    "excluded": "excluded",
    "numerator": "not met",
    "met": "met",
}


def rate_label(rate_id: str) -> str:
    """A rate's short name for narrow places (a bar, a row of the steps table): its id in words."""
    return rate_id.replace("_", " ")


@dataclass(frozen=True)
class StoredMeasure(MeasureText):
    """A measure as the build stored it, with its rates (id, label) in order."""

    without_diagnosis: str
    by_diagnosis: bool
    source_file: str
    rates: tuple[tuple[str, str], ...]

    def rate_label(self, rate_id: str) -> str:
        return dict(self.rates)[rate_id]


@dataclass(frozen=True)
class Measures:
    filters: Filters
    specs: tuple[StoredMeasure, ...]
    diagnosis_recorded: bool
    steps: pd.DataFrame  # measure_id, cohort, admitted, eligible, index, window, denominator
    exclusions: pd.DataFrame  # measure_id, cohort, reason, episodes
    rates: pd.DataFrame  # measure_id, rate_id, cohort, numerator, denominator, rate, low, high
    cohorts: list[str]  # the cohorts in order, WHOLE last
    sources: dict  # measure_id -> where the selection's diagnoses came from (names, no counts)

    def episodes(self, measure_id: str | None = None) -> pd.DataFrame:
        """One row per measure (or this one) x rate x selected episode, read when asked for."""
        return episode_rows(self.filters, measure_id)

    def spec(self, measure_id: str) -> StoredMeasure:
        return next(s for s in self.specs if s.id == measure_id)

    def eligibility_note(self, spec: StoredMeasure) -> str:
        """What eligibility means here: by diagnosis (from which source), or what is done without one.
        Names the sources only, never how many episodes each gave (it is shown to external roles)."""
        if not spec.by_diagnosis:
            return "Every admitted episode is eligible."
        used = self.sources.get(spec.id, ())
        if "ICD-10 diagnoses" in used:
            note = "Eligible by ICD-10 diagnoses from the diagnoses export (with exclusions by diagnosis)"
            if "roster diagnosis group" in used:
                note += (
                    "; for participants it lists none for, by the roster's diagnosis group (no exclusions by diagnosis)"
                )
            return note + "."
        if self.diagnosis_recorded:
            return "Eligible by the roster's diagnosis group (no diagnoses export: no exclusions by diagnosis)."
        return spec.without_diagnosis


def _specs(frame: pd.DataFrame) -> tuple[StoredMeasure, ...]:
    out = []
    for measure_id, part in frame.groupby("measure_id", sort=False):
        r = part.iloc[0]
        out.append(
            StoredMeasure(
                measure_id,
                r["name"],
                r["kind"],
                r["family"],
                r["version"],
                r["sources"],
                r["population"],
                r["adaptation"],
                r["without_diagnosis"],
                bool(r["by_diagnosis"]),
                r["source_file"],
                tuple(zip(part["rate_id"], part["rate_label"])),
            )
        )
    return tuple(out)


def stored_specs() -> tuple[StoredMeasure, ...]:
    """The measures as the build stored them, in order."""
    return _specs(db.query("quality_measures/specs"))


def _with_whole(counts: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([counts, counts.assign(cohort=WHOLE)], ignore_index=True)


def steps(counts: pd.DataFrame) -> pd.DataFrame:
    """Episodes at each step per measure and cohort, from queries/quality_measures/counts.sql (the first
    rate's rows: the steps before the numerator are the same for every rate of a measure)."""
    first = _with_whole(counts[counts["rate_position"] == 0])
    stopped, n = first["stopped_at"], first["episodes"]
    passed = first.assign(
        admitted=n, **{step: n.where(~stopped.isin(before), 0) for step, before in STOPPED_BEFORE.items()}
    )
    return passed.groupby(["measure_id", "cohort"], sort=False)[list(STEPS)].sum().astype(int).reset_index()


def exclusions(counts: pd.DataFrame) -> pd.DataFrame:
    first = _with_whole(counts[(counts["rate_position"] == 0) & (counts["stopped_at"] == "excluded")])
    return first.groupby(["measure_id", "cohort", "reason"], sort=True)["episodes"].sum().astype(int).reset_index()


def rates(counts: pd.DataFrame) -> pd.DataFrame:
    judged = _with_whole(counts[counts["stopped_at"].isin(IN_DENOMINATOR)])
    return rate_rows(judged, ["measure_id", "rate_id", "cohort"], "episodes", sort=False)


def rate_rows(judged: pd.DataFrame, keys: list[str], column: str, sort: bool) -> pd.DataFrame:
    """Counts of rows in the denominator (stopped_at numerator or met; `column` holds the count) as
    numerator, denominator, rate and its 95 % Wilson interval per `keys`: the per-episode view's and
    the specified count's rates alike."""
    judged = judged.assign(met=judged[column].where(judged["stopped_at"] == "met", 0))
    out = judged.groupby(keys, sort=sort).agg(numerator=("met", "sum"), denominator=(column, "sum")).reset_index()
    intervals = [wilson_interval(int(k), int(n)) for k, n in zip(out["numerator"], out["denominator"])]
    return out.assign(
        numerator=out["numerator"].astype(int),
        denominator=out["denominator"].astype(int),
        rate=out["numerator"] / out["denominator"],
        low=[lo for lo, _ in intervals],
        high=[hi for _, hi in intervals],
    )


def quality_measures(filters: Filters) -> Measures:
    """The selection's measures (episodes admitted in its range): made once per load (db.kept)."""
    return db.kept(_quality_measures, filters)


def _quality_measures(filters: Filters) -> Measures:
    f = db.queries(
        filters.params(admitted_in_range=True),
        counts=("quality_measures/counts", {}),
        specs=("quality_measures/specs", {}),
    )
    counts = f["counts"].astype({"cohort": object})
    names = sorted(counts["cohort"].dropna().unique().tolist())
    return Measures(
        filters,
        _specs(f["specs"]),
        bool(len(f["specs"]) and f["specs"]["diagnosis_recorded"].iloc[0]),
        steps(counts),
        exclusions(counts),
        rates(counts),
        [*names, WHOLE],
        {
            measure_id: tuple(sorted(part["dx_source"].dropna().unique()))
            for measure_id, part in counts.groupby("measure_id", sort=False)
        },
    )


def episode_rows(filters: Filters, measure_id: str | None = None) -> pd.DataFrame:
    """Every selected episode's steps through every measure, or one (queries/quality_measures/episodes.sql),
    with its cohort along the selection's grouping: the care team's lists and files, read when asked for."""
    return db.kept(_episode_rows, filters, measure_id)


def _episode_rows(filters: Filters, measure_id: str | None) -> pd.DataFrame:
    return db.query("quality_measures/episodes", **filters.params(admitted_in_range=True), measure=measure_id)


def trend(filters: Filters) -> pd.DataFrame:
    """Each measure's rate by quarter of admission (the selection's track, clinician, age group and
    population; every quarter): measure_id, rate_id, quarter_start, numerator, denominator, rate, low, high."""
    frame = db.query("quality_measures/trend", **replace(filters, dimension="quarter").params(admitted_in_range=True))
    intervals = [wilson_interval(int(k), int(n)) for k, n in zip(frame["numerator"], frame["denominator"])]
    return frame.assign(
        rate=[k / n if n else float("nan") for k, n in zip(frame["numerator"], frame["denominator"])],
        low=[lo for lo, _ in intervals],
        high=[hi for _, hi in intervals],
    )


def discharges(filters: Filters) -> pd.DataFrame:
    """The TEDS-style discharge extract: one row per discharge in the range (docs/measures.md)."""
    return db.query("quality_measures/discharges", **filters.params(admitted_in_range=False))
