"""Concurrent users: how many signed-in users one dashboard server holds while each page's first run
stays under 2 seconds (the browser target of bench_scale.py).

One server.py (as `make run` starts it, background builds on) on a copy of the demo program; one
Debian Chromium, driven by Playwright's async API so that N users really act at the same moment.
For each N of the ladder, N new browser contexts (fresh cookies, so fresh Streamlit sessions) sign
in through the real sign-in form, each as its own account: the first N of a fixed mix of roles
(--mix; by default clinicians, each with a caseload of the demo, and directors, one quality analyst
in eight; N = 1 is one clinician). Sign-in lands on another page of the role with a chart and a
table (Program summary; Program overview for quality), so that the browser has loaded the app's
chart and table code as after any user's first page. Then, timed:
- all N at the same moment open their start page from the sidebar (clinician Caseload, director
  Program overview, quality Cohort outcomes): its first run in the session;
- once every start page is done, all N at the same moment open one more page (clinician Today's
  groups, director Cohort outcomes, quality Quality measures).
A page is done when its run is over (its heading shown and Streamlit idle: "run median") and it is
drawn (no placeholder or stale element left, its main table or chart drawn). Seconds from the click
to done, per user and page; the server's memory (resident set of server.py and its children, sampled
every 0.1 s during the step) and the CPU seconds of the server and of the client (Chromium,
Playwright's driver, this script) during the two bursts. --repeat runs each step again with fresh
sessions, the times pooled.

The server is warm, as one is during the day: before a step, each view its users bring that no
earlier step did is opened once (the first visitor after a load pays for the database and the query
results, which every later session reuses: bench_pages.py "first run after a load"), and each burst
starts once the server is quiet (background builds over). What is measured is a page's first run in
a user's new session on that running server.

The ladder stops at the first N whose median is over 2 s (that step is reported too); the result is
the largest N whose median and 90th percentile are both under 2 s, without an error.

Caveat: the browser runs on the same machine as the server (the core count is printed first; 2 here)
and costs CPU: with N users Chromium lays out and draws N pages at once, which a deployment's server
does not pay for (each user's own computer does). The client CPU column shows how much: several times
the server's. The result is a lower bound of what one server holds with its cores to itself; the
server CPU per page opened, printed with it, is what the server itself spends.

    .venv/bin/python bench/bench_users.py [--participants 50000] [--users 1,2,4,8,12,16] [--repeat 3]
        [--mix clinician,director,...] [--state postgres]

--state postgres keeps the application state (sessions, accounts, the audit log every page writes) in
a PostgreSQL server started for the run (tests/postgres.py, Debian's package), as several servers
share it (docs/operations.md), instead of the SQLite file.

--participants 300 (the default) builds the tests' demo (300 participants, seed 42, as of 26 Nov
2026) in seconds; a larger number uses bench/out/demo-<n> (written by bench_scale.py), loaded into
a temporary database first (minutes at 50,000).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import duckdb

from browser import PASSWORD
from servers import add_accounts, free_port, launch_chromium, start_streamlit

TARGET = 2.0  # seconds: a page's first run in the browser (bench_scale.py's browser target)
AS_OF = dt.date(2026, 11, 26)  # the demo's "today", as the tests and bench_scale.py load it
PAGE_TIMEOUT = 180_000  # ms: a page not done by then is counted as an error, not as a time
TICK = os.sysconf("SC_CLK_TCK")
# ms between two looks at a page for done: on every animation frame, N pages' looks would take CPU
# from the pages themselves; 50 ms late at most, 25 on average, against a 2 s target
POLL = 50

# role: (where sign-in lands: address, title; start page; one more page). The start pages are the roles'
# own (dashboard/access/pages.py START). Sign-in lands on another page of the role, with a chart and a
# table: the start page's timed run is then the first of the new session (a page keeps its state in
# it), and the browser has loaded the app's chart and table code, as it has after a user's first page
# (Streamlit loads plotly.js when a page first shows a chart: 3-4 s of Chromium's CPU on this 2-core
# machine, once a tab, on the user's own computer: a benchmark of the server leaves it out).
ROUTES = {
    "clinician": ("summary", "Program summary", "Caseload", "Today's groups"),
    "director": ("summary", "Program summary", "Program overview", "Cohort outcomes"),
    "quality": ("overview", "Program overview", "Cohort outcomes", "Quality measures"),
}
# the i-th user's role: mostly clinicians and directors, one quality analyst in eight (no admin: the
# Data page is an occasional visit, not part of the day's load)
MIX = ("clinician", "director", "clinician", "director", "clinician", "quality", "clinician", "director")

# What must be drawn for a page to be done, beyond the idle run and its heading: a table (the caseload,
# a group's members) or a chart; Today's groups may instead say that no group met that day.
MAIN = {
    "Program summary": '[data-testid="stPlotlyChart"] .main-svg',
    "Caseload": '[data-testid="stDataFrame"] canvas',
    "Today's groups": '[data-testid="stDataFrame"] canvas, [data-testid="stAlertContentInfo"]',
    "Program overview": '[data-testid="stPlotlyChart"] .main-svg',
    "Cohort outcomes": '[data-testid="stDataFrame"] canvas, [data-testid="stPlotlyChart"] .main-svg',
    "Quality measures": '[data-testid="stDataFrame"] canvas, [data-testid="stPlotlyChart"] .main-svg',
}

# Evaluated in the page every POLL ms until it returns true (or "exception"). The heading comes first:
# only the awaited run can show it, so an idle state left over from the page before (or from before
# the run started) does not count; then idle, as tests/browser.py idle() waits (`main` null: that is
# all, the run is over); then no Streamlit placeholder left (stSkeleton: a table's or chart's code
# still loading; stale elements of the page before) and the page's main table or chart drawn.
DONE = """([title, main]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || ![...document.querySelectorAll('h1')].some((h) => h.textContent.trim() === title)) return false;
  if (document.querySelector('[data-testid="stException"]')) return 'exception';
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (main === null) return true;
  if (document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]')) return false;
  return document.querySelector(main) !== null;
}"""


@dataclass
class User:
    name: str
    role: str
    clinician: str | None


@dataclass
class Visit:
    user: str
    role: str
    page: str
    seconds: float | None  # to the page done; None: not done (error says why)
    run: float | None = None  # to the run over (heading shown, Streamlit idle), before the drawing
    error: str = ""


# ---------------------------------------------------------------------------------------------- the demo


def demo_database(participants: int, tmp: Path) -> Path:
    """The database the server reads: the tests' demo (300), or bench/out/demo-<n> loaded as
    bench_scale.py loads it. Exits non-zero when the big demo's files are not there."""
    from etl.load import load

    db = tmp / "iop.duckdb"
    # a load that touches few participants leaves the whole-history step to a refresh process of its
    # own (etl/load.py); inline, the file is complete when the server starts, as the tests load it
    before = os.environ.get("IOP_WHOLE_HISTORY")
    os.environ["IOP_WHOLE_HISTORY"] = "inline"
    started = time.perf_counter()
    if participants == 300:
        from etl.demo import write_demo

        files = [str(p) for p in write_demo(tmp / "exports", participants=300, seed=42).values()]
    else:
        out = ROOT / "bench" / "out" / f"demo-{participants}"
        if not (out / "attendance.csv").exists():
            sys.exit(
                f"no {out.relative_to(ROOT)}/attendance.csv: write it first (minutes), as bench_scale.py does:\n"
                f"  .venv/bin/python -c 'from pathlib import Path; from etl.demo import write_demo; "
                f'write_demo(Path("bench/out/demo-{participants}"), participants={participants}, seed=7)\''
            )
        files = [str(out)]
    load(files, db, progress=False, today=AS_OF)
    if before is None:  # the server's own loads (uploads) as configured
        del os.environ["IOP_WHOLE_HISTORY"]
    else:
        os.environ["IOP_WHOLE_HISTORY"] = before
    print(f"{participants:,} participants loaded in {time.perf_counter() - started:.1f} s")
    return db


