"""An OIDC round trip in real Chromium: the sign-in page's organisation link, Streamlit's OIDC login
against oidc-provider-mock (started here on 127.0.0.1), the organisation account giving the email its
role, the address asked for kept across the round trip, a reload, and sign-out (the provider's
cookie cannot open a new session afterwards). Needs Debian's chromium (CI installs it)."""

import datetime as dt
import subprocess
import sys

import pytest

from browser import address, heading
from conftest import ATTENDANCE_HEADER, load_files, write
from servers import NEEDS_CHROMIUM, add_accounts, free_port, launch_chromium, start_streamlit, wait_for

pytestmark = pytest.mark.skipif(**NEEDS_CHROMIUM)


@pytest.fixture
def servers(tmp_path):
    mock_port, app_port = free_port(), free_port()
    db = tmp_path / "iop.duckdb"
    load_files(
        db,
        write(tmp_path, "a.csv", ATTENDANCE_HEADER + "P1,2025-03-03,group,attended,180,Trauma,Chen\n"),
        today=dt.date(2026, 1, 31),
    )
    (tmp_path / ".streamlit").mkdir(exist_ok=True)
    (tmp_path / ".streamlit" / "secrets.toml").write_text(f"""[auth]
redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"
cookie_secret = "a-test-cookie-secret-that-is-long-enough"
client_id = "iop-dashboard"
client_secret = "iop-dashboard-secret"
server_metadata_url = "http://127.0.0.1:{mock_port}/.well-known/openid-configuration"
""")
    add_accounts(tmp_path / "state.sqlite", None, ("dana@example.org", "director", None, "Dana Director"))
    env = {"IOP_DB": str(db), "IOP_STATE": str(tmp_path / "state.sqlite")}
    mock = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oidc_provider_mock",
            "--port",
            str(mock_port),
            "--user-claims",
            '{"sub": "dana", "email": "dana@example.org", "name": "Dana Director"}',
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    app = None
    try:
        wait_for(f"http://127.0.0.1:{mock_port}/.well-known/openid-configuration")
        app = start_streamlit(app_port, tmp_path, env, log=tmp_path / "server.log")
        yield f"http://127.0.0.1:{app_port}", tmp_path
    finally:
        for p in (app, mock):
            if p is not None:
                p.terminate()
                p.wait(10)


def test_oidc_sign_in_round_trip(servers):
    from playwright.sync_api import expect, sync_playwright

    url, tmp = servers
    with sync_playwright() as p:
        browser = launch_chromium(p)
        context = browser.new_context(viewport={"width": 1300, "height": 900})
        page = context.new_page()
        page.goto(url + "/caseload?track=Trauma")
        expect(page.get_by_text("sign in to continue")).to_be_visible(timeout=30000)
        expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
        page.get_by_role("link", name="Sign in with your organisation's account").click()
        page.get_by_role("button", name="dana").click()  # the mock provider's predefined user
        expect(page.get_by_text("Signed in as Dana Director (director)")).to_be_visible(timeout=30000)
        heading(page, "Caseload")  # the address asked for, not the start page
        assert address(page).startswith("/caseload?track=Trauma")
        page.reload()
        heading(page, "Caseload")
        page.screenshot(path=str(tmp / "signed-in.png"))
        provider_cookies = [c for c in context.cookies() if c["name"].startswith("_streamlit_user")]
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("button", name="End session").click()  # the provider ends its session too
        expect(page.get_by_text("sign in to continue")).to_be_visible(timeout=30000)
        page.goto(url + "/caseload")  # signed out everywhere: back to sign-in
        expect(page.get_by_text("sign in to continue")).to_be_visible(timeout=30000)
        # the provider's old cookie, replayed in a fresh browser, opens no session
        replay = browser.new_context()
        replay.add_cookies(provider_cookies)
        again = replay.new_page()
        again.goto(url + "/caseload")
        expect(again.get_by_text("sign in to continue")).to_be_visible(timeout=30000)
        expect(again.get_by_test_id("stDataFrame")).to_have_count(0)
        browser.close()
    import sqlite3

    events = [
        e for (e,) in sqlite3.connect(tmp / "state.sqlite").execute("SELECT event FROM audit_log ORDER BY event_id")
    ]
    events = [e for e in events if e != "view_page"]
    assert events[events.index("sign_in") :] == ["sign_in", "sign_out"]
