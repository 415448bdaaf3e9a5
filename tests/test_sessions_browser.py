"""Sign-in and navigation as staff use them, in real Chromium (Debian's package; CI installs it)
against server.py on the demo program: every page of every role survives a reload, a link opened
before sign-in lands where it pointed, filters are kept between pages and in copied links, a
signed-out cookie is refused, guessing is throttled, and an idle page hides its data on expiry."""

import re

import pytest
from playwright.sync_api import expect

from browser import PASSWORD, address, heading, idle, open_page, sign_in
from conftest import ROOT, rows
from dashboard.access.pages import PAGES, START, pages_for
from servers import NEEDS_CHROMIUM, demo_server, launch_chromium

pytestmark = pytest.mark.skipif(**NEEDS_CHROMIUM)
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def server(demo_app):
    return demo_app


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1400})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("role", ["clinician", "director", "quality", "admin"])
def test_every_page_survives_a_reload_signed_in(server, page, role):
    url, _, _ = server
    page.goto(url)
    sign_in(page, role)
    heading(page, PAGES[START[role]].title)  # each role starts on its own page
    for p in pages_for(role):
        open_page(page, p.title)
        before = address(page)
        assert before.split("?")[0] == f"/{p.slug}"
        page.reload()
        heading(page, p.title)
        assert address(page) == before
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / f"reload-{role}-{p.slug}.png"))


def test_a_link_opened_before_sign_in_lands_where_it_pointed(server, page):
    url, db, _ = server
    [(pid,)] = rows(db, "SELECT min(participant_id) FROM episodes WHERE is_open AND primary_clinician = 'Chen, M.'")
    page.goto(f"{url}/participant?participant={pid}")
    assert address(page).startswith("/auth/signin?next=")
    sign_in(page, "clinician")
    heading(page, "Participant progress")
    expect(page.get_by_role("heading", name="Scores")).to_be_visible(timeout=60000)
    assert address(page).startswith(f"/participant?participant={pid}&episode=")
    expect(page.get_by_role("textbox", name="Participant")).to_have_value(pid)


def test_a_page_the_role_may_not_open_and_an_unknown_address(server, page):
    url, _, _ = server
    page.goto(f"{url}/cohorts")
    sign_in(page, "clinician")
    expect(page.get_by_text("The clinician role does not open Cohort outcomes.")).to_be_visible(timeout=30000)
    idle(page)
    assert page.get_by_test_id("stPlotlyChart").count() == 0
    assert page.get_by_role("dialog").count() == 0  # no "page not found" dialog
    page.goto(f"{url}/cohort")
    expect(page.get_by_role("heading", name="No page at this address")).to_be_visible()


