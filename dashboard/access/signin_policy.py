"""The sign-in and session policy, in one place. Environment variables override the time limits."""

from __future__ import annotations

import os

BCRYPT_ROUNDS = 12  # every stored hash and the unknown-user placeholder use this cost
MIN_PASSWORD_LENGTH = 12
THROTTLE_FAILURES = 5  # this many failed sign-ins for one user name from one address ...
THROTTLE_WINDOW_MINUTES = 15  # ... within this many minutes refuse that pair's attempts until the window clears
ADDRESS_FAILURES = 10  # from one address (any names) in the window: then a delay doubling with each failure
TOUCH_EVERY_SECONDS = 30  # how often activity is written to a session's last-seen time


def session_minutes() -> float:
    """Hours of use before signing in again, however active (IOP_SESSION_MINUTES, default 8 h)."""
    return float(os.environ.get("IOP_SESSION_MINUTES", "480"))


def idle_minutes() -> float:
    """Minutes without activity before the session ends (IOP_IDLE_MINUTES, default 30)."""
    return float(os.environ.get("IOP_IDLE_MINUTES", "30"))


def check_every_seconds() -> float:
    """How often an open page re-checks its session, so an idle screen stops showing data within
    a minute of expiry (sooner when a limit is shorter, as in tests)."""
    shortest = 60 * min(session_minutes(), idle_minutes())
    return max(1.0, min(30.0, shortest / 4))


def production() -> bool:
    return os.environ.get("IOP_MODE", "").lower() == "production"


def development() -> bool:
    return os.environ.get("IOP_MODE", "").lower() == "development"


# Uploads (the Data page's, the only role that may upload): Streamlit holds each file in memory until the
# page has read it, so one account may send at most this much in an hour (counted by the gate)
UPLOAD_FILES_PER_HOUR = 30
UPLOAD_MB_PER_HOUR = 2_000
