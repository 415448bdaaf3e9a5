"""A load publishes its new database to the other servers named in settings `[servers] publish_to`
(etl/publish.py): an atomic, private copy per server; a failed copy leaves that server's file as it
was, is kept beside the database, and the Data page says so."""

import json
import os
import stat

from conftest import ATTENDANCE_HEADER, app, etl_cli, rows, write
from etl.publish import publish, status_path

ONE_DAY = ATTENDANCE_HEADER + "P1,2025-03-03,group,attended,180,T,C\n"


def test_a_load_is_copied_whole_and_private_to_each_server_and_a_failure_is_kept(tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the other server's folder should be")
    b, c = tmp_path / "b" / "iop.duckdb", tmp_path / "c" / "iop.duckdb"
    (config := tmp_path / "config").mkdir()
    (config / "settings.toml").write_text(f'[servers]\npublish_to = ["{b}", "{blocked / "iop.duckdb"}", "{c}"]\n')
    database = tmp_path / "a" / "iop.duckdb"
    run = etl_cli(
        "load", str(write(tmp_path, "attendance.csv", ONE_DAY)), "--db", str(database), env={"IOP_CONFIG": str(config)}
    )
    assert run.returncode == 0, run.stderr
    assert "not published to not-a-folder: FileExistsError" in run.stderr  # the kind, no row, no name beyond the path
    for copy in (b, c):
        assert copy.read_bytes() == database.read_bytes()
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert rows(copy, "SELECT participant_id, session_date::VARCHAR FROM sessions") == [("P1", "2025-03-03")]
        assert [p.name for p in copy.parent.iterdir()] == ["iop.duckdb"]  # no temporary copy left
    status = json.loads(status_path(database).read_text())
    assert [(r["target"], r["ok"]) for r in status] == [
        (str(b), True),
        (str(blocked / "iop.duckdb"), False),
        (str(c), True),
    ]
    assert status[1]["problem"].startswith("FileExistsError")

    monkeypatch.setenv("IOP_DB", str(database))
    at = app("admin")
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert any("published to 3 other server(s)" in c.value for c in at.caption)
    [warning] = [w.value for w in at.warning if "not copied" in w.value]
    assert "not\\-a\\-folder" in warning and "FileExistsError" in warning  # escaped: a path is no markdown


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
