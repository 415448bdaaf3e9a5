"""The instrument catalogue: instruments.toml, plus the program's own (instruments.toml in its
configuration folder, or a file given with --instruments / IOP_INSTRUMENTS), which adds or overrides
instruments without a code change.

Each instrument is data (items, ranges, reversed items, bands, cutoff, reliable change, response
and remission, safety items, subscales, LOINC, aliases and sources); the file's header explains
the fields. Each keeps the file it came from and that file's SHA-256, stored with it in the database."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from clinical.config import INSTRUMENTS, program_file, sha256
from clinical.formulas import reliable_change_points

SHIPPED = Path(__file__).with_name("instruments.toml")


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    items: int
    item_min: int
    item_max: int
    total_min: int
    total_max: int
    aliases: tuple[str, ...] = ()
    item_ranges: dict = field(default_factory=dict, hash=False)
    reversed_items: tuple[int, ...] = ()
    total_rule: str = "sum"
    missing_items: str = "none_allowed"
    max_missing: int = 0
    higher_is_worse: bool = True
    loinc_total: str | None = None
    loinc_panel: str | None = None
    bands: tuple[tuple[int, str], ...] = ()
    severe_from: float | None = None
    clinical_cutoff: float | None = None
    reliable_change: float | None = None
    reliable_change_sd: float | None = None
    reliable_change_r: float | None = None
    response_drop: float | None = None
    remission_below: float | None = None
    safety_items: tuple[dict, ...] = ()
    subscales: dict = field(default_factory=dict, hash=False)
    subscale_rules: dict = field(default_factory=dict, hash=False)
    loinc_items: dict = field(default_factory=dict, hash=False)  # item number -> LOINC code (FHIR)
    loinc_unscored: tuple[str, ...] = ()  # asked with the instrument, not scored
    answer_codes: dict = field(default_factory=dict, hash=False)  # LOINC answer code -> item value
    item_labels: dict = field(
        default_factory=dict, hash=False
    )  # item number -> short label (public-domain wording only)
    sources: str = ""
    source_file: str = ""  # the catalogue file that defined it
    source_sha256: str = ""

    @property
    def reliable_change_points(self) -> float | None:
        if self.reliable_change is not None:
            return float(self.reliable_change)
        if self.reliable_change_sd is not None and self.reliable_change_r is not None:
            return round(reliable_change_points(self.reliable_change_sd, self.reliable_change_r), 1)
        return None

    def item_range(self, number: int) -> tuple[int, int]:
        low, high = self.item_ranges.get(str(number), self.item_ranges.get(number, (self.item_min, self.item_max)))
        return int(low), int(high)

    def band(self, score: float) -> str | None:
        label = None
        for lower, name in self.bands:
            if score >= lower:
                label = name
        return label


def token(text: str) -> str:
    """How instrument names are matched: "PHQ-9", "phq 9" and "PHQ9" are one name."""
    return re.sub(r"[\s_\-.]+", "", text.strip().lower())


REQUIRED = ("name", "items", "item_min", "item_max", "total_min", "total_max")
KNOWN = set(Instrument.__dataclass_fields__) - {"code", "source_file", "source_sha256"}


def _instrument(code: str, entry: dict, source: Path) -> Instrument:
    missing = [f for f in REQUIRED if f not in entry]
    if missing:
        raise ValueError(f"{source.name}: instrument {code} is missing {', '.join(missing)}")
    unknown = sorted(set(entry) - KNOWN)
    if unknown:
        raise ValueError(f"{source.name}: instrument {code} has unknown fields {', '.join(unknown)}")
    if entry.get("total_rule", "sum") not in ("sum", "none"):
        raise ValueError(f"{source.name}: instrument {code}: total_rule must be 'sum' or 'none'")
    if entry.get("missing_items", "none_allowed") not in ("none_allowed", "prorate"):
        raise ValueError(f"{source.name}: instrument {code}: missing_items must be 'none_allowed' or 'prorate'")
    values = dict(entry)
    values["aliases"] = tuple(values.get("aliases", ()))
    values["reversed_items"] = tuple(values.get("reversed_items", ()))
    values["bands"] = tuple((b["from"], b["label"]) for b in values.get("bands", ()))
    values["safety_items"] = tuple(values.get("safety_items", ()))
    values["loinc_unscored"] = tuple(values.get("loinc_unscored", ()))
    values["loinc_items"] = {int(k): v for k, v in values.get("loinc_items", {}).items()}
    values["item_labels"] = {int(k): str(v) for k, v in values.get("item_labels", {}).items()}
    return Instrument(code=code, source_file=source_name(source), source_sha256=sha256(source), **values)


def catalogue_files(extra_file: str | os.PathLike | None = None) -> list[Path]:
    """Shipped instruments, then the configuration folder's, then an explicit file (extra_file or
    IOP_INSTRUMENTS): the files a catalogue is read from, in order."""
    return [
        SHIPPED,
        *[Path(f) for f in (program_file(INSTRUMENTS), extra_file or os.environ.get("IOP_INSTRUMENTS")) if f],
    ]


def source_name(path: Path) -> str:
    """How a catalogue file is named in the database (source_file)."""
    return "shipped instruments.toml" if Path(path).resolve() == SHIPPED.resolve() else str(path)


def load_catalogue(extra_file: str | os.PathLike | None = None) -> dict[str, Instrument]:
    """Every instrument of the catalogue files, later files adding or overriding."""
    files = catalogue_files(extra_file)
    catalogue: dict[str, Instrument] = {}
    for path in files:
        for code, entry in tomllib.loads(Path(path).read_text()).get("instruments", {}).items():
            catalogue[code] = _instrument(code, entry, Path(path))
    return catalogue


def alias_rows(catalogue: dict[str, Instrument]) -> list[tuple[str, str]]:
    """(matching token, instrument code) for every code, name and alias."""
    rows = {}
    for inst in catalogue.values():
        for name in (inst.code, inst.name, *inst.aliases):
            rows[token(name)] = inst.code
    return sorted(rows.items())


def catalogue_tables(catalogue: dict[str, Instrument]) -> dict[str, list[tuple]]:
    """The catalogue as rows of the tables in clinical/setup/catalogue.sql."""
    tables: dict[str, list[tuple]] = {
        k: []
        for k in (
            "instrument_catalogue",
            "instrument_items",
            "instrument_bands",
            "instrument_subscales",
            "instrument_safety",
        )
    }
    for i in catalogue.values():
        tables["instrument_catalogue"].append(
            (
                i.code,
                i.name,
                i.items,
                i.item_min,
                i.item_max,
                i.total_min,
                i.total_max,
                i.total_rule,
                i.missing_items,
                i.max_missing,
                i.higher_is_worse,
                i.loinc_total,
                i.clinical_cutoff,
                i.reliable_change_points,
                i.response_drop,
                i.remission_below,
                i.severe_from,
                i.sources,
                i.source_file,
                i.source_sha256,
            )
        )
        for n in range(1, i.items + 1):
            low, high = i.item_range(n)
            tables["instrument_items"].append((i.code, n, low, high, n in i.reversed_items, i.item_labels.get(n)))
        edges = [lower for lower, _ in i.bands] + [i.total_max + 1]
        for rank, (lower, label) in enumerate(i.bands):
            tables["instrument_bands"].append((i.code, rank + 1, lower, edges[rank + 1] - 1, label))
        for name, numbers in i.subscales.items():
            rule = i.subscale_rules.get(name, {})
            for n in numbers:
                tables["instrument_subscales"].append((i.code, name, n, rule.get("at_least"), rule.get("at_most")))
        for s in i.safety_items:
            tables["instrument_safety"].append((i.code, s.get("item"), s.get("subscale"), s["above"], s["text"]))
    return tables
