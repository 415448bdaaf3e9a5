"""The application state in PostgreSQL (IOP_STATE_URL), as several dashboard servers share it: a real
server from Debian's package (tests/postgres.py). What these tests add to the store's own tests,
which `make test` also runs on PostgreSQL: what differs between the two back ends (case-blind user
names, 8-byte times, the append-only audit log, SQLite-only SQL rewritten), backup and restore with
pg_dump, and that each machine's worker takes its own jobs, one load at a time."""

import datetime as dt
import subprocess
import threading
import time
from contextlib import closing

import psycopg
import pytest
from test_alert_reviews import FLAG, REVIEW
from test_state_backup import a_program_in_use

from conftest import account, session_token
from dashboard.access import accounts, sessions
from dashboard.store import app_state, audit, flag_actions, load_jobs, state_backup
from tests.postgres import NEEDS_POSTGRES

pytestmark = pytest.mark.skipif(**NEEDS_POSTGRES)


@pytest.fixture
def store(postgres, monkeypatch) -> str:
    url = postgres()
    monkeypatch.setenv("IOP_STATE_URL", url)
    return url


def rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as con:
        return con.execute(sql).fetchall()


def everything(url: str) -> dict[str, list[str]]:
    tables = [
        t
        for (t,) in rows(
            url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
        )
    ]
    return {t: sorted(map(repr, rows(url, f'SELECT * FROM "{t}"'))) for t in tables}


def test_records_land_in_postgresql_and_read_back_as_from_sqlite(store):
    account("director", "Dr.Chen@example.org")
    with pytest.raises(accounts.AccountError, match="exists already"):
        accounts.add("dr.chen@EXAMPLE.org", "clinician", accounts.Actor("x", None), "", "Chen", "a long passphrase")
    # one account, whatever the case (as SQLite's NOCASE)
    assert accounts.identity_of("DR.CHEN@example.org", "password").user == "Dr.Chen@example.org"
    assert accounts.listing()[["user_name", "role", "demo"]].values.tolist() == [["Dr.Chen@example.org", "director", 0]]

    token = session_token("director", "Dr.Chen@example.org")
    [(created, hashed)] = rows(store, "SELECT created_at, token_hash FROM sessions")
    assert hashed == sessions.digest(token) and token not in repr(everything(store))
    assert abs(created - time.time()) < 60 and created != float(f"{created:.7g}")  # 8 bytes: not rounded to 100 s
    assert sessions.check(token).identity.user == "Dr.Chen@example.org"

    flag_actions.record_action(FLAG, "acknowledged", "level of care changed", "case review", "dr.chen", review=REVIEW)
    [(action_id, fired_on, created_at)] = rows(store, "SELECT action_id, fired_on, created_at FROM flag_actions")
    first = flag_actions.first_actions()
    expected = (dt.datetime.fromisoformat(created_at) - dt.datetime.fromisoformat(fired_on)).total_seconds() / 86400
    assert first["days_to_action"].tolist() == [pytest.approx(expected)]
    assert flag_actions.reviews()[["episode_id", "level_of_care"]].values.tolist() == [
        [FLAG["episode_id"], REVIEW["level_of_care"]]
    ]
    assert rows(store, "SELECT action_id FROM flag_reviews") == [(action_id,)]

    audit.record("export", "50%_off", "director", kind="csv")  # a literal % and _ in what is searched for
    assert audit.entries(user="50%_")["user_name"].tolist() == ["50%_off"]
    assert audit.entries(user="0%")["user_name"].tolist() == ["50%_off"]
    assert audit.entries(user="5_%").empty


