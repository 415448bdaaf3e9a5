"""Keeps every page inside the app's own navigation (streamlit_app.py).

Streamlit starts in its legacy multipage mode when a `pages/` folder sits beside the entry point:
until some session has run streamlit_app.py, a direct link such as /caseload runs the page script
alone (no sign-in, no layout, the folder's file names in the sidebar). Each page calls this first;
it switches the process to st.navigation and reruns, which runs the entry point."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

MARK = "_ran_app_navigation"


def mark_navigation() -> None:
    """Called by streamlit_app.py: this session has been through the app's navigation."""
    st.session_state[MARK] = True


def inside_app() -> None:
    if PagesManager.uses_pages_directory and not st.session_state.get(MARK):
        PagesManager.uses_pages_directory = False
        st.rerun()
