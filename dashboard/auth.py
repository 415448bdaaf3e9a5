"""Who is signed in, and as what.

Production: Streamlit's st.login with an OIDC provider ([auth] in .streamlit/secrets.toml); a
roles file (IOP_ROLES, TOML: [users."email"] role, clinician) gives each email its role.
Local and demo use: a users file (IOP_USERS, default data/users.toml) with bcrypt-hashed
passwords. Roles: clinician (own caseload only), director (everything), quality (overview and
cohorts, de-identified), admin (loads, audit trail). Sessions expire (IOP_SESSION_MINUTES)."""
from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import bcrypt

ROLES = ("clinician", "director", "quality", "admin")
FAILED = "Sign-in failed: check the user name and password."   # the same whether or not the user exists
_DUMMY_HASH = bcrypt.hashpw(b"not a password", bcrypt.gensalt(rounds=4))


@dataclass(frozen=True)
class Identity:
    user: str
    role: str
    clinician: str | None = None     # the clinician name used in the exports (role clinician)
    name: str = ""
    signed_in_at: str = ""
    method: str = "password"

    @property
    def scope_clinician(self) -> str | None:
        """Data-layer scoping: a clinician sees only their caseload; other roles are not scoped."""
        return self.clinician if self.role == "clinician" else None


def users_path() -> Path:
    return Path(os.environ.get("IOP_USERS", "data/users.toml"))


def _accounts(path: Path) -> dict:
    return tomllib.loads(path.read_text()).get("users", {}) if path.exists() else {}


def production() -> bool:
    return os.environ.get("IOP_MODE", "").lower() == "production"


def check_password(username: str, password: str) -> Identity | None:
    """The identity for a correct user name and password, else None (in the same time either way)."""
    account = _accounts(users_path()).get(username.strip())
    hashed = (account or {}).get("password_hash", "").encode() or _DUMMY_HASH
    ok = bcrypt.checkpw(password.encode(), hashed) and account is not None
    if not ok or account.get("role") not in ROLES:
        return None
    if production() and account.get("demo"):
        return None   # demo accounts never work in production mode
    return Identity(username.strip(), account["role"], account.get("clinician"), account.get("name", username),
                    _now(), "password")


def oidc_identity(email: str, name: str = "") -> Identity | None:
    """The role of an OIDC-authenticated email, from the roles file; None when it has none."""
    roles_file = Path(os.environ.get("IOP_ROLES", "data/roles.toml"))
    account = _accounts(roles_file).get(email)
    if not account or account.get("role") not in ROLES:
        return None
    return Identity(email, account["role"], account.get("clinician"), name or email, _now(), "oidc")


def expired(identity: Identity, now: dt.datetime | None = None) -> bool:
    minutes = int(os.environ.get("IOP_SESSION_MINUTES", "480"))
    started = dt.datetime.fromisoformat(identity.signed_in_at)
    return (now or dt.datetime.now(dt.timezone.utc)) - started > dt.timedelta(minutes=minutes)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()
