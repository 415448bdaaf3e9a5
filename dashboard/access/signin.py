"""Password sign-in: throttle, check, open a session, audit. The web server's sign-in route calls it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from dashboard.access import accounts, sessions, throttle
from dashboard.store import audit

FAILED = "Sign-in failed: check the user name and password."  # the same whether or not the user exists


@dataclass(frozen=True)
class Outcome:
    token: str | None = None
    identity: accounts.Identity | None = None
    message: str = ""


def throttled_message(seconds: float) -> str:
    if seconds < 60:
        wait = f"{math.ceil(seconds)} second{'s' if math.ceil(seconds) > 1 else ''}"
    else:
        minutes = math.ceil(seconds / 60)
        wait = f"{minutes} minute{'s' if minutes > 1 else ''}"
    return (
        f"Too many failed sign-ins from this computer. Try again in {wait}, or ask an administrator "
        "to reset the password. Signing in from another computer is not affected."
    )


def password_sign_in(user_name: str, password: str, client: str) -> Outcome:
    typed = user_name.strip()[:100]  # kept for the audit trail, never shown back
    wait = throttle.retry_after(typed, client)
    if wait > 0:
        audit.record("sign_in_throttled", typed, None, method="password", client=client)
        return Outcome(message=throttled_message(wait))
    identity = accounts.check_password(typed, password)
    if identity is None:
        throttle.record_failure(typed, client)
        audit.record("sign_in_failed", typed, None, method="password", client=client)
        return Outcome(message=FAILED)
    token = sessions.create(identity)
    accounts.signed_in(identity.user)
    audit.record("sign_in", identity.user, identity.role, method="password", client=client)
    return Outcome(token, identity)


def sso_sign_in(email: str, sso_cookie_hash: str, client: str) -> Outcome:
    """An identity-provider (OIDC) sign-in, exchanged once for a dashboard session."""
    if sessions.sso_cookie_used(sso_cookie_hash):
        return Outcome(message="")  # an old provider sign-in: sign in again
    identity = accounts.identity_of(email, "oidc")
    if identity is None:
        audit.record("sign_in_failed", email[:100], None, method="oidc", client=client)
        return Outcome(message="This account has no role in the dashboard; ask an administrator.")
    token = sessions.create(identity, sso_cookie_hash)
    accounts.signed_in(identity.user)
    audit.record("sign_in", identity.user, identity.role, method="oidc", client=client)
    return Outcome(token, identity)
