"""Outcome, attendance, flag and privacy settings: the shipped settings.toml, with the program's own
values on top (settings.toml in the configuration folder, or a file given explicitly). A build
stores the values it used in the database (`settings`), where every query reads them."""

from __future__ import annotations

import copy
import os
import tomllib
from functools import lru_cache
from pathlib import Path

from clinical.config import SETTINGS, program_file

SHIPPED = Path(__file__).with_name("settings.toml")


def load_settings(extra_file: str | os.PathLike | None = None, shipped_only: bool = False) -> dict[str, dict]:
    """The settings files as a build uses them: the shipped file, then the program's (the configuration
    folder's settings.toml, then extra_file or IOP_SETTINGS) on top; shipped_only: the first alone."""
    settings = copy.deepcopy(_parsed(*_stamp(SHIPPED)))
    files = (
        [] if shipped_only else [f for f in (program_file(SETTINGS), extra_file or os.environ.get("IOP_SETTINGS")) if f]
    )
    for path in files:
        for section, values in copy.deepcopy(_parsed(*_stamp(Path(path)))).items():
            unknown = set(values) - set(settings.get(section, {}))
            if section not in settings or unknown:
                raise ValueError(
                    f"{Path(path).name}: unknown settings {section}."
                    f"{', '.join(sorted(unknown)) if section in settings else '*'}"
                )
            settings[section].update(values)
    _check(settings)
    return settings


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=16)
def _parsed(path: str, mtime_ns: int, size: int) -> dict:
    """A settings file's contents, parsed again only when the file changes (a page asks a few
    dozen times per run). Callers get a deep copy: the cached dict is never handed out."""
    return tomllib.loads(Path(path).read_text())


def _check(settings: dict[str, dict]) -> None:
    """Values the SQL cannot use are refused here, naming the setting, not as a failed build."""
    check = settings["alert_validation"]
    thresholds = check["thresholds"]
    if not thresholds or not all(isinstance(t, int) and 1 <= t <= 99 for t in thresholds):
        raise ValueError(
            "settings alert_validation.thresholds: whole-number percentiles from 1 to 99, e.g. [65, 80, 85]"
        )
    for name, lowest in (("folds", 2), ("max_episodes", 1), ("min_checked", 1), ("early_change_week", 2)):
        if not isinstance(check[name], int) or check[name] < lowest:
            raise ValueError(f"settings alert_validation.{name}: a whole number, {lowest} or more")
    response = settings["expected_response"]
    if response["alert_rule"] not in ("expected_range", "percent_change"):
        raise ValueError('settings expected_response.alert_rule: "expected_range" or "percent_change"')
    share = response["percent_change_min_improvement"]
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not -1 < share < 1:
        raise ValueError("settings expected_response.percent_change_min_improvement: a share from -1 to 1, e.g. 0.20")
    worse = settings["flags"]["worsening_share"]
    if isinstance(worse, bool) or not isinstance(worse, (int, float)) or not 0 < worse < 1:
        raise ValueError("settings flags.worsening_share: a share of the reliable change above 0 and below 1, e.g. 0.5")
    grace = settings["measurement"]["overdue_grace_days"]
    if not isinstance(grace, int) or grace < 0:
        raise ValueError("settings measurement.overdue_grace_days: a whole number of days, 0 or more")
    follow_up = settings["outcomes"]["follow_up_days"]
    if not isinstance(follow_up, int) or follow_up < 1:
        raise ValueError("settings outcomes.follow_up_days: a whole number of days, 1 or more")
    for key in ("stale_after_days", "min_note_characters", "min_justification_characters"):
        value = settings["reports"][key]
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"settings reports.{key}: a whole number, 0 or more")
    longest = settings["loader"]["max_id_characters"]
    if not isinstance(longest, int) or not 8 <= longest <= 1000:
        raise ValueError("settings loader.max_id_characters: a whole number from 8 to 1000")
    share = settings["loader"]["incremental_max_share"]
    if not isinstance(share, int | float) or not 0 <= share <= 1:
        raise ValueError("settings loader.incremental_max_share: a share from 0 (always everything) to 1")
    if settings["loader"]["whole_history"] not in ("background", "inline"):
        raise ValueError('settings loader.whole_history: "background" or "inline"')
    month = settings["quality"]["period_start_month"]
    if not isinstance(month, int) or not 1 <= month <= 12:
        raise ValueError("settings quality.period_start_month: a month, 1 to 12")
    privacy = settings["privacy"]
    if not isinstance(privacy["protection_width"], int) or not 1 <= privacy["protection_width"] < max(
        privacy["small_cell_max"], 2
    ):
        raise ValueError("settings privacy.protection_width: a whole number from 1 to small_cell_max - 1")
    soon = settings["authorization"]["ends_soon_days"]
    if not isinstance(soon, int) or soon < 0:
        raise ValueError("settings authorization.ends_soon_days: a whole number of days, 0 or more")


