"""What a page shows, picked and kept in the address (ui/view_state.py): a day, a measure, a participant, an episode."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.ui import view_state as view
from dashboard.views.words import episode_label


def group_day_picker(first: dt.date, last: dt.date) -> dt.date:
    """The groups page's date (the last day with a group session by default), kept in the address."""
    fields = [view.day("groups_day", "day", first, last, last)]
    chosen = view.restore("groups", fields)
    with st.columns([1, 3])[0]:
        st.date_input(
            "Date",
            key="groups_day",
            min_value=first,
            max_value=last,
            format="YYYY-MM-DD",
            on_change=view.changed,
            args=("groups", fields),
        )
    return chosen["groups_day"]


def quality_measure_picker(specs):
    """The quality measures page's measure (kept in the address); returns its StoredMeasure."""
    ids = [s.id for s in specs]
    names = {s.id: f"{s.id} · {s.name}" for s in specs}
    fields = [view.choice("measure", "measure", ids, ids[0])]
    chosen = view.restore("measures", fields)
    st.selectbox(
        "Measure", ids, key="measure", format_func=names.get, on_change=view.changed, args=("measures", fields)
    )
    return next(s for s in specs if s.id == chosen["measure"])


def measurement_period_picker(periods, data_as_of):
    """The quality measures page's measurement period for the specified count (kept in the address);
    returns its Period: by default the one the data date falls in (DRR-E's intake can already count
    for next year's), else the latest."""
    by_start = {p.start.isoformat(): p for p in periods}
    starts = list(by_start)
    default = next((s for s, p in by_start.items() if p.start <= data_as_of), starts[0])
    fields = [view.choice("measurement_period", "mperiod", starts, default)]
    chosen = view.restore("measures_period", fields)
    st.selectbox(
        "Measurement period",
        starts,
        key="measurement_period",
        format_func=lambda s: by_start[s].label,
        on_change=view.changed,
        args=("measures_period", fields),
    )
    return by_start[chosen["measurement_period"]]


def measure_picker(instruments: list[str], everything: str) -> str:
    """The alerts page's measure (`everything`: all measures together), kept in the address."""
    fields = [view.choice("alerts_instrument", "measure", instruments, everything)]
    chosen = view.restore("alerts", fields)
    st.selectbox(
        "Measure",
        instruments,
        key="alerts_instrument",
        on_change=view.changed,
        args=("alerts", fields),
        format_func=lambda i: "All measures together" if i == everything else i,
    )
    return chosen["alerts_instrument"]


def participant_picker() -> str:
    """The participant shown (typed, or chosen on the caseload), kept in the address."""
    fields = [view.text("participant_input", "participant")]
    chosen = view.restore("participant", fields)
    st.text_input("Participant", key="participant_input", on_change=view.changed, args=("participant", fields))
    return chosen["participant_input"].strip()


def episode_picker(episodes: pd.DataFrame) -> str:
    """Which of the participant's episodes is shown (the latest by default), kept in the address;
    offered by label ("Episode 2: 19 Dec 2025 – open"), not by key."""
    episode_ids = episodes["episode_id"].tolist()
    names = {
        r.episode_id: episode_label(
            r.episode_number, r.admit_date, None if pd.isna(r.discharge_date) else r.discharge_date
        )
        for r in episodes.itertuples()
    }
    fields = [view.choice("episode_id", "episode", episode_ids, episode_ids[0])]
    chosen = view.restore("episode", fields)
    if len(episode_ids) > 1:
        st.selectbox(
            "Episode",
            episode_ids,
            key="episode_id",
            format_func=names.get,
            on_change=view.changed,
            args=("episode", fields),
        )
    return chosen["episode_id"]
