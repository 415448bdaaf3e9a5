"""Short notes pages share: the data date, and what each loaded file gave."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.store.settings import stored
from dashboard.ui.markdown import escape_markdown


def data_as_of(when: dt.date | None, today: dt.date | None = None) -> None:
    """The one date the page counts from (the latest activity in the data: flags, due, overdue and days
    left are as of it), and, when it is older than the settings' reports.stale_after_days, a warning
    at the top of the page that says so."""
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
