"""Shared fixtures: export files written in code, loads into a temporary database."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl.load import load

ROOT = Path(__file__).resolve().parents[1]

# no background warm-up after each test's load (dashboard/store/background.py AFTER_LOAD): hundreds of small loads
# would each start one; tests/test_data_reuse.py runs it on purpose
os.environ["IOP_WARM"] = "0"
# a load that touches few participants rebuilds theirs, then every mart before it ends (etl/derive.py),
# so a test reads a finished build; tests/test_incremental.py looks at the first step on its own
os.environ["IOP_WHOLE_HISTORY"] = "inline"

TODAY = dt.date(2026, 1, 31)  # "now" for every test load: later dates are in the future


def write(folder: Path, name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


def load_files(db: Path, *paths, **kwargs):
    kwargs.setdefault("today", TODAY)
    kwargs.setdefault("progress", False)
    return load([str(p) for p in paths], db, **kwargs)


def rows(db: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def table_counts(db: Path) -> dict[str, int]:
    tables = [
        "participants",
        "episodes",
        "sessions",
        "assessments",
        "assessment_items",
        "loads",
        "rejects",
        "raw_rows",
        "sessions_history",
        "assessments_history",
        "roster_admissions",
    ]
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def etl_cli(*args, env=None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "etl", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server for this test process (tests/postgres.py); call it for a new empty database's URL."""
    from tests.postgres import server

    with server() as database:
        yield database


@pytest.fixture(autouse=True)
def private_state(request, tmp_path, monkeypatch):
    """Every test has its own application-state store (never data/app_state.sqlite) and an empty
    configuration folder, and cheap bcrypt hashes: the policy's cost is checked in test_sessions.py,
    and by the browser tests' servers. With IOP_TEST_STATE=postgres the store is a new PostgreSQL
    database instead (tests/test_state_postgres.py runs the store's own tests that way)."""
    from dashboard.access import passwords
    from dashboard.store import app_state, background, db

    monkeypatch.setenv("IOP_STATE", str(tmp_path / "app_state.sqlite"))
    if os.environ.get("IOP_TEST_STATE") == "postgres":
        from tests.postgres import NEEDS_POSTGRES

        if NEEDS_POSTGRES["condition"]:
            pytest.skip(NEEDS_POSTGRES["reason"])
        monkeypatch.setenv("IOP_STATE_URL", request.getfixturevalue("postgres")())
    monkeypatch.setenv("IOP_CONFIG", str(tmp_path / "config"))  # no program configuration unless a test writes one
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)
    passwords.placeholder_hash.cache_clear()
    with db.scoped(db.EVERYTHING):  # view models called directly read the whole program; pages bind their own
        yield
    passwords.placeholder_hash.cache_clear()
    app_state.close_pools()  # a PostgreSQL store's connections end with its test
    # a build a test started in the background (IOP_WARM=1) ends with it: the process holds one
    # database file at a time, and a build still reading another test's file would make the next
    # test's file let go of what it had kept
    background.wait()


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "iop.duckdb"


_SCENARIOS: dict[tuple[str, str], Path] = {}


def scenario(request, make) -> Path:
    """This test's copy of the database make(folder, database) loads: loaded once per module and
    fixture (a load takes most of a second, a copy milliseconds), so a test that loads more into
    its copy changes no other test's. Returns the copy (the `db` fixture's path)."""
    key = (request.module.__name__, request.fixturename)
    if key not in _SCENARIOS:
        folder = request.getfixturevalue("tmp_path_factory").mktemp(request.fixturename)
        make(folder, folder / "iop.duckdb")
        _SCENARIOS[key] = folder / "iop.duckdb"
    copy = request.getfixturevalue("tmp_path") / "iop.duckdb"
    shutil.copyfile(_SCENARIOS[key], copy)
    return copy


ATTENDANCE_HEADER = "participant_id,session_date,session_type,status,minutes,program,clinician\n"
MEASURES_HEADER = (
    "participant_id,assessment_date,instrument,total," + ",".join(f"item_{i}" for i in range(1, 10)) + "\n"
)
ROSTER_HEADER = (
    "participant_id,admit_date,discharge_date,discharge_reason,program,primary_clinician,birth_year,aftercare_plan\n"
)


def caption_with(at, text: str) -> str:
    """The first caption of the page that holds `text` (captions come and go above it: the data date
    is a warning when the data are old)."""
    return next(c.value for c in at.caption if text in c.value)


