"""Password hashing (bcrypt). Every hash uses the same cost, and a user name that does not exist is
checked against a placeholder hash of that cost, so the time taken does not say whether it exists."""

from __future__ import annotations

from functools import cache

import bcrypt

from dashboard.access.signin_policy import BCRYPT_ROUNDS, MIN_PASSWORD_LENGTH


class WeakPassword(ValueError):
    """A new password that the policy refuses; the message says why."""


def hash_password(password: str) -> str:
    check_strength(password)
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode()


def check_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password.encode()) > 72:
        raise WeakPassword("a password can have at most 72 bytes (bcrypt reads no further)")


@cache
def placeholder_hash() -> bytes:
    """Checked when the user name is unknown (or has no password): same cost as a real hash."""
    return bcrypt.hashpw(b"placeholder: no account has this hash", bcrypt.gensalt(rounds=BCRYPT_ROUNDS))


def cost(hashed: str | bytes) -> int:
    """The bcrypt cost written in a hash ($2b$12$...)."""
    return int((hashed.decode() if isinstance(hashed, bytes) else hashed).split("$")[2])


def verify(password: str, hashed: str | None) -> bool:
    """True when `password` matches `hashed`; takes one bcrypt check either way."""
    candidate = hashed.encode() if hashed else placeholder_hash()
    try:
        ok = bcrypt.checkpw(password.encode()[:72], candidate)
    except ValueError:  # a malformed stored hash
        bcrypt.checkpw(password.encode()[:72], placeholder_hash())
        ok = False
    return ok and hashed is not None
