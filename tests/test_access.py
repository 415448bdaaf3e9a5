"""Sign-in, roles, caseload scoping in the data layer, and the audit log."""

import sqlite3
import time

import pytest

from conftest import app, session_token
from dashboard.access import pages, sessions
from dashboard.store import audit, db
from dashboard.ui.session import TOKEN_KEY
from dashboard.views.caseload import worklist
from dashboard.views.participant import episode_view

PAGES = [p.script for p in pages.PAGES.values()]  # every page the app routes


def _audit():
    return audit.entries()[["user_name", "role", "event", "participant_id"]].values.tolist()


def _shows_no_data(at):
    return not at.dataframe and not at.metric and not at.get("plotly_chart") and not _facts(at)


def _facts(at) -> bool:
    """The participant page's line of episode facts."""
    return any("**Track:**" in m.value for m in at.markdown)


@pytest.mark.parametrize("page", PAGES)
def test_without_a_session_every_page_only_says_to_sign_in(clinic, page):
    at = app(role=None)
    at.run()
    assert [w.value for w in at.warning] == ["Sign in to continue."]
    at.switch_page(page).run()
    assert [w.value for w in at.warning] == ["Sign in to continue."]
    assert _shows_no_data(at) and not at.exception


def test_a_revoked_token_shows_nothing(clinic):
    at = app("director")
    sessions.end(at.session_state[TOKEN_KEY])
    at.run()
    at.switch_page("pages/caseload.py").run()
    assert [w.value for w in at.warning] == ["Your session was ended; sign in again."]
    assert _shows_no_data(at)


def test_an_expired_session_says_so_and_is_audited_once(clinic, monkeypatch):
    at = app("director", user="d")
    at.run()
    assert at.title[0].value == "Program overview"
    monkeypatch.setenv("IOP_SESSION_MINUTES", "0.0001")  # 6 ms
    time.sleep(0.05)
    at.run()
    assert [w.value for w in at.warning] == ["Your session has expired; sign in again."]
    assert _shows_no_data(at)
    at.run()
    assert [e for e in _audit() if e[2] == "session_expired"] == [["d", "director", "session_expired", None]]


def test_each_role_starts_on_its_own_page(clinic):
    for role, title in (
        ("clinician", "Caseload"),
        ("director", "Program overview"),
        ("quality", "Cohort outcomes"),
        ("admin", "Data"),
    ):
        at = app(role, user=role)
        at.run()
        assert at.title[0].value == title, role
        assert not at.exception


def test_clinician_caseload_is_scoped_in_the_data_layer(clinic):
    with db.scoped(db.ReadScope("Chen")):
        assert worklist(clinician="Rivera").rows.empty  # a filter cannot widen the scope
        assert worklist().rows["participant_id"].tolist() == ["P1", "P2"]
        assert episode_view("P3") is None
        assert db.query("common/overview_filters")["clinicians"].iloc[0].tolist() == ["Chen"]
    assert episode_view("P3") is not None


def test_without_a_bound_scope_nothing_is_read(clinic):
    with db.scoped(None):
        with pytest.raises(db.NoScope):
            worklist()


def test_clinician_cannot_open_another_clinicians_participant(clinic):
    from test_clinician_pages import _page

    own = _page("pages/participant.py", role="clinician", clinician="Chen", participant="P1")
    assert "**Track:** Trauma" in own.markdown[1].value
    for pid in ("P3", "NOPE"):  # someone else's participant reads exactly like no participant
        at = _page("pages/participant.py", role="clinician", clinician="Chen", participant=pid)
        assert [w.value for w in at.warning] == [f"No participant {pid} in your caseload."]
        assert not at.get("plotly_chart") and not at.metric and not _facts(at)
    at = _page("pages/participant.py", role="clinician", clinician="Chen", participant="P1")
    at.text_input(key="participant_input").input("P3").run()  # typing another id in the widget
    assert [w.value for w in at.warning] == ["No participant P3 in your caseload."]
    caseload = _page("pages/caseload.py", role="clinician", clinician="Chen")
    assert caseload.dataframe[0].value["participant_id"].tolist() == ["P1", "P2"]
    assert "case_clinician" not in [s.key for s in caseload.selectbox]


