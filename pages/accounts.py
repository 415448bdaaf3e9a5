"""Accounts (administrators): who may sign in, as what; add, reset a password, disable or enable.
Each change is made in its button's callback, so it is stored before the page says so, and audited."""

import streamlit as st

from dashboard.access.accounts import listing
from dashboard.access.pages import ROLES
from dashboard.access.signin_policy import MIN_PASSWORD_LENGTH
from dashboard.ui import account_actions as actions
from dashboard.ui import session

session.require("accounts")
st.title("Accounts")
actions.show_outcome()

table = listing()
st.caption(f"{len(table):,} accounts. A disabled account, or one whose password is reset, is signed out at once.")
st.dataframe(
    table,
    hide_index=True,
    key="accounts_table",
    column_config={
        "user_name": "User name",
        "display_name": "Name",
        "role": "Role",
        "clinician": "Clinician",
        "sites": "Sites (directors)",
        "sign_in": "Signs in with",
        "status": "Status",
        "demo": "Demo",
        "created_at": "Created (UTC)",
        "updated_at": "Changed (UTC)",
        "last_sign_in": "Last sign-in (UTC)",
    },
)

add, change = st.columns(2)
with add.form("add_account", clear_on_submit=True):
    st.subheader("Add an account")
    st.text_input("User name (or the organisation email for OIDC sign-in)", key="new_user")
    st.selectbox("Role", ROLES, key="new_role")
    st.text_input("Name shown in the dashboard", key="new_name")
    st.text_input("Clinician name as the exports spell it (clinicians only)", key="new_clinician")
    st.text_area("Sites a director sees, one per line as the exports spell them (empty: every site)", key="new_sites")
    st.toggle("Signs in with the organisation's account (no password)", key="new_sso")
    st.text_input(f"Password (at least {MIN_PASSWORD_LENGTH} characters)", type="password", key="new_password")
    st.form_submit_button("Add account", on_click=actions.add)

with change.form("change_account", clear_on_submit=True):
    st.subheader("Change an account")
    st.selectbox("Account", table["user_name"].tolist(), key="change_user")
    st.radio("Change", ["reset password", "disable", "enable", "sites"], horizontal=True, key="change_kind")
    st.text_input(
        f"New password (for a reset; at least {MIN_PASSWORD_LENGTH} characters)", type="password", key="change_password"
    )
    st.text_area("Sites (for a director; one per line, empty: every site)", key="change_sites")
    st.form_submit_button("Apply", on_click=actions.change)
