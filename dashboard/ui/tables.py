"""The caseload worklist and a group's roster: most urgent first, priority in words with a mark and a
coloured cell, one row selectable."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.charts.style import FLAG_COLOURS
from dashboard.ui import row_choice

WORKLIST_ROWS = 25  # rows in view at once; the header stays in view as the table scrolls

ROW_PX = 35


def _priority_fills() -> dict[int, str]:
    """Cell styles by priority rank (clinical/flag_rules.py PRIORITY): safety, red, amber, none."""
    return {
        # black on the safety orange is 5.4:1 (white was 3.9:1, under WCAG AA's 4.5:1)
        0: f"background-color: {FLAG_COLOURS['red']}; color: black; font-weight: bold",
        1: "background-color: #f6d0bd",
        2: "background-color: #fbe3b0",
        3: "",
    }


PAGE_ROWS = 200  # a whole program's open episodes (5,000 at 50 k participants) are never sent at once


def _page(rows: pd.DataFrame, key: str, id_column: str, size: int) -> pd.DataFrame:
    """At most `size` rows of a long list, with a picker of the pages: the page the user turned to,
    else the one holding the chosen record (so a re-sorted list brings its page along with it)."""
    if len(rows) <= size:
        return rows
    pages, s = -(-len(rows) // size), st.session_state
    widget, shown = f"{key}-page", f"{key}-page-shown"
    picked, chosen = s.get(widget), row_choice.current(key)
    ids = rows[id_column].tolist()
    if picked is not None and picked != s.get(shown):  # turned by the user: browsing, the choice may leave
        page = picked
    elif chosen in ids:
        page = ids.index(chosen) // size
    else:
        page = picked or 0
    page = min(page, pages - 1)
    s[widget] = s[shown] = page
    st.selectbox(
        "Rows shown",
        range(pages),
        key=widget,
        format_func=lambda p: (
            f"{p * size + 1:,}–{min((p + 1) * size, len(rows)):,} of {len(rows):,}, most urgent first"
        ),
    )
    return rows.iloc[page * size : (page + 1) * size]


def worklist_table(caseload, show_clinician: bool):
    """The caseload worklist, most urgent first, priority in words with a mark and a coloured cell;
    returns the chosen episode's row (a Series) or None, followed by episode when the list re-sorts
    (ui/row_choice.py). The clinician column is for those who see more
    than their own caseload; the authorization columns for programs that load authorizations
    (the days left in red when a continued-stay review is due). A long list comes a page at a time."""
    rows = _page(caseload.rows, "worklist", "episode_id", PAGE_ROWS)
    auth = caseload.authorizations
    # the decisive columns first, so they are in view at 1024 px: priority, participant, flags, latest scores
    columns = [
        "priority",
        "participant_id",
        "flags",
        *caseload.instruments,
        *(["auth_ends"] if auth else []),
        *(["clinician"] if show_clinician else []),
        "week_in_program",
        "attendance_recent",
        "hours_vs_asam",
        *(["auth_used"] if auth else []),
        "track",
        "handled",
    ]
    table = rows[columns].astype(object).fillna("")
    fills = _priority_fills()
    red = fills[0]
    ranks = rows["rank"].tolist()
    soon = rows["auth_soon"].tolist()
    styled = table.style.apply(lambda col: [fills[r] for r in ranks], subset=["priority"])
    if auth:
        styled = styled.apply(lambda col: [red if s else "" for s in soon], subset=["auth_ends"])
    # pandas renders every cell of a Styler for Streamlit (~1 s for 5,000 open episodes), though only the
    # first columns are coloured, in some rows: only the rows and columns up to the last coloured cell are
    # rendered; every other cell is shown as its value, as it would be rendered (strings and whole
    # numbers, no formats).
    coloured = max((i + 1 for i, (r, s) in enumerate(zip(ranks, soon)) if fills[r] or (auth and s)), default=1)
    last_column = columns.index("auth_ends" if auth else "priority") + 1
    key, default, position = row_choice.follow(rows, "worklist", "episode_id")
    with pd.option_context("styler.render.max_columns", last_column, "styler.render.max_rows", coloured):
        st.dataframe(
            styled,
            hide_index=True,
            key=key,
            on_select="rerun",
            selection_mode="single-row",
            selection_default=default,
            alt="Open episodes, most urgent first: select a row to act on that participant's flags",
            height=ROW_PX * (min(len(table), WORKLIST_ROWS) + 1) + 3,
            column_config={
                "priority": st.column_config.TextColumn("Priority", width="small", pinned=True),
                "participant_id": st.column_config.TextColumn("Participant", width="small", pinned=True),
                "auth_ends": st.column_config.TextColumn(  # its own width: "11 days (02 Feb)" whole
                    "Authorization ends",
                    help="Days left of the payer's authorization (its run of blocks without a gap), counted from "
                    "the data date like every flag; red at the settings' authorization.ends_soon_days or fewer, "
                    "or ended.",
                ),
                "clinician": st.column_config.TextColumn("Clinician", width="small"),
                "flags": st.column_config.TextColumn("Active flags", width="medium"),
                "week_in_program": st.column_config.NumberColumn("Week", width="small"),
                **{c: st.column_config.TextColumn(f"{c} (change)", width="small") for c in caseload.instruments},
                "attendance_recent": st.column_config.TextColumn(f"Attended, last {caseload.recent_days} days"),
                "hours_vs_asam": st.column_config.TextColumn("Hours last week / ASAM min"),
                "auth_used": st.column_config.TextColumn(
                    "Used of authorized",
                    help="Hours and days attended in the authorization in use, against what it authorizes.",
                ),
                "track": "Track",
                "handled": st.column_config.TextColumn("Acknowledged or snoozed", width="medium"),
            },
        )
    return None if position is None else rows.iloc[position]


def roster_table(roster: pd.DataFrame, key: str, show_clinician: bool):
    """A group's members, most urgent first, priority coloured as on the caseload; returns the
    chosen member (a Series) or None, followed by episode as the roster changes."""
    # the short attendance facts before the long score texts: at 1024 px they stay in view
    columns = [
        "priority",
        "participant_id",
        *(["clinician"] if show_clinician else []),
        "flags",
        "attendance",
        "last_attended",
        "on_the_day",
        "last_scores",
        "recovery",
    ]
    fills = _priority_fills()
    ranks = roster["rank"].tolist()
    styled = (
        roster[columns]
        .astype(object)
        .fillna("")
        .style.apply(lambda col: [fills[r] for r in ranks], subset=["priority"])
    )
    widget, default, position = row_choice.follow(roster, key, "episode_id")
    st.dataframe(
        styled,
        hide_index=True,
        key=widget,
        on_select="rerun",
        selection_mode="single-row",
        selection_default=default,
        alt="The group's members, most urgent first: select a row to open that participant's progress",
        column_config={
            "priority": st.column_config.TextColumn("Priority", width="small", pinned=True),
            "participant_id": st.column_config.TextColumn("Participant", width="small", pinned=True),
            "clinician": st.column_config.TextColumn("Clinician", width="small"),
            "flags": st.column_config.TextColumn("Open flags", width="medium"),
            "recovery": st.column_config.TextColumn("Expected recovery", width="medium"),
            "last_scores": st.column_config.TextColumn(
                "Last scores",
                width="large",
                help="Each instrument's last score up to the day, with its direction since the score before",
            ),
            "attendance": st.column_config.TextColumn(
                "Before this day", width="small", help="Scheduled sessions in a row attended or missed"
            ),
            "last_attended": st.column_config.TextColumn("Last attended", width="small"),
            "on_the_day": st.column_config.TextColumn("On the day", width="small"),
        },
    )
    return None if position is None else roster.iloc[position]
