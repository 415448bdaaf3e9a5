"""The Accounts page's callbacks: each change is stored (and audited) before the page reruns and
reports it; a refusal says why."""

from __future__ import annotations

import streamlit as st

from dashboard.access import accounts
from dashboard.access.passwords import WeakPassword
from dashboard.ui import session
from dashboard.ui.markdown import escape_markdown

OUTCOME = "accounts_outcome"


def _actor() -> accounts.Actor:
    """The administrator acting, checked again now (a callback runs before the page's session check)."""
    acting = session.acting()
    if acting.role != "admin":
        raise accounts.AccountError("only an administrator changes accounts")
    return accounts.Actor(acting.user, acting.role)


def _report(action, success: str) -> None:
    try:
        action()
    except (accounts.AccountError, WeakPassword, session.SessionEnded) as e:
        st.session_state[OUTCOME] = ("error", f"Not saved: {escape_markdown(e)}.")
    else:
        st.session_state[OUTCOME] = ("success", success)


def add() -> None:
    s = st.session_state
    user, sso = s.get("new_user", "").strip(), s.get("new_sso", False)
    _report(
        lambda: accounts.add(
            user,
            s["new_role"],
            _actor(),
            s.get("new_name", ""),
            s.get("new_clinician"),
            None if sso else s.get("new_password", ""),
            sites=_sites(s.get("new_sites")),
        ),
        f"Saved: account {escape_markdown(user)} added as {s['new_role']}.",
    )


def _sites(text: str | None) -> list[str] | None:
    """One site per line; none: every site."""
    sites = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return sites or None


def change() -> None:
    s = st.session_state
    user, kind = s.get("change_user"), s.get("change_kind")
    if not user:
        st.session_state[OUTCOME] = ("error", "Not saved: choose an account.")
    elif kind == "sites":
        sites = _sites(s.get("change_sites"))
        _report(
            lambda: accounts.change(user, _actor(), sites=sites),
            f"Saved: {escape_markdown(user)} now sees "
            + (escape_markdown(", ".join(sorted(set(sites)))) if sites else "every site")
            + " from their next page.",
        )
    elif kind == "reset password":
        _report(
            lambda: accounts.reset_password(user, s.get("change_password", ""), _actor()),
            f"Saved: new password for {escape_markdown(user)}; their open sessions have ended.",
        )
    else:
        _report(
            lambda: accounts.set_disabled(user, kind == "disable", _actor()),
            f"Saved: {escape_markdown(user)} {kind}d"
            + ("; their open sessions have ended." if kind == "disable" else "."),
        )


def show_outcome() -> None:
    if outcome := st.session_state.pop(OUTCOME, None):
        (st.error if outcome[0] == "error" else st.success)(outcome[1], icon=None)
