"""Every page of every role in real Chromium at 1440 × 900 and 1024 × 768, on the demo program:
the page runs without an error, nothing spills past the window's width, and a full-page
screenshot is saved to test-artifacts/screen-<width>-<role>-<page>.png to be looked at."""

import pytest

from browser import heading, idle, open_page, sign_in
from conftest import ROOT, rows
from dashboard.access.pages import pages_for
from servers import NEEDS_CHROMIUM, launch_chromium

pytestmark = pytest.mark.skipif(**NEEDS_CHROMIUM)
ARTIFACTS = ROOT / "test-artifacts"
SIZES = ((1440, 900), (1024, 768))


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()


def _participant(db, role) -> str:
    """A participant the role may open, with flags (a clinician: one of Chen's)."""
    mine = "AND e.primary_clinician = 'Chen, M.'" if role == "clinician" else ""
    [(pid,)] = rows(
        db, f"SELECT min(f.participant_id) FROM flags f JOIN episodes e USING (episode_id) WHERE true {mine}"
    )
    return pid


def _charts_drawn(page) -> None:
    """Every chart on the page has drawn its plot (plotly draws after the run has finished)."""
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=stPlotlyChart]')].every(c => c.querySelector('.main-svg'))",
        timeout=60000,
    )


def _whole_page(page, path, width, height) -> None:
    """Streamlit scrolls inside its main block, not the document: the window is made as tall as the
    content for the screenshot, then put back."""
    tall = page.evaluate(
        "Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stAppViewContainer]')]"
        ".map(e => e.scrollHeight), window.innerHeight)"
    )
    page.set_viewport_size({"width": width, "height": min(int(tall) + 40, 12000)})
    # plotly redraws at the new size on the next frames
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": height})


@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}" for w, _ in SIZES])
@pytest.mark.parametrize("role", ["clinician", "director", "quality", "admin"])
def test_every_page_of_every_role_at_two_widths(demo_app, chromium, role, width, height):
    url, db, _ = demo_app
    context = chromium.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(url)
        sign_in(page, role)
        for p in pages_for(role):
            if p.slug == "participant":  # a participant with flags, by its address
                page.goto(f"{url}/{p.slug}?participant={_participant(db, role)}")
                heading(page, p.title)
            else:  # the sidebar, as people go from page to page
                open_page(page, p.title)
            _charts_drawn(page)
            idle(page)
            spill = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert spill <= 0, f"{p.slug} is {spill} px wider than the window at {width}"
            _whole_page(page, ARTIFACTS / f"screen-{width}-{role}-{p.slug}.png", width, height)
    finally:
        context.close()
