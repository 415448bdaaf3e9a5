"""`python -m dashboard accounts`: add, reset, disable, enable, list, demo; passwords from a prompt or
standard input, never the command line; every change audited under the operating-system user."""

import os
import stat
import subprocess
import sys

import pytest

from conftest import ROOT
from dashboard.access import accounts, sessions
from dashboard.store import audit


def _cli(*args, stdin: str = "", env=None):
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "accounts", *args],
        cwd=ROOT,
        input=stdin,
        text=True,
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_add_reset_disable_enable_and_list():
    r = _cli(
        "add",
        "m.novak",
        "--role",
        "clinician",
        "--clinician",
        "Novak, J.",
        "--name",
        "Jo Novak",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == "Added m.novak (clinician).\n"
    identity = accounts.check_password("m.novak", "a long enough password")
    assert (identity.role, identity.clinician, identity.name) == ("clinician", "Novak, J.", "Jo Novak")
    token = sessions.create(identity)
    assert _cli("reset", "m.novak", "--password-stdin", stdin="another long password\n").returncode == 0
    assert sessions.check(token).identity is None  # the reset ended the session
    assert accounts.check_password("m.novak", "another long password") is not None
    assert _cli("disable", "m.novak").stdout == "m.novak disabled; their open sessions have ended.\n"
    assert accounts.check_password("m.novak", "another long password") is None
    assert _cli("enable", "m.novak").returncode == 0
    listing = _cli("list").stdout
    assert "m.novak" in listing and "Jo Novak" in listing and "active" in listing
    assert "$2b$" not in listing  # never a hash
    log = audit.entries()
    assert log["event"].tolist()[::-1] == ["account_added", "password_reset", "account_disabled", "account_enabled"]
    assert log["user_name"].str.endswith("(command line)").all()
    assert not log["detail"].str.contains("long enough|another long", regex=True).any()  # never a password


def test_an_organisation_account_has_no_password():
    assert (
        _cli("add", "dana@example.org", "--role", "director", "--sso").stdout
        == "Added dana@example.org (director, organisation sign-in).\n"
    )
    assert accounts.identity_of("dana@example.org", "oidc").role == "director"


def test_refusals_say_why_and_change_nothing():
    short = _cli("add", "x", "--role", "director", "--password-stdin", stdin="short\n")
    assert (short.returncode, short.stderr) == (2, "Not done: a password needs at least 12 characters.\n")
    assert (
        _cli("reset", "ghost", "--password-stdin", stdin="a long enough password\n").stderr
        == "Not done: no account ghost.\n"
    )
    assert _cli("add", "y", "--role", "clinician", "--password-stdin", stdin="a long enough password\n").returncode == 2
    assert accounts.listing().empty
    bad = _cli("add", "x", "--role", "director", "--password", "on-the-command-line")
    assert bad.returncode == 2 and "unrecognized arguments" in bad.stderr


@pytest.mark.sqlite_store
def test_demo_accounts_once_with_private_credentials(tmp_path):
    credentials = tmp_path / "demo-credentials.txt"
    first = _cli("demo", "--credentials", str(credentials))
    assert first.stdout.startswith("Demo accounts (also in") and stat.S_IMODE(credentials.stat().st_mode) == 0o600
    passwords = dict(line.split(": ") for line in credentials.read_text().splitlines())
    assert set(passwords) == {"director", "clinician", "quality", "admin", "northside"}
    assert accounts.check_password("clinician", passwords["clinician"]).clinician == "Chen, M."
    north = accounts.check_password("northside", passwords["northside"])
    assert (north.role, north.scope_sites) == ("director", ("Northside",))  # the demo's site director
    assert accounts.check_password("director", passwords["director"]).scope_sites is None
    assert _cli("demo", "--credentials", str(credentials)).stdout.startswith("Demo accounts exist already")
    assert stat.S_IMODE(os.stat(os.environ["IOP_STATE"]).st_mode) == 0o600
