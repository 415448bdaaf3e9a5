"""Health-system scale (`make bench`): each page's first server-side run on the demo and on a
50 k-participant program, the browser's time to the first chart on demo data, and the Streamlit
server's peak memory while the pages are opened. Load and mart figures: bench_load.py and
bench_marts.py.

    .venv/bin/python bench/bench_scale.py [--participants 50000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_pages import PAGES, first_run  # noqa: E402
from dashboard.access import accounts  # noqa: E402
from etl.demo import write_demo  # noqa: E402
from etl.load import load  # noqa: E402
from streamlit import logger as streamlit_logger  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def page_times(db: str) -> dict[str, float]:
    import duckdb
    os.environ["IOP_DB"] = db
    with duckdb.connect(db, read_only=True) as con:
        busiest = con.execute("SELECT participant_id FROM flags GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()[0]
    PAGES[-1][2]["participant"] = busiest
    first_run("pages/summary.py", {})
    return {title: min(first_run(page, query) for _ in range(2)) for title, page, query in PAGES}


def browser_first_chart(db: str, tmp: Path) -> tuple[float, float]:
    """(seconds from opening the overview to its first drawn chart, server peak RSS in MB)."""
    from playwright.sync_api import expect, sync_playwright
    if accounts.identity_of("bench-browser", "password") is None:
        accounts.add("bench-browser", "director", accounts.Actor("bench", None), "Bench", password="bench password")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "IOP_DB": db}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "server.py"), "--server.port", str(port),
                             "--server.address", "127.0.0.1"],
                            cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        url = f"http://127.0.0.1:{port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.goto(url)
            page.get_by_role("textbox", name="User name").fill("bench-browser")
            page.get_by_role("textbox", name="Password").fill("bench password")
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_text("Signed in as Bench")).to_be_visible(timeout=30000)
            page.get_by_test_id("stSidebar").get_by_role("link", name="Program summary").click()
            expect(page.get_by_role("heading", name="Program summary")).to_be_visible(timeout=30000)
            started = time.perf_counter()
            page.get_by_test_id("stSidebar").get_by_role("link", name="Program overview").click()
            expect(page.get_by_test_id("stPlotlyChart").first.locator(".main-svg").first).to_be_visible(timeout=60000)
            seconds = time.perf_counter() - started
            for title in ("Cohort outcomes", "Caseload", "Program summary"):
                page.get_by_test_id("stSidebar").get_by_role("link", name=title).click()
                page.wait_for_timeout(3000)
            browser.close()
        peak = int(next(line.split()[1] for line in open(f"/proc/{proc.pid}/status") if line.startswith("VmHWM"))) / 1024
    finally:
        proc.terminate()
        proc.wait(10)
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=50000)
    args = parser.parse_args()
    streamlit_logger.set_log_level("error")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        demo_db, big_db = str(tmp / "demo.duckdb"), str(tmp / "big.duckdb")
        load([str(p) for p in write_demo(tmp / "demo").values()], demo_db, progress=False)
        out = ROOT / "bench" / "out" / f"demo-{args.participants}"
        if not (out / "attendance.csv").exists():
            write_demo(out, participants=args.participants, seed=7)
        started = time.perf_counter()
        load([str(out)], big_db, progress=False, today=dt.date(2026, 11, 26))
        loaded = time.perf_counter() - started
        os.environ["IOP_STATE"] = str(tmp / "state.sqlite")
        small, big = page_times(demo_db), page_times(big_db)
        chart_seconds, peak_mb = browser_first_chart(demo_db, tmp)
        _, big_peak = browser_first_chart(big_db, tmp)
    print(f"\n{args.participants:,} participants loaded in {loaded:.1f} s")
    print(f"{'page (first server-side run, AppTest)':<40}{'demo':>8}{'target':>8}{'50 k':>8}{'target':>8}")
    for title in small:
        print(f"{title:<40}{small[title]:>8.2f}{'0.5':>8}{big[title]:>8.2f}{'2':>8}")
    print(f"{'browser: overview to first chart (demo)':<40}{chart_seconds:>8.2f}{'3':>8}")
    print(f"{'Streamlit peak memory, MB (demo / 50 k)':<40}{peak_mb:>8.0f}{'600':>8}{big_peak:>8.0f}{'600':>8}")


if __name__ == "__main__":
    main()