def shown(markdown: str) -> str:
    """What a reader sees of markdown that dashboard.ui.markdown.escape_markdown escaped (AppTest gives the source)."""
    import re

    return re.sub(r"\\([^\w\s])", r"\1", markdown)


def _decode(value):
    """Plotly writes numeric arrays as {"dtype": ..., "bdata": base64}; turn them back into lists."""
    import base64

    import numpy as np

    if isinstance(value, dict) and set(value) >= {"dtype", "bdata"}:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            array = array.reshape(tuple(int(n) for n in str(value["shape"]).split(",")))
        return array.tolist()
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def chart(at, index: int = 0) -> dict:
    """The figure an AppTest page drew, as plain JSON (data, layout) with arrays decoded."""
    import json

    return _decode(json.loads(at.get("plotly_chart")[index].proto.spec))


ITEMS_HEADER = "participant_id,assessment_date,instrument,total," + ",".join(f"item_{i}" for i in range(1, 21)) + "\n"


def measures_row(pid: str, date: str, instrument: str, total="", items=()) -> str:
    cells = [str(v) for v in items] + [""] * (20 - len(items))
    return ",".join([pid, date, instrument, str(total), *cells])


def build(tmp_path, db, roster=(), attendance=(), measures=(), as_of=None, **kwargs):
    """Load rows (strings without headers) for a scenario; returns the load results."""
    files = []
    if roster:
        files.append(write(tmp_path, "roster.csv", ROSTER_HEADER + "\n".join(roster) + "\n"))
    if attendance:
        files.append(write(tmp_path, "attendance.csv", ATTENDANCE_HEADER + "\n".join(attendance) + "\n"))
    if measures:
        files.append(write(tmp_path, "measures.csv", ITEMS_HEADER + "\n".join(measures) + "\n"))
    return load_files(db, *files, as_of=as_of, **kwargs)


PROGRAM_INSTRUMENT = """
[instruments.WEMWBS-7]
name = "Short Warwick-Edinburgh Mental Wellbeing Scale"
items = 7
item_min = 1
item_max = 5
total_min = 7
total_max = 35
higher_is_worse = false
clinical_cutoff = 20
reliable_change = 3
sources = "Stewart-Brown et al. 2009"
"""


PASSWORD = "correct horse battery staple"


def account(role: str = "director", user: str = "dr.chen@example.org", clinician: str | None = None):
    """This account in the test's store (added once), with the password PASSWORD; returns its identity."""
    from dashboard.access import accounts

    setup, clinician = accounts.Actor("test setup", None), clinician or ("Chen" if role == "clinician" else None)
    existing = accounts.identity_of(user, "password")
    if existing is None:
        accounts.add(user, role, setup, user, clinician, PASSWORD)
    elif (existing.role, existing.clinician) != (role, clinician):  # the same person in another role
        accounts.change(user, setup, role=role, clinician=clinician or "")
    return accounts.identity_of(user, "password")


def session_token(role: str = "director", user: str = "dr.chen@example.org", clinician: str | None = None) -> str:
    """A live session (as the sign-in route opens one) for this account."""
    from dashboard.access import sessions

    return sessions.create(account(role, user, clinician))


def app(role: str = "director", user: str = "dr.chen@example.org", clinician: str | None = None):
    """An AppTest of the whole app, signed in with this role. AppTest cannot send the session cookie,
    so the token goes where dashboard/ui/session.py looks for it in tests."""
    from streamlit.testing.v1 import AppTest

    from dashboard.ui.session import TOKEN_KEY

    # 180 s: a quality page's first run builds and audits its quarter's release (10-40 s alone, several
    # times that on a busy machine); a hung run still fails
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180)
    if role:
        at.session_state[TOKEN_KEY] = session_token(role, user, clinician)
    return at


@pytest.fixture
def caught_downloads(monkeypatch):
    """key -> (file name, the function a click would call), for every download button a page draws."""
    import streamlit

    caught = {}

    def download_button(label, data, file_name=None, mime=None, on_click=None, key=None, **kwargs):
        caught[key] = (file_name, data)
        return False

    monkeypatch.setattr(streamlit, "download_button", download_button)
    return caught


DEMO_AS_OF = dt.date(2026, 11, 26)