def make_users(db: Path, state: Path, count: int, mix: tuple[str, ...]) -> list[User]:
    """`count` accounts in the mix, each its own user name; clinicians take the demo's clinicians in
    turn (most open episodes first), as a clinician account must name one the data spell."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = [
            n
            for (n,) in con.execute(
                "SELECT primary_clinician FROM episodes WHERE is_open AND primary_clinician IS NOT NULL "
                "GROUP BY 1 ORDER BY count(*) DESC, 1"
            ).fetchall()
        ]
    users, clinicians = [], 0
    for i in range(count):
        role = mix[i % len(mix)]
        clinician = None
        if role == "clinician":
            clinician, clinicians = names[clinicians % len(names)], clinicians + 1
        users.append(User(f"bench-{role}-{i + 1:02d}", role, clinician))
    # one bcrypt hash each (a quarter of a second): made once, every step signs them in afresh
    add_accounts(state, PASSWORD, *((u.name, u.role, u.clinician) for u in users))
    return users


# ------------------------------------------------------------------------------ processes: memory, CPU


def tree(pid: int) -> list[int]:
    """pid and its descendants (server.py may start Chromium for a document; the client's driver
    starts Chromium)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:  # gone meanwhile
            pass
    return out


def rss_mb(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
        except (OSError, StopIteration):  # gone, or a zombie without memory
            pass
    return total / 1024


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total / TICK


class Sampler(threading.Thread):
    """The server's resident memory (server.py and its children) every 0.1 s; `peak` since `reset`."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stopped = pid, 0.0, threading.Event()

    def reset(self) -> None:
        self.peak = rss_mb(tree(self.pid))

    def run(self) -> None:
        while not self.stopped.wait(0.1):
            self.peak = max(self.peak, rss_mb(tree(self.pid)))


def client_pids(server: int) -> list[int]:
    """This script, Playwright's driver and Chromium: every process of ours but the server's."""
    theirs = set(tree(server))
    return [p for p in tree(os.getpid()) if p not in theirs]


async def quiet(server: int, seconds: float = 300) -> None:
    """Until the server has used under 5 % of a core for two half-seconds running: a burst starts on
    an idle server, not beside the sign-ins' runs or a background build (server start, a quality
    release)."""
    deadline, calm = time.monotonic() + seconds, 0
    before = cpu_seconds(tree(server))
    while calm < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now = cpu_seconds(tree(server))
        calm, before = (calm + 1 if now - before < 0.025 else 0), now
    if calm < 2:
        print(f"  (the server was still busy after {seconds:.0f} s; measuring anyway)")
    elif time.monotonic() - deadline + seconds > 10:
        print(f"  (waited {time.monotonic() - deadline + seconds:.0f} s for the server to be quiet)")


# ------------------------------------------------------------------------------------------- a browser


async def sign_in(context, url: str, user: User):
    """tests/browser.py sign_in, with Playwright's async API: the sign-in form, then the page it lands on
    (ROUTES), its run over. A page of its own in the context; returns it."""
    from playwright.async_api import expect

    page = await context.new_page()
    await page.goto(f"{url}/{ROUTES[user.role][0]}")  # the sign-in form first, then back to this address
    await expect(page.get_by_role("heading", name="IOP outcomes dashboard")).to_be_visible(timeout=30000)
    await page.get_by_role("textbox", name="User name").fill(user.name)
    await page.get_by_role("textbox", name="Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=60000)
    await done(page, ROUTES[user.role][1])  # drawn: its chart's and table's code loaded
    return page


async def done(page, title: str, drawn: bool = True) -> None:
    """The page's run over and (drawn) the page drawn (DONE); raises if it shows an error."""
    main = MAIN[title] if drawn else None
    result = await page.wait_for_function(DONE, arg=[title, main], polling=POLL, timeout=PAGE_TIMEOUT)
    if await result.json_value() == "exception":
        text = await page.get_by_test_id("stException").first.inner_text()
        raise RuntimeError(f"the page shows an error: {' '.join(text.split())[:200]}")


