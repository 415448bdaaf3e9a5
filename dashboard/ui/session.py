"""The signed-in identity in a page run. The browser's HttpOnly cookie carries a session token;
every run checks it against the server-side store (dashboard/access/sessions.py), so sign-out,
expiry, a disabled account or a reset password end the session at once. Signing in and out
happen on the web server's routes (dashboard/web/routes.py)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import streamlit as st

from dashboard.access import media_owners, pages, sessions, signin_policy
from dashboard.access.accounts import Identity
from dashboard.store import audit, db
from dashboard.ui.navigation import inside_app

KEY = "identity"  # this run's identity, for widgets that record who acted; re-checked every run
TOKEN_KEY = "session_token"  # AppTest only: it cannot send cookies, so tests put a real token here
SIGNED_OUT = "signed_out"


def _token() -> str | None:
    try:
        cookie = st.context.cookies.get(sessions.COOKIE)
    except Exception:  # no browser context (bare script)
        cookie = None
    token = cookie if isinstance(cookie, str) and cookie else st.session_state.get(TOKEN_KEY)
    return token if isinstance(token, str) else None


def _bind_tab(token: str) -> None:
    """Files this tab makes are served to this signed-in session only (dashboard/web/media.py)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is not None:
        media_owners.bind(ctx.session_id, sessions.digest(token))


class SessionEnded(Exception):
    def __str__(self) -> str:
        return "your session has ended; sign in again"


def acting() -> Identity:
    """Who is acting, in a widget callback: callbacks run before the page's own session check, so
    the session is checked again here."""
    identity = sessions.check(_token()).identity
    if identity is None:
        raise SessionEnded()
    return identity


def current(touch: bool = True) -> Identity | None:
    token = _token()
    check = sessions.check(token, touch)
    if check.identity is not None and token:
        _bind_tab(token)
    st.session_state[KEY] = check.identity
    st.session_state["session_end_reason"] = check.reason
    return check.identity


def _here() -> str:
    """This page's address (path and query) as the browser shows it."""
    try:
        parts = urlsplit(st.context.url or "")
    except Exception:
        return "/"
    query = urlencode({k: v for k, v in st.query_params.items()})
    return (parts.path or "/") + (f"?{query}" if query else "")


def _navigate(url: str) -> None:
    """Send the browser to a server route (how st.login and st.logout leave the app)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is not None:
        msg = ForwardMsg()
        msg.auth_redirect.url = url
        ctx.enqueue(msg)


def leave(reason: str | None) -> None:
    """No live session in this run: say why, and send the browser to sign in again (keeping the address)."""
    if st.session_state.get(SIGNED_OUT):
        st.info("You have signed out.")  # the browser is on its way to the sign-in page already
        return
    ended = {
        "expired": ("expired", "Your session has expired; sign in again."),
        "revoked": ("revoked", "Your session was ended; sign in again."),
    }.get(reason or "", (None, "Sign in to continue."))
    st.warning(ended[1])
    params = {"next": _here(), **({"m": ended[0]} if ended[0] else {})}
    _navigate(f"/auth/signout?{urlencode(params)}")


def sign_out() -> None:
    """The Sign out button's callback: the session ends here, before the browser is sent on."""
    token = _token()
    if token:
        sessions.end(token)
    st.session_state.pop(TOKEN_KEY, None)
    st.session_state[SIGNED_OUT] = True
    _navigate("/auth/signout")


@st.fragment(run_every=signin_policy.check_every_seconds())
def watch_expiry() -> None:
    """Re-checks the session while the page sits idle; on expiry the page stops showing data."""
    check = sessions.check(_token(), touch=False)
    if check.identity is None:
        st.session_state["session_end_reason"] = check.reason
        st.rerun(scope="app")


def require(slug: str) -> Identity:
    """Stop the page unless someone is signed in whose role may open it."""
    inside_app()
    db.bind(None)  # nothing is read until this run's identity says what may be
    identity = current()
    if identity is None:
        leave(st.session_state.get("session_end_reason"))
        st.stop()
    if not pages.allowed(identity.role, slug):
        st.error(f"The {identity.role} role does not open {pages.PAGES[slug].title}.")
        st.stop()
    db.bind(
        db.ReadScope(identity.scope_clinician, identity.scope_sites)
    )  # every query of this page run reads only what the role may see
    if st.session_state.get("visit_page") != slug:  # a visit: arriving on the page, not each click on it
        audit.record("view_page", identity.user, identity.role, page=slug)
        st.session_state["visit_page"] = slug
        st.session_state["visit_number"] = st.session_state.get("visit_number", 0) + 1
    return identity


def first_in_visit(*what) -> bool:
    """True the first time `what` (e.g. a participant and episode) is shown in this visit to the page,
    so the audit log gets one entry per visit, not one per rerun of the page."""
    key = (st.session_state.get("visit_number", 0), *what)
    if st.session_state.get("visit_seen") == key:
        return False
    st.session_state["visit_seen"] = key
    return True
