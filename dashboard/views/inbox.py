"""The watched inbox as the pages show it: what arrived and when, how long from drop to loaded,
and whether exports have stopped arriving or the watcher stopped looking
(dashboard/store/inbox.py; the watcher: `python -m dashboard watch`)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pandas as pd

from dashboard.store import inbox

NOT_LOOKING_MINUTES = 10  # the watcher looks every few seconds: this long without a look, it is not running
STATUS = {"loading": "loading", "loaded": "loaded", "unchanged": "unchanged (loaded before)", "failed": "failed"}


@dataclass
class InboxView:
    folders: list[str]
    arrivals: pd.DataFrame  # newest first; plain text (file names as dropped): the page shows them as data
    problems: list[str]  # plain sentences, worst first


def _summary(text: str | None) -> str:
    try:
        s = json.loads(text) if text else {}
    except ValueError:
        s = {}
    if s.get("message"):
        return str(s["message"])
    if not s:
        return ""
    return (
        f"read {s.get('read', 0):,}, loaded {s.get('loaded', 0):,}, updated {s.get('updated', 0):,}, "
        f"rejected {s.get('rejected', 0):,}, exact duplicates {s.get('duplicate', 0):,}"
    )


def _seconds(start: pd.Series, end: pd.Series) -> pd.Series:
    return (pd.to_datetime(end) - pd.to_datetime(start)).dt.total_seconds().round()


def quiet(at: dt.datetime | None = None) -> list[str]:
    """Why directors and administrators should look at the inbox now: no export for longer than
    inbox.stale_after_hours, or a watcher that stopped looking. Empty when no inbox is watched."""
    at = at or inbox.now()
    out = []
    for w in inbox.watches():
        if w.stale(at):
            since = w.last_arrival or w.started_at
            what = "No export has arrived" if w.last_arrival else "No export has arrived since the watcher started"
            out.append(
                f"{what} in the inbox for {w.quiet_hours(at):.0f} hours (since {since:%d %b %Y %H:%M} UTC; "
                f"one is expected at least every {w.stale_after_hours:g} hours). The pages show the data loaded "
                "before: ask whoever runs the EHR's export whether it stopped."
            )
        if (at - w.looked_at).total_seconds() > NOT_LOOKING_MINUTES * 60:
            out.append(
                f"The inbox watcher last looked at {w.looked_at:%d %b %Y %H:%M} UTC: it is not running, so files "
                "dropped since wait unloaded. Start it again (`python -m dashboard watch`, docs/operations.md)."
            )
    return out


def view(limit: int = 20, at: dt.datetime | None = None) -> InboxView | None:
    """None when no watcher has ever looked at an inbox with this store."""
    watches = inbox.watches()
    if not watches:
        return None
    rows = inbox.recent(limit)
    arrivals = pd.DataFrame(
        {
            "arrived": pd.to_datetime(rows["arrived_at"]),
            "file": rows["file"],
            "size_kb": (rows["bytes"] / 1024).round(1),
            "status": rows["status"].map(STATUS),
            "seen_to_loaded_s": _seconds(rows["seen_at"], rows["finished_at"]),
            "result": rows["summary"].map(_summary),
            "kept_as": rows["kept_as"].fillna(""),
        }
    )
    return InboxView([w.folder for w in watches], arrivals, quiet(at))
