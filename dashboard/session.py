"""The signed-in identity in a Streamlit session: password sign-in, OIDC (st.login), expiry,
sign-out; each recorded in the audit log."""
from __future__ import annotations

import streamlit as st

from dashboard import audit, auth
from dashboard.navigation import inside_app

KEY = "identity"
PAGES = {   # role -> the pages it may open (streamlit_app.py builds the navigation from this)
    "clinician": ["summary", "caseload", "participant"],
    "director": ["summary", "overview", "cohorts", "caseload", "participant"],
    "quality": ["overview", "cohorts"],
    "admin": ["summary", "data", "audit"],
}


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file
        return False


def current() -> auth.Identity | None:
    identity = st.session_state.get(KEY)
    if identity is None and oidc_configured() and st.user.is_logged_in:
        identity = auth.oidc_identity(st.user.get("email"), st.user.get("name", ""))
        if identity is None:
            st.session_state["sign_in_error"] = "This account has no role in the dashboard; ask an administrator."
            audit.record("sign_in_failed", None, None, method="oidc")
            st.logout()
        st.session_state[KEY] = identity
        audit.record("sign_in", identity.user, identity.role, method="oidc")
    if identity is not None and auth.expired(identity):
        audit.record("session_expired", identity.user, identity.role)
        sign_out(expired=True)
        return None
    return identity


def sign_in(username: str, password: str) -> bool:
    identity = auth.check_password(username, password)
    if identity is None:
        # the attempted name is kept for the audit trail, never shown back
        audit.record("sign_in_failed", username.strip()[:100], None, method="password")
        return False
    st.session_state[KEY] = identity
    audit.record("sign_in", identity.user, identity.role, method="password")
    return True


def sign_out(expired: bool = False) -> None:
    identity = st.session_state.pop(KEY, None)
    if identity is not None and not expired:
        audit.record("sign_out", identity.user, identity.role)
    if expired:
        st.session_state["sign_in_error"] = "Your session has expired; sign in again."
    if identity is not None and identity.method == "oidc":
        st.logout()


def require(page: str) -> auth.Identity:
    """Stop the page unless the signed-in role may open it (navigation already hides it: this
    is the second lock)."""
    inside_app()
    identity = current()
    if identity is None or page not in PAGES.get(identity.role, []):
        st.error("You do not have access to this page.")
        st.stop()
    return identity
