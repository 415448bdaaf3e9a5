"""Every page of every role in real Chromium at 1440 × 900 and 1024 × 768, on the demo program:
the page runs without an error, nothing spills past the window's width, an accessibility check
(axe-core, WCAG 2.0/2.1 A and AA) finds no serious or critical violation, and a full-page
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
    # locators, not wait_for_function: a string predicate is evaluated with eval, which the app's
    # Content-Security-Policy refuses whenever the first check is false
    charts = page.get_by_test_id("stPlotlyChart")
    for i in range(charts.count()):
        charts.nth(i).locator(".main-svg").first.wait_for(timeout=60000)


WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _accessibility_violations(page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page as shown, one line each
    with the first elements concerned."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options=WCAG_AA).response["violations"]
    return [
        f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}: "
        + "; ".join(" ".join(n["target"]) + " " + (n.get("failureSummary") or "")[:160] for n in v["nodes"][:3])
        + ")"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


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
    violations = {}
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
            if width == SIZES[0][0]:  # the page's content is the same at both widths: checked once
                violations[p.slug] = _accessibility_violations(page)
                unnamed = page.evaluate(
                    "[...document.querySelectorAll('[data-testid=stPlotlyChart]')]"
                    ".filter(c => !c.closest('[role=figure][aria-label]') && !c.querySelector('[role=figure][aria-label]')).length"
                )
                assert unnamed == 0, f"{p.slug}: {unnamed} charts without a text alternative"
            _whole_page(page, ARTIFACTS / f"screen-{width}-{role}-{p.slug}.png", width, height)
    finally:
        context.close()
    assert not {slug: v for slug, v in violations.items() if v}, "\n".join(
        f"{slug}: {line}" for slug, lines in violations.items() for line in lines
    )
