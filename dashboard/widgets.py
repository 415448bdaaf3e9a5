"""Streamlit pieces shared by pages (kept out of pages so pages stay storyboards)."""
from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import streamlit as st

from dashboard import state


def current_user() -> str:
    """Who is acting: the signed-in user when sign-in is configured, else IOP_USER or 'local user'."""
    try:
        if st.user.is_logged_in:
            return st.user.get("email") or st.user.get("name")
    except (AttributeError, KeyError):
        pass
    return os.environ.get("IOP_USER", "local user")


def data_as_of(when: dt.date | None) -> None:
    if when is not None:
        st.caption(f"Data as of **{pd.Timestamp(when):%d %b %Y}**")


def flag_action_form(flags: pd.DataFrame, key: str, today: dt.date | None = None) -> None:
    """Acknowledge or snooze one of these flags (rows of flags with status), with a note and the action taken."""
    open_flags = flags[flags["status"] != "acknowledged"]
    if not len(open_flags):
        st.caption("No flags to act on.")
        return
    choices = {f"{r.participant_id}: {r.label} — {r.explanation}": r._asdict() for r in open_flags.itertuples(index=False)}
    if saved := st.session_state.pop(f"{key}-saved", None):
        st.success(saved)
    with st.form(key=f"{key}-form", clear_on_submit=True):
        chosen = st.selectbox("Flag", list(choices), key=f"{key}-flag")
        kind = st.radio("Action", ["acknowledge", "snooze"], horizontal=True, key=f"{key}-kind",
                        help="Safety flags can be acknowledged, never snoozed.")
        action_taken = st.selectbox("Action taken", state.ACTIONS_TAKEN, key=f"{key}-taken")
        until = st.date_input("Snooze until", value=(today or dt.date.today()) + dt.timedelta(days=7), key=f"{key}-until")
        note = st.text_area("Note", key=f"{key}-note", placeholder="What was decided in the case review")
        if st.form_submit_button("Save"):
            try:
                state.record_action(choices[chosen], "snoozed" if kind == "snooze" else "acknowledged", action_taken,
                                    note, current_user(), snooze_until=until if kind == "snooze" else None, today=today)
            except state.ActionRefused as e:
                st.error(f"Not saved: {e}.")
            else:
                st.session_state[f"{key}-saved"] = f"Saved: {chosen.split(' — ')[0]} {kind}d by {current_user()}."
                st.rerun()
