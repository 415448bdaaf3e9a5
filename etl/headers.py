"""Matching a file's header to a kind of export and its canonical columns."""

from __future__ import annotations

from dataclasses import dataclass

from etl.files import FileProblem
from etl.vocabulary import ITEM_COLUMN, KINDS, column_aliases, norm, required, required_one_of


@dataclass
class ColumnMap:
    kind: str
    fields: dict[str, int]  # canonical field -> column position
    items: dict[int, int]  # item number -> column position (measures)
    header: list[str]


def _match(kind: str, header: list[str]) -> tuple[dict[str, int], dict[int, int], list[str]]:
    aliases = column_aliases(kind)
    fields: dict[str, int] = {}
    items: dict[int, int] = {}
    clashes = []
    for pos, name in enumerate(header):
        key = norm(name)
        item = ITEM_COLUMN.match(key) if kind == "measures" else None
        if item:
            number = int(item.group(1))
            if number in items:
                clashes.append(f"columns '{header[items[number]]}' and '{name}' are both item {number}")
            items[number] = pos
        elif key in aliases:
            field = aliases[key]
            if field in fields:
                clashes.append(f"columns '{header[fields[field]]}' and '{name}' are both {field}")
            else:
                fields[field] = pos
    return fields, items, clashes


def _missing(kind: str, fields: dict[str, int]) -> list[str]:
    """The required fields (or groups, 'a or b') a header lacks for this kind."""
    return [f for f in required(kind) if f not in fields] + [
        " or ".join(group) for group in required_one_of(kind) if not any(f in fields for f in group)
    ]


def _needs(kind: str) -> str:
    return ", ".join([*required(kind), *(" or ".join(group) for group in required_one_of(kind))])


def map_header(path, header: list[str], kind: str | None = None) -> ColumnMap:
    """The kind comes from the header unless given; raises FileProblem when it cannot be used."""
    if not any(h.strip() for h in header):
        raise FileProblem(path, "the header row is empty")
    shown = ", ".join(h for h in header if h)[:200]
    if kind:
        fields, items, clashes = _match(kind, header)
        missing = _missing(kind, fields)
        if missing:
            raise FileProblem(path, f"not a usable {kind} export: no column for {', '.join(missing)} (header: {shown})")
    else:
        fits = []
        for k in KINDS:
            fields, items, clashes = _match(k, header)
            if not _missing(k, fields):
                fits.append((len(fields) + len(items), k))
        if not fits:
            needs = "; ".join(f"{k} needs {_needs(k)}" for k in KINDS)
            raise FileProblem(
                path,
                f"cannot tell what kind of export this is from its header ({shown}); "
                f"{needs}; rename its columns, or say which kind it is",
            )
        fits.sort(reverse=True)
        if len(fits) > 1 and fits[0][0] == fits[1][0]:
            raise FileProblem(path, f"header fits both {fits[0][1]} and {fits[1][1]}; say which kind it is")
        kind = fits[0][1]
        fields, items, clashes = _match(kind, header)
    if clashes:
        raise FileProblem(path, "; ".join(clashes))
    return ColumnMap(kind, fields, items, header)
