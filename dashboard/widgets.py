"""Streamlit pieces shared by pages (kept out of pages so pages stay storyboards)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import state


def data_as_of(when: dt.date | None) -> None:
    if when is not None:
        st.caption(f"Data as of **{pd.Timestamp(when):%d %b %Y}**")


WORKLIST_ROWS = 25          # rows in view at once; the header stays in view as the table scrolls
ROW_PX = 35


def _priority_fills() -> dict[int, str]:
    """Cell styles by priority rank (flag_labels.priority_ranks): safety, red, amber, none."""
    from dashboard.charts.style import FLAG_COLOURS
    return {0: f"background-color: {FLAG_COLOURS['red']}; color: white; font-weight: bold",
            1: "background-color: #f6d0bd", 2: "background-color: #fbe3b0", 3: ""}


def worklist_table(caseload, show_clinician: bool):
    """The caseload worklist, most urgent first, priority in words with a mark and a coloured cell;
    returns the selected row (a Series) or None. The clinician column is for those who see more
    than their own caseload; the authorization columns for programs that load authorizations
    (the days left in red when a continued-stay review is due)."""
    rows = caseload.rows
    auth = caseload.authorizations
    columns = ["priority", "participant_id", *(["auth_ends"] if auth else []), *(["clinician"] if show_clinician else []),
               "flags", "week_in_program", *caseload.instruments, "attendance_recent", "hours_vs_asam",
               *(["auth_used"] if auth else []), "track", "handled"]
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
    with pd.option_context("styler.render.max_columns", last_column, "styler.render.max_rows", coloured):
        selection = st.dataframe(
            styled, hide_index=True, key="worklist", on_select="rerun", selection_mode="single-row",
            height=ROW_PX * (min(len(table), WORKLIST_ROWS) + 1) + 3,
            column_config={"priority": st.column_config.TextColumn("Priority", width="small", pinned=True),
                           "participant_id": st.column_config.TextColumn("Participant", width="small", pinned=True),
                           "auth_ends": st.column_config.TextColumn(      # its own width: "11 days (02 Feb)" whole
                               "Authorization ends",
                               help="Days left of the payer's authorization (its run of blocks without a gap); "
                                    "red at the settings' authorization.ends_soon_days or fewer, or ended."),
                           "clinician": st.column_config.TextColumn("Clinician", width="small"),
                           "flags": st.column_config.TextColumn("Active flags", width="medium"),
                           "week_in_program": st.column_config.NumberColumn("Week", width="small"),
                           **{c: st.column_config.TextColumn(f"{c} (change)", width="small") for c in caseload.instruments},
                           "attendance_recent": st.column_config.TextColumn(f"Attended, last {caseload.recent_days} days"),
                           "hours_vs_asam": st.column_config.TextColumn("Hours last week / ASAM min"),
                           "auth_used": st.column_config.TextColumn(
                               "Used of authorized", help="Hours and days attended in the authorization in use, "
                                                          "against what it authorizes."),
                           "track": "Track",
                           "handled": st.column_config.TextColumn("Acknowledged or snoozed", width="medium")})
    picked = [i for i in selection.selection.rows if i < len(rows)]
    return rows.iloc[picked[0]] if picked else None


def flag_action_form(flags: pd.DataFrame, key: str, today: dt.date | None = None) -> None:
    """Acknowledge or snooze one of these flags (rows of flags with status; one participant's), with a
    note and the action taken; the most urgent open flag is chosen to start with. Acknowledging a
    not-on-track alert asks for the structured review (state.REVIEW_AREAS), so the flag is chosen
    outside the form: the form then shows what that flag needs. The Save button's callback writes
    the action before the page runs again, so it is stored before the page says so, and a reload
    straight after cannot lose it."""
    if outcome := st.session_state.pop(f"{key}-outcome", None):
        (st.success if outcome[0] == "saved" else st.error)(outcome[1])
    open_flags = flags[flags["status"] != "acknowledged"]
    if not len(open_flags):
        st.caption("No flags to act on.")
        return
    choices = {f"{r.participant_id}: {r.label} — {r.explanation}": r._asdict() for r in open_flags.itertuples(index=False)}
    if st.session_state.get(f"{key}-flag") not in choices:      # another participant chosen: start at the top
        st.session_state[f"{key}-flag"] = next(iter(choices))
    chosen = st.selectbox("Flag", list(choices), key=f"{key}-flag")
    reviewed = choices[chosen]["rule_id"] in state.REVIEWED_RULES
    with st.form(key=f"{key}-form"):        # emptied once saved (not on submit: a refusal keeps what was typed)
        st.radio("Action", ["acknowledge", "snooze"], horizontal=True, key=f"{key}-kind",
                 help="Safety flags can be acknowledged, never snoozed."
                      + (" Acknowledging this alert records the review below." if reviewed else ""))
        st.selectbox("Action taken", state.ACTIONS_TAKEN, key=f"{key}-taken")
        st.date_input("Snooze until", value=(today or dt.date.today()) + dt.timedelta(days=7), key=f"{key}-until")
        st.text_area("Note", key=f"{key}-note", placeholder="What was decided in the case review")
        if reviewed:
            _review_fields(key)
        st.form_submit_button("Save", on_click=_save_flag_action, args=(key, choices, today))


def _review_fields(key: str) -> None:
    st.markdown("**Structured review** (not on track): what was looked at, and what changes")
    left, right = st.columns(2)
    for i, (area, title) in enumerate(state.REVIEW_AREAS.items()):
        (left if i % 2 == 0 else right).radio(title, state.REVIEW_FINDINGS, horizontal=True, key=f"{key}-review-{area}")
    st.radio("Level of care", state.LEVEL_OF_CARE_CHANGES, horizontal=True, key=f"{key}-review-level_of_care")
    st.text_area("Plan change", key=f"{key}-review-plan_change",
                 placeholder="What changes in the plan, or why nothing does")


def _save_flag_action(key: str, choices: dict, today: dt.date | None) -> None:
    from dashboard import session
    from dashboard.text import plain
    s = st.session_state
    chosen, kind = s.get(f"{key}-flag"), "snooze" if s.get(f"{key}-kind") == "snooze" else "acknowledge"
    fields = (*state.REVIEW_AREAS, "level_of_care", "plan_change")
    review = {f: s.get(f"{key}-review-{f}") for f in fields} if chosen in choices and \
        choices[chosen]["rule_id"] in state.REVIEWED_RULES else None
    try:
        user = session.acting().user
        if chosen not in choices:
            raise state.ActionRefused("choose a flag")
        state.record_action(choices[chosen], "snoozed" if kind == "snooze" else "acknowledged", s.get(f"{key}-taken"),
                            s.get(f"{key}-note", ""), user, snooze_until=s.get(f"{key}-until") if kind == "snooze"
                            else None, today=today, review=review)
    except (state.ActionRefused, session.SessionEnded) as e:
        s[f"{key}-outcome"] = ("refused", f"Not saved: {plain(e)}.")
    else:
        done = "acknowledged with its review" if review and kind == "acknowledge" else f"{kind}d"
        # an empty form again: set to the defaults, not deleted (a deleted key leaves the browser's value)
        defaults = {"kind": "acknowledge", "taken": state.ACTIONS_TAKEN[0], "note": "",
                    "until": (today or dt.date.today()) + dt.timedelta(days=7),
                    **{f"review-{a}": state.REVIEW_FINDINGS[0] for a in state.REVIEW_AREAS},
                    "review-level_of_care": state.LEVEL_OF_CARE_CHANGES[0], "review-plan_change": ""}
        for typed, value in defaults.items():
            s[f"{key}-{typed}"] = value
        s[f"{key}-outcome"] = ("saved", f"Saved: {plain(chosen.split(' — ')[0])} {done} by {plain(user)}.")


def group_day_picker(first: dt.date, last: dt.date) -> dt.date:
    """The groups page's date (the last day with a group session by default), kept in the address."""
    from dashboard import view_state as view
    fields = [view.day("groups_day", "day", first, last, last)]
    chosen = view.restore("groups", fields)
    with st.columns([1, 3])[0]:
        st.date_input("Date", key="groups_day", min_value=first, max_value=last, format="YYYY-MM-DD",
                      on_change=view.changed, args=("groups", fields))
    return chosen["groups_day"]


def quality_measure_picker(specs):
    """The quality measures page's measure (kept in the address); returns its Spec."""
    from dashboard import view_state as view
    ids = [s.id for s in specs]
    names = {s.id: f"{s.id} · {s.name}" for s in specs}
    fields = [view.choice("measure", "measure", ids, ids[0])]
    chosen = view.restore("measures", fields)
    st.selectbox("Measure", ids, key="measure", format_func=names.get, on_change=view.changed, args=("measures", fields))
    return next(s for s in specs if s.id == chosen["measure"])


def roster_table(roster: pd.DataFrame, key: str, show_clinician: bool):
    """A group's members, most urgent first, priority coloured as on the caseload; returns the
    selected member (a Series) or None."""
    # the short attendance facts before the long score texts: at 1024 px they stay in view
    columns = ["priority", "participant_id", *(["clinician"] if show_clinician else []), "flags", "attendance",
               "last_attended", "on_the_day", "last_scores", "recovery"]
    fills = _priority_fills()
    ranks = roster["rank"].tolist()
    styled = roster[columns].astype(object).fillna("").style.apply(lambda col: [fills[r] for r in ranks],
                                                                   subset=["priority"])
    selection = st.dataframe(
        styled, hide_index=True, key=key, on_select="rerun", selection_mode="single-row",
        column_config={"priority": st.column_config.TextColumn("Priority", width="small", pinned=True),
                       "participant_id": st.column_config.TextColumn("Participant", width="small", pinned=True),
                       "clinician": st.column_config.TextColumn("Clinician", width="small"),
                       "flags": st.column_config.TextColumn("Open flags", width="medium"),
                       "recovery": st.column_config.TextColumn("Expected recovery", width="medium"),
                       "last_scores": st.column_config.TextColumn(
                           "Last scores", width="large", help="Each instrument's last score up to the day, with its "
                                                              "direction since the score before"),
                       "attendance": st.column_config.TextColumn("Before this day", width="small",
                                                                 help="Scheduled sessions in a row attended or missed"),
                       "last_attended": st.column_config.TextColumn("Last attended", width="small"),
                       "on_the_day": st.column_config.TextColumn("On the day", width="small")})
    picked = [i for i in selection.selection.rows if i < len(roster)]
    return roster.iloc[picked[0]] if picked else None


def stay_justification_form(participant_id: str, episode_id: str, key: str = "stay") -> None:
    """The clinician's justification for a continued stay: saved (and audited) by the button's
    callback before the page runs again, so the packet built in that run carries it; a refusal keeps
    what was typed."""
    from dashboard import stay_review
    if outcome := st.session_state.pop(f"{key}-outcome", None):
        (st.success if outcome[0] == "saved" else st.error)(outcome[1])
    with st.form(key=f"{key}-form"):
        st.text_area("Clinical justification for continued stay", key=f"{key}-text", height=140,
                     max_chars=stay_review.MAX_JUSTIFICATION,
                     placeholder="Why this level of care is still needed: current symptoms and risk, progress against "
                                 "the plan, what the next authorization period will address, discharge criteria")
        st.form_submit_button("Save justification", on_click=_save_justification, args=(participant_id, episode_id, key))


def _save_justification(participant_id: str, episode_id: str, key: str) -> None:
    from dashboard import audit, session, stay_review
    from dashboard.text import plain
    s = st.session_state
    try:
        identity = session.acting()
        text = s.get(f"{key}-text", "")
        stay_review.save_justification(participant_id, episode_id, text, identity.user)
    except (state.ActionRefused, session.SessionEnded) as e:
        s[f"{key}-outcome"] = ("refused", f"Not saved: {plain(e)}.")
        return
    audit.record("stay_justification", identity.user, identity.role, page="participant", participant_id=participant_id,
                 episode_id=episode_id, characters=len(text.strip()))
    s[f"{key}-text"] = ""          # set, not deleted: the browser's text area is emptied too
    s[f"{key}-outcome"] = ("saved", f"Saved: the justification by {plain(identity.user)} is in the packet below.")


def director_filters(opts, dimension: bool = False):
    """Sidebar filters for the overview and cohort pages (one set, shared by both, kept in the
    address); returns a Filters."""
    from dashboard import view_state as view
    from dashboard.filters import DIMENSIONS, Filters, population
    default_start = max(opts.first_admission, opts.data_as_of - dt.timedelta(days=364))
    groupings = [*DIMENSIONS, *opts.group_fields]          # the equity fields the program records
    everyone = "Everyone"
    fields = [view.date_range("filter_dates", opts.first_admission, opts.data_as_of, (default_start, opts.data_as_of)),
              view.choice("filter_track", "track", ["All tracks", *opts.tracks], "All tracks"),
              view.choice("filter_clinician", "clinician", ["All clinicians", *opts.clinicians], "All clinicians"),
              view.choice("filter_age", "age", ["All ages", *opts.age_groups], "All ages"),
              view.choice("filter_population", "population", [everyone, *opts.populations], everyone),
              view.choice("filter_by", "by", groupings, "quarter")]    # kept on the overview too: one address
    values = view.restore("filters", fields)
    keep = {"on_change": view.changed, "args": ("filters", fields)}
    with st.sidebar:
        st.header("Filters")
        st.date_input("Date range", min_value=opts.first_admission, max_value=opts.data_as_of, key="filter_dates", **keep)
        st.selectbox("Track", ["All tracks", *opts.tracks], key="filter_track", **keep)
        st.selectbox("Clinician", ["All clinicians", *opts.clinicians], key="filter_clinician", **keep)
        st.selectbox("Age group", ["All ages", *opts.age_groups], key="filter_age", **keep)
        if opts.populations:
            st.selectbox("Population", [everyone, *opts.populations], key="filter_population", **keep,
                         help="Payer, referral source, diagnosis group, sex or gender, race or ethnicity, as the "
                              "roster records them.")
        if dimension:
            st.selectbox("Cohorts by", groupings, key="filter_by", **keep)
    start, end = values["filter_dates"]
    track, clinician, age = values["filter_track"], values["filter_clinician"], values["filter_age"]
    field, value = population(values["filter_population"])
    return Filters(start, end, None if track == "All tracks" else track,
                   None if clinician == "All clinicians" else clinician, None if age == "All ages" else age,
                   values["filter_by"], field, value)


def caseload_filters(options: pd.DataFrame, scope: str | None) -> tuple[str | None, str | None]:
    """The caseload's clinician and track filters (kept in the address); a clinician sees their own
    caseload only, so gets no clinician filter. Returns (clinician, track), None meaning all."""
    from dashboard import view_state as view
    from dashboard.text import plain
    clinicians = ["All clinicians", *sorted(options["clinician"].dropna().unique())]
    tracks = ["All tracks", *sorted(options["track"].dropna().unique())]
    fields = [view.choice("case_track", "track", tracks, "All tracks")]
    if not scope:
        fields.insert(0, view.choice("case_clinician", "clinician", clinicians, "All clinicians"))
    chosen = view.restore("caseload", fields)
    keep = {"on_change": view.changed, "args": ("caseload", fields)}
    left, right = st.columns(2)
    if scope:
        left.markdown(f"**Your caseload:** {plain(scope)}")
    else:
        left.selectbox("Clinician", clinicians, key="case_clinician", **keep)
    right.selectbox("Track", tracks, key="case_track", **keep)
    clinician, track = chosen.get("case_clinician", "All clinicians"), chosen["case_track"]
    return None if clinician == "All clinicians" else clinician, None if track == "All tracks" else track


def measure_picker(instruments: list[str], everything: str) -> str:
    """The alerts page's measure (`everything`: all measures together), kept in the address."""
    from dashboard import view_state as view
    fields = [view.choice("alerts_instrument", "measure", instruments, everything)]
    chosen = view.restore("alerts", fields)
    st.selectbox("Measure", instruments, key="alerts_instrument", on_change=view.changed, args=("alerts", fields),
                 format_func=lambda i: "All measures together" if i == everything else i)
    return chosen["alerts_instrument"]


def participant_picker() -> str:
    """The participant shown (typed, or chosen on the caseload), kept in the address."""
    from dashboard import view_state as view
    fields = [view.text("participant_input", "participant")]
    chosen = view.restore("participant", fields)
    st.text_input("Participant", key="participant_input", on_change=view.changed, args=("participant", fields))
    return chosen["participant_input"].strip()


def episode_picker(episodes: pd.DataFrame) -> str:
    """Which of the participant's episodes is shown (the latest by default), kept in the address;
    offered by label ("Episode 2: 19 Dec 2025 – open"), not by key."""
    from dashboard import view_state as view
    from dashboard.words import episode_label
    episode_ids = episodes["episode_id"].tolist()
    names = {r.episode_id: episode_label(r.episode_number, r.admit_date, None if pd.isna(r.discharge_date) else r.discharge_date)
             for r in episodes.itertuples()}
    fields = [view.choice("episode_id", "episode", episode_ids, episode_ids[0])]
    chosen = view.restore("episode", fields)
    if len(episode_ids) > 1:
        st.selectbox("Episode", episode_ids, key="episode_id", format_func=names.get, on_change=view.changed,
                     args=("episode", fields))
    return chosen["episode_id"]


def load_results(results) -> None:
    """What each loaded file gave: file names, messages and reject reasons come from the files, so
    they are shown as typed."""
    from dashboard.text import plain
    for r in results:
        if r.status == "failed":
            st.error(plain(r.message))
        elif r.status == "unchanged":
            st.info(f"{plain(r.path.name)}: {plain(r.message)}")
        else:
            c = r.counts
            st.success(f"{plain(r.path.name)} ({r.kind}): read {c['read']:,}, loaded {c['loaded']:,}, "
                       f"updated {c['updated']:,}, rejected {c['rejected']:,}, exact duplicates {c['duplicate']:,}")
            for count, example in r.reasons:
                st.caption(f"rejected {count:,} × {plain(example)}")
