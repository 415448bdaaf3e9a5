"""Outcome, attendance, flag and privacy settings: the shipped settings.toml, with the program's own
values on top (settings.toml in the configuration folder, or a file given explicitly). A build
stores the values it used in the database (`settings`), where every query reads them."""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

from dashboard.clinical.config import SETTINGS, program_file

SHIPPED = Path(__file__).with_name("settings.toml")


def load_settings(extra_file: str | os.PathLike | None = None) -> dict[str, dict]:
    settings = tomllib.loads(SHIPPED.read_text())
    files = [f for f in (program_file(SETTINGS), extra_file or os.environ.get("IOP_SETTINGS")) if f]
    for path in files:
        for section, values in tomllib.loads(Path(path).read_text()).items():
            unknown = set(values) - set(settings.get(section, {}))
            if section not in settings or unknown:
                raise ValueError(f"{Path(path).name}: unknown settings {section}."
                                 f"{', '.join(sorted(unknown)) if section in settings else '*'}")
            settings[section].update(values)
    return settings


def variables(settings: dict[str, dict]) -> dict[str, object]:
    """Flattened for SQL: getvariable('flags_disengaged_days'), and the rows of the settings table."""
    return {f"{section}_{key}": value for section, values in settings.items() for key, value in values.items()}


def setting_rows(settings: dict[str, dict]) -> list[tuple]:
    """(name, section, key, number, text, list) for the database's settings table."""
    rows = []
    for name, value in variables(settings).items():
        section = next(s for s in settings if name.startswith(s + "_"))
        key = name[len(section) + 1:]
        number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        rows.append((name, section, key, number, str(value) if isinstance(value, (str, bool)) else None,
                     [str(v) for v in value] if isinstance(value, list) else None))
    return rows
