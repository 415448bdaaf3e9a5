"""Forms that write: acting on a flag (with the structured review of a not-on-track alert) and the
continued-stay justification. Each Save button's callback stores the record before the page runs
again, so a reload straight after cannot lose it."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from clinical import flag_rules
from dashboard.store import app_state, audit, flag_actions, stay_justifications
from dashboard.ui import session
from dashboard.ui.markdown import escape_markdown


def flag_action_form(flags: pd.DataFrame, key: str, today: dt.date | None = None) -> None:
    """Acknowledge or snooze one of these flags (rows of flags with status; one participant's), with a
    note and the action taken; the most urgent open flag is chosen to start with. Acknowledging a
    not-on-track alert asks for the structured review (flag_actions.REVIEW_AREAS), so the flag is chosen
    outside the form: the form then shows what that flag needs. The Save button's callback writes
    the action before the page runs again, so it is stored before the page says so, and a reload
    straight after cannot lose it."""
    outcome = st.session_state.pop(f"{key}-outcome", None)
    open_flags = flags[flags["status"] != "acknowledged"]  # in the one order: open, then snoozed
    if not len(open_flags):
        _say(outcome)
        st.caption("No flags to act on.")
        return
    choices = {
        f"{r.participant_id}: {r.label} — {r.explanation}": r._asdict() for r in open_flags.itertuples(index=False)
    }
    if st.session_state.get(f"{key}-flag") not in choices:  # another participant chosen: start at the top
        st.session_state[f"{key}-flag"] = next(iter(choices))
    chosen = st.selectbox("Flag", list(choices), key=f"{key}-flag")
    reviewed = choices[chosen]["rule_id"] in flag_rules.reviewed_rules()
    with st.form(key=f"{key}-form"):  # emptied once saved (not on submit: a refusal keeps what was typed)
        st.radio(
            "Action",
            ["acknowledge", "snooze"],
            horizontal=True,
            key=f"{key}-kind",
            help="Safety flags can be acknowledged, never snoozed."
            + (" Acknowledging this alert records the review below." if reviewed else ""),
        )
        st.selectbox("Action taken", flag_actions.ACTIONS_TAKEN, key=f"{key}-taken")
        st.date_input(
            "Snooze until",
            help=f"A date in real time: the default is {flag_actions.SNOOZE_DAYS} days from today, "
            "whatever the data date.",
            value=(today or dt.date.today()) + dt.timedelta(days=flag_actions.SNOOZE_DAYS),
            key=f"{key}-until",
        )
        st.text_area("Note", key=f"{key}-note", placeholder="What was decided in the case review")
        if reviewed:
            _review_fields(key)
        st.form_submit_button("Save", on_click=_save_flag_action, args=(key, choices, today))
    _say(outcome)  # beside the button that caused it: at 1024 px a tall form puts its top out of view


def _say(outcome: tuple[str, str] | None) -> None:
    if outcome:
        (st.success if outcome[0] == "saved" else st.error)(outcome[1])


def _review_fields(key: str) -> None:
    st.markdown("**Structured review** (not on track): what was looked at, and what changes")
    left, right = st.columns(2)
    for i, (area, title) in enumerate(flag_actions.REVIEW_AREAS.items()):
        (left if i % 2 == 0 else right).radio(
            title, flag_actions.REVIEW_FINDINGS, horizontal=True, key=f"{key}-review-{area}"
        )
    st.radio("Level of care", flag_actions.LEVEL_OF_CARE_CHANGES, horizontal=True, key=f"{key}-review-level_of_care")
    st.text_area(
        "Plan change", key=f"{key}-review-plan_change", placeholder="What changes in the plan, or why nothing does"
    )


def _save_flag_action(key: str, choices: dict, today: dt.date | None) -> None:
    s = st.session_state
    chosen, kind = s.get(f"{key}-flag"), "snooze" if s.get(f"{key}-kind") == "snooze" else "acknowledge"
    fields = (*flag_actions.REVIEW_AREAS, "level_of_care", "plan_change")
    review = (
        {f: s.get(f"{key}-review-{f}") for f in fields}
        if chosen in choices and choices[chosen]["rule_id"] in flag_rules.reviewed_rules()
        else None
    )
    try:
        acting = session.acting()
        user = acting.user
        if chosen not in choices:
            raise app_state.ActionRefused("choose a flag")
        flag_actions.record_action(
            choices[chosen],
            "snoozed" if kind == "snooze" else "acknowledged",
            s.get(f"{key}-taken"),
            s.get(f"{key}-note", ""),
            user,
            snooze_until=s.get(f"{key}-until") if kind == "snooze" else None,
            today=today,
            review=review,
            author=acting.name,
        )
    except (app_state.ActionRefused, session.SessionEnded) as e:
        s[f"{key}-outcome"] = ("refused", f"Not saved: {escape_markdown(e)}.")
    else:
        done = "acknowledged with its review" if review and kind == "acknowledge" else f"{kind}d"
        # an empty form again: set to the defaults, not deleted (a deleted key leaves the browser's value)
        defaults = {
            "kind": "acknowledge",
            "taken": flag_actions.ACTIONS_TAKEN[0],
            "note": "",
            "until": (today or dt.date.today()) + dt.timedelta(days=flag_actions.SNOOZE_DAYS),
            **{f"review-{a}": flag_actions.REVIEW_FINDINGS[0] for a in flag_actions.REVIEW_AREAS},
            "review-level_of_care": flag_actions.LEVEL_OF_CARE_CHANGES[0],
            "review-plan_change": "",
        }
        for typed, value in defaults.items():
            s[f"{key}-{typed}"] = value
        s[f"{key}-flag"] = None  # the next open flag is chosen, not the one just handled
        s[f"{key}-outcome"] = (
            "saved",
            f"Saved: {escape_markdown(chosen.split(' — ')[0])} {done} by {escape_markdown(user)}.",
        )


def stay_justification_form(participant_id: str, episode_id: str, key: str = "stay") -> None:
    """The clinician's justification for a continued stay: saved (and audited) by the button's
    callback before the page runs again, so the packet built in that run carries it; a refusal keeps
    what was typed."""
    outcome = st.session_state.pop(f"{key}-outcome", None)
    with st.form(key=f"{key}-form"):
        st.text_area(
            "Clinical justification for continued stay",
            key=f"{key}-text",
            height=140,
            max_chars=stay_justifications.MAX_JUSTIFICATION,
            placeholder="Why this level of care is still needed: current symptoms and risk, progress against "
            "the plan, what the next authorization period will address, discharge criteria",
        )
        st.form_submit_button(
            "Save justification", on_click=_save_justification, args=(participant_id, episode_id, key)
        )
    _say(outcome)  # beside the button


def _save_justification(participant_id: str, episode_id: str, key: str) -> None:
    s = st.session_state
    try:
        identity = session.acting()
        text = s.get(f"{key}-text", "")
        stay_justifications.save_justification(participant_id, episode_id, text, identity.user, identity.name)
    except (app_state.ActionRefused, session.SessionEnded) as e:
        s[f"{key}-outcome"] = ("refused", f"Not saved: {escape_markdown(e)}.")
        return
    audit.record(
        "stay_justification",
        identity.user,
        identity.role,
        page="participant",
        participant_id=participant_id,
        episode_id=episode_id,
        characters=len(text.strip()),
    )
    s[f"{key}-text"] = ""  # set, not deleted: the browser's text area is emptied too
    s[f"{key}-outcome"] = (
        "saved",
        f"Saved: the justification by {escape_markdown(identity.user)} is in the packet below.",
    )
