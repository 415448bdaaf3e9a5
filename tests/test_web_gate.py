"""The web server's sign-in routes and session gate, through Starlette's test client (no browser):
where each address goes with and without a session, the cookie's flags, CSRF, throttling, the
security headers, and addresses that are not pages."""

import re
import time

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from conftest import PASSWORD, account
from dashboard.store import audit
from dashboard.web.gate import Gate
from dashboard.web.routes import ROUTES, safe_next


async def _streamlit(request):  # stands in for Streamlit's own routes
    return PlainTextResponse(f"app {request.url.path}")


async def _stream(websocket):
    await websocket.accept()
    await websocket.send_text("connected")
    await websocket.close()


@pytest.fixture
def client():
    for role in ("clinician", "director", "admin"):
        account(role, role)
    app = Starlette(
        routes=[*ROUTES, WebSocketRoute("/_stcore/stream", _stream), Route("/{path:path}", _streamlit)],
        middleware=[Middleware(Gate)],
    )
    with TestClient(app, base_url="http://127.0.0.1:8501", follow_redirects=False) as c:
        yield c


def _sign_in(client, user, password=PASSWORD, next_path="/"):
    form = client.get("/auth/signin", params={"next": next_path})
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    return client.post("/auth/signin", data={"username": user, "password": password, "next": next_path, "csrf": csrf})


def test_a_page_without_a_session_goes_to_sign_in_keeping_the_address(client):
    r = client.get("/participant?participant=IOP-10291&episode=IOP-10291%2320251201")
    assert r.status_code == 303
    assert (
        r.headers["location"]
        == "/auth/signin?next=%2Fparticipant%3Fparticipant%3DIOP-10291%26episode%3DIOP-10291%252320251201"
    )
    form = client.get(r.headers["location"])
    assert 'name="next" value="/participant?participant=IOP-10291&amp;episode=IOP-10291%2320251201"' in form.text
    assert client.get("/").headers["location"] == "/auth/signin"


def test_signing_in_lands_on_the_address_asked_for_with_an_httponly_cookie(client):
    r = _sign_in(client, "clinician", next_path="/participant?participant=IOP-10291")
    assert (r.status_code, r.headers["location"]) == (303, "/participant?participant=IOP-10291")
    cookie = r.headers["set-cookie"]
    assert (
        cookie.startswith("iop_session=") and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    )
    assert "Secure" not in cookie  # plain http on 127.0.0.1
    assert client.get("/participant?participant=IOP-10291").text == "app /participant"
    assert client.get("/").headers["location"] == "/caseload"  # the clinician's start page
    assert client.get("/?track=Trauma").headers["location"] == "/caseload?track=Trauma"
    assert audit.entries()["event"].tolist()[0] == "sign_in"


def test_over_https_the_cookie_is_secure():
    account("director", "director")
    app = Starlette(routes=[*ROUTES, Route("/{path:path}", _streamlit)], middleware=[Middleware(Gate)])
    with TestClient(app, base_url="https://iop.example.org", follow_redirects=False) as c:
        r = _sign_in(c, "director")
        assert "Secure" in r.headers["set-cookie"]
        assert c.get("/overview").headers["strict-transport-security"] == "max-age=31536000"


@pytest.mark.parametrize("role,start", [("director", "/overview"), ("admin", "/data")])
def test_each_role_starts_on_its_page(client, role, start):
    _sign_in(client, role)
    assert client.get("/").headers["location"] == start


def test_a_wrong_password_and_an_unknown_user_read_the_same(client):
    wrong, unknown = _sign_in(client, "director", "not the password"), _sign_in(client, "nobody", "not the password")
    for r in (wrong, unknown):
        assert r.status_code == 401 and "Sign-in failed: check the user name and password." in r.text
        assert "iop_session=" not in r.headers.get("set-cookie", "")
    assert client.get("/overview").status_code == 303


def test_the_sixth_attempt_is_throttled_even_with_the_right_password(client):
    for _ in range(5):
        assert _sign_in(client, "director", "not the password").status_code == 401
    r = _sign_in(client, "director")
    assert r.status_code == 429 and "Too many failed sign-ins" in r.text
    assert client.get("/overview").status_code == 303  # still signed out