def test_a_page_the_role_may_not_open_says_so_in_one_line(clinic):
    for role, page, title in (
        ("quality", "participant", "Participant progress"),
        ("quality", "caseload", "Caseload"),
        ("admin", "caseload", "Caseload"),
        ("clinician", "cohorts", "Cohort outcomes"),
        ("director", "audit", "Audit trail"),
        ("director", "accounts", "Accounts"),
        ("clinician", "data", "Data"),
    ):
        at = app(role, user=role)
        at.run()
        at.switch_page(f"pages/{page}.py").run()
        assert [e.value for e in at.error] == [f"The {role} role does not open {title}."]
        assert _shows_no_data(at) and not at.title


def test_a_page_run_outside_the_navigation_still_checks_the_role(clinic):
    from streamlit.testing.v1 import AppTest

    from conftest import ROOT

    at = AppTest.from_file(str(ROOT / "pages" / "participant.py"), default_timeout=30)
    at.session_state[TOKEN_KEY] = session_token("quality")
    at.query_params["participant"] = "P1"
    at.run()
    assert [e.value for e in at.error] == ["The quality role does not open Participant progress."]
    assert not at.metric and not at.get("plotly_chart") and not _facts(at)


@pytest.mark.sqlite_store
def test_audit_log_is_append_only(clinic):
    audit.record("sign_in", "x", "admin")
    import os

    con = sqlite3.connect(os.environ["IOP_STATE"])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE audit_log SET user_name = 'y'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("DELETE FROM audit_log")


def test_admin_sees_the_audit_trail(clinic):
    from test_clinician_pages import _page

    _page("pages/participant.py", role="director", participant="P2")
    at = _page("pages/audit.py", role="admin")
    log = at.dataframe[0].value
    log = log[log["Event"] != "opened page"]
    assert log[["User", "Event", "Participant", "Detail"]].values.tolist()[:2] == [
        ["test setup", "changed account", "", log["Detail"].iloc[0]],
        ["dr.chen@example.org", "viewed participant", "P2", "episode: P2#20250106"],
    ]
    assert not log.isna().any().any() and "None" not in log.to_string() and "{" not in log.to_string()
    # the page holds every entry of the chosen days, not the newest few thousand: an entry of 40 days ago
    # is there once the range reaches it
    import datetime as dt

    from dashboard.store import app_state

    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    with app_state.connect(audit.SCHEMA) as con:
        con.execute(
            "INSERT INTO audit_log (at, user_name, role, event) VALUES (?, 'old.user', 'director', 'sign_in')",
            (old.strftime("%Y-%m-%d %H:%M:%S"),),
        )
    assert "old.user" not in at.dataframe[0].value["User"].tolist()  # the last 30 days by default
    at.date_input(key="audit_from").set_value(old.date() - dt.timedelta(days=1)).run()
    assert "old.user" in at.dataframe[0].value["User"].tolist()


def test_one_audit_entry_per_visit_not_per_click(clinic):
    at = app("director", user="dana")
    at.run()
    at.switch_page("pages/caseload.py").run()
    at.selectbox(key="case_clinician").set_value("Rivera").run()  # another click on the same page
    at.switch_page("pages/participant.py")
    at.query_params["participant"] = "P2"
    at.run()
    at.toggle(key="weeks_axis").set_value(True).run()  # clicks on the participant page
    at.toggle(key="weeks_axis").set_value(False).run()
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/caseload.py").run()  # coming back is a new visit
    log = audit.entries()
    log = log[log["user_name"] == "dana"]
    assert list(zip(log["event"], log["page"]))[::-1] == [
        ("view_page", "overview"),
        ("view_page", "caseload"),
        ("view_page", "participant"),
        ("view_participant", "participant"),
        ("view_page", "overview"),
        ("view_page", "caseload"),
    ]
