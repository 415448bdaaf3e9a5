"""Health-system scale (`make bench`): each page's first server-side run on the demo and on a
50 k-participant program (in a new session on a running server, and as the first visitor after a
load), a filter change and a regrouping, the browser's time to the first chart on demo data, the
browser's time to each page done just after a load at 50 k (the background build running), and
the Streamlit server's peak memory while the pages are opened. Load and mart figures:
bench_load.py and bench_marts.py.

    .venv/bin/python bench/bench_scale.py [--participants 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
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

from bench_pages import measure, summary
from streamlit import logger as streamlit_logger

from dashboard.access import accounts
from dashboard.documents.printing import HEADLESS
from etl.demo import write_demo
from etl.load import load

ARGS = HEADLESS  # as the dashboard runs Chromium for its documents


def page_times(db: str, repeat: int) -> dict[str, list[float]]:
    return measure(db, repeat)


@contextlib.contextmanager
def _server(db: str | Path, tmp: Path, **env: str):
    """server.py on `db` (the proc, for its memory) and its address, once it answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "server.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=tmp,
        env={**os.environ, "IOP_DB": str(db), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def browser_times(db: str, tmp: Path, repeat: int = 3) -> tuple[dict[str, list[float]], float]:
    """Chromium against server.py: ({row: seconds}, the server's peak RSS in MB). Rows: from signing in
    to the start page's (the overview's) first chart, the server just started; from a link to the
    overview to its first chart; a filter change and a regrouping until the page has finished
    updating. Each timed step starts with the app idle (no run still going)."""
    from playwright.sync_api import expect, sync_playwright

    if accounts.identity_of("bench-browser", "password") is None:
        accounts.add("bench-browser", "director", accounts.Actor("bench", None), "Bench", password="bench password")
    times: dict[str, list[float]] = {}
    with _server(db, tmp) as (proc, url):
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1200})

            def idle():
                expect(page.get_by_test_id("stApp")).to_have_attribute(
                    "data-test-script-state", "notRunning", timeout=60000
                )

            def first_chart():  # the overview's own, not the chart of the page it was opened from
                chart = page.get_by_test_id("stPlotlyChart").filter(has_text="Admissions and discharges by month")
                expect(chart.locator(".main-svg").first).to_be_visible(timeout=60000)

            def link(title):
                page.get_by_test_id("stSidebar").get_by_role("link", name=title, exact=True).click()

            def timed(row, act, done):
                started = time.perf_counter()
                act()
                done()
                times.setdefault(row, []).append(time.perf_counter() - started)
                idle()

            page.goto(url)
            page.get_by_role("textbox", name="User name").fill("bench-browser")
            page.get_by_role("textbox", name="Password").fill("bench password")
            timed(
                "browser: sign in, first chart (new server)",
                lambda: page.get_by_role("button", name="Sign in").click(),
                first_chart,
            )
            for _ in range(repeat):
                link("Program summary")
                expect(page.get_by_role("heading", name="Program summary")).to_be_visible(timeout=30000)
                idle()
                timed("browser: overview to first chart", lambda: link("Program overview"), first_chart)
                track = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Track")
                for choice in (1, 0):  # a track, then all tracks again: the caption names the track or none
                    track.click()
                    option = page.get_by_role("option").nth(choice)
                    caption = (
                        page.get_by_text(f"track: {option.inner_text()}") if choice else page.get_by_text("track: ")
                    )
                    timed(
                        "browser: overview filter change, done",
                        option.click,
                        lambda caption=caption, choice=choice: (
                            expect(caption.first).to_be_visible(timeout=60000)
                            if choice
                            else expect(caption).to_have_count(0, timeout=60000),
                            idle(),
                        ),
                    )
                link("Cohort outcomes")
                expect(page.get_by_role("heading", name="Cohort outcomes")).to_be_visible(timeout=30000)
                idle()
                for by in ("track", "quarter"):
                    page.get_by_test_id("stSelectbox").filter(has_text="Cohorts by").click()
                    option = page.get_by_role("option", name=by, exact=True)
                    timed(
                        "browser: cohorts regrouped, done",
                        option.click,
                        lambda by=by: (expect(page.get_by_text(f"by {by}").first).to_be_visible(timeout=60000), idle()),
                    )
            for title in ("Caseload", "Participant progress", "Program summary"):
                link(title)
                idle()
            browser.close()
        peak = (
            int(next(line.split()[1] for line in open(f"/proc/{proc.pid}/status") if line.startswith("VmHWM"))) / 1024
        )
    return times, peak