def test_a_sign_in_without_the_forms_csrf_token_is_refused(client):
    client.get("/auth/signin")
    r = client.post("/auth/signin", data={"username": "director", "password": PASSWORD, "next": "/", "csrf": "forged"})
    assert r.status_code == 400 and "iop_session=" not in r.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    "asked",
    [
        "//evil.example/x",
        "http://evil.example/",
        "/\\evil.example",
        "/nope",
        "/auth/signout",
        "overview",
        "/overview\r\nSet-Cookie: x=1",
        "/" + "a" * 3000,
    ],
)
def test_only_addresses_of_this_apps_pages_are_followed_after_sign_in(asked):
    assert safe_next(asked) == "/"


def test_sign_out_revokes_the_session_and_an_old_cookie_replayed_is_refused(client):
    _sign_in(client, "director")
    token = client.cookies["iop_session"]
    # an address alone (a link on another site) does not end a live session: it asks to confirm
    asked = client.get("/auth/signout")
    assert asked.status_code == 200 and "Sign out?" in asked.text
    assert client.get("/overview").status_code == 200  # still signed in
    assert client.post("/auth/signout", data={"csrf": "forged"}).status_code == 400
    assert client.get("/overview").status_code == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', asked.text).group(1)
    r = client.post("/auth/signout", data={"csrf": csrf})
    assert (r.status_code, r.headers["location"]) == (303, "/auth/signin?m=signed_out")
    assert 'iop_session=""' in r.headers["set-cookie"] and "Max-Age=0" in r.headers["set-cookie"]
    client.cookies.clear()
    client.cookies.set("iop_session", token)
    replay = client.get("/overview")
    assert replay.status_code == 303 and replay.headers["location"] == "/auth/signin?next=%2Foverview&m=revoked"
    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect("/_stcore/stream", headers={"cookie": f"iop_session={token}"}) as ws:
            ws.receive_text()
    assert "You have signed out." in client.get("/auth/signin?m=signed_out").text


def test_the_websocket_needs_a_live_session(client):
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/_stcore/stream") as ws:
            ws.receive_text()
    assert refused.value.code == 1008
    _sign_in(client, "director")
    cookie = {"cookie": f"iop_session={client.cookies['iop_session']}"}  # the test client's socket host differs
    with client.websocket_connect("/_stcore/stream", headers=cookie) as ws:
        assert ws.receive_text() == "connected"


def test_data_routes_and_metrics_need_a_session(client):
    assert client.get("/_stcore/health").text == "app /_stcore/health"  # public: says only that it runs
    for path in ("/media/abc.csv", "/_stcore/metrics", "/_stcore/host-config", "/_stcore/upload_file/x/y"):
        assert client.get(path).status_code == 401, path
    _sign_in(client, "director")
    assert client.get("/media/abc.csv").status_code == 403  # a file no tab of this session made
    assert client.get("/_stcore/metrics").status_code == 404  # administrators only
    # the upload endpoint: only for a role whose pages upload (an administrator's Data page)
    assert client.put("/_stcore/upload_file/sid/fid", content=b"x" * 1000).status_code == 403
    client.cookies.clear()
    _sign_in(client, "clinician")
    assert client.put("/_stcore/upload_file/sid/fid", content=b"x" * 1000).status_code == 403
    client.cookies.clear()
    _sign_in(client, "admin")
    assert client.get("/_stcore/metrics").text == "app /_stcore/metrics"
    assert client.put("/_stcore/upload_file/sid/fid", content=b"x").status_code not in (401, 403)  # to the app


def test_an_address_that_is_no_page_says_so_plainly(client):
    r = client.get("/<script>alert(1)</script>")
    assert r.status_code == 404 and "No page at this address" in r.text and "<script>alert" not in r.text
    _sign_in(client, "director")
    assert client.get("/cohort").status_code == 404
    assert client.get("/cohorts").status_code == 200


