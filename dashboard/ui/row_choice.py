"""A one-row choice in a table that follows the record, not the position. A worklist re-sorts when a
flag is acted on: a selection kept as "row 1" would then name someone else, and the form under it
would act on them. So the choice is kept as the record's id; when the list moves under it, the table
is drawn afresh with that record's row selected (or nothing, if it left the list)."""

from __future__ import annotations

import pandas as pd
import streamlit as st


def widget_key(key: str) -> str:
    """The table widget's key now: the key itself, then key-1, key-2… each time it is drawn afresh."""
    version = st.session_state.get(f"{key}-version", 0)
    return key if version == 0 else f"{key}-{version}"


def chosen_id(key: str) -> str | None:
    """The id of the record chosen in this table (None: none)."""
    return st.session_state.get(f"{key}-chosen")


def choose(key: str, record_id: str | None) -> None:
    """Choose a record by id (the 'next' button after a save); the table follows on its next draw."""
    st.session_state[f"{key}-chosen"] = record_id


def current(key: str) -> str | None:
    """The id chosen now: a click since the last draw (read against the order the user saw), else
    the record chosen before. Changes nothing; follow() keeps it."""
    s = st.session_state
    selected = _selected(key)
    if selected != s.get(f"{key}-drawn", []):
        seen = s.get(f"{key}-order", [])
        return seen[selected[0]] if selected and selected[0] < len(seen) else None
    return s.get(f"{key}-chosen")


def _selected(key: str) -> list[int]:
    state = st.session_state.get(widget_key(key))
    return list(state["selection"]["rows"]) if state else []


def follow(rows: pd.DataFrame, key: str, id_column: str) -> tuple[str, dict | None, int | None]:
    """Before the table is drawn: which record is chosen, by id. A click since the last draw is read
    against the order the user saw (kept at that draw), not today's order. Returns the widget key to
    draw with, its selection_default and the chosen row's position in rows (or None)."""
    s = st.session_state
    ids = rows[id_column].tolist()
    selected = _selected(key)
    if selected != s.get(f"{key}-drawn", []):  # the user clicked (or cleared) since the last draw
        seen = s.get(f"{key}-order", [])
        s[f"{key}-chosen"] = seen[selected[0]] if selected and selected[0] < len(seen) else None
    chosen = s.get(f"{key}-chosen")
    position = ids.index(chosen) if chosen in ids else None
    if position is None:
        s[f"{key}-chosen"] = None  # left the list (a filter, a load): nothing chosen, no stale row
    want = [] if position is None else [position]
    if want != selected:  # the list moved under the selection: draw afresh with the chosen row selected
        s[f"{key}-version"] = s.get(f"{key}-version", 0) + 1
    s[f"{key}-order"], s[f"{key}-drawn"] = ids, want
    default = {"selection": {"rows": want, "columns": []}} if want else None
    return widget_key(key), default, position