def _build_demo(folder: Path) -> Path:
    from etl.demo import write_demo

    db = folder / "demo.duckdb"
    load_files(db, *write_demo(folder / "exports", participants=300, seed=42).values(), today=DEMO_AS_OF)
    return db


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory, worker_id) -> Path:
    """The demo program (300 participants, seed 42) loaded as of 26 Nov 2026, built once per test run:
    parallel workers share one build (the first builds it under a lock, the others wait for it).
    Never handed to a test: demo_db and demo_app give each module a copy."""
    if worker_id == "master":  # one process: its own temporary folder
        return _build_demo(tmp_path_factory.mktemp("demo-source"))
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent / "demo-source"  # this run's, beside every worker's own
    shared.mkdir(exist_ok=True)
    with FileLock(str(shared / "build.lock")):
        db = shared / "demo.duckdb"
        if not (shared / "built").exists():
            _build_demo(shared)
            (shared / "built").touch()
    return db


@pytest.fixture(scope="module")
def demo_db(demo_source, tmp_path_factory) -> Path:
    """A copy of the demo program for this module (a copy takes milliseconds; a load, seconds)."""
    db = tmp_path_factory.mktemp("demo") / "iop.duckdb"
    shutil.copyfile(demo_source, db)
    return db


@pytest.fixture(scope="session")
def demo_app(demo_source, tmp_path_factory):
    """For browser tests: a copy of the demo program behind one server.py for each worker's run (the
    browser modules that worker runs share it), with an account per role (servers.demo_server);
    screenshots go to test-artifacts/. Yields (url, database, folder)."""
    from servers import demo_server

    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    with demo_server(tmp_path_factory.mktemp("demo-app"), PASSWORD, demo_source) as running:
        yield running


def pytest_collection_modifyitems(config, items):
    """With parallel workers (pytest-xdist, --dist loadgroup), a module's tests run in one worker, so
    its module-scoped scenario is loaded once; the tests marked `timing` share one worker, one after
    another, so that none of them waits on another of them."""
    for item in items:
        if not item.get_closest_marker("xdist_group"):
            group = "timing" if item.get_closest_marker("timing") else item.module.__name__
            item.add_marker(pytest.mark.xdist_group(group))


CLINIC_AS_OF = dt.date(2025, 2, 14)  # a Friday; P1..P3 admitted Monday 6 Jan 2025


def _clinic_day(n):
    return str(dt.date(2025, 1, 6) + dt.timedelta(days=n))


def _make_clinic(tmp_path, db):
    roster = [
        "P1,2025-01-06,,,Trauma,Chen,1990,",
        "P2,2025-01-06,,,Trauma,Chen,1985,",
        "P3,2025-01-06,,,Depression/Anxiety,Rivera,1970,",
    ]
    attendance = []
    for d in range(0, 40):
        if d % 7 < 5:  # weekdays
            attendance.append(f"P1,{_clinic_day(d)},group,attended,180,Trauma,Chen")
            attendance.append(f"P3,{_clinic_day(d)},group,attended,180,Depression/Anxiety,Rivera")
            # P2 stops coming after day 21: disengaged, no-shows, low attendance
            attendance.append(f"P2,{_clinic_day(d)},group,{'attended,180' if d <= 21 else 'no_show,0'},Trauma,Chen")
    measures = []
    for week in range(6):
        d = 7 * week
        measures.append(
            measures_row(
                "P1",
                _clinic_day(d),
                "PHQ-9",
                "",
                [2, 2, 2, 2, 2, 1, 1, 0, 0] if week < 5 else [3, 3, 3, 2, 2, 2, 2, 1, 1],
            )
        )
        measures.append(measures_row("P2", _clinic_day(d), "PHQ-9", 14 - week))
        measures.append(measures_row("P3", _clinic_day(d), "PHQ-9", 18 - 2 * week))
    build(
        tmp_path,
        db,
        roster=roster,
        attendance=attendance,
        measures=measures,
        as_of=CLINIC_AS_OF,
        today=dt.date(2025, 3, 1),
    )


@pytest.fixture
def clinic(request, tmp_path, monkeypatch):
    """A small clinic as of Friday 14 Feb 2025: P1 and P2 with Chen on the Trauma track (P2 stops coming
    after day 21: disengaged, no-shows, low attendance), P3 with Rivera; weekly PHQ-9s. Loaded once per
    module, copied for each test."""
    db = scenario(request, _make_clinic)
    monkeypatch.setenv("IOP_DB", str(db))
    monkeypatch.setenv("IOP_STATE", str(tmp_path / "state.sqlite"))
    monkeypatch.setenv("IOP_USER", "dr.chen@example.org")
    return db