def test_every_answer_carries_the_security_headers(client):
    for r in (client.get("/auth/signin"), client.get("/overview"), client.get("/nope"), client.get("/_stcore/health")):
        h = r.headers
        assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in h["content-security-policy"]
        assert "script-src 'self' 'sha256-" in h["content-security-policy"]
    assert client.get("/auth/signin").headers["cache-control"] == "no-store"


def test_the_sign_in_page_shows_only_its_own_messages(client):
    assert "<script" not in client.get("/auth/signin?m=%3Cscript%3Ealert(1)%3C/script%3E").text
    assert "Your session has expired; sign in again." in client.get("/auth/signin?m=expired").text
    page = client.get("/auth/signin?next=%2Fparticipant%3Fparticipant%3D%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text


def test_a_download_is_served_only_to_the_session_that_made_it_and_every_fetch_is_audited(client):
    from dashboard.access import media_owners, sessions

    _sign_in(client, "clinician")
    clinician = client.cookies["iop_session"]
    media_owners.bind("tab-1", sessions.digest(clinician))  # the clinician's page run in tab-1
    media_owners.made("f00d", "tab-1")  # made a case review there
    assert client.get("/media/f00d.pdf").status_code == 200
    client.cookies.clear()
    _sign_in(client, "director")
    refused = client.get("/media/f00d.pdf")
    assert refused.status_code == 403 and "another session" in refused.text
    client.cookies.clear()
    client.cookies.set("iop_session", clinician)
    assert client.get("/media/f00d.pdf").status_code == 200
    log = audit.entries()
    fetches = log[log["event"].str.startswith("download")].iloc[::-1]  # newest first: oldest first
    assert list(zip(fetches["user_name"], fetches["event"])) == [
        ("clinician", "download_fetched"),
        ("director", "download_refused"),
        ("clinician", "download_fetched"),
    ]


def test_a_websocket_from_another_origin_is_refused_even_on_this_machine(client):
    _sign_in(client, "director")
    cookie = f"iop_session={client.cookies['iop_session']}"
    for origin in ("http://127.0.0.1:3000", "http://localhost:8501", "https://evil.example"):
        with pytest.raises(WebSocketDisconnect) as refused:
            with client.websocket_connect("/_stcore/stream", headers={"cookie": cookie, "origin": origin}) as ws:
                ws.receive_text()
        assert refused.value.code == 1008, origin
    headers = {"cookie": cookie, "origin": "http://testserver"}  # this very address (the test client's socket host)
    with client.websocket_connect("/_stcore/stream", headers=headers) as ws:
        assert ws.receive_text() == "connected"


def test_a_new_sign_in_ends_the_same_browsers_previous_session(client):
    form = client.get("/auth/signin")  # a sign-in form left open in another tab
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    _sign_in(client, "director")
    first = client.cookies["iop_session"]
    again = {"username": "clinician", "password": PASSWORD, "next": "/", "csrf": csrf}
    client.cookies.set("iop_csrf", csrf, path="/auth")
    assert client.post("/auth/signin", data=again).status_code == 303  # that tab signs in as well
    second = client.cookies["iop_session"]
    assert second != first
    client.cookies.clear()
    client.cookies.set("iop_session", first)
    assert client.get("/overview").status_code == 303  # the first token no longer opens anything


def test_an_administrator_may_upload_only_so_much_an_hour(client):
    from dashboard.access import signin_policy, upload_quota

    upload_quota._sent.clear()
    _sign_in(client, "admin")
    for i in range(signin_policy.UPLOAD_FILES_PER_HOUR):
        assert client.put(f"/_stcore/upload_file/sid/f{i}", content=b"x" * 100).status_code not in (403, 429)
    refused = client.put("/_stcore/upload_file/sid/more", content=b"x")
    assert refused.status_code == 429 and "files an hour" in refused.text
    assert upload_quota.take("other@example.org", 1) == ""  # another account's hour is its own
    big = signin_policy.UPLOAD_MB_PER_HOUR * 1_000_000
    assert "MB an hour" in upload_quota.take("third@example.org", big + 1)
    assert upload_quota.take("admin", 1, now=time.time() + 3601) == ""  # the hour passes