def test_a_process_reuses_its_connections(store):
    token = session_token("director", "dr.chen@example.org")
    for _ in range(50):  # what 50 page runs ask of the store
        assert sessions.check(token).identity is not None
        audit.record("view_page", "dr.chen@example.org", "director", page="overview")
    [(open_connections,)] = rows(
        store, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    assert 1 <= open_connections <= app_state.POOL_SIZE
    [(idle_in_transaction,)] = rows(
        store, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in%'"
    )
    assert idle_in_transaction == 0  # reads end their transaction when the connection goes back


def test_connections_the_server_drops_do_not_use_up_the_pool(store):
    token = session_token("director", "dr.chen@example.org")
    for _ in range(app_state.POOL_SIZE + 2):  # more than the pool holds: each drop must give its place back
        con = app_state.connect()
        con.execute("SELECT 1").fetchone()  # a read: its transaction stays open until close
        rows(store, f"SELECT pg_terminate_backend({con.raw.info.backend_pid})")  # a restart, a failover
        con.close()
    assert sessions.check(token).identity.user == "dr.chen@example.org"  # at once, not after a 30 s wait


def test_the_store_url_is_checked_and_its_password_never_reaches_a_command_line(store, tmp_path, monkeypatch):
    monkeypatch.setenv("IOP_STATE_URL", "host=db.internal dbname=iop_state")
    with pytest.raises(app_state.StoreMisconfigured, match="postgresql://"):
        app_state.connect()  # not quietly a server of its own on the SQLite file
    monkeypatch.setenv("IOP_STATE_URL", store.replace("iop@", "iop:S3cret-pw@"))
    assert "S3cret" not in app_state.where()
    seen = []

    def run(command, **kwargs):
        seen.append((command, kwargs["env"].get("PGPASSWORD")))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(state_backup.subprocess, "run", run)
    state_backup.backup(tmp_path / "state.pgdump")
    assert [password for _, password in seen] == ["S3cret-pw", None]  # pg_dump reads it from its environment
    assert not any("S3cret" in " ".join(command) for command, _ in seen)


def test_the_audit_log_refuses_updates_deletes_and_truncation(store):
    audit.record("sign_in", "x", "admin")
    for statement in ("UPDATE audit_log SET user_name = 'y'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"), psycopg.connect(store) as con:
            con.execute(statement)
    assert rows(store, "SELECT user_name FROM audit_log") == [("x",)]


def test_pg_dump_backup_and_restore_bring_back_every_record(store, tmp_path):
    token = a_program_in_use(tmp_path)
    before = everything(store)
    made = state_backup.backup(f"{tmp_path / 'backups'}/")
    assert made.suffix == ".pgdump" and oct(made.stat().st_mode & 0o777) == "0o600"
    assert state_backup.backups(tmp_path / "backups") == [made]

    accounts.add("later@example.org", "director", accounts.Actor("x", None), "Later", None, "a long enough passphrase")
    restored = state_backup.restore(made)

    after = everything(store)
    assert after.keys() == before.keys()
    assert {t: len(r) for t, r in after.items()} == restored == {t: len(r) for t, r in before.items()}
    assert (
        restored["accounts"] == 3
        and restored["flag_reviews"] == 1
        and restored["audit_log"] == len(before["audit_log"])
    )
    assert {t: r for t, r in after.items() if t != "sessions"} == {t: r for t, r in before.items() if t != "sessions"}
    assert sessions.check(token).reason == "revoked"  # every session brought back is ended
    assert accounts.identity_of("later@example.org", "password") is None
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"), psycopg.connect(store) as con:
        con.execute("DELETE FROM audit_log")  # the restored log is append-only again

    junk = tmp_path / "junk.pgdump"
    junk.write_bytes(b"not a dump")
    with pytest.raises(state_backup.NotABackup, match="not a pg_dump archive"):
        state_backup.restore(junk)
    assert everything(store) == after


def test_each_machine_takes_its_own_jobs_and_loads_wait_for_each_other(store, tmp_path, monkeypatch):
    monkeypatch.setenv("IOP_HOST", "server-b")
    b_job = load_jobs.queue([("a.csv", b"x\n")], None, "it", "admin", tmp_path / "b.duckdb")
    monkeypatch.setenv("IOP_HOST", "server-a")
    assert not load_jobs.has_queued() and load_jobs.claim() is None  # b's files are on b
    a_job = load_jobs.queue([("a.csv", b"x\n")], None, "it", "admin", tmp_path / "a.duckdb")
    assert load_jobs.claim().job_id == a_job and load_jobs.abandoned()[0].job_id == a_job
    monkeypatch.setenv("IOP_HOST", "server-b")
    assert [j.job_id for j in load_jobs.abandoned()] == []  # a's running job is not b's to fail
    assert load_jobs.claim().job_id == b_job

    order = []

    def load(name: str, hold: float) -> None:
        with app_state.one_at_a_time(42):
            order.append(f"{name} starts")
            time.sleep(hold)
            order.append(f"{name} ends")

    first = threading.Thread(target=load, args=("a", 1.0))
    first.start()
    time.sleep(0.3)
    load("b", 0)
    first.join()
    assert order == ["a starts", "a ends", "b starts", "b ends"]


def test_two_servers_starting_at_once_create_the_tables_once(store):
    errors = []

    def start() -> None:
        try:
            with closing(app_state.connect(accounts.SCHEMA)):
                pass
        except Exception as e:  # noqa: BLE001 - collected for the assertion
            errors.append(e)

    app_state._ready.clear()  # as a fresh process: each thread creates
    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
