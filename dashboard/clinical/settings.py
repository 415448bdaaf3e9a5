"""Outcome and flag settings (settings.toml), overridable by a program's file (IOP_SETTINGS)."""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

SHIPPED = Path(__file__).with_name("settings.toml")


def load_settings(extra_file: str | os.PathLike | None = None) -> dict[str, dict]:
    settings = tomllib.loads(SHIPPED.read_text())
    extra_file = extra_file or os.environ.get("IOP_SETTINGS")
    if extra_file:
        for section, values in tomllib.loads(Path(extra_file).read_text()).items():
            unknown = set(values) - set(settings.get(section, {}))
            if unknown:
                raise ValueError(f"{Path(extra_file).name}: unknown settings {section}.{', '.join(sorted(unknown))}")
            settings[section].update(values)
    return settings


def variables(settings: dict[str, dict]) -> dict[str, object]:
    """Flattened for SQL: getvariable('flags_disengaged_days')."""
    return {f"{section}_{key}": value for section, values in settings.items() for key, value in values.items()}
