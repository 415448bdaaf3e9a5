"""Sign-in, roles, caseload scoping in the data layer, and the audit log."""
import datetime as dt
import sqlite3

import pytest

from conftest import app, identity, rows
from dashboard import audit, auth
from dashboard.accounts import write_demo_accounts
from dashboard.caseload import worklist
from dashboard.participant import episode_view
from test_clinician_pages import program  # noqa: F401  (the fixture: P1, P2 with Chen; P3 with Rivera)

PAGES = ["pages/summary.py", "pages/overview.py", "pages/cohorts.py", "pages/caseload.py", "pages/participant.py",
         "pages/audit.py"]


@pytest.fixture
def accounts(program, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("IOP_USERS", str(tmp_path / "users.toml"))
    passwords = write_demo_accounts(tmp_path / "users.toml", tmp_path / "credentials.txt")
    return passwords


def _audit():
    return audit.entries()[["user_name", "role", "event", "participant_id"]].values.tolist()


@pytest.mark.parametrize("page", PAGES)
def test_before_sign_in_every_page_is_the_sign_in_page(accounts, page):
    at = app(role=None)
    at.run()
    assert at.title[0].value == "IOP outcomes dashboard"
    assert [t.label for t in at.text_input] == ["User name", "Password"]
    try:
        at.switch_page(page).run()
    except Exception:
        return  # not even routable
    assert not at.dataframe and not at.metric and not at.get("plotly_chart")


def test_sign_in_with_a_demo_account(accounts):
    at = app(role=None)
    at.run()
    at.text_input(key="username").input("clinician")
    at.text_input(key="password").input(accounts["clinician"])
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["identity"].role == "clinician"
    assert at.session_state["identity"].clinician == "Chen, M."
    assert _audit()[0] == ["clinician", "clinician", "sign_in", None]


def test_failed_sign_in_says_the_same_and_is_audited(accounts):
    messages = []
    for user, password in (("clinician", "wrong"), ("nobody", "wrong")):
        at = app(role=None)
        at.run()
        at.text_input(key="username").input(user)
        at.text_input(key="password").input(password)
        at.button[0].click().run()
        messages.append([e.value for e in at.error])
        assert "identity" not in at.session_state
    assert messages == [[auth.FAILED], [auth.FAILED]]
    assert _audit()[:2] == [["nobody", None, "sign_in_failed", None], ["clinician", None, "sign_in_failed", None]]


def test_demo_accounts_are_refused_in_production(accounts, monkeypatch):
    monkeypatch.setenv("IOP_MODE", "production")
    assert auth.check_password("director", accounts["director"]) is None
    monkeypatch.delenv("IOP_MODE")
    assert auth.check_password("director", accounts["director"]).role == "director"


def test_expired_session_returns_to_sign_in(accounts, monkeypatch):
    at = app("director")
    at.session_state["identity"] = auth.Identity("d", "director", None, "d", "2020-01-01T00:00:00+00:00")
    at.run()
    assert at.warning[0].value == "Your session has expired; sign in again."
    assert _audit()[0] == ["d", "director", "session_expired", None]


def test_clinician_caseload_is_scoped_in_the_data_layer(program):  # noqa: F811
    rows_, _ = worklist(clinician="Rivera", scope="Chen")       # a filter cannot widen the scope
    assert rows_["participant_id"].tolist() == ["P1", "P2"]
    assert episode_view("P3", scope="Chen") is None
    assert episode_view("P3") is not None


def test_clinician_cannot_open_another_clinicians_participant(program):  # noqa: F811
    from test_clinician_pages import _page
    own = _page("pages/participant.py", role="clinician", clinician="Chen", participant="P1")
    assert own.metric[0].value == "Trauma"
    for pid in ("P3", "NOPE"):          # someone else's participant reads exactly like no participant
        at = _page("pages/participant.py", role="clinician", clinician="Chen", participant=pid)
        assert [w.value for w in at.warning] == [f"No participant {pid} in your caseload."]
        assert not at.get("plotly_chart") and not at.metric
    at = _page("pages/participant.py", role="clinician", clinician="Chen", participant="P1")
    at.text_input(key="participant_input").input("P3").run()   # typing another id in the widget
    assert [w.value for w in at.warning] == ["No participant P3 in your caseload."]
    caseload = _page("pages/caseload.py", role="clinician", clinician="Chen")
    assert caseload.dataframe[0].value["participant_id"].tolist() == ["P1", "P2"]
    assert "clinician" not in [s.key for s in caseload.selectbox]


def test_roles_see_their_pages_only(program):  # noqa: F811
    for role, page in (("quality", "pages/participant.py"), ("quality", "pages/caseload.py"), ("admin", "pages/caseload.py"),
                       ("clinician", "pages/cohorts.py"), ("director", "pages/audit.py")):
        at = app(role, clinician="Chen" if role == "clinician" else None)
        at.run()
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_a_page_run_outside_the_navigation_still_checks_the_role(program):  # noqa: F811
    from streamlit.testing.v1 import AppTest

    from conftest import ROOT
    at = AppTest.from_file(str(ROOT / "pages" / "participant.py"), default_timeout=30)
    at.session_state["identity"] = identity("quality")
    at.query_params["participant"] = "P1"
    at.run()
    assert [e.value for e in at.error] == ["You do not have access to this page."]
    assert not at.metric and not at.get("plotly_chart")


def test_exports_are_audited_with_their_filters(program):  # noqa: F811
    import os
    import shutil
    if not shutil.which("chromium") and not os.environ.get("CI"):
        pytest.skip("chart export needs Debian's chromium (CI installs it)")
    from test_clinician_pages import _page
    at = _page("pages/overview.py", role="quality")
    at.button(key="flow-prepare").click().run()
    [entry] = audit.entries().query("event == 'export'").to_dict("records")
    assert (entry["user_name"], entry["role"], entry["page"]) == ("dr.chen@example.org", "quality", "flow")
    assert '"kind": "chart"' in entry["detail"] and "to" in entry["detail"]


def test_quality_exports_carry_no_identifiers(program):  # noqa: F811
    from dashboard.cohort_tables import funnel_table, hedis_table, outcome_table
    from dashboard.cohorts import cohort_outcomes
    from dashboard.exports import table_csv, table_xlsx
    from dashboard.filters import Filters
    c = cohort_outcomes(Filters(dt.date(2024, 1, 1), dt.date(2025, 2, 14)))
    participants = {p for (p,) in rows(program, "SELECT participant_id FROM participants")}
    for table in (funnel_table(c, 10), outcome_table(c, 10), hedis_table(c, 10)):
        text = table_csv(table).decode() + table_xlsx(table).decode("latin-1")
        assert not [p for p in participants if f",{p}," in text or f"\n{p}," in text or f">{p}<" in text]
        assert "Chen" not in text and "Rivera" not in text


def test_audit_log_is_append_only(program):  # noqa: F811
    audit.record("sign_in", "x", "admin")
    import os
    con = sqlite3.connect(os.environ["IOP_STATE"])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE audit_log SET user_name = 'y'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("DELETE FROM audit_log")


def test_admin_sees_the_audit_trail(program):  # noqa: F811
    from test_clinician_pages import _page
    _page("pages/participant.py", role="director", participant="P2")
    at = _page("pages/audit.py", role="admin")
    log = at.dataframe[0].value
    assert log[["user_name", "event", "participant_id"]].values.tolist()[0] == ["dr.chen@example.org", "view_participant", "P2"]
