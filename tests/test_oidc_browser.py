"""An OIDC round trip in real Chromium: st.login against oidc-provider-mock (started here on
127.0.0.1), the roles file giving the email its role, and sign-out. Needs Debian's chromium
(CI installs it)."""
import datetime as dt
import subprocess
import sys

import pytest

from conftest import ATTENDANCE_HEADER, load_files, write
from servers import NEEDS_CHROMIUM, free_port, launch_chromium, start_streamlit, wait_for

pytestmark = pytest.mark.skipif(**NEEDS_CHROMIUM)


@pytest.fixture
def servers(tmp_path):
    mock_port, app_port = free_port(), free_port()
    db = tmp_path / "iop.duckdb"
    load_files(db, write(tmp_path, "a.csv", ATTENDANCE_HEADER + "P1,2025-03-03,group,attended,180,Trauma,Chen\n"),
               today=dt.date(2026, 1, 31))
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(f"""[auth]
redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"
cookie_secret = "a-test-cookie-secret-that-is-long-enough"
client_id = "iop-dashboard"
client_secret = "iop-dashboard-secret"
server_metadata_url = "http://127.0.0.1:{mock_port}/.well-known/openid-configuration"
""")
    roles = write(tmp_path, "roles.toml", '[users."dana@example.org"]\nrole = "director"\n')
    env = {"IOP_DB": str(db), "IOP_STATE": str(tmp_path / "state.sqlite"), "IOP_ROLES": str(roles),
           "IOP_USERS": str(tmp_path / "no-users.toml")}
    mock = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--port", str(mock_port), "--user-claims",
                             '{"sub": "dana", "email": "dana@example.org", "name": "Dana Director"}'],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app = None
    try:
        wait_for(f"http://127.0.0.1:{mock_port}/.well-known/openid-configuration")
        app = start_streamlit(app_port, tmp_path, env)
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
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.goto(url + "/caseload")
        expect(page.get_by_text("sign in to continue")).to_be_visible(timeout=30000)
        expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
        page.get_by_role("button", name="Sign in with your organisation's account").click()
        page.get_by_role("button", name="dana").click()          # the mock provider's predefined user
        expect(page.get_by_text("Signed in as Dana Director (director)")).to_be_visible(timeout=30000)
        expect(page.get_by_test_id("stSidebarNavLink").filter(has_text="Caseload")).to_be_visible()
        page.screenshot(path=str(tmp / "signed-in.png"))
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("button", name="End session").click()   # the provider ends its session too
        expect(page.get_by_text("sign in to continue")).to_be_visible(timeout=30000)
        page.goto(url + "/caseload")                             # signed out everywhere: back to sign-in
        expect(page.get_by_text("sign in to continue")).to_be_visible(timeout=30000)
        expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
        browser.close()
    import sqlite3
    events = [e for (e,) in sqlite3.connect(tmp / "state.sqlite").execute("SELECT event FROM audit_log ORDER BY event_id")]
    assert events[:2] == ["sign_in", "sign_out"]
