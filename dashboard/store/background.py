"""Work done off the page runs: what a new database file needs built before its first visitor asks
(`after_load`), and builds a page starts and does not wait for (`in_background`).

They share two cores and Python's lock with the page runs of everyone using the dashboard, so they
give way: every page run is marked (`foreground`, in streamlit_app.py), and a background build waits
before each batch of queries while any page runs (at most MAX_WAIT seconds at a time, so a busy
server still builds it). A build that fails is logged (its type and where, never its message, which
can name a participant) and its failure is kept, so the page that waits for it can say so."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import traceback
import weakref
from collections.abc import Callable
from contextvars import ContextVar

LOG = logging.getLogger("iop.background")
MAX_WAIT = 5.0
_running_pages = 0
_pages_done = threading.Condition()
_background: ContextVar[bool] = ContextVar("iop_background", default=False)
AFTER_LOAD: list[Callable[[], object]] = []  # run, each in a thread of its own, when a new file is first held
FAILED: dict[str, str] = {}  # build name -> why it failed, in words a page may show
_threads: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


def where(exc: BaseException) -> str:
    """Where an exception happened (the call stack's files and lines), without its message."""
    return "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))


@contextlib.contextmanager
def foreground():
    """A page run (streamlit_app.py): background builds hold back while it runs."""
    global _running_pages
    with _pages_done:
        _running_pages += 1
    try:
        yield
    finally:
        with _pages_done:
            _running_pages -= 1
            if not _running_pages:
                _pages_done.notify_all()


def yield_to_pages() -> None:
    """In a background build: wait while a page runs (at most MAX_WAIT seconds)."""
    if _background.get():
        with _pages_done:
            _pages_done.wait_for(lambda: not _running_pages, timeout=MAX_WAIT)


def in_background(build: Callable[[], object], name: str) -> None:
    """build() in a daemon thread whose queries give way to page runs. A failure is logged and kept
    under `name` (failure(name)); a later success of the same name clears it."""

    def run() -> None:
        _background.set(True)
        try:
            build()
        except Exception as e:
            FAILED[name] = f"could not be built ({type(e).__name__}); the error is in the server's log"
            LOG.error("background build %r failed: %s\n%s", name, type(e).__name__, where(e))
        else:
            FAILED.pop(name, None)

    thread = threading.Thread(target=run, name=name, daemon=True)
    _threads.add(thread)
    thread.start()


def wait(timeout: float = 120) -> None:
    """Wait for the background builds started so far (a test's, before the next test runs)."""
    for thread in list(_threads):
        thread.join(timeout)


def failure(name: str) -> str | None:
    """Why the last background build of this name failed, or None."""
    return FAILED.get(name)


def after_load(warm: Callable[[], object]) -> None:
    """Run `warm` in the background each time a load or rebuild has put a new file in place (it binds
    its own scope). IOP_WARM=0 turns this off (the tests' own process does)."""
    if warm not in AFTER_LOAD:
        AFTER_LOAD.append(warm)


def file_replaced() -> None:
    """A new database file is held for the first time: start what it needs built."""
    if os.environ.get("IOP_WARM", "1") != "0":
        for warm in AFTER_LOAD:
            in_background(warm, f"warm {warm.__qualname__}")
