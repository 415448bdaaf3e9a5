"""Which pages exist, which role opens which, and where each role starts.

streamlit_app.py builds the navigation from this, each page checks it (dashboard/ui/session.py), and
the web server uses it to tell a page address from an unknown one."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("clinician", "director", "quality", "admin")


@dataclass(frozen=True)
class PageInfo:
    slug: str  # the address: /<slug>
    title: str
    script: str  # relative to the repository root
    roles: tuple[str, ...]


PAGES = {
    p.slug: p
    for p in (
        PageInfo("summary", "Program summary", "pages/summary.py", ("clinician", "director", "admin")),
        PageInfo("overview", "Program overview", "pages/overview.py", ("director", "quality")),
        PageInfo("cohorts", "Cohort outcomes", "pages/cohorts.py", ("director", "quality")),
        PageInfo("measures", "Quality measures", "pages/measures.py", ("director", "quality")),
        PageInfo("caseload", "Caseload", "pages/caseload.py", ("clinician", "director")),
        PageInfo("groups", "Today's groups", "pages/groups.py", ("clinician", "director")),
        PageInfo("participant", "Participant progress", "pages/participant.py", ("clinician", "director")),
        PageInfo("alerts", "How well our alerts work", "pages/alerts.py", ("director",)),
        PageInfo("exports", "What left the program", "pages/exports.py", ("director", "quality")),
        PageInfo("data", "Data", "pages/data.py", ("admin",)),
        PageInfo("accounts", "Accounts", "pages/accounts.py", ("admin",)),
        PageInfo("audit", "Audit trail", "pages/audit.py", ("admin",)),
    )
}

START = {"clinician": "caseload", "director": "overview", "quality": "cohorts", "admin": "data"}


def allowed(role: str, slug: str) -> bool:
    page = PAGES.get(slug)
    return page is not None and role in page.roles


def pages_for(role: str) -> list[PageInfo]:
    return [p for p in PAGES.values() if role in p.roles]
