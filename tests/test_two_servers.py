"""Two dashboard servers on one machine, behind one address, share the application state: a
session opened on one continues on the other, and signing out on either ends it on both (the
session is the store's, not a process's). Over HTTP, as a browser's cookie reaches each."""

import re
import urllib.error
import urllib.parse
import urllib.request

from conftest import PASSWORD
from servers import add_accounts, free_port, start_streamlit

COOKIE = "iop_session"


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # each answer's own redirect is what is checked


def _ask(port: int, path: str, token: str | None = None, form: dict | None = None, cookies: str = ""):
    """(status, Location, body, Set-Cookie headers) of one request."""
    headers = {"Cookie": "; ".join(c for c in (f"{COOKIE}={token}" if token else "", cookies) if c)}
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=headers)
    try:
        r = urllib.request.build_opener(_Stay).open(request, timeout=60)
        return r.status, r.headers.get("Location"), r.read().decode(), r.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location"), "", e.headers.get_all("Set-Cookie") or []


def _form_token(port: int, path: str, token: str | None = None) -> tuple[str, str]:
    """The form's CSRF token and the cookie that must come back with it (double submit)."""
    _, _, html, set_cookies = _ask(port, path, token)
    csrf = re.search(r'name="csrf" value="([^"]+)"', html)[1]
    cookie = next(c.split(";", 1)[0] for c in set_cookies if c.split("=", 1)[0] != COOKIE)
    return csrf, cookie


def test_a_session_opened_on_one_server_continues_on_the_other_and_ends_on_both(demo_db, tmp_path):
    state = tmp_path / "state.sqlite"
    env = {"IOP_STATE": str(state), "IOP_DB": str(demo_db), "IOP_WARM": "0"}
    add_accounts(state, PASSWORD, ("dr.chen@example.org", "director", None))
    ports, servers = (free_port(), free_port()), []
    try:
        for name, port in zip("ab", ports):
            (tmp_path / name).mkdir()
            servers.append(start_streamlit(port, tmp_path / name, env))
        a, b = ports
        assert _ask(b, "/")[:2] == (303, "/auth/signin")  # nobody signed in

        csrf, cookie = _form_token(a, "/auth/signin?next=/")
        status, where, _, set_cookies = _ask(
            a,
            "/auth/signin",
            form={"username": "dr.chen@example.org", "password": PASSWORD, "csrf": csrf, "next": "/"},
            cookies=cookie,
        )
        assert (status, where) == (303, "/")
        token = next(c.split(";", 1)[0].split("=", 1)[1] for c in set_cookies if c.startswith(f"{COOKIE}="))

        assert _ask(b, "/", token)[:2] == (302, "/overview")  # the other server: signed in, to the start page
        assert _ask(a, "/", token)[:2] == (302, "/overview")

        csrf, cookie = _form_token(b, "/auth/signout", token)
        assert _ask(b, "/auth/signout", token, {"csrf": csrf}, cookie)[:2] == (303, "/auth/signin?m=signed_out")
        assert _ask(a, "/", token)[:2] == (303, "/auth/signin?m=revoked")  # the token signed out on B ends on A
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
