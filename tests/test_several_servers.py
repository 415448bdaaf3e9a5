"""Several dashboard servers behind one address, as a health system runs them: the application state in
a real PostgreSQL server (tests/postgres.py), each server reading its own copy of the database, the
loader publishing each new database to the other (etl/publish.py). One browser: signed in on server A,
it acts on server B, and A shows what was done on B; a load on A reaches B's pages; signing out on
one ends the session on both. (A cookie belongs to a host, not a port: both servers on 127.0.0.1
receive it, as both servers behind a load balancer do.)"""

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from postgres import NEEDS_POSTGRES

from browser import PASSWORD, heading, idle, sign_in
from clinical.flag_rules import label
from conftest import ROOT, rows
from servers import NEEDS_CHROMIUM, add_accounts, free_port, launch_chromium, start_streamlit

pytestmark = [pytest.mark.skipif(**NEEDS_CHROMIUM), pytest.mark.skipif(**NEEDS_POSTGRES)]
ARTIFACTS = ROOT / "test-artifacts"


def _state(url: str, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url) as con:
        return con.execute(sql).fetchall()


def _next_day_session(db) -> tuple[str, str]:
    """An attendance file with one session the day after the data's date (a new data date); returns it and that day."""
    header = "participant_id,session_date,start_time,session_type,status,minutes,program,clinician,session_id"
    [(pid, day, program, clinician)] = rows(
        db,
        "SELECT participant_id, session_date, program, clinician FROM sessions "
        "WHERE clinician IS NOT NULL ORDER BY session_date DESC, participant_id LIMIT 1",
    )
    after = day + dt.timedelta(days=1)
    return f'{header}\n{pid},{after},09:00,individual,attended,50,{program},"{clinician}",PUB-1\n', f"{after:%d %b %Y}"


def test_sign_in_on_one_server_act_on_the_other_and_a_load_reaches_both(postgres, demo_db, tmp_path, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    url = postgres()
    monkeypatch.setenv("IOP_STATE_URL", url)
    add_accounts(tmp_path / "unused.sqlite", PASSWORD, ("clinician", "clinician", "Chen, M."))
    folders = {name: tmp_path / name for name in "ab"}
    for folder in folders.values():
        folder.mkdir()
        shutil.copyfile(demo_db, folder / "iop.duckdb")  # as the first publish left them
    config = tmp_path / "config"  # the loading machine's settings: publish to B
    config.mkdir()
    (config / "settings.toml").write_text(f'[servers]\npublish_to = ["{folders["b"] / "iop.duckdb"}"]\n')

    [(red, rule, instrument)] = rows(
        demo_db,
        "SELECT f.participant_id, f.rule_id, f.instrument FROM flags f JOIN episodes e USING (episode_id) "
        "WHERE f.rule_id <> 'below_expected' AND e.primary_clinician = 'Chen, M.' ORDER BY 1, 2, 3 LIMIT 1",
    )
    servers, ports = [], {name: free_port() for name in folders}
    try:
        for name, folder in folders.items():
            env = {
                "IOP_STATE_URL": url,
                "IOP_DB": str(folder / "iop.duckdb"),
                "IOP_WARM": "0",
                "IOP_CONFIG": str(config),
            }
            servers.append(start_streamlit(ports[name], folder, env, log=folder / "server.log"))
        a, b = (f"http://127.0.0.1:{ports[n]}" for n in "ab")
        with sync_playwright() as p:
            browser = launch_chromium(p)
            page = browser.new_page(viewport={"width": 1400, "height": 2000})

            # signed in on A ...
            page.goto(a)
            sign_in(page, "clinician")
            heading(page, "Caseload")
            # ... the same browser on B: still signed in, and acts on a flag there
            page.goto(f"{b}/participant?participant={red}")
            heading(page, "Participant progress")
            page.get_by_role("combobox", name="Flag").click()
            page.keyboard.type(f"{red}: {label(rule, instrument)} —")
            page.keyboard.press("Enter")
            idle(page)
            form = page.get_by_test_id("stForm").filter(has_text="Action taken")
            form.get_by_role("textbox", name="Note").fill("Discussed in case review on server B")
            form.get_by_role("button", name="Save").click()
            expect(page.get_by_text("acknowledged by clinician.")).to_be_visible(timeout=60000)
            idle(page)
            page.screenshot(path=str(ARTIFACTS / "several-servers-b-acknowledged.png"))

            # back on A: the acknowledgement made on B is there
            page.goto(f"{a}/participant?participant={red}")
            heading(page, "Participant progress")
            expect(page.get_by_text("acknowledged by clinician (").first).to_be_visible(timeout=30000)
            page.screenshot(path=str(ARTIFACTS / "several-servers-a-sees-it.png"))
            assert _state(url, "SELECT kind, note, user_name FROM flag_actions") == [
                ("acknowledged", "Discussed in case review on server B", "clinician")
            ]
            viewed = _state(url, "SELECT count(*) FROM audit_log WHERE event = 'view_participant'")[0][0]
            assert viewed >= 2  # B's view and A's, in the one trail

            # a load on A (the loading machine) is published to B: B's pages show the new data date
            attendance, new_day = _next_day_session(demo_db)
            (tmp_path / "tonight.csv").write_text(attendance)
            load = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "etl",
                    "load",
                    str(tmp_path / "tonight.csv"),
                    "--db",
                    str(folders["a"] / "iop.duckdb"),
                ],
                cwd=ROOT,
                env={**os.environ, "IOP_CONFIG": str(config)},
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert load.returncode == 0, load.stderr[-2000:]
            published = json.loads((folders["a"] / ".iop.duckdb.published.json").read_text())
            assert [(r["target"], r["ok"]) for r in published] == [(str(folders["b"] / "iop.duckdb"), True)]
            assert oct((folders["b"] / "iop.duckdb").stat().st_mode & 0o777) == "0o600"
            assert rows(folders["b"] / "iop.duckdb", "SELECT count(*) FROM sessions WHERE session_id = 'PUB-1'") == [
                (1,)
            ]
            page.goto(f"{b}/caseload")
            heading(page, "Caseload")
            # "Data as of DAY: ..." or, the demo's data being old, "The latest activity in them is DAY: ..."
            expect(page.get_by_text(re.compile(rf"(as of|activity in them is) {new_day}:")).first).to_be_visible()

            # signing out on B ends the session on A too
            page.get_by_role("button", name="Sign out").click()
            expect(page.get_by_role("heading", name="IOP outcomes dashboard")).to_be_visible(timeout=30000)
            page.goto(f"{a}/caseload")
            expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=30000)
            browser.close()
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
