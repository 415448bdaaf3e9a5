"""Entry point: sign-in and navigation only. Every page is listed here (st.navigation turns off
pages/ discovery); before sign-in the sign-in page is the only page, for every address."""
import streamlit as st

from dashboard import session
from dashboard.navigation import mark_navigation

st.set_page_config(page_title="IOP outcomes", page_icon="📈", layout="wide")

ALL_PAGES = {
    "summary": st.Page("pages/summary.py", title="Program summary"),
    "overview": st.Page("pages/overview.py", title="Program overview"),
    "cohorts": st.Page("pages/cohorts.py", title="Cohort outcomes"),
    "caseload": st.Page("pages/caseload.py", title="Caseload"),
    "participant": st.Page("pages/participant.py", title="Participant progress"),
    "data": st.Page("pages/data.py", title="Data"),
    "audit": st.Page("pages/audit.py", title="Audit trail"),
}

identity = session.current()
if identity is None:
    navigation = st.navigation([st.Page("pages/sign_in.py", title="Sign in", default=True)], position="hidden")
else:
    allowed = session.PAGES[identity.role]
    navigation = st.navigation([ALL_PAGES[name] for name in allowed])
    with st.sidebar:
        st.caption(f"Signed in as **{identity.name}** ({identity.role})")
        st.button("Sign out", on_click=session.sign_out, key="sign_out")
mark_navigation()
navigation.run()
