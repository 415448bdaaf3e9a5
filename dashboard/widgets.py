"""Streamlit pieces shared by pages (kept out of pages so pages stay storyboards)."""
from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import streamlit as st

from dashboard import state


def current_user() -> str:
    """Who is acting: the signed-in user (IOP_USER only outside a signed-in session, e.g. scripts)."""
    identity = st.session_state.get("identity")
    return identity.user if identity is not None else os.environ.get("IOP_USER", "local user")


def _audit_export(kind: str, key: str, filters: str) -> None:
    from dashboard import audit
    identity = st.session_state.get("identity")
    audit.record("export", identity.user if identity else None, identity.role if identity else None,
                 page=key, kind=kind, filters=filters)


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


def director_filters(opts, key: str, dimension: bool = False):
    """Sidebar filters for the overview and cohort pages; returns a Filters."""
    from dashboard.filters import DIMENSIONS, Filters
    with st.sidebar:
        st.header("Filters")
        default_start = max(opts.first_admission, opts.data_as_of - dt.timedelta(days=364))
        dates = st.date_input("Date range", value=(default_start, opts.data_as_of), min_value=opts.first_admission,
                              max_value=opts.data_as_of, key=f"{key}-dates")
        start, end = (dates if isinstance(dates, (tuple, list)) and len(dates) == 2 else (default_start, opts.data_as_of))
        program = st.selectbox("Track", ["All tracks", *opts.tracks], key=f"{key}-track")
        clinician = st.selectbox("Clinician", ["All clinicians", *opts.clinicians], key=f"{key}-clinician")
        age = st.selectbox("Age group", ["All ages", *opts.age_groups], key=f"{key}-age")
        by = st.selectbox("Cohorts by", DIMENSIONS, key=f"{key}-dimension") if dimension else "quarter"
    return Filters(start, end, None if program == "All tracks" else program,
                   None if clinician == "All clinicians" else clinician, None if age == "All ages" else age, by)


def chart_with_downloads(fig, key: str, filters: str, n, data_as_of) -> None:
    """The chart, and PNG/SVG/PDF downloads (rendered only when asked for)."""
    from dashboard.exports import figure_files
    st.plotly_chart(fig, key=key)
    with st.popover("Download chart", key=f"{key}-downloads"):
        if st.button("Prepare PNG, SVG and PDF", key=f"{key}-prepare"):
            st.session_state[f"{key}-files"] = figure_files(fig, filters, str(n), data_as_of)
            _audit_export("chart", key, filters)
        files = st.session_state.get(f"{key}-files")
        if files and "html" in files:
            st.warning(files["note"].decode() + " — download the interactive HTML instead.")
            st.download_button("HTML", files["html"], file_name=f"{key}.html", mime="text/html", on_click="ignore",
                               key=f"{key}-html")
        elif files:
            for fmt, mime in (("png", "image/png"), ("svg", "image/svg+xml"), ("pdf", "application/pdf")):
                st.download_button(fmt.upper(), files[fmt], file_name=f"{key}.{fmt}", mime=mime, on_click="ignore",
                                   key=f"{key}-{fmt}")


def table_with_downloads(table, key: str, filters: str = "", **dataframe_args) -> None:
    """A table, and CSV/XLSX downloads of exactly what is shown (each download audited when built)."""
    from dashboard.exports import table_csv, table_xlsx

    def csv():
        _audit_export("table CSV", key, filters)
        return table_csv(table)

    def xlsx():
        _audit_export("table XLSX", key, filters)
        return table_xlsx(table, key)
    st.dataframe(table, hide_index=True, key=key, **dataframe_args)
    left, right = st.columns(2)
    left.download_button("CSV", csv, file_name=f"{key}.csv", mime="text/csv", on_click="ignore", key=f"{key}-csv")
    right.download_button("XLSX", xlsx, file_name=f"{key}.xlsx", on_click="ignore",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}-xlsx")
