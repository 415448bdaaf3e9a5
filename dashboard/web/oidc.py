"""The bridge to Streamlit's own OIDC sign-in (st.login's routes /auth/login, /oauth2callback,
/auth/logout). Streamlit 1.67 keeps the provider's answer in a signed cookie; the gate exchanges it,
once, for a dashboard session. Everything here touches Streamlit internals, pinned in
requirements.txt; keep it in this one file."""

from __future__ import annotations

import hashlib
import json
import logging

from starlette.requests import HTTPConnection
from starlette.responses import Response

from dashboard.store.background import where

LOG = logging.getLogger("iop.oidc")

LOGOUT_PATH = "/auth/logout"  # Streamlit's: clears its cookies, ends the provider's session
PATHS = ("/auth/login", LOGOUT_PATH, "/oauth2callback")


def configured() -> bool:
    from streamlit.runtime.secrets import secrets_singleton

    try:
        return "auth" in secrets_singleton
    except FileNotFoundError:  # no secrets file (StreamlitSecretNotFoundError): no organisation sign-in
        return False


def login_url() -> str:
    """Where the 'organisation account' link sends the browser (what st.login would do)."""
    from streamlit.user_info import generate_login_redirect_url

    return generate_login_redirect_url("default")


def provider_sign_in(request: HTTPConnection) -> tuple[str, str] | None:
    """(email, fingerprint) of a valid provider cookie on this request, else None. The fingerprint
    identifies this one provider sign-in, so it can be exchanged once."""
    from streamlit.web.server.starlette.starlette_auth_routes import _get_cookie_value_from_request
    from streamlit.web.server.starlette.starlette_server_config import USER_COOKIE_NAME

    raw = {k: v for k, v in request.cookies.items() if k.startswith(USER_COOKIE_NAME) and "tokens" not in k}
    if not raw:
        return None
    try:
        value = _get_cookie_value_from_request(request, USER_COOKIE_NAME)
        user = json.loads(value) if value else None
    except Exception as e:  # a private Streamlit function: after an upgrade, say so rather than sign no one in
        LOG.error(
            "the identity provider's sign-in cookie could not be read (%s): check the pinned streamlit's "
            "auth internals\n%s",
            type(e).__name__,
            where(e),
        )
        return None
    if not user or not user.get("is_logged_in") or not user.get("email"):
        return None
    fingerprint = hashlib.sha256(json.dumps(sorted(raw.items())).encode()).hexdigest()
    return str(user["email"]), fingerprint


def clear_provider_cookies(response: Response, request: HTTPConnection) -> None:
    from streamlit.web.server.starlette.starlette_auth_routes import _clear_auth_cookie

    _clear_auth_cookie(response, request)
