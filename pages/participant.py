"""Participant progress: one person's episode walked through in a case review."""

import streamlit as st

from dashboard.charts.attendance import attendance_calendar, weekly_hours
from dashboard.charts.items import item_heatmap
from dashboard.charts.subscales import subscale_chart
from dashboard.charts.trajectory import trajectory
from dashboard.documents import stay_packet
from dashboard.documents.case_review import case_review_files
from dashboard.documents.formats import renderer_available
from dashboard.store import audit, db, stay_justifications
from dashboard.ui import downloads, figures, session
from dashboard.ui.forms import flag_action_form, stay_justification_form
from dashboard.ui.markdown import escape_markdown
from dashboard.ui.notes import data_as_of
from dashboard.ui.pickers import episode_picker, participant_picker
from dashboard.views import stay_review, words
from dashboard.views.participant import episode_view, participant_episodes, review_table

identity = session.require("participant")
st.title("Participant progress")

participant_id = participant_picker()
if not participant_id:
    st.info("Choose a participant on the Caseload page, or type a participant id.")
    st.stop()

try:
    episodes = participant_episodes(participant_id)
except db.NoData as e:
    st.info(str(e))
    st.stop()
if not len(episodes):
    # the same words whether the participant does not exist or is not in this clinician's caseload (director's sites)
    st.warning(
        f"No participant {escape_markdown(participant_id)} in "
        + (
            "your caseload."
            if identity.scope_clinician
            else "your sites."
            if identity.scope_sites
            else "the loaded data."
        )
    )
    st.stop()
episode_id = episode_picker(episodes)
view = episode_view(participant_id, episode_id, episodes=episodes)
if session.first_in_visit(view.participant_id, view.episode["episode_id"]):
    audit.record(
        "view_participant",
        identity.user,
        identity.role,
        page="participant",
        participant_id=view.participant_id,
        episode_id=view.episode["episode_id"],
    )

data_as_of(view.data_as_of)
st.markdown(f"**{escape_markdown(view.participant_id)}** · {escape_markdown(view.label)}")

e = view.episode
# one line of facts, not metric tiles: tiles cut "Substance Use" to "Subst…" at 1024 px
st.markdown(
    f"**Track:** {escape_markdown(e['program'] or 'not recorded')} · **Admitted:** {e['admit_date']:%d %b %Y} · "
    f"**Week in program:** {view.week_in_program} · **Clinician:** {escape_markdown(e['primary_clinician'] or 'not recorded')}"
    f" · **Status:** {escape_markdown(view.status)}"
)

flags = view.flags  # open first, then snoozed, then acknowledged; safety, red, amber within each
for flag in flags.itertuples():
    text = f"**{escape_markdown(flag.label)}** — {escape_markdown(flag.explanation)}"
    if flag.status != "active":  # the note is typed by staff: shown as typed
        state = flag.status if flag.status != "snoozed" else f"snoozed until {words.day(flag.snooze_until)}"
        text += f"  \n_{state} by {escape_markdown(flag.author)} \\({escape_markdown(flag.action_taken)}\\): {escape_markdown(flag.note)}_"
    # each priority its own box and icon shape, so a safety item is not one red box among others
    show, icon = (
        (
            (st.error, ":material/emergency:")
            if flag.priority == 0
            else (st.error, ":material/error:")
            if flag.priority == 1
            else (st.warning, ":material/warning:")
        )
        if flag.status == "active"
        else (st.info, ":material/task_alt:")
    )
    show(text, icon=icon)
if not (flags["status"] == "active").any():
    st.success("No open flags." + (" Those above were acknowledged or snoozed." if len(flags) else ""))

st.subheader("Scores")
weeks = st.toggle(
    "Treatment weeks",
    key="weeks_axis",
    help="Week 1 holds the admission day and the six days after it: the week numbers of the header and the flags.",
)
if not view.instruments:
    st.caption("No scores in this episode yet.")
for instrument in view.total_instruments:
    bands = view.bands[view.bands["instrument"] == instrument]
    figures.show(
        trajectory(
            instrument,
            view.scores[view.scores["instrument"] == instrument],
            bands,
            view.outcome(instrument),
            view.expected[view.expected["instrument"] == instrument],
            view.flags[view.flags["instrument"] == instrument],
            e["admit_date"],
            weeks,
            view.end_date,
            e["discharge_date"],
            view.follow_ups[view.follow_ups["instrument"] == instrument],
        ),
        key=f"trajectory-{instrument}",
    )
    expected = view.expected[view.expected["instrument"] == instrument]
    if len(expected) and not expected["available"].any():
        st.caption(
            f"Expected recovery for {escape_markdown(instrument)}: {escape_markdown(expected['note'].dropna().iloc[0])}."
        )

