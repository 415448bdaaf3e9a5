"""Short notes pages share: the data date, and what each loaded file gave."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.ui.markdown import escape_markdown


def data_as_of(when: dt.date | None) -> None:
    if when is not None:
        st.caption(f"Data as of **{pd.Timestamp(when):%d %b %Y}**")


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
