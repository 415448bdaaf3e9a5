"""Sign in: the only page anyone sees before signing in, whatever address they open."""
import streamlit as st

from dashboard import auth, session

st.title("IOP outcomes dashboard")
st.caption("Mental-health and addiction treatment records (HIPAA, 42 CFR Part 2): sign in to continue.")
if message := st.session_state.pop("sign_in_error", None):
    st.warning(message)
if session.oidc_configured():
    st.button("Sign in with your organisation's account", on_click=st.login, key="oidc", type="primary")
if not (session.oidc_configured() and auth.production()):
    with st.form("sign_in", clear_on_submit=False):
        username = st.text_input("User name", key="username")
        password = st.text_input("Password", type="password", key="password")
        if st.form_submit_button("Sign in"):
            if session.sign_in(username, password):
                st.rerun()
            else:
                st.error(auth.FAILED)
