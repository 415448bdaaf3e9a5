"""Page benchmark: `make bench` (target: each page's first server-side run <= 0.5 s on demo data).

Builds the demo database, then times AppTest's first run of each page in a fresh session
(after one warm-up run, so Python's imports are not counted), best of three.

    .venv/bin/python bench/bench_pages.py [--db data/iop.duckdb]
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit import logger as streamlit_logger  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from dashboard.access import accounts, sessions  # noqa: E402
from dashboard.session import TOKEN_KEY  # noqa: E402
from etl.demo import write_demo  # noqa: E402
from etl.load import load  # noqa: E402

# setting AppTest's session state before a run logs "missing ScriptRunContext" each time: noise
QUIET = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")

PAGES = [("Program summary", "pages/summary.py", {}), ("Program overview", "pages/overview.py", {}),
         ("Cohort outcomes", "pages/cohorts.py", {}), ("Caseload", "pages/caseload.py", {}),
         ("Participant progress", "pages/participant.py", {"participant": None})]


def _token() -> str:
    """A live session for a director (an organisation account: no password hashing in the way)."""
    if accounts.identity_of("bench", "oidc") is None:
        accounts.add("bench", "director", accounts.Actor("bench", None))
    return sessions.create(accounts.identity_of("bench", "oidc"))


def first_run(page: str, query: dict) -> float:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    QUIET.setLevel(logging.ERROR)       # Streamlit resets its loggers' levels when a run loads its config
    at.session_state[TOKEN_KEY] = _token()
    at.run()
    at.switch_page(page)
    for k, v in query.items():
        at.query_params[k] = v
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    assert not at.exception, at.exception
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="a loaded database (default: the demo, built in a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "demo.duckdb")
        if not args.db:
            load([str(p) for p in write_demo(Path(tmp) / "demo").values()], db, progress=False)
        os.environ["IOP_DB"] = db
        os.environ["IOP_STATE"] = str(Path(tmp) / "state.sqlite")
        import duckdb
        with duckdb.connect(db, read_only=True) as con:
            busiest = con.execute("SELECT participant_id FROM flags GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[0]
        PAGES[-1][2]["participant"] = busiest
        streamlit_logger.set_log_level("error")  # AppTest bare-mode warnings
        first_run("pages/summary.py", {})  # warm-up: imports
        print(f"\n{'page (first server-side run, AppTest)':<44}{'seconds':>9}{'target':>9}")
        for title, page, query in PAGES:
            seconds = min(first_run(page, query) for _ in range(3))
            print(f"{title:<44}{seconds:>9.2f}{'<= 0.5':>9}")


if __name__ == "__main__":
    main()