def short(e: Exception) -> str:
    """An error in a line: Playwright's messages go on with a call log and the page's accessibility tree."""
    return f"{type(e).__name__}: {(str(e).splitlines() or [''])[0][:200]}"


async def timed(page, user: User, title: str, go) -> Visit:
    """Seconds from the navigation (`go`) to the run over and to the page done; an error (timeout,
    exception) as such."""
    started, run = time.perf_counter(), None
    try:
        await go()
        await done(page, title, drawn=False)
        run = time.perf_counter() - started
        await done(page, title)
    except Exception as e:
        return Visit(user.name, user.role, title, None, run, short(e))
    return Visit(user.name, user.role, title, time.perf_counter() - started, run)


async def step(browser, url: str, users: list[User], server: int, sampler: Sampler) -> tuple[list[Visit], dict]:
    """One step of the ladder: these users signed in (fresh contexts), then the two timed bursts."""
    sampler.reset()
    contexts = [await browser.new_context(viewport={"width": 1400, "height": 1400}) for _ in users]
    try:
        # sign-ins four at a time: untimed, and a bcrypt check and a start page each; all at once
        # would only make them slower, not the bursts that follow
        gate = asyncio.Semaphore(4)

        async def signed_in(context, user):
            async with gate:
                try:
                    return await sign_in(context, url, user)
                except Exception as e:  # that user's pages are errors; the others go on
                    return f"sign-in: {short(e)}"

        pages = await asyncio.gather(*(signed_in(c, u) for c, u in zip(contexts, users)))
        visits = [
            Visit(u.name, u.role, ROUTES[u.role][2], None, None, p) for p, u in zip(pages, users) if isinstance(p, str)
        ]
        ready = [(p, u) for p, u in zip(pages, users) if not isinstance(p, str)]
        server_cpu, client_cpu = 0.0, 0.0
        for burst in (2, 3):  # the start page, then one more (ROUTES), each by the sidebar's link
            await quiet(server)
            cpu = cpu_seconds(tree(server)), cpu_seconds(client_pids(server))
            visits += await asyncio.gather(
                *(timed(p, u, ROUTES[u.role][burst], link(p, ROUTES[u.role][burst])) for p, u in ready)
            )
            server_cpu += cpu_seconds(tree(server)) - cpu[0]
            client_cpu += cpu_seconds(client_pids(server)) - cpu[1]
    finally:
        for context in contexts:
            await context.close()
    return visits, {"server MB": sampler.peak, "server CPU": server_cpu, "client CPU": client_cpu}


