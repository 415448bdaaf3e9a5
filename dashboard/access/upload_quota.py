"""How much each account has uploaded in the last hour: Streamlit keeps an uploaded file in the
server's memory until the page reads it, so the gate refuses an upload beyond the account's hourly
quota (signin_policy) instead of letting one session fill the machine."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from dashboard.access.signin_policy import UPLOAD_FILES_PER_HOUR, UPLOAD_MB_PER_HOUR

HOUR = 3600.0
_lock = threading.Lock()
_sent: dict[str, deque] = defaultdict(deque)  # user -> (time, bytes) of each upload in the last hour


def take(user: str, size: int, now: float | None = None) -> str:
    """Count this upload against the user's hour ('' when allowed), or say why it is refused."""
    now = time.time() if now is None else now
    with _lock:
        sent = _sent[user]
        while sent and sent[0][0] < now - HOUR:
            sent.popleft()
        total = sum(b for _, b in sent)
        if len(sent) >= UPLOAD_FILES_PER_HOUR:
            return f"At most {UPLOAD_FILES_PER_HOUR} files an hour may be uploaded; try again later."
        if total + size > UPLOAD_MB_PER_HOUR * 1_000_000:
            return f"At most {UPLOAD_MB_PER_HOUR:,} MB an hour may be uploaded; try again later."
        sent.append((now, size))
        return ""
