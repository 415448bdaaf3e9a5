"""Entry point: navigation only. Every page is listed here (st.navigation turns off pages/ discovery)."""
import streamlit as st

from dashboard.navigation import mark_navigation

st.set_page_config(page_title="IOP outcomes", page_icon="📈", layout="wide")

navigation = st.navigation([
    st.Page("pages/summary.py", title="Program summary", default=True),
    st.Page("pages/overview.py", title="Program overview"),
    st.Page("pages/cohorts.py", title="Cohort outcomes"),
    st.Page("pages/caseload.py", title="Caseload"),
    st.Page("pages/participant.py", title="Participant progress"),
])
mark_navigation()
navigation.run()
