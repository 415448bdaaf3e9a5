"""The access layer without a browser: the session-token store (revocation on sign-out, expiry,
idle, disable, reset), throttled sign-in, equal-cost hashing, accounts, and private files."""

import sqlite3
import stat
import time

import pytest

from conftest import ATTENDANCE_HEADER, PASSWORD, account, load_files, write
from dashboard.access import accounts, passwords, sessions, signin, signin_policy, throttle
from dashboard.store import app_state, audit

ADMIN = accounts.Actor("admin", "admin")


def _events():
    return audit.entries()[["user_name", "event"]].values.tolist()[::-1]


@pytest.mark.sqlite_store
def test_a_token_is_stored_only_as_its_hash(tmp_path):
    token = sessions.create(account("director", "dana"))
    assert sessions.check(token).identity.user == "dana"
    dump = "\n".join(sqlite3.connect(app_state.state_path()).iterdump())
    assert token not in dump and sessions.digest(token) in dump


def test_sign_out_revokes_the_token_at_once():
    token = sessions.create(account("director", "dana"))
    assert sessions.end(token) == "password"
    assert sessions.check(token) == sessions.Check(None, "revoked")
    assert sessions.end(token) == "password"  # a second sign-out is harmless, audited once
    assert [e for e in _events() if e[1] == "sign_out"] == [["dana", "sign_out"]]


def test_unknown_and_missing_tokens_open_nothing():
    assert sessions.check(None) == sessions.Check(None, "missing")
    assert sessions.check("not-a-token") == sessions.Check(None, "unknown")


def test_sessions_expire_after_the_session_length_however_active(monkeypatch):
    token = sessions.create(account("director", "dana"))
    start = time.time()
    monkeypatch.setenv("IOP_SESSION_MINUTES", "60")
    monkeypatch.setenv("IOP_IDLE_MINUTES", "30")
    for minutes in (10, 20, 30, 40, 50, 59):  # active every 10 minutes: never idle
        assert sessions.check(token, now=start + 60 * minutes).identity is not None
    assert sessions.check(token, now=start + 61 * 60) == sessions.Check(None, "expired")
    assert sessions.check(token, now=start + 62 * 60) == sessions.Check(None, "expired")
    assert [e for e in _events() if e[1] == "session_expired"] == [["dana", "session_expired"]]


def test_sessions_end_when_idle(monkeypatch):
    monkeypatch.setenv("IOP_IDLE_MINUTES", "30")
    token = sessions.create(account("director", "dana"))
    start = time.time()
    assert sessions.check(token, touch=False, now=start + 29 * 60).identity is not None  # a re-check is not activity
    assert sessions.check(token, now=start + 31 * 60) == sessions.Check(None, "expired")
    assert audit.entries().query("event == 'session_expired'")["detail"].tolist() == ['{"reason": "idle"}']


def test_disabling_an_account_and_resetting_a_password_end_its_sessions():
    account("clinician", "cara")
    first, second = sessions.create(account("clinician", "cara")), sessions.create(account("clinician", "cara"))
    accounts.reset_password("cara", "a brand new password", ADMIN)
    assert sessions.check(first).identity is None and sessions.check(second).identity is None
    assert accounts.check_password("cara", PASSWORD) is None
    assert accounts.check_password("cara", "a brand new password").user == "cara"
    third = sessions.create(accounts.identity_of("cara", "password"))
    accounts.set_disabled("cara", True, ADMIN)
    assert sessions.check(third) == sessions.Check(None, "revoked")
    assert accounts.check_password("cara", "a brand new password") is None
    accounts.set_disabled("cara", False, ADMIN)
    assert accounts.check_password("cara", "a brand new password").role == "clinician"
    assert [e for e in _events() if e[0] == "admin"] == [
        ["admin", "password_reset"],
        ["admin", "account_disabled"],
        ["admin", "account_enabled"],
    ]


def test_a_role_change_applies_to_open_sessions():
    token = sessions.create(account("director", "dana"))
    accounts.change("dana", ADMIN, role="quality")
    assert sessions.check(token).identity.role == "quality"


def test_accounts_refuse_bad_input():
    account("director", "dana")
    for call, message in (
        (lambda: accounts.add("Dana", "director", ADMIN, password=PASSWORD), "exists already"),  # names ignore case
        (lambda: accounts.add("new user", "director", ADMIN, password=PASSWORD), "without spaces"),
        (lambda: accounts.add("x", "superuser", ADMIN, password=PASSWORD), "role must be one of"),
        (lambda: accounts.add("x", "clinician", ADMIN, password=PASSWORD), "clinician's name"),
        (lambda: accounts.add("x", "director", ADMIN, password="short"), "at least 12 characters"),
        (lambda: accounts.set_disabled("admin", True, ADMIN), "no account admin"),
        (lambda: accounts.set_disabled("dana", True, accounts.Actor("dana", "admin")), "your own account"),
    ):
        with pytest.raises((accounts.AccountError, passwords.WeakPassword), match=message):
            call()


def test_password_and_organisation_accounts_sign_in_only_their_own_way():
    accounts.add("sso@example.org", "director", ADMIN)  # no password: OIDC only
    assert accounts.check_password("sso@example.org", "") is None
    assert accounts.identity_of("sso@example.org", "oidc").role == "director"
    account("director", "dana")
    assert accounts.identity_of("dana", "oidc") is None


def test_demo_accounts_are_refused_in_production(monkeypatch):
    accounts.add("demo", "director", ADMIN, password=PASSWORD, demo=True)
    monkeypatch.setenv("IOP_MODE", "production")
    assert accounts.check_password("demo", PASSWORD) is None
    monkeypatch.delenv("IOP_MODE")
    assert accounts.check_password("demo", PASSWORD).role == "director"


