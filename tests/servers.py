"""Servers that browser tests start themselves on 127.0.0.1, and how Debian's Chromium is launched."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from dashboard.documents.printing import HEADLESS

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = HEADLESS  # as the dashboard runs Chromium for its documents
NEEDS_CHROMIUM = dict(
    condition=not CHROMIUM and not os.environ.get("CI"), reason="needs Debian's chromium (CI installs it)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.2)
    raise TimeoutError(url)


def start_streamlit(port: int, cwd: Path, env: dict, log: Path | None = None) -> subprocess.Popen:
    """The dashboard's own server (server.py, as `make run` starts it) on 127.0.0.1, with the project's
    .streamlit/config.toml: Streamlit reads it from the folder it starts in, a test's own."""
    (cwd / ".streamlit").mkdir(exist_ok=True)
    shutil.copyfile(ROOT / ".streamlit" / "config.toml", cwd / ".streamlit" / "config.toml")
    out = open(log, "w") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "server.py"),
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
        ],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    wait_for(f"http://127.0.0.1:{port}/_stcore/health")
    return proc


def add_accounts(state: Path, password: str | None, *specs: tuple) -> None:
    """Accounts (user, role, clinician[, name]) in a server's application-state store; no password
    makes organisation (OIDC) accounts."""
    from dashboard.access import accounts

    before = os.environ.get("IOP_STATE")
    os.environ["IOP_STATE"] = str(state)
    try:
        for user, role, clinician, *name in specs:
            accounts.add(
                user, role, accounts.Actor("test setup", None), name[0] if name else user.title(), clinician, password
            )
    finally:
        if before is None:
            del os.environ["IOP_STATE"]
        else:
            os.environ["IOP_STATE"] = before


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM or "/usr/bin/chromium", args=CHROMIUM_ARGS)


ROLE_ACCOUNTS = (
    ("director", "director", None),
    ("clinician", "clinician", "Chen, M."),
    ("admin", "admin", None),
    ("quality", "quality", None),
)


@contextlib.contextmanager
def demo_server(tmp: Path, password: str, demo: Path, **env: str):
    """A copy of the demo program (`demo`: 300 participants, seed 42, as of 26 Nov 2026) behind
    server.py, with an account per role; yields (url, database, folder). `env` adds settings, e.g. a
    short session."""
    db = tmp / "iop.duckdb"
    shutil.copyfile(demo, db)
    add_accounts(tmp / "state.sqlite", password, *ROLE_ACCOUNTS)
    port = free_port()
    proc = start_streamlit(
        port, tmp, {"IOP_DB": str(db), "IOP_STATE": str(tmp / "state.sqlite"), **env}, log=tmp / "server.log"
    )
    try:
        yield f"http://127.0.0.1:{port}", db, tmp
    finally:
        proc.terminate()
        proc.wait(10)
