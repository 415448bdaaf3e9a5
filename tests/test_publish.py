"""A load publishes its new database to the other servers named in settings `[servers] publish_to`
(etl/publish.py): an atomic, private copy per server; a failed copy leaves that server's file as it
was, is kept beside the database, and the Data page says so."""

import json
import os
import shutil
import stat

from conftest import ATTENDANCE_HEADER, app, etl_cli, rows, write
from etl.publish import publish, status_path

ONE_DAY = ATTENDANCE_HEADER + "P1,2025-03-03,group,attended,180,T,C\n"


def _server_file(path):
    """A server's database file as set up once, by hand, before the loader publishes to it."""
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    return path


def test_a_load_is_copied_whole_and_private_to_each_server_and_a_failure_is_kept(tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the other server's folder should be")
    b, c = _server_file(tmp_path / "b" / "iop.duckdb"), _server_file(tmp_path / "c" / "iop.duckdb")
    unmounted = tmp_path / "mnt" / "d" / "iop.duckdb"  # a share not mounted: nothing is written there
    (config := tmp_path / "config").mkdir()
    (config / "settings.toml").write_text(
        f'[servers]\npublish_to = ["{b}", "{blocked / "iop.duckdb"}", "{c}", "{unmounted}"]\n'
    )
    database = tmp_path / "a" / "iop.duckdb"
    run = etl_cli(
        "load", str(write(tmp_path, "attendance.csv", ONE_DAY)), "--db", str(database), env={"IOP_CONFIG": str(config)}
    )
    assert run.returncode == 0, run.stderr
    assert "not published to not-a-folder: FileNotFoundError" in run.stderr  # the kind, no row
    assert not (tmp_path / "mnt").exists()
    for copy in (b, c):
        assert copy.read_bytes() == database.read_bytes()
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert rows(copy, "SELECT participant_id, session_date::VARCHAR FROM sessions") == [("P1", "2025-03-03")]
        assert [p.name for p in copy.parent.iterdir()] == ["iop.duckdb"]  # no temporary copy left
        # published whole: the second step ran before the copy (a later one would publish outside the lock)
        assert rows(copy, "SELECT history_pending_since FROM build_state") == [(None,)]
    status = json.loads(status_path(database).read_text())
    assert [(r["target"], r["ok"]) for r in status] == [
        (str(b), True),
        (str(blocked / "iop.duckdb"), False),
        (str(c), True),
        (str(unmounted), False),
    ]
    assert status[1]["problem"].startswith("FileNotFoundError") and "not mounted" in status[3]["problem"]

    monkeypatch.setenv("IOP_DB", str(database))
    at = app("admin")
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert any("published to 2 of 4 other server(s)" in c.value for c in at.caption)
    warnings = [w.value for w in at.warning if "not copied" in w.value]
    assert len(warnings) == 2 and "not\\-a\\-folder" in warnings[0]  # escaped: a path is no markdown


def test_a_server_whose_copy_is_behind_another_refuses_to_load_over_it(tmp_path):
    a, b = tmp_path / "a" / "iop.duckdb", tmp_path / "b" / "iop.duckdb"
    assert etl_cli("load", str(write(tmp_path, "first.csv", ONE_DAY)), "--db", str(a)).returncode == 0
    b.parent.mkdir()
    shutil.copyfile(a, b)
    later = ATTENDANCE_HEADER + "P2,2025-03-04,group,attended,180,T,C\n"
    assert etl_cli("load", str(write(tmp_path, "on-b.csv", later)), "--db", str(b)).returncode == 0  # A never got it
    (config := tmp_path / "config").mkdir()
    (config / "settings.toml").write_text(f'[servers]\npublish_to = ["{b}"]\n')
    b_before, a_before = b.read_bytes(), a.read_bytes()
    third = ATTENDANCE_HEADER + "P3,2025-03-05,group,attended,180,T,C\n"
    run = etl_cli("load", str(write(tmp_path, "on-a.csv", third)), "--db", str(a), env={"IOP_CONFIG": str(config)})
    assert run.returncode == 1
    assert f"the database at {b} holds 1 load(s) that iop.duckdb here lacks" in run.stderr
    assert b.read_bytes() == b_before and a.read_bytes() == a_before  # nothing published over the newer copy
    rebuilt = etl_cli("rebuild", "--db", str(a), env={"IOP_CONFIG": str(config)})
    assert rebuilt.returncode == 1 and "holds 1 load(s)" in rebuilt.stderr
    shutil.copyfile(b, a)  # as the message says: that file over this one, then load again
    run = etl_cli("load", str(tmp_path / "on-a.csv"), "--db", str(a), env={"IOP_CONFIG": str(config)})
    assert run.returncode == 0, run.stderr
    assert rows(b, "SELECT participant_id FROM sessions ORDER BY 1") == [("P1",), ("P2",), ("P3",)]


def test_publishing_skips_the_database_itself_and_replaces_a_server_file_in_one_step(tmp_path):
    database = tmp_path / "iop.duckdb"
    database.write_bytes(b"new")
    other = tmp_path / "b" / "iop.duckdb"
    other.parent.mkdir()
    other.write_bytes(b"old")
    before = os.stat(other).st_ino
    done = publish(database, [str(database), str(other)])
    assert [r["target"] for r in done] == [str(other)]
    assert other.read_bytes() == b"new" and os.stat(other).st_ino != before  # renamed in, never written in place
