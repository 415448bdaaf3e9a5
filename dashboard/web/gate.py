"""In front of every request: security headers, and no page, data or websocket without a live session.

A page address opened without one goes to the sign-in page with the address kept (`next`); an
unknown address gets a plain 'no page here' answer instead of Streamlit's page-not-found dialog;
Streamlit's metrics endpoint answers administrators only. Static files (the app's JavaScript) and
the health check stay public: they hold no data."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import streamlit
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dashboard.access import media_owners, pages, sessions, signin, upload_quota
from dashboard.store import audit
from dashboard.web import media, oidc, routes, signin_page

PUBLIC_PREFIXES = ("/static/", "/auth/")
PUBLIC_PATHS = {"/_stcore/health", "/favicon.png", "/manifest.json", "/oauth2callback"}
STREAMLIT_PREFIXES = ("/_stcore/", "/media/", "/component/", "/static/")
ADMIN_ONLY = {"/_stcore/metrics"}
# Streamlit's upload endpoint takes a file from any session that knows its own id: only a role whose pages
# upload (the Data page) may send one, or any signed-in role could fill the server's memory.
UPLOAD_PREFIX = "/_stcore/upload_file/"
UPLOADING_PAGE = "data"


def _inline_script_hashes() -> str:
    """CSP hashes of the inline scripts in Streamlit's index.html (one sets a flag for prerendering)."""
    html = (Path(streamlit.__file__).parent / "static" / "index.html").read_text()
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)


CSP = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' {_inline_script_hashes()}".strip(),
        "style-src 'self' 'unsafe-inline'",  # Streamlit's components style themselves inline
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def same_origin(request: HTTPConnection) -> bool:
    """A websocket opened by a page of this very address (scheme aside: a TLS proxy may end in front):
    its Origin names the host and port the request was sent to. Streamlit compares host names only (any
    localhost port passes) and looks up the machine's public address for any other origin."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser: it still needs a live session
    return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()


def page_slug(path: str) -> str | None:
    """The page an address names ('' for the start page), None when it names none."""
    slug = path.strip("/")
    return slug if slug == "" or slug in pages.PAGES else None


def _is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES) or path in oidc.PATHS


class Gate:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        if scope["type"] == "http":
            send = _with_headers(send, scope)
        path = scope["path"]
        if _is_public(path):
            return await self.app(scope, receive, send)
        request = HTTPConnection(scope)
        if scope["type"] == "websocket" and not same_origin(request):
            return await send({"type": "websocket.close", "code": 1008})
        slug = page_slug(path)
        if scope["type"] == "http" and slug is None and not path.startswith(STREAMLIT_PREFIXES):
            return await HTMLResponse(signin_page.not_found(path), status_code=404)(scope, receive, send)
        check = await run_in_threadpool(sessions.check, request.cookies.get(sessions.COOKIE))
        identity = check.identity
        if identity is None and slug is not None and scope["type"] == "http" and oidc.configured():
            exchanged = await self._exchange(request, scope)
            if exchanged is not None:
                return await exchanged(scope, receive, send)
        if identity is None:
            return (
                await _refuse(request, scope, slug, check.reason)(scope, receive, send)
                if scope["type"] == "http"
                else await send({"type": "websocket.close", "code": 1008})
            )
        if path in ADMIN_ONLY and identity.role != "admin":
            return await PlainTextResponse("Not found", status_code=404)(scope, receive, send)
        if path.startswith(UPLOAD_PREFIX) and not pages.allowed(identity.role, UPLOADING_PAGE):
            return await PlainTextResponse("Uploads are for the Data page", status_code=403)(scope, receive, send)
        if path.startswith(UPLOAD_PREFIX) and scope.get("method") in ("PUT", "POST"):
            size = int(request.headers.get("content-length") or 0)
            refused = upload_quota.take(identity.user, size)
            if refused:
                return await PlainTextResponse(refused, status_code=429)(scope, receive, send)
        if path.startswith(media.PREFIX):
            refused = await run_in_threadpool(_media_refused, path, request.cookies.get(sessions.COOKIE), identity)
            if refused:
                return await PlainTextResponse(refused, status_code=403)(scope, receive, send)
        if slug == "" and scope["type"] == "http":
            query = scope.get("query_string", b"").decode()
            start = "/" + pages.START[identity.role] + (f"?{query}" if query else "")
            return await RedirectResponse(start, status_code=302)(scope, receive, send)
        return await self.app(scope, receive, send)

    async def _exchange(self, request: HTTPConnection, scope: Scope):
        """A provider sign-in cookie, not yet exchanged: open a session and go to the address asked for."""
        found = oidc.provider_sign_in(request)
        if found is None:
            return None
        email, fingerprint = found
        client = request.client.host if request.client else "unknown"
        outcome = await run_in_threadpool(signin.sso_sign_in, email, fingerprint, client)
        if outcome.token is None:
            target = f"{routes.SIGNIN_PATH}?m=no_role" if outcome.message else routes.SIGNIN_PATH
            response = RedirectResponse(target, status_code=303)
            oidc.clear_provider_cookies(response, request)
            return response
        kept = await run_in_threadpool(sessions.take_next, request.cookies.get(routes.NEXT_COOKIE))
        response = RedirectResponse(routes.safe_next(kept or _address(scope)), status_code=303)
        routes.set_session_cookie(response, request, outcome.token)
        response.delete_cookie(routes.NEXT_COOKIE, path="/")
        return response


def _media_refused(path: str, token: str | None, identity) -> str:
    """Why this session may not fetch this file ('' when it may): every fetch audited."""
    fid = media.file_id(path)
    allowed = bool(token) and media_owners.may_fetch(fid, sessions.digest(token))
    audit.record("download_fetched" if allowed else "download_refused", identity.user, identity.role, file=fid)
    return "" if allowed else "This file was made for another session: open the page and download it there."


def _address(scope: Scope) -> str:
    query = scope.get("query_string", b"").decode()
    return scope["path"] + (f"?{query}" if query else "")


def _refuse(request: HTTPConnection, scope: Scope, slug: str | None, reason: str | None):
    """No live session: a page goes to sign-in (keeping the address); anything else is refused."""
    if slug is None or scope.get("method") not in ("GET", "HEAD"):
        return PlainTextResponse("Sign in first.", status_code=401)
    params = {"next": _address(scope)} if slug else {}
    if reason in ("expired", "revoked"):
        params["m"] = reason
    response = RedirectResponse(
        f"{routes.SIGNIN_PATH}?{urlencode(params)}" if params else routes.SIGNIN_PATH, status_code=303
    )
    if request.cookies.get(sessions.COOKIE):
        routes.clear_session_cookie(response)
    return response


def _with_headers(send: Send, scope: Scope) -> Send:
    html_or_auth = not scope["path"].startswith(("/static/", "/_stcore/health"))

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            names = {k.lower() for k, _ in headers}
            headers += [(k, v) for k, v in HEADERS if k not in names]
            if html_or_auth and b"cache-control" not in names:
                headers.append((b"cache-control", b"no-store"))
            if scope.get("scheme") == "https":
                headers.append((b"strict-transport-security", b"max-age=31536000"))
            message = {**message, "headers": headers}
        await send(message)

    return wrapped
