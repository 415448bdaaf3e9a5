"""Helpers for the browser tests: sign in, open a page, wait for the app's own state (never a
fixed time). Streamlit marks its root with data-test-script-state; each helper first waits for
content that only the awaited run can show, then for the run to have finished."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

PASSWORD = "correct horse battery staple"
# Every expectation waits up to 30 s unless it says otherwise (Playwright's own default is 5 s): on a
# busy machine a table can render seconds after its heading (the off-track journey once failed so)
expect.set_options(timeout=30_000)


def idle(page: Page) -> None:
    """The current run has finished (call after waiting for something the run shows). Up to 180 s, as
    AppTest waits: a quality role's first visit to a quarter builds and audits its release in the run
    (15-30 s alone, more than 60 s beside two other test workers)."""
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning", timeout=180000)
    assert page.get_by_test_id("stException").count() == 0


def sign_in(page: Page, user: str, password: str = PASSWORD) -> None:
    """Fill the sign-in form the browser is on, and wait for the app to show the user."""
    expect(page.get_by_role("heading", name="IOP outcomes dashboard")).to_be_visible(timeout=30000)
    page.get_by_role("textbox", name="User name").fill(user)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=30000)
    idle(page)


def heading(page: Page, title: str) -> None:
    expect(page.get_by_role("heading", name=title, exact=True).first).to_be_visible(timeout=120000)
    idle(page)


def open_page(page: Page, title: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("link", name=title, exact=True).click()
    heading(page, title)


def address(page: Page) -> str:
    """Path and query of the page shown."""
    return re.sub(r"^https?://[^/]+", "", page.url)