for instrument in view.subscale_instruments:
    figures.show(
        subscale_chart(instrument, view.subscales[view.subscales["instrument"] == instrument]),
        key=f"subscales-{instrument}",
    )

outcomes = view.outcome_table()
if len(outcomes):
    st.subheader("Outcome summary")
    st.dataframe(
        outcomes,
        hide_index=True,
        key="outcomes",
        column_config={
            "Change": st.column_config.TextColumn(width="medium"),
            "Category": st.column_config.TextColumn(width="medium"),
        },
    )
    for line in view.recovery_lines():  # the expected range behind each status (not on track: also a flag)
        st.caption(escape_markdown(line))

if view.item_instruments:
    st.subheader("Item answers")
    for instrument in view.item_instruments:
        figures.show(
            item_heatmap(instrument, view.items[view.items["instrument"] == instrument], view.total_only(instrument)),
            key=f"items-{instrument}",
        )

st.subheader("Attendance")
if len(view.sessions):
    figures.show(attendance_calendar(view.sessions), key="calendar")
else:
    st.caption("No sessions recorded in this episode.")
if len(view.weeks):
    figures.show(weekly_hours(view.weeks), key="hours")

st.subheader("Act on a flag")
flag_action_form(flags, key="participant")
reviews = review_table(view.episode["episode_id"])
if len(reviews):
    st.subheader("Structured reviews of not-on-track alerts")
    st.dataframe(
        reviews,
        hide_index=True,
        key="reviews",
        column_config={"Plan change": st.column_config.TextColumn(width="large")},
    )

st.subheader("Continued-stay review")
st.caption("For the payer's utilization review: these tables and the latest justification are the one-page PDF.")
stay_justification_form(view.participant_id, view.episode["episode_id"])
stay = stay_review.packet(view)
for title, table in stay.sections():
    st.markdown(f"**{title}**")
    if len(table):
        st.dataframe(table, hide_index=True, key=f"stay-{title}")
    else:
        st.caption("None.")
written = stay_justifications.justifications(view.episode["episode_id"])
if len(written):
    st.markdown("**Justifications written** (the newest is in the packet)")
    st.dataframe(
        written.rename(columns={"created_at": "When (UTC)", "author": "By", "text": "Justification"}),
        hide_index=True,
        key="stay-justifications",
        column_order=["When (UTC)", "By", "Justification"],
        column_config={"Justification": st.column_config.TextColumn(width="large")},
    )
if stay.justification is None:
    st.caption("The packet can be downloaded once a justification is saved: the payer reads it with the figures.")
elif not renderer_available():
    st.caption("The PDF needs Chromium on the server (apt-get install chromium).")
else:
    downloads.button(
        "Download continued-stay packet (PDF)",
        lambda: stay_packet.pdf(stay),
        f"continued-stay-{view.participant_id}.pdf",
        "application/pdf",
        "stay_pdf",
        "participant",
        "continued-stay packet PDF",
        f"episode {view.episode['episode_id']}",
        rows=1,  # one episode's record
        participant_id=view.participant_id,
    )

st.subheader("Case review export")
st.caption("One PDF (a page per section) or one PNG of this episode, for the case review; built when downloaded.")
if not renderer_available():
    st.caption("Static images need Chromium on the server (apt-get install chromium).")
    st.stop()
pdf, png = st.columns(2)
with pdf:
    downloads.button(
        "Download PDF",
        lambda: case_review_files(view, ("pdf",))["pdf"],
        f"case-review-{view.participant_id}.pdf",
        "application/pdf",
        "case_review_pdf",
        "participant",
        "case review PDF",
        f"episode {view.episode['episode_id']}",
        rows=1,  # one episode's record
        participant_id=view.participant_id,
    )
with png:
    downloads.button(
        "Download PNG",
        lambda: case_review_files(view, ("png",))["png"],
        f"case-review-{view.participant_id}.png",
        "image/png",
        "case_review_png",
        "participant",
        "case review PNG",
        f"episode {view.episode['episode_id']}",
        rows=1,  # one episode's record
        participant_id=view.participant_id,
    )