def link(page, title: str):
    """A click on the sidebar's link to the page `title`, to await."""
    return page.get_by_test_id("stSidebar").get_by_role("link", name=title, exact=True).click


async def warm_up(browser, url: str, users: list[User], warmed: set) -> None:
    """Each view not opened yet opened once, both pages (a clinician's caseload is their own; directors
    share theirs), so that no step pays for what the first visitor after a load pays. Before each step,
    for its users only: views of users a ladder that stops early never reaches cost nothing (a quality
    analyst's Quality measures starts a background build of every earlier quarter's release)."""
    views = {}
    for user in users:
        if (user.role, user.clinician) not in warmed:
            views.setdefault((user.role, user.clinician), user)
    if not views:
        return
    started = time.perf_counter()
    for view, user in views.items():
        context = await browser.new_context(viewport={"width": 1400, "height": 1400})
        try:
            page = await sign_in(context, url, user)
            for title in ROUTES[user.role][2:]:
                await link(page, title)()
                await done(page, title)
            warmed.add(view)
        except Exception as e:  # the step shows it too, as its users' errors
            print(f"  (warm-up of {user.name} failed: {short(e)})")
        finally:
            await context.close()
    print(f"  (warm-up: {len(views)} new views opened once, {time.perf_counter() - started:.0f} s)")


async def ladder(url: str, users: list[User], ladder_n: list[int], repeat: int, server: int) -> list[tuple]:
    from playwright.async_api import async_playwright

    sampler = Sampler(server)
    sampler.start()
    rows, warmed = [], set()
    print(HEADER)
    async with async_playwright() as p:
        browser = await launch_chromium(p)
        for n in ladder_n:
            await warm_up(browser, url, users[:n], warmed)
            visits, use = [], []
            for _ in range(repeat):  # a fresh session per user each time
                v, u = await step(browser, url, users[:n], server, sampler)
                visits += v
                use.append(u)
            # memory: the highest of the repeats; CPU: all of it
            row = (n, visits, {k: (max if k == "server MB" else sum)(u[k] for u in use) for k in use[0]})
            rows.append(row)
            print_row(*row)
            seconds = [v.seconds for v in visits if v.seconds is not None]
            if not seconds or statistics.median(seconds) > TARGET:
                break  # the step over the target is reported; more users would only be slower
        await browser.close()
    sampler.stopped.set()
    return rows


# -------------------------------------------------------------------------------------------- the report


def p90(seconds: list[float]) -> float:
    return statistics.quantiles(seconds, n=10, method="inclusive")[8] if len(seconds) > 1 else seconds[0]


HEADER = (
    f"{'users':>5}{'pages':>7}{'median':>8}{'p90':>7}{'max':>7}{'> 2 s':>7}{'errors':>8}{'run median':>12}"
    f"{'server MB':>11}{'server CPU s':>14}{'client CPU s':>14}"
)


def print_row(n: int, visits: list[Visit], use: dict) -> None:
    seconds = [v.seconds for v in visits if v.seconds is not None]
    errors = [v for v in visits if v.seconds is None]
    runs = [v.run for v in visits if v.run is not None]
    figures = (
        f"{statistics.median(seconds):8.2f}{p90(seconds):7.2f}{max(seconds):7.2f}"
        if seconds
        else f"{'-':>8}{'-':>7}{'-':>7}"
    )
    run = f"{statistics.median(runs):12.2f}" if runs else f"{'-':>12}"
    print(
        f"{n:>5}{len(visits):>7}{figures}{sum(s > TARGET for s in seconds):>7}{len(errors):>8}{run}"
        f"{use['server MB']:>11.0f}{use['server CPU']:>14.1f}{use['client CPU']:>14.1f}",
        flush=True,
    )
    for v in errors:
        print(f"      error: {v.user} on {v.page}: {v.error}")