def test_the_sixth_attempt_within_the_window_is_refused_even_with_the_right_password():
    account("director", "dana")
    for _ in range(5):
        assert signin.password_sign_in("dana", "wrong password!", "10.0.0.1").message == signin.FAILED
    refused = signin.password_sign_in("dana", PASSWORD, "10.0.0.1")
    assert refused.token is None and refused.message.startswith("Too many failed sign-ins")
    assert "15 minutes" in refused.message and "another computer is not affected" in refused.message
    # from another computer the real user still signs in: guesses from elsewhere lock out only their pair
    assert signin.password_sign_in("dana", PASSWORD, "10.0.0.2").token is not None
    # names are compared as the accounts compare them: "DANA " from the guessing address is dana's pair
    assert signin.password_sign_in("DANA ", PASSWORD, "10.0.0.1").message.startswith("Too many failed sign-ins")
    # ... or more loosely: width and letter variants (PostgreSQL's collation finds dana by them) count as dana
    for variant in ("ｄａｎａ", "ⓓana", "𝐝ana"):
        assert signin.password_sign_in(variant, PASSWORD, "10.0.0.1").message.startswith("Too many failed sign-ins")
    for _ in range(5):
        signin.password_sign_in("nobody", "guess", "10.0.0.3")
    assert signin.password_sign_in("nobody", "guess", "10.0.0.3").message.startswith("Too many failed sign-ins")
    events = [e for _, e in _events()]
    assert events.count("sign_in_failed") == 10 and events.count("sign_in_throttled") == 6


def test_one_address_guessing_many_names_is_slowed_more_with_each_failure():
    account("director", "dana")
    start = time.time()
    for i in range(10):
        throttle.record_failure(f"name{i}", "10.0.0.9", now=start + i)
    assert throttle.retry_after("dana", "10.0.0.9", now=start + 9) == pytest.approx(1)  # the 10th: 1 s
    throttle.record_failure("name10", "10.0.0.9", now=start + 10)
    throttle.record_failure("name11", "10.0.0.9", now=start + 11)
    assert throttle.retry_after("dana", "10.0.0.9", now=start + 11) == pytest.approx(4)  # 12 failures: 4 s
    assert throttle.retry_after("dana", "10.0.0.10", now=start + 11) == 0  # another address
    assert signin.password_sign_in("dana", PASSWORD, "10.0.0.10").token is not None


def test_the_window_clears_fifteen_minutes_after_the_fifth_failure():
    start = time.time()
    for minute in range(5):
        throttle.record_failure("dana", "10.0.0.1", now=start + 60 * minute)
    assert throttle.retry_after("dana", "10.0.0.1", now=start + 4 * 60) == pytest.approx(11 * 60)  # until 0:15
    assert throttle.retry_after("dana", "10.0.0.1", now=start + 15 * 60 + 1) == 0  # the first has left the window
    assert throttle.retry_after("dana", "10.0.0.4", now=start + 4 * 60) == 0  # the pair only
    assert signin_policy.THROTTLE_FAILURES == 5 and signin_policy.THROTTLE_WINDOW_MINUTES == 15


@pytest.mark.timing
def test_unknown_users_are_checked_against_a_hash_of_the_same_cost(monkeypatch):
    monkeypatch.setattr(
        passwords, "BCRYPT_ROUNDS", signin_policy.BCRYPT_ROUNDS
    )  # the real cost, not the tests' cheap one
    passwords.placeholder_hash.cache_clear()
    real = passwords.hash_password(PASSWORD)
    assert passwords.cost(real) == passwords.cost(passwords.placeholder_hash()) == signin_policy.BCRYPT_ROUNDS == 12

    def timed(check) -> float:
        started = time.perf_counter()
        check()
        return time.perf_counter() - started

    # the best of five each, taken in turns: a busy machine only ever adds time, and a burst of load
    # (CI runs three workers and browsers on two cores) then slows both kinds alike, not one
    unknown, known = [], []
    for _ in range(5):
        unknown.append(timed(lambda: passwords.verify(PASSWORD, None)))  # an unknown user: one full-cost check
        known.append(timed(lambda: passwords.verify(PASSWORD, real)))
    unknown, known = min(unknown), min(known)
    assert not passwords.verify(PASSWORD, None) and passwords.verify(PASSWORD, real)
    assert 0.5 < unknown / known < 2


@pytest.mark.sqlite_store
def test_the_store_and_the_database_are_created_private(tmp_path, monkeypatch):
    monkeypatch.setenv("IOP_STATE", str(tmp_path / "new" / "app_state.sqlite"))
    sessions.create(account("director", "dana"))
    for path in (tmp_path / "new").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    loose = tmp_path / "loose.sqlite"
    loose.write_text("")
    loose.chmod(0o644)
    app_state.private_file(loose)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600
    db = tmp_path / "iop.duckdb"
    load_files(db, write(tmp_path, "a.csv", ATTENDANCE_HEADER + "P1,2025-03-03,group,attended,180,Trauma,Chen\n"))
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    load_files(db, write(tmp_path, "b.csv", ATTENDANCE_HEADER + "P1,2025-03-04,group,attended,180,Trauma,Chen\n"))
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_runtime_files_are_not_tracked_by_git():
    import subprocess

    from conftest import ROOT

    tracked = subprocess.run(
        ["git", "ls-files", "data", ".streamlit"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    assert not [
        f for f in tracked if f.endswith((".sqlite", ".duckdb", "credentials.txt", "users.toml", "secrets.toml"))
    ]
    ignored = subprocess.run(
        [
            "git",
            "check-ignore",
            "data/app_state.sqlite",
            "data/iop.duckdb",
            ".streamlit/secrets.toml",
            "data/demo-credentials.txt",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert len(ignored) == 4