def after_load_times(db: str, tmp: Path, repeat: int = 3) -> dict[str, list[float]]:
    """Chromium against server.py: a load puts a new file in place (two files taken in turn, the
    second the first with one more file loaded), then a director opens the cohort page, the caseload
    and the overview; seconds from the link to the page done. The background build after a load
    (IOP_WARM) runs as in production."""
    import shutil

    from playwright.sync_api import expect, sync_playwright

    files = [tmp / "after-load-a.duckdb", tmp / "after-load-b.duckdb"]
    shutil.copy(db, files[0])
    shutil.copy(db, files[1])
    extra = tmp / "one-more.csv"
    extra.write_text(
        "participant_id,session_date,session_type,status,minutes,program,clinician\n"
        "BENCH-1,2026-11-20,group,attended,180,Bench,Bench\n"
    )
    load([str(extra)], files[1], progress=False, today=dt.date(2026, 11, 26))
    live = tmp / "after-load.duckdb"
    shutil.copy(files[0], live)
    if accounts.identity_of("bench-browser", "password") is None:
        accounts.add("bench-browser", "director", accounts.Actor("bench", None), "Bench", password="bench password")
    times: dict[str, list[float]] = {}
    with _server(live, tmp, IOP_WARM="1") as (_, url):
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1200})

            def done():
                expect(page.get_by_test_id("stApp")).to_have_attribute(
                    "data-test-script-state", "notRunning", timeout=60000
                )

            page.goto(url)
            page.get_by_role("textbox", name="User name").fill("bench-browser")
            page.get_by_role("textbox", name="Password").fill("bench password")
            page.get_by_role("button", name="Sign in").click()
            done()
            time.sleep(30)  # the first file's background build is over
            for i in range(repeat):
                shutil.copy(files[(i + 1) % 2], tmp / "replacing.duckdb")
                os.replace(tmp / "replacing.duckdb", live)  # as a load does
                for title in ("Cohort outcomes", "Caseload", "Program overview"):
                    started = time.perf_counter()
                    page.get_by_test_id("stSidebar").get_by_role("link", name=title, exact=True).click()
                    expect(page.get_by_role("heading", name=title, exact=True).first).to_be_visible(timeout=60000)
                    done()
                    times.setdefault(f"browser, after a load: {title.lower()}, done", []).append(
                        time.perf_counter() - started
                    )
                time.sleep(30)
            browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=50000)
    parser.add_argument("--repeat", type=int, default=3)
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
        small, big = page_times(demo_db, args.repeat), page_times(big_db, args.repeat)
        browser, peak_mb = browser_times(demo_db, tmp, args.repeat)
        _, big_peak = browser_times(big_db, tmp, 1)
        after_load = after_load_times(big_db, tmp, args.repeat)
    print(f"\n{args.participants:,} participants loaded in {loaded:.1f} s")
    print(f"{'server-side run (AppTest), s: min / median':<50}{'demo':>14}{'target':>8}{'50 k':>14}{'target':>8}")
    for row in small:
        first = "first run" in row
        print(f"{row:<50}{summary(small[row]):>14}{'0.5':>8}{summary(big[row]):>14}{'1' if first else '0.5':>8}")
    for row, seconds in browser.items():
        target = "2" if row == "browser: overview to first chart" else ""
        print(f"{row + ' (demo)':<50}{summary(seconds):>14}{target:>8}")
    for row, seconds in after_load.items():
        print(f"{row + ' (50 k)':<50}{summary(seconds):>14}")
    print(f"{'Streamlit peak memory, MB (demo / 50 k)':<50}{peak_mb:>14.0f}{'600':>8}{big_peak:>14.0f}{'600':>8}")


if __name__ == "__main__":
    main()
