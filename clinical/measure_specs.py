"""Quality measure specifications (measures/*.toml, one file per measure; measures/README.md lists
the fields): read, checked and written to the tables the mart measure_episodes applies
(sql/11_quality_measures.sql). They are pinned to the published specification's version, so they
are shipped with the code and not overridden by a program's configuration folder."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from clinical.config import sha256
from clinical.rows import insert_rows
from clinical.value_sets import ValueSet, load_value_sets, write_value_sets

FOLDER = Path(__file__).with_name("quality_measures")
KINDS = {  # kind -> the rules its rates may use and the window fields it needs
    "score_window": ({"below", "drop", "scored"}, ("from_days", "to_days")),
    "monitoring": ({"each_period"}, ("period_months",)),
    "use_at_discharge": ({"reduced_or_none", "none"}, ()),
    "first_session": ({"within"}, ("days",)),
    "retention": ({"engaged"}, ("days", "engaged_days")),
}
NEEDS_VALUE = {"below", "drop"}
NEEDS_INDEX = {"score_window", "use_at_discharge"}
NEEDS_SCORES = {"score_window", "monitoring", "use_at_discharge"}
UNITS = {"episode", "participant_period"}  # participant_period: counted as the specification counts (measure_specified)
AGE_AT = {"index", "period_start"}
UNTIL = {"window_end", "period_end"}
CALENDAR_WINDOW = ("months", "minus_days", "plus_days")  # six calendar months -60 .. +60 days


class SpecError(ValueError):
    """A measure file that cannot be applied; the message names the file and the field."""


@dataclass(frozen=True)
class Rate:
    id: str
    label: str
    rule: str
    value: float | None


@dataclass(frozen=True)
class MeasureText:
    """What names and describes a measure in its specification's words: the same in the file and as
    the build stored it (the dashboard's StoredMeasure)."""

    id: str
    name: str
    kind: str
    family: str
    version: str
    sources: str
    population: str
    adaptation: str


@dataclass(frozen=True)
class MeasureSpec(MeasureText):
    """A measure file, checked: its words and the rules the mart applies."""

    diagnosis_groups: tuple[str, ...]
    without_diagnosis: str
    scores: tuple[tuple[str, str | None, int | None], ...]  # (instrument, subscale, max_age) in order of preference
    index_above: float | None
    window: dict
    exclude_codes: tuple[int, ...]
    rates: tuple[Rate, ...]
    file: str
    digest: str
    diagnosis_value_set: str | None = None
    min_age: int | None = None
    age_at: str = "index"
    exclude_value_sets: tuple[str, ...] = ()
    exclude_until: str = "window_end"
    unit: str = "episode"
    intake_shift_months: int = 0
    start_month: int | None = None  # the measurement period's first month; None: settings quality.period_start_month


def _window(where: str, kind: str, window: dict, window_fields: tuple) -> None:
    calendar = kind == "score_window" and "months" in window
    for key in CALENDAR_WINDOW if calendar else window_fields:
        if not isinstance(window.get(key), int) or window[key] < (0 if key.endswith("_days") and calendar else 1):
            raise SpecError(f"{where}: window.{key} must be a whole number of days (months) above 0")
    if kind == "score_window" and not calendar and window["from_days"] > window["to_days"]:
        raise SpecError(f"{where}: window.from_days is after window.to_days")


def _counting(where: str, d: dict, value_sets: dict[str, ValueSet]) -> dict:
    """The fields that say whom a measure counts: diagnosis value sets, age, the unit and its period."""
    eligibility, exclusions, period = d.get("eligibility", {}), d.get("exclusions", {}), d.get("period", {})
    named = [eligibility.get("diagnosis_value_set")] if eligibility.get("diagnosis_value_set") else []
    named += list(exclusions.get("value_sets", []))
    for name in named:
        if name not in value_sets:
            raise SpecError(f"{where}: value set '{name}' is not in quality_measures/value_sets/")
    checks = (
        (eligibility.get("age_at", "index"), AGE_AT, "eligibility.age_at"),
        (exclusions.get("until", "window_end"), UNTIL, "exclusions.until"),
        (period.get("unit", "episode"), UNITS, "period.unit"),
    )
    for value, allowed, field in checks:
        if value not in allowed:
            raise SpecError(f"{where}: {field} '{value}' is not one of {', '.join(sorted(allowed))}")
    min_age, shift, start = eligibility.get("min_age"), period.get("intake_shift_months", 0), period.get("start_month")
    if start is not None and (not isinstance(start, int) or not 1 <= start <= 12):
        raise SpecError(f"{where}: period.start_month must be a month, 1 to 12")
    if min_age is not None and (not isinstance(min_age, int) or min_age < 0):
        raise SpecError(f"{where}: eligibility.min_age must be a whole number of years")
    if not isinstance(shift, int) or not 0 <= shift <= 11:
        raise SpecError(f"{where}: period.intake_shift_months must be a whole number from 0 to 11")
    return {
        "diagnosis_value_set": eligibility.get("diagnosis_value_set"),
        "min_age": min_age,
        "age_at": eligibility.get("age_at", "index"),
        "exclude_value_sets": tuple(exclusions.get("value_sets", ())),
        "exclude_until": exclusions.get("until", "window_end"),
        "unit": period.get("unit", "episode"),
        "intake_shift_months": shift,
        "start_month": start,
    }


def _spec(path: Path, value_sets: dict[str, ValueSet]) -> MeasureSpec:
    where = path.name
    try:
        d = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise SpecError(f"{where}: not valid TOML ({e})") from e
    for key in ("id", "name", "kind", "family", "version", "sources", "population", "adaptation", "rates"):
        if key not in d:
            raise SpecError(f"{where}: '{key}' is missing")
    if d["kind"] not in KINDS:
        raise SpecError(f"{where}: kind '{d['kind']}' is not one of {', '.join(KINDS)}")
    rules, window_fields = KINDS[d["kind"]]
    window = d.get("window", {})
    _window(where, d["kind"], window, window_fields)
    scores = tuple((s["instrument"], s.get("subscale"), s.get("max_age")) for s in d.get("scores", []))
    if d["kind"] in NEEDS_SCORES and not scores:
        raise SpecError(f"{where}: a {d['kind']} measure needs at least one [[scores]] instrument")
    index_above = d.get("index", {}).get("above")
    if d["kind"] in NEEDS_INDEX and not isinstance(index_above, (int, float)):
        raise SpecError(f"{where}: a {d['kind']} measure needs index.above")
    rates = []
    for r in d["rates"]:
        if r.get("rule") not in rules:
            raise SpecError(
                f"{where}: rate '{r.get('id')}' has rule '{r.get('rule')}'; a {d['kind']} measure takes "
                f"{', '.join(sorted(rules))}"
            )
        if r["rule"] in NEEDS_VALUE and not isinstance(r.get("value"), (int, float)):
            raise SpecError(f"{where}: rate '{r['id']}' needs a value for rule '{r['rule']}'")
        rates.append(Rate(r["id"], r["label"], r["rule"], r.get("value")))
    if len({r.id for r in rates}) != len(rates):
        raise SpecError(f"{where}: two rates share an id")
    eligibility, exclusions = d.get("eligibility", {}), d.get("exclusions", {})
    return MeasureSpec(
        d["id"],
        d["name"],
        d["kind"],
        d["family"],
        d["version"],
        d["sources"],
        d["population"],
        d["adaptation"],
        tuple(eligibility.get("diagnosis_groups", ())),
        eligibility.get("without_diagnosis", ""),
        scores,
        index_above,
        dict(window),
        tuple(int(c) for c in exclusions.get("discharge_codes", ())),
        tuple(rates),
        path.name,
        sha256(path),
        **_counting(where, d, value_sets),
    )


def load_specs(folder: Path = FOLDER, value_sets: dict[str, ValueSet] | None = None) -> dict[str, MeasureSpec]:
    """Every measure file of the folder, by id, in file-name order; SpecError on the first bad file."""
    value_sets = load_value_sets() if value_sets is None else value_sets
    specs: dict[str, MeasureSpec] = {}
    for path in sorted(folder.glob("*.toml")):
        spec = _spec(path, value_sets)
        if spec.id in specs:
            raise SpecError(f"{path.name}: measure {spec.id} is also defined in {specs[spec.id].file}")
        specs[spec.id] = spec
    return specs


def write_specs(con: duckdb.DuckDBPyConnection, specs: dict[str, MeasureSpec] | None = None) -> None:
    """The tables measure_specs, measure_scores and measure_rates from the files, and the value sets they read."""
    write_value_sets(con, load_value_sets())
    specs = load_specs() if specs is None else specs
    con.execute("""CREATE OR REPLACE TABLE measure_specs (
        measure_id VARCHAR PRIMARY KEY, position INTEGER, name VARCHAR, kind VARCHAR, family VARCHAR, version VARCHAR,
        sources VARCHAR, population VARCHAR, adaptation VARCHAR, diagnosis_groups VARCHAR[], without_diagnosis VARCHAR,
        index_above DOUBLE, from_days INTEGER, to_days INTEGER, period_months INTEGER, days INTEGER, engaged_days INTEGER,
        exclude_codes INTEGER[], source_file VARCHAR, source_sha256 VARCHAR, diagnosis_value_set VARCHAR, min_age INTEGER,
        age_at VARCHAR, months INTEGER, minus_days INTEGER, plus_days INTEGER, exclude_value_sets VARCHAR[],
        exclude_until VARCHAR, unit VARCHAR, intake_shift_months INTEGER, start_month INTEGER)""")
    con.execute(
        "CREATE OR REPLACE TABLE measure_scores (measure_id VARCHAR, priority INTEGER, instrument VARCHAR, subscale VARCHAR,"
        " max_age INTEGER)"
    )
    con.execute("""CREATE OR REPLACE TABLE measure_rates (measure_id VARCHAR, rate_id VARCHAR, position INTEGER, label VARCHAR,
                   rule VARCHAR, value DOUBLE)""")
    for position, s in enumerate(specs.values()):
        w = s.window
        con.execute(
            f"INSERT INTO measure_specs VALUES ({', '.join('?' * 31)})",
            [
                s.id,
                position,
                s.name,
                s.kind,
                s.family,
                s.version,
                s.sources,
                s.population,
                s.adaptation,
                list(s.diagnosis_groups),
                s.without_diagnosis,
                s.index_above,
                w.get("from_days"),
                w.get("to_days"),
                w.get("period_months"),
                w.get("days"),
                w.get("engaged_days"),
                list(s.exclude_codes),
                s.file,
                s.digest,
                s.diagnosis_value_set,
                s.min_age,
                s.age_at,
                w.get("months"),
                w.get("minus_days"),
                w.get("plus_days"),
                list(s.exclude_value_sets),
                s.exclude_until,
                s.unit,
                s.intake_shift_months,
                s.start_month,
            ],
        )
        if s.scores:
            insert_rows(
                con, "measure_scores", [(s.id, i + 1, ins, sub, age) for i, (ins, sub, age) in enumerate(s.scores)]
            )
        insert_rows(con, "measure_rates", [(s.id, r.id, i, r.label, r.rule, r.value) for i, r in enumerate(s.rates)])
