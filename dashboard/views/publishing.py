"""Whether the latest database reached the other servers (settings `[servers] publish_to`): what the
loader wrote beside the database after its last swap (`.NAME.published.json`, etl/publish.py).
None when this machine publishes nowhere."""

from __future__ import annotations

import json
from dataclasses import dataclass

from dashboard.store import db


@dataclass
class Published:
    at: str  # UTC, as the loader stamped it
    servers: int  # named in settings
    reached: int
    failed: list[str]  # plain sentences: which server's file was left as it was, and why


def latest() -> Published | None:
    path = db.db_path()
    try:
        records = json.loads((path.parent / f".{path.name}.published.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(records, list) or not records:
        return None
    failed = [
        f"The database was not copied to {r.get('target')} ({r.get('problem') or 'failed'}): that server shows "
        "the data loaded before. Check the path is mounted and writable, then load again or run "
        "python -m etl rebuild."
        for r in records
        if isinstance(r, dict) and not r.get("ok")
    ]
    at = max(str(r.get("at", "")) for r in records if isinstance(r, dict))
    return Published(at, len(records), len(records) - len(failed), failed)
