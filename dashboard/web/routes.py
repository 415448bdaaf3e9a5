"""Sign-in, identity-provider sign-in and sign-out, as HTTP routes beside Streamlit's.

The session token travels only in an HttpOnly, SameSite=Lax cookie (Secure over HTTPS), so page
scripts never see it; the sign-in form carries a CSRF token of its own (double-submit cookie)."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from dashboard.access import pages, sessions, signin, signin_policy
from dashboard.web import oidc, signin_page

CSRF_COOKIE = "iop_csrf"
NEXT_COOKIE = "iop_next"
SIGNIN_PATH = "/auth/signin"
MESSAGES = {  # ?m=... on the sign-in page: fixed texts only, nothing from the address is shown
    "signed_out": ("You have signed out.", True),
    "expired": ("Your session has expired; sign in again.", True),
    "revoked": ("Your session was ended (signed out elsewhere, or the account was changed); sign in again.", True),
    "no_role": ("This account has no role in the dashboard; ask an administrator.", False),
}


def safe_next(value: str | None) -> str:
    """A page address of this app to go to after sign-in; anything else becomes the start page."""
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    slug = parts.path.strip("/")
    return value if slug == "" or slug in pages.PAGES else "/"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        sessions.COOKIE,
        token,
        max_age=int(60 * signin_policy.session_minutes()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="lax")


def _form(request: Request, next_path: str, message: str = "", info: bool = False, status: int = 200) -> HTMLResponse:
    csrf = secrets.token_urlsafe(24)
    sso = oidc.configured()
    html = signin_page.render(
        next_path, csrf, message, info, sso=sso, passwords=not (sso and signin_policy.production())
    )
    return _with_csrf(HTMLResponse(html, status_code=status), request, csrf)


def _with_csrf(response: Response, request: Request, csrf: str) -> Response:
    """The form's token, also in a strict cookie of /auth: a POST must carry both (double submit)."""
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        max_age=3600,
        path="/auth",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


async def signin_form(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    check = await run_in_threadpool(sessions.check, request.cookies.get(sessions.COOKIE), False)
    if check.identity is not None:
        return RedirectResponse(next_path, status_code=303)
    message, info = MESSAGES.get(request.query_params.get("m", ""), ("", False))
    return _form(request, next_path, message, info)


async def signin_submit(request: Request) -> Response:
    form = await request.form()
    next_path = safe_next(str(form.get("next", "")))
    if oidc.configured() and signin_policy.production():
        return _form(request, next_path, "Sign in with your organisation's account.", status=403)
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, str(form.get("csrf", ""))):
        return _form(request, next_path, "The sign-in form had expired; sign in again.", status=400)
    outcome = await run_in_threadpool(
        signin.password_sign_in, str(form.get("username", "")), str(form.get("password", "")), client_address(request)
    )
    if outcome.token is None:
        return _form(request, next_path, outcome.message, status=429 if "Too many" in outcome.message else 401)
    previous = request.cookies.get(sessions.COOKIE)
    if previous:  # this browser's earlier session ends with the new one: an old token must not stay valid
        await run_in_threadpool(sessions.revoke, previous, "signed in again")
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, request, outcome.token)
    response.delete_cookie(CSRF_COOKIE, path="/auth")
    return response


async def sso_start(request: Request) -> Response:
    """Keep the address asked for server-side, then hand over to Streamlit's OIDC login."""
    if not oidc.configured():
        return RedirectResponse(SIGNIN_PATH, status_code=303)
    nonce = await run_in_threadpool(sessions.remember_next, safe_next(request.query_params.get("next")))
    response = RedirectResponse(oidc.login_url(), status_code=303)
    response.set_cookie(
        NEXT_COOKIE, nonce, max_age=600, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https"
    )
    return response


async def signout(request: Request) -> Response:
    """An address alone (GET) never ends a live session, or any page of another site could sign the user
    out: it asks to confirm (a POST with a CSRF token). The app's Sign out button ends the session
    itself (dashboard/ui/session.py) and comes here to clear the cookie; so does a page whose session
    has ended. Organisation accounts go on to Streamlit's logout, which ends the provider's session too."""
    token = request.cookies.get(sessions.COOKIE)
    if token and (await run_in_threadpool(sessions.check, token, False)).identity is not None:
        csrf = secrets.token_urlsafe(24)
        return _with_csrf(HTMLResponse(signin_page.confirm_sign_out(csrf)), request, csrf)
    return await _signed_out(request, token)


async def signout_submit(request: Request) -> Response:
    """The confirmed sign-out: the form's token must match its cookie."""
    form = await request.form()
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, str(form.get("csrf", ""))):
        return HTMLResponse("The sign-out form had expired; use the Sign out button in the app.", status_code=400)
    return await _signed_out(request, request.cookies.get(sessions.COOKIE))


async def _signed_out(request: Request, token: str | None) -> Response:
    method = await run_in_threadpool(sessions.end, token, "signed out") if token else None
    reason = request.query_params.get("m") if request.query_params.get("m") in MESSAGES else "signed_out"
    next_path = safe_next(request.query_params.get("next"))  # an expired page: back to it after signing in
    if method == "oidc" or (oidc.configured() and oidc.provider_sign_in(request)):
        response: Response = RedirectResponse(oidc.LOGOUT_PATH, status_code=303)
    else:
        params = {"m": reason, **({"next": next_path} if next_path != "/" else {})}
        response = RedirectResponse(f"{SIGNIN_PATH}?{urlencode(params)}", status_code=303)
    clear_session_cookie(response)
    response.delete_cookie(CSRF_COOKIE, path="/auth")
    return response


ROUTES = [
    Route(SIGNIN_PATH, signin_form, methods=["GET"]),
    Route(SIGNIN_PATH, signin_submit, methods=["POST"]),
    Route("/auth/sso", sso_start, methods=["GET"]),
    Route("/auth/signout", signout, methods=["GET"]),
    Route("/auth/signout", signout_submit, methods=["POST"]),
]
