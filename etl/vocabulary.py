"""The loader's vocabulary (etl/vocabulary.toml): column aliases, coded values, TEDS labels."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

from clinical.catalogue import token

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.toml")
KINDS = ("attendance", "measures", "roster", "authorizations", "diagnoses")
ITEM_COLUMN = re.compile(r"^(?:item|q|question|i)_?(\d{1,3})$")


# The same rule as the SQL macro norm_token and instrument names: lower case, no spaces,
# dashes, underscores or dots.
norm = token


@cache
def vocabulary() -> dict:
    return tomllib.loads(VOCABULARY_FILE.read_text())


def column_aliases(kind: str) -> dict[str, str]:
    """normalised header -> canonical field, for one kind of export."""
    out = {}
    for field, aliases in vocabulary()["columns"][kind].items():
        for name in [field, *aliases]:
            out[norm(name)] = field
    return out


def required(kind: str) -> list[str]:
    return vocabulary()["required"][kind]


def required_one_of(kind: str) -> list[list[str]]:
    """Groups of fields of which a file of this kind needs at least one each."""
    return vocabulary().get("required_one_of", {}).get(kind, [])


def optional(kind: str) -> list[str]:
    return [f for f in vocabulary()["columns"][kind] if f not in required(kind)]


def value_rows() -> list[tuple[str, str, str]]:
    """(field, normalised token, canonical value) for every coded value and alias."""
    rows: dict[tuple[str, str], str] = {}
    for field, values in vocabulary()["values"].items():
        for value, aliases in values.items():
            for name in [value, *aliases]:
                key = (field, norm(name))
                if rows.setdefault(key, value) != value:
                    raise ValueError(f"vocabulary.toml: {field} '{name}' is listed under {rows[key]} and {value}")
    return [(field, token, value) for (field, token), value in rows.items()]


def allowed(field: str) -> list[str]:
    return list(vocabulary()["values"][field])


def teds_labels() -> dict[int, str]:
    return {int(k): v for k, v in vocabulary()["teds_reason_labels"].items()}
