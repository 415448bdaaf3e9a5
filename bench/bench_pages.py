"""Page benchmark: `make bench` (targets: each page's first server-side run <= 0.5 s on demo data;
a filter change or a regrouping <= 0.5 s).

Builds the demo database, then times AppTest runs (after one warm-up run, so Python's imports are
not counted), best of three and the median:
- a page's first run in a new session on a running server (results other sessions asked for are kept);
- the same as the first visitor after a load (nothing kept yet, the database not yet open);
- a filter change on the overview and on the cohort page, and a regrouping of the cohorts, the page
  just opened after a load (the rerun after the widget changes: nobody has asked for the new view
  since the load).

    .venv/bin/python bench/bench_pages.py [--db data/iop.duckdb]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit import logger as streamlit_logger
from streamlit.testing.v1 import AppTest

from dashboard.access import accounts, sessions
from dashboard.store import cache, live
from dashboard.ui.session import TOKEN_KEY
from etl.demo import write_demo
from etl.load import load

# setting AppTest's session state before a run logs "missing ScriptRunContext" each time: noise
QUIET = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")

PAGES = [
    ("Program summary", "pages/summary.py", {}),
    ("Program overview", "pages/overview.py", {}),
    ("Cohort outcomes", "pages/cohorts.py", {}),
    ("Quality measures", "pages/measures.py", {}),
    ("Caseload", "pages/caseload.py", {}),
    ("How well our alerts work", "pages/alerts.py", {}),
    ("Participant progress", "pages/participant.py", {"participant": None}),
]  # last: its participant is set


def _pick_track(at) -> None:
    at.selectbox(key="filter_track").set_value(at.selectbox(key="filter_track").options[1])


def _by_track(at) -> None:
    at.selectbox(key="filter_by").set_value("track")


CHANGES = [
    ("Overview: a track chosen", "pages/overview.py", _pick_track),
    ("Cohorts: a track chosen", "pages/cohorts.py", _pick_track),
    ("Cohorts: regrouped by track", "pages/cohorts.py", _by_track),
    ("Quality measures: regrouped by track", "pages/measures.py", _by_track),
]


def _token() -> str:
    """A live session for a director (an organisation account: no password hashing in the way)."""
    if accounts.identity_of("bench", "oidc") is None:
        accounts.add("bench", "director", accounts.Actor("bench", None))
    return sessions.create(accounts.identity_of("bench", "oidc"))


def forget(database: bool = True) -> None:
    """As just after a load: no query result or view kept, and (database) the file not yet open."""
    cache.RESULTS.clear()
    cache.KEPT.clear()
    if database:
        live.LIVE.close()


def _session(page: str, query: dict) -> AppTest:
    """A new session (signed in) that has run the start page and is about to open `page`."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    QUIET.setLevel(logging.ERROR)  # Streamlit resets its loggers' levels when a run loads its config
    at.session_state[TOKEN_KEY] = _token()
    at.run()
    at.switch_page(page)
    for k, v in query.items():
        at.query_params[k] = v
    return at


def _timed(at: AppTest) -> float:
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    assert not at.exception, at.exception
    return seconds


def first_run(page: str, query: dict, cold: bool = False) -> float:
    """A page's first run in a new session; cold: as the first visitor after a load."""
    at = _session(page, query)
    if cold:
        forget()
    return _timed(at)


def change_run(page: str, change) -> float:
    """The rerun after a widget change, the page having been opened in a new session just after a
    load: what the change asks for has not been asked for since (the database is open)."""
    forget(database=False)
    at = _session(page, {})
    _timed(at)
    change(at)
    return _timed(at)


def busiest_participant(database: str) -> str:
    import duckdb

    with duckdb.connect(database, read_only=True) as con:
        return con.execute("SELECT participant_id FROM flags GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[
            0
        ]


def measure(database: str, repeat: int = 3) -> dict[str, list[float]]:
    """{row: seconds of each repeat}: each page's first run (warm server and cold), each change.
    With the background build after a load off: here every "load" (forget) would start one, and
    AppTest runs a page without the app's entry point, so it would not give way to the page (the
    browser rows of bench_scale.py measure the server with it on)."""
    warm = os.environ.get("IOP_WARM")
    os.environ["IOP_WARM"] = "0"
    try:
        return _measure(database, repeat)
    finally:
        if warm is None:
            del os.environ["IOP_WARM"]
        else:
            os.environ["IOP_WARM"] = warm


def _measure(database: str, repeat: int) -> dict[str, list[float]]:
    os.environ["IOP_DB"] = database
    forget()
    PAGES[-1][2]["participant"] = busiest_participant(database)
    first_run("pages/summary.py", {})  # warm-up: imports
    out: dict[str, list[float]] = {}
    for title, page, query in PAGES:
        out[f"{title}: first run"] = [first_run(page, query) for _ in range(repeat)]
        out[f"{title}: first run after a load"] = [first_run(page, query, cold=True) for _ in range(repeat)]
    for title, page, change in CHANGES:
        out[title] = [change_run(page, change) for _ in range(repeat)]
    forget()
    return out


def summary(seconds: list[float]) -> str:
    return f"{min(seconds):5.2f} / {statistics.median(seconds):4.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="a loaded database (default: the demo, built in a temporary folder)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = args.db or str(Path(tmp) / "demo.duckdb")
        if not args.db:
            load([str(p) for p in write_demo(Path(tmp) / "demo").values()], database, progress=False)
        os.environ["IOP_STATE"] = str(Path(tmp) / "state.sqlite")
        streamlit_logger.set_log_level("error")  # AppTest bare-mode warnings
        times = measure(database, args.repeat)
    print(f"\n{'server-side run (AppTest), seconds':<54}{'min / median':>14}{'target':>8}")
    for row, seconds in times.items():
        print(f"{row:<54}{summary(seconds):>14}{'<= 0.5':>8}")


if __name__ == "__main__":
    main()