def _choose(page, label, option):
    page.get_by_test_id("stSelectbox").filter(has_text=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_overview_filters_are_kept_on_cohorts_and_in_a_copied_link(server, page, chromium):
    url, _, _ = server
    page.goto(url)
    sign_in(page, "director")
    heading(page, "Program overview")
    _choose(page, "Track", "Trauma")
    expect(page).to_have_url(re.compile(r"track=Trauma"), timeout=30000)
    expect(page.get_by_text(re.compile(r"track: Trauma")).first).to_be_visible(timeout=30000)
    idle(page)
    open_page(page, "Cohort outcomes")
    expect(page.get_by_text(re.compile(r"track: Trauma")).first).to_be_visible()
    _choose(page, "Cohorts by", "track")
    expect(page.get_by_text("by track").first).to_be_visible(timeout=30000)
    idle(page)
    open_page(page, "Program overview")
    assert "track=Trauma" in address(page) and "by=track" in address(page)
    expect(page.get_by_role("combobox", name="Track")).to_have_value("Trauma")
    page.go_back()  # the browser's back button: cohorts as it was
    heading(page, "Cohort outcomes")
    expect(page.get_by_text("by track").first).to_be_visible()
    copied = page.url
    # the copied link, opened by a colleague in another browser, shows the same view after sign-in
    other = chromium.new_context(viewport={"width": 1400, "height": 1400}).new_page()
    other.goto(copied)
    sign_in(other, "director")
    heading(other, "Cohort outcomes")
    expect(other.get_by_text(re.compile(r"track: Trauma")).first).to_be_visible()
    expect(other.get_by_text("by track").first).to_be_visible()
    assert address(other) == address(page)
    other.context.close()


def test_the_caseload_filter_is_kept_after_opening_a_participant(server, page):
    url, db, _ = server
    [(clinician, n)] = rows(
        db,
        "SELECT primary_clinician, count(*) FROM episodes WHERE is_open AND primary_clinician IS NOT NULL "
        "GROUP BY 1 ORDER BY 2, 1 LIMIT 1",
    )
    page.goto(f"{url}/caseload")
    sign_in(page, "director")
    heading(page, "Caseload")
    _choose(page, "Clinician", clinician)
    expect(page.get_by_text(f"{n} open episodes", exact=False)).to_be_visible(timeout=30000)
    idle(page)
    grid = page.get_by_test_id("stDataFrame").first.bounding_box()
    page.mouse.click(grid["x"] + 15, grid["y"] + 35 + 17)  # select the first row: its flags and a way in
    page.get_by_role("button", name="Open participant progress").click()
    heading(page, "Participant progress")
    expect(page.get_by_role("heading", name="Scores")).to_be_visible(timeout=60000)
    open_page(page, "Caseload")
    expect(page.get_by_role("combobox", name="Clinician")).to_have_value(clinician)
    expect(page.get_by_text(f"{n} open episodes", exact=False)).to_be_visible()
    open_page(page, "Participant progress")  # and the participant is kept too
    expect(page.get_by_role("heading", name="Scores")).to_be_visible(timeout=60000)


def test_after_sign_out_the_old_cookie_is_refused(server, page, chromium):
    url, _, _ = server
    page.goto(f"{url}/overview")
    sign_in(page, "director")
    heading(page, "Program overview")
    [cookie] = [c for c in page.context.cookies() if c["name"] == "iop_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert "iop_session" not in page.evaluate("document.cookie")  # never readable by a script
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible(timeout=30000)
    assert page.get_by_test_id("stPlotlyChart").count() == 0
    replay = chromium.new_context()
    replay.add_cookies([cookie])
    stolen = replay.new_page()
    stolen.goto(f"{url}/overview")
    expect(stolen.get_by_role("heading", name="IOP outcomes dashboard")).to_be_visible(timeout=30000)
    assert address(stolen).startswith("/auth/signin?next=%2Foverview")
    replay.close()
    page.go_back()  # back to the overview: sign in again
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=30000)


def test_the_sixth_wrong_password_is_throttled_even_when_right(tmp_path, chromium, demo_source):
    # a server of its own: the five failures lock sign-ins from this computer (127.0.0.1) for 15 minutes
    with demo_server(tmp_path, PASSWORD, demo_source) as (url, _, _):
        page = chromium.new_context().new_page()
        page.goto(url)
        for attempt in range(5):
            page.get_by_role("textbox", name="User name").fill("director")
            page.get_by_role("textbox", name="Password").fill(f"wrong guess {attempt}")
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_text("Sign-in failed: check the user name and password.")).to_be_visible()
        page.get_by_role("textbox", name="User name").fill("director")
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text(re.compile(r"Too many failed sign-ins.*Try again in 15 minutes"))).to_be_visible()
        assert page.get_by_role("button", name="Sign out").count() == 0
        page.context.close()
        # a forged X-Forwarded-For is not believed (no trusted proxy is named): still this computer's pair
        import httpx

        with httpx.Client(base_url=url) as client:
            csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/auth/signin").text).group(1)
            forged = client.post(
                "/auth/signin",
                data={"username": "director", "password": PASSWORD, "next": "/", "csrf": csrf},
                headers={"X-Forwarded-For": "10.9.9.9"},
            )
        assert forged.status_code == 429 and "Too many failed sign-ins" in forged.text


def test_an_idle_page_hides_its_data_when_the_session_expires(tmp_path, chromium, demo_source):
    with demo_server(tmp_path, PASSWORD, demo_source, IOP_SESSION_MINUTES="0.25") as (url, db, _):  # 15 s
        page = chromium.new_context(viewport={"width": 1400, "height": 1400}).new_page()
        page.goto(f"{url}/summary")
        sign_in(page, "clinician")
        heading(page, "Program summary")
        expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
        # no click from here: the page re-checks its session and leaves within seconds of expiry
        expect(page.get_by_text("Your session has expired; sign in again.")).to_be_visible(timeout=40000)
        # the page says so, then goes to sign-in: on a busy machine the address follows a moment later
        expect(page).to_have_url(re.compile(r"/auth/signin\?m=expired&next=%2Fsummary$"), timeout=30000)
        assert address(page) == "/auth/signin?m=expired&next=%2Fsummary"
        assert page.get_by_test_id("stDataFrame").count() == 0
        page.screenshot(path=str(ARTIFACTS / "expired.png"))
        sign_in(page, "clinician")  # signing in again returns to that page
        heading(page, "Program summary")
        page.context.close()
