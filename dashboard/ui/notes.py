"""Short notes pages share: the data date, and what each loaded file gave."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.store import build_state
from dashboard.store.settings import stored
from dashboard.ui.markdown import escape_markdown
from dashboard.ui.session import KEY as IDENTITY
from dashboard.views import inbox

INBOX_ROLES = ("director", "admin")  # who is told when exports stop arriving


def data_as_of(when: dt.date | None, today: dt.date | None = None) -> None:
    """The one date the page counts from (the latest activity in the data: flags, due, overdue and days
    left are as of it), and, when it is older than the settings' reports.stale_after_days, a warning
    at the top of the page that says so."""
    inbox_quiet()
    sites_seen()
    if when is None:
        return
    day, today = pd.Timestamp(when).date(), today or dt.date.today()
    age = (today - day).days
    if age > stored().whole("reports", "stale_after_days"):
        st.warning(
            f"**These data are {age} days old.** The latest activity in them is {day:%d %b %Y}: flags, scores, "
            f"days left, due and overdue are as of that date, not today ({today:%d %b %Y}). "
            "A newer export brings them up to date.",
            icon=":material/history:",
        )
    else:
        st.caption(f"Data as of **{day:%d %b %Y}**: flags, days left, due and overdue are counted from this date.")
    build_progress()


def sites_seen() -> None:
    """A director limited to some sites is told which: every count on the page is theirs only."""
    identity = st.session_state.get(IDENTITY)
    sites = identity.scope_sites if identity is not None else None
    if sites:
        st.caption(
            f":material/location_on: **{escape_markdown(', '.join(sites))}** only: your account sees "
            f"{'this site' if len(sites) == 1 else 'these sites'}; counts and lists are theirs."
        )


def inbox_quiet() -> None:
    """Directors and administrators: when no export has arrived in the watched inbox for longer than
    inbox.stale_after_hours, or its watcher stopped looking."""
    identity = st.session_state.get(IDENTITY)
    if identity is None or identity.role not in INBOX_ROLES:
        return
    for problem in inbox.quiet():
        st.warning(escape_markdown(problem), icon=":material/inbox:")


def build_progress() -> None:
    """Whether the latest load's second step (every mart rebuilt) is still to come."""
    still_building(build_state.pending_since())


STUCK_MINUTES = 15  # the second step takes about a minute at 50,000 participants (docs/scale.md)


def still_building(since: dt.datetime | None, now: dt.datetime | None = None) -> None:
    """After a load that touched few participants, until the second step has rebuilt every mart."""
    if since is None:
        return
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    minutes = (now - since).total_seconds() / 60
    if minutes > STUCK_MINUTES:
        st.warning(
            f"**The latest load is not finished** ({minutes:.0f} minutes since {since:%H:%M} UTC): its new rows are "
            "shown, but expected ranges, the alert check, quality measures and the flags of people without new rows "
            "are from the load before. An administrator can finish it with `python -m etl refresh`.",
            icon=":material/sync_problem:",
        )
    else:
        st.caption(
            f":material/sync: **Updating** since {since:%H:%M} UTC: the latest rows are shown; expected ranges, "
            "quality measures and the flags of people without new rows catch up within minutes. Reload to see them."
        )


def load_results(results) -> None:
    """What each loaded file gave: file names, messages and reject reasons come from the files, so
    they are shown as typed."""
    for r in results:
        if r.status == "failed":
            st.error(escape_markdown(r.message))
        elif r.status == "unchanged":
            st.info(f"{escape_markdown(r.path.name)}: {escape_markdown(r.message)}")
        else:
            c = r.counts
            st.success(
                f"{escape_markdown(r.path.name)} ({r.kind}): read {c['read']:,}, loaded {c['loaded']:,}, "
                f"updated {c['updated']:,}, rejected {c['rejected']:,}, exact duplicates {c['duplicate']:,}"
            )
            for count, example in r.reasons:
                st.caption(f"rejected {count:,} × {escape_markdown(example)}")
