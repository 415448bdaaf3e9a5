"""Main journeys in real Chromium (Debian's package; CI installs it) against a Streamlit server on
the demo program, with screenshots of every page in test-artifacts/."""
import datetime as dt
import io

import pytest

from conftest import ROOT, load_files, rows
from dashboard.auth import hash_password
from etl.demo import write_demo
from servers import NEEDS_CHROMIUM, free_port, launch_chromium, start_streamlit

pytestmark = pytest.mark.skipif(**NEEDS_CHROMIUM)
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("journeys")
    db = tmp / "iop.duckdb"
    load_files(db, *write_demo(tmp / "demo", participants=300, seed=42).values(), today=dt.date(2026, 11, 26))
    users = tmp / "users.toml"
    users.write_text("".join(f'[users.{n}]\nrole = "{r}"\nname = "{n.title()}"\npassword_hash = "{hash_password(PASSWORD)}"\n'
                             + (f'clinician = "{c}"\n' if c else "") for n, r, c in
                             (("director", "director", None), ("clinician", "clinician", "Chen, M."), ("admin", "admin", None))))
    port = free_port()
    proc = start_streamlit(port, tmp, {"IOP_DB": str(db), "IOP_STATE": str(tmp / "state.sqlite"), "IOP_USERS": str(users)})
    ARTIFACTS.mkdir(exist_ok=True)
    yield f"http://127.0.0.1:{port}", db, tmp
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = launch_chromium(p)
        context = browser.new_context(viewport={"width": 1400, "height": 2200}, accept_downloads=True)
        yield context.new_page()
        browser.close()


def _settled(page):
    from playwright.sync_api import expect
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30000)
    assert page.get_by_test_id("stException").count() == 0


def _sign_in(page, url, user):
    from playwright.sync_api import expect
    page.goto(url)
    page.get_by_role("textbox", name="User name").fill(user)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {user.title()}")).to_be_visible(timeout=30000)
    _settled(page)


def _open(page, title, shot):
    from playwright.sync_api import expect
    page.get_by_test_id("stSidebarNavLink").filter(has_text=title).click()
    expect(page.get_by_role("heading", name=title if title != "Participant progress" else "Participant progress").first).to_be_visible(timeout=30000)
    _settled(page)
    page.screenshot(path=str(ARTIFACTS / f"{shot}.png"))


def test_director_journey(server, page):
    from PIL import Image
    from playwright.sync_api import expect
    from pypdf import PdfReader
    url, db, _ = server
    _sign_in(page, url, "director")
    page.screenshot(path=str(ARTIFACTS / "director-summary.png"))
    _open(page, "Program overview", "director-overview")
    expect(page.get_by_test_id("stPlotlyChart").first.locator(".main-svg").first).to_be_visible(timeout=30000)
    _open(page, "Cohort outcomes", "director-cohorts")
    page.get_by_test_id("stSelectbox").filter(has_text="Cohorts by").click()
    page.get_by_role("option", name="track").click()
    _settled(page)
    expect(page.get_by_text("by track").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "director-cohorts-by-track.png"))
    # download the first chart as PNG
    page.get_by_role("button", name="Download chart").first.click()
    page.get_by_role("button", name="Prepare PNG, SVG and PDF").first.click()
    with page.expect_download(timeout=60000) as download:
        page.get_by_role("button", name="PNG", exact=True).first.click()
    png = Image.open(io.BytesIO(open(download.value.path(), "rb").read()))
    assert png.format == "PNG" and png.size[0] == 2200 and png.size[1] > 600
    # board pack from the overview
    page.keyboard.press("Escape")
    _open(page, "Program overview", "director-overview-2")
    page.get_by_role("button", name="Prepare board pack (PDF)").click()
    with page.expect_download(timeout=120000) as download:
        page.get_by_role("button", name="Download board pack").click()
    pdf = PdfReader(download.value.path())
    assert len(pdf.pages) == 12                                   # a cover and eleven charts
    assert "board pack" in pdf.pages[0].extract_text()


def test_clinician_journey(server, page):
    from playwright.sync_api import expect
    url, db, _ = server
    [(red,)] = rows(db, "SELECT DISTINCT f.participant_id FROM flags f JOIN episodes e USING (episode_id) "
                        "WHERE f.severity = 'red' AND e.primary_clinician = 'Chen, M.'")
    [(other,)] = rows(db, "SELECT min(participant_id) FROM episodes WHERE is_open AND primary_clinician <> 'Chen, M.'")
    _sign_in(page, url, "clinician")
    _open(page, "Caseload", "clinician-caseload")
    _participant(page, red)
    page.screenshot(path=str(ARTIFACTS / "clinician-participant.png"))
    form = page.get_by_test_id("stForm")
    form.get_by_role("textbox").fill("Reviewed in case review; plan adjusted")
    form.get_by_role("button", name="Save").click()
    _settled(page)
    # a reload starts a new browser session: password sessions sign in again (OIDC keeps its cookie)
    page.reload()
    _sign_in(page, url, "clinician")
    _participant(page, red)
    expect(page.get_by_text("acknowledged by clinician").first).to_be_visible(timeout=30000)
    _participant(page, other)
    expect(page.get_by_text(f"No participant {other} in your caseload.")).to_be_visible(timeout=30000)
    assert page.get_by_test_id("stPlotlyChart").count() == 0


def _participant(page, participant_id):
    _open(page, "Participant progress", "participant")
    box = page.get_by_role("textbox", name="Participant")
    box.fill(participant_id)
    box.press("Enter")
    _settled(page)


def test_admin_journey(server, page):
    from playwright.sync_api import expect
    url, db, tmp = server
    attendance = tmp / "new-attendance.csv"
    attendance.write_text("participant_id,session_date,session_type,status,minutes\n"
                          "NEW-1,2026-11-19,group,attended,180\nNEW-1,2026-11-20,group,came,180\n")
    measures = tmp / "new-measures.csv"
    measures.write_text("participant_id,assessment_date,instrument,total\nNEW-1,2026-11-19,PHQ-9,14\nNEW-1,2026-11-20,PHQ-9,29\n")
    [(before,)] = rows(db, "SELECT count(*) FROM assessments")
    _sign_in(page, url, "admin")
    _open(page, "Data", "admin-data")
    page.locator("input[type=file]").set_input_files([str(attendance), str(measures)])
    page.get_by_role("button", name="Load these files").click()
    expect(page.get_by_text("new-measures.csv (measures): read 2, loaded 1")).to_be_visible(timeout=60000)
    expect(page.get_by_text("rejected 1 × PHQ-9 total 29 is above the maximum 27")).to_be_visible()
    expect(page.get_by_text("rejected 1 × status 'came' is not one of")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "admin-data-after-upload.png"))
    _open(page, "Program summary", "admin-summary")
    expect(page.get_by_text(f"{before + 1:,}").first).to_be_visible()   # assessments loaded, without a restart
