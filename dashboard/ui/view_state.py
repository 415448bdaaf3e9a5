"""What a page shows, kept while moving between pages and written to the address, so that going
back, reloading or opening a copied link shows the same view.

Each page binds its widgets to a group of fields. On every run the address wins (a link, a reload,
the back button), then what this session last chose (coming back from another page), then the
default; a change in a widget is stored by its callback before the page runs, and the address is
rewritten to match. A value that does not fit the page's options (a mangled or old link) is ignored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st


@dataclass(frozen=True)
class Field:
    key: str  # the widget's key, and the field's name in the session
    names: tuple[str, ...]  # its entries in the address
    default: Any
    read: Callable[[Mapping[str, str]], Any]  # the value an address holds; None when absent or unusable
    write: Callable[[Any], dict[str, str]]  # the address entries for a value
    ready: Callable[[Any], bool] = lambda value: True  # e.g. a date range with both ends picked
    valid: Callable[[Any], bool] = lambda value: True  # still one of the options (they can change)


def choice(key: str, name: str, options: Sequence[str], default: str) -> Field:
    def read(query):
        value = query.get(name)
        return value if value in options else None

    return Field(key, (name,), default, read, lambda value: {name: value}, valid=lambda value: value in options)


def text(key: str, name: str, default: str = "") -> Field:
    def read(query):
        value = query.get(name)
        return value.strip()[:200] if value and value.strip() else None

    return Field(key, (name,), default, read, lambda value: {name: value} if value else {})


def date_range(key: str, lowest: dt.date, highest: dt.date, default: tuple[dt.date, dt.date]) -> Field:
    def read(query):
        try:
            start, end = dt.date.fromisoformat(query["from"]), dt.date.fromisoformat(query["to"])
        except (KeyError, ValueError):
            return None
        start, end = max(lowest, min(start, highest)), max(lowest, min(end, highest))
        return (start, end) if start <= end else None

    return Field(
        key,
        ("from", "to"),
        default,
        read,
        lambda value: {"from": value[0].isoformat(), "to": value[1].isoformat()},
        ready=lambda value: isinstance(value, (tuple, list)) and len(value) == 2,
    )


def day(key: str, name: str, lowest: dt.date, highest: dt.date, default: dt.date) -> Field:
    def read(query):
        try:
            value = dt.date.fromisoformat(query[name])
        except (KeyError, ValueError):
            return None
        return max(lowest, min(value, highest))

    return Field(
        key,
        (name,),
        default,
        read,
        lambda value: {name: value.isoformat()},
        ready=lambda value: isinstance(value, dt.date),
        valid=lambda value: isinstance(value, dt.date) and lowest <= value <= highest,
    )


PAGE_GROUPS = {
    "overview": ("filters",),
    "cohorts": ("filters",),
    "caseload": ("caseload",),
    "participant": ("participant", "episode"),
    "alerts": ("alerts",),
    "groups": ("groups",),
    "measures": ("filters", "measures"),
}  # which kept views a page shows


def _store(group: str) -> dict:
    return st.session_state.setdefault(f"view:{group}", {"values": {}, "written": {}, "address": {}})


def address_for(slug: str) -> dict[str, str]:
    """The address entries of the view this session last had on a page, for links to it: going
    back to a page shows it as it was, without a second history entry for the same view."""
    entries: dict[str, str] = {}
    for group in PAGE_GROUPS.get(slug, ()):
        entries.update(st.session_state.get(f"view:{group}", {}).get("address", {}))
    return entries


def restore(group: str, fields: Sequence[Field]) -> dict[str, Any]:
    """This run's values (and each widget's state set to match); call before drawing the widgets.
    The address counts when it differs from what this session last wrote there: a link, a reload,
    the back button."""
    store, query = _store(group), st.query_params.to_dict()
    values, written = store["values"], store["written"]
    for field in fields:
        from_address = field.read(query)
        external = from_address is not None and from_address != written.get(field.key)
        if external:
            values[field.key] = from_address
        elif field.key not in values or not field.valid(values[field.key]):
            values[field.key] = field.default
        picking = field.key in st.session_state and not field.ready(st.session_state[field.key])  # half a date range
        if external or not picking:
            # set even when equal: a widget of the same key on another page is a new widget, and takes
            # its value from the session only when the value was set here
            st.session_state[field.key] = values[field.key]
    _write_address(store, fields)
    return {field.key: values[field.key] for field in fields}


def changed(group: str, fields: Sequence[Field]) -> None:
    """The widgets' on_change: keep the new values and put them in the address."""
    store = _store(group)
    for field in fields:
        value = st.session_state.get(field.key)
        if field.ready(value):
            store["values"][field.key] = tuple(value) if isinstance(value, list) else value
    _write_address(store, fields)


def _write_address(store: dict, fields: Sequence[Field]) -> None:
    wanted = {}
    for field in fields:
        wanted.update(field.write(store["values"][field.key]))
        store["written"][field.key] = store["values"][field.key]
    store["address"] = wanted
    current = st.query_params.to_dict()
    for name in {name for field in fields for name in field.names} - set(wanted):
        if name in current:
            del st.query_params[name]
    if any(current.get(k) != v for k, v in wanted.items()):
        st.query_params.update(wanted)