def report(rows: list[tuple], peak_mb: float, log: Path) -> None:
    print(f"\nconcurrent users, seconds from navigation to page done (target: median and p90 under {TARGET:.0f} s)")
    print(HEADER)
    for row in rows:
        print_row(*row)
    pages = list(dict.fromkeys((v.role, v.page) for _, visits, _ in rows for v in visits))
    print(f"\n{'median by page, s':<34}" + "".join(f"{n:>7}" for n, _, _ in rows))
    for role, title in pages:
        cells = []
        for _, visits, _ in rows:
            seconds = [v.seconds for v in visits if (v.role, v.page) == (role, title) and v.seconds is not None]
            cells.append(f"{statistics.median(seconds):7.2f}" if seconds else f"{'-':>7}")
        print(f"{role + ': ' + title:<34}" + "".join(cells))
    opened = sum(len(visits) for _, visits, _ in rows)
    server, client = (sum(use[k] for _, _, use in rows) for k in ("server CPU", "client CPU"))
    print(
        f"CPU per page opened, s: server {server / opened:.2f}, client (Chromium, driver, script) {client / opened:.2f}"
    )
    print(f"server peak resident memory over the run (VmHWM of server.py): {peak_mb:.0f} MB")
    errors = [line.rstrip() for line in log.read_text(errors="replace").splitlines() if " ERROR " in line]
    if errors:
        print(f"server log: {len(errors)} error lines, the first: {errors[0][:300]}")
    held = None
    for n, visits, _ in rows:
        seconds = [v.seconds for v in visits if v.seconds is not None]
        if seconds and len(seconds) == len(visits) and statistics.median(seconds) < TARGET and p90(seconds) < TARGET:
            held = (n, statistics.median(seconds), p90(seconds))
        else:
            break
    if held:
        users = f"{held[0]} concurrent user{'s' if held[0] > 1 else ''}"
        print(
            f"\none server holds {users} with page first runs under {TARGET:.0f} s "
            f"(median {held[1]:.2f}, p90 {held[2]:.2f})"
        )
    else:
        print(f"\none server holds no step of the ladder with page first runs under {TARGET:.0f} s (median and p90)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=300, help="300: the tests' demo; more: bench/out/demo-<n>")
    parser.add_argument("--users", default="1,2,4,8,12,16", help="the ladder: numbers of concurrent users")
    parser.add_argument("--repeat", type=int, default=3, help="each step this many times, fresh sessions each")
    parser.add_argument("--mix", default=",".join(MIX), help="the users' roles in turn (clinician, director, quality)")
    parser.add_argument("--state", choices=("sqlite", "postgres"), default="sqlite", help="where the app state lives")
    args = parser.parse_args()
    ladder_n = sorted({int(n) for n in args.users.split(",")})
    mix = tuple(args.mix.split(","))
    if not set(mix) <= set(ROUTES):
        parser.error(f"--mix: roles among {', '.join(ROUTES)}")
    cores = os.cpu_count()
    print(f"{cores} cores on this machine, shared by the server and the browser (Chromium draws every user's page)")
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        tmp = Path(tmp)
        os.environ["IOP_STATE"] = str(tmp / "state.sqlite")  # the load's and the accounts' store: never data/'s
        if args.state == "postgres":
            from postgres import server as postgres_server

            os.environ["IOP_STATE_URL"] = stack.enter_context(postgres_server())()  # the server inherits it
            print("application state: PostgreSQL (a server of this run's own, on 127.0.0.1)")
        db = demo_database(args.participants, tmp)
        users = make_users(db, tmp / "state.sqlite", max(ladder_n), mix)
        server_dir = tmp / "server"
        server_dir.mkdir()
        log = server_dir / "server.log"
        # servers.demo_server, but holding the process (its memory and CPU are measured) and with the
        # background builds after a load on, as in production (the tests turn them off: IOP_WARM=0)
        env = {"IOP_DB": str(db), "IOP_STATE": str(tmp / "state.sqlite"), "IOP_WARM": "1"}
        proc = start_streamlit(free_port(), server_dir, env, log=log)
        url = f"http://127.0.0.1:{proc.args[proc.args.index('--server.port') + 1]}"
        try:
            rows = asyncio.run(ladder(url, users, ladder_n, args.repeat, proc.pid))
            with open(f"/proc/{proc.pid}/status") as f:
                peak_mb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024
        finally:
            proc.terminate()
            proc.wait(10)
        shutil.copyfile(log, Path(tempfile.gettempdir()) / "bench_users-server.log")  # for a look afterwards
        report(rows, peak_mb, log)
        print(f"(server log: {Path(tempfile.gettempdir()) / 'bench_users-server.log'})")


if __name__ == "__main__":
    main()