TABLES = {("measurement", "plan")}  # settings stored as tables of their own


def variables(settings: dict[str, dict]) -> dict[str, object]:
    """Flattened for SQL: getvariable('flags_disengaged_days'), and the rows of the settings table.
    Settings that are tables (measurement.plan) get a table of their own instead (plan_rows)."""
    return {
        f"{section}_{key}": value
        for section, values in settings.items()
        for key, value in values.items()
        if (section, key) not in TABLES
    }


def plan_rows(settings: dict[str, dict]) -> list[tuple[str, str, int]]:
    """(track, instrument, every_days) of the measurement plan; "*" = every track."""
    rows = []
    for i, entry in enumerate(settings["measurement"]["plan"], start=1):
        missing = {"track", "instrument", "every_days"} - set(entry)
        if missing or set(entry) - {"track", "instrument", "every_days"}:
            raise ValueError(f"settings measurement.plan entry {i} needs exactly track, instrument and every_days")
        if not isinstance(entry["every_days"], int) or entry["every_days"] < 1:
            raise ValueError(
                f"settings measurement.plan entry {i}: every_days must be a whole number of days, 1 or more"
            )
        rows.append((str(entry["track"]), str(entry["instrument"]), entry["every_days"]))
    return rows


def setting_rows(settings: dict[str, dict]) -> list[tuple]:
    """(name, section, key, number, text, list) for the database's settings table."""
    rows = []
    for name, value in variables(settings).items():
        section = next(s for s in settings if name.startswith(s + "_"))
        key = name[len(section) + 1 :]
        number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        rows.append(
            (
                name,
                section,
                key,
                number,
                str(value) if isinstance(value, (str, bool)) else None,
                [str(v) for v in value] if isinstance(value, list) else None,
            )
        )
    return rows


def stored_value(number, text, items):
    """A value of the settings table (setting_rows) as it was in the file."""
    if items is not None:
        return [int(v) if v.lstrip("-").isdigit() else v for v in items]
    if number is not None:
        return int(number) if float(number).is_integer() else number
    return {"True": True, "False": False}.get(text, text)


class Settings:
    """Settings by section and key, read-only, each read as the type it must have: what every
    reader at run time gets, from the settings a build stored (Settings.from_table) or, for the
    build itself, from the files (load_settings). A wrong type fails here, naming the setting."""

    def __init__(self, sections: dict[str, dict]):
        self._sections = sections

    @classmethod
    def from_table(cls, rows) -> Settings:
        """From the settings table's rows: (section, key, number, text, list)."""
        sections: dict[str, dict] = {}
        for section, key, number, text, items in rows:
            sections.setdefault(section, {})[key] = stored_value(number, text, items)
        return cls(sections)

    def _value(self, section: str, key: str, kinds: tuple[type, ...], what: str):
        try:
            value = self._sections[section][key]
        except KeyError:
            raise KeyError(f"no setting {section}.{key}") from None
        if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)):
            raise TypeError(f"setting {section}.{key} is {value!r}, not {what}")
        return value

    def whole(self, section: str, key: str) -> int:
        return self._value(section, key, (int,), "a whole number")

    def number(self, section: str, key: str) -> float:
        return float(self._value(section, key, (int, float), "a number"))

    def text(self, section: str, key: str) -> str:
        return self._value(section, key, (str,), "text")

    def switch(self, section: str, key: str) -> bool:
        return self._value(section, key, (bool,), "true or false")

    def texts(self, section: str, key: str) -> tuple[str, ...]:
        return tuple(str(v) for v in self._value(section, key, (list,), "a list"))

    def wholes(self, section: str, key: str) -> tuple[int, ...]:
        values = self._value(section, key, (list,), "a list")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise TypeError(f"setting {section}.{key} is {values!r}, not a list of whole numbers")
        return tuple(values)
