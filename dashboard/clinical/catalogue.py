"""The instrument catalogue: instruments.toml, plus a program's own catalogue file.

Each instrument is data (items, ranges, bands, cutoff, reliable change, LOINC, aliases and
sources); see the file's header. Set IOP_INSTRUMENTS to a program's file to add or override
instruments without a code change."""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

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
    total_rule: str = "sum"
    missing_items: str = "none_allowed"
    higher_is_worse: bool = True
    loinc_total: str | None = None
    bands: tuple[tuple[int, str], ...] = ()
    clinical_cutoff: float | None = None
    reliable_change: float | None = None
    remission_below: float | None = None
    safety_items: tuple[dict, ...] = ()
    sources: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)


def token(text: str) -> str:
    """How instrument names are matched: "PHQ-9", "phq 9" and "PHQ9" are one name."""
    return re.sub(r"[\s_\-.]+", "", text.strip().lower())


def _instrument(code: str, entry: dict) -> Instrument:
    known = {f for f in Instrument.__dataclass_fields__} - {"code", "extra"}
    missing = [f for f in ("name", "items", "item_min", "item_max", "total_min", "total_max") if f not in entry]
    if missing:
        raise ValueError(f"instrument {code}: missing {', '.join(missing)}")
    values = {k: v for k, v in entry.items() if k in known}
    values["aliases"] = tuple(values.get("aliases", ()))
    values["bands"] = tuple((b["from"], b["label"]) for b in values.get("bands", ()))
    values["safety_items"] = tuple(values.get("safety_items", ()))
    return Instrument(code=code, extra={k: v for k, v in entry.items() if k not in known}, **values)


def load_catalogue(extra_file: str | os.PathLike | None = None) -> dict[str, Instrument]:
    """Shipped instruments, then the program's file (IOP_INSTRUMENTS or extra_file) on top."""
    files = [SHIPPED]
    extra_file = extra_file or os.environ.get("IOP_INSTRUMENTS")
    if extra_file:
        files.append(Path(extra_file))
    catalogue: dict[str, Instrument] = {}
    for path in files:
        for code, entry in tomllib.loads(Path(path).read_text()).get("instruments", {}).items():
            catalogue[code] = _instrument(code, entry)
    return catalogue


def alias_rows(catalogue: dict[str, Instrument]) -> list[tuple[str, str]]:
    """(matching token, instrument code) for every code, name and alias."""
    rows = {}
    for inst in catalogue.values():
        for name in (inst.code, inst.name, *inst.aliases):
            rows[token(name)] = inst.code
    return sorted(rows.items())
