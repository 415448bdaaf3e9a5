"""The `python -m etl` interface: unusable files, exit codes, messages, status."""

import pytest

from conftest import ATTENDANCE_HEADER, etl_cli, scenario, table_counts, write

GOOD = ATTENDANCE_HEADER + "P1,2025-03-03,group,attended,180,Trauma,Rivera\n"


def _load_good(folder, db):
    result = etl_cli("load", write(folder, "good.csv", GOOD), "--db", db, "--today", "2026-01-31")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "good.csv (attendance, load 1): read 1, loaded 1, updated 0, rejected 0, exact duplicates 0\n"
    )


@pytest.fixture
def loaded(request):
    return scenario(request, _load_good)  # loaded once by the command, copied for each test


UNUSABLE = [
    ("missing.csv", None, "missing.csv: file not found"),
    ("empty.csv", b"", "empty.csv: the file is empty"),
    ("blank.csv", b"\n\n  \n", "blank.csv: the file is empty"),
    (
        "unknown.csv",
        b"foo,bar\n1,2\n",
        "unknown.csv: cannot tell what kind of export this is from its header (foo, bar); attendance needs "
        "participant_id, session_date, session_type, status, minutes; measures needs participant_id, assessment_date, "
        "instrument; roster needs participant_id, admit_date; authorizations needs participant_id, authorization_id, "
        "start_date, end_date, authorized_sessions or authorized_hours; diagnoses needs participant_id, icd10_code, "
        "start_date; rename its columns, or say which kind it is "
        "(--kind attendance|measures|roster|authorizations|diagnoses)",
    ),
    (
        "image.csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "image.csv: looks like a binary file, not a CSV or XLSX export",
    ),
    (
        "broken.xlsx",
        b"PK\x03\x04 not really a zip",
        "broken.xlsx: is not a readable Excel workbook (BadZipFile: File is not a zip file)",
    ),
    ("fake.xlsx", b"participant_id,admit_date\n", "fake.xlsx: is named .xlsx but is not an Excel workbook"),
]


@pytest.mark.parametrize("name,content,message", UNUSABLE, ids=[u[0] for u in UNUSABLE])
def test_unusable_file_exits_non_zero_with_one_line_and_changes_nothing(tmp_path, loaded, name, content, message):
    before = table_counts(loaded)
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = etl_cli("load", path, "--db", loaded)
    assert result.returncode == 1
    assert result.stderr == f"error: {message}\n"
    assert "Traceback" not in result.stdout + result.stderr
    assert table_counts(loaded) == before


def test_wrong_kind_names_the_missing_columns(tmp_path, loaded):
    result = etl_cli("load", write(tmp_path, "a.csv", GOOD), "--db", loaded, "--kind", "measures")
    assert result.returncode == 1
    assert result.stderr == (
        "error: a.csv: not a usable measures export: no column for assessment_date, instrument "
        "(header: participant_id, session_date, session_type, status, minutes, program, clinician)\n"
    )


def test_good_files_load_beside_a_bad_one(tmp_path, loaded):
    folder = tmp_path / "exports"
    folder.mkdir()
    write(folder, "more.csv", ATTENDANCE_HEADER + "P2,2025-03-03,group,attended,180,Trauma,Rivera\n")
    write(folder, "junk.csv", "foo\n1\n")
    result = etl_cli("load", folder, "--db", loaded, "--today", "2026-01-31")
    assert result.returncode == 1
    assert "error: junk.csv: cannot tell what kind of export" in result.stderr
    assert "more.csv (attendance, load 2): read 1, loaded 1" in result.stdout
    assert table_counts(loaded)["sessions"] == 2


def test_reload_says_nothing_changed(tmp_path, loaded):
    result = etl_cli("load", write(tmp_path, "good.csv", GOOD), "--db", loaded)  # the same file, exported again
    assert result.returncode == 0
    assert result.stdout.startswith("good.csv: already loaded as load 1 on ")
    assert result.stdout.endswith("(same contents); nothing changed\n")


def test_rejections_are_counted_by_reason(tmp_path, db):
    text = GOOD + "P1,2025-03-04,group,came,180,,\nP1,2025-03-05,group,came,180,,\nP1,2025-02-30,group,attended,180,,\n"
    result = etl_cli("load", write(tmp_path, "a.csv", text), "--db", db, "--today", "2026-01-31")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "a.csv (attendance, load 1): read 4, loaded 1, updated 0, rejected 3, exact duplicates 0",
        "    rejected 2 × status 'came' is not one of attended, late, left_early, excused, no_show, cancelled",
        "    rejected 1 × session_date '2025-02-30' is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)",
    ]


def test_status_prints_the_load_history(loaded):
    result = etl_cli("status", "--db", loaded)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "load",
        "loaded",
        "at",
        "kind",
        "file",
        "read",
        "loaded",
        "updated",
        "rejected",
        "duplicates",
    ]
    assert lines[1].split()[0] == "1" and lines[1].split()[4:] == ["attendance", "good.csv", "1", "1", "0", "0", "0"]
    assert lines[2] == "data as of 2025-03-03"


def test_status_without_a_database(tmp_path):
    result = etl_cli("status", "--db", tmp_path / "none.duckdb")
    assert result.returncode == 1
    assert "none.duckdb: no database yet" in result.stderr


def test_rebuild_applies_a_settings_change(tmp_path, db):
    from conftest import rows

    text = ATTENDANCE_HEADER + "".join(f"P1,2025-03-{d:02d},group,attended,180,Trauma,Rivera\n" for d in (3, 4, 5))
    etl_cli("load", write(tmp_path, "a.csv", text), "--db", db, "--today", "2026-01-31")
    # two days in, no PHQ-9 yet (due at admission): not overdue with the default 7 days' grace ...
    assert rows(db, "SELECT count(*) FROM flags WHERE rule_id = 'measure_overdue'") == [(0,)]
    settings = write(tmp_path, "ours.toml", "[measurement]\noverdue_grace_days = 1\n")
    result = etl_cli("rebuild", "--db", db, env={"IOP_SETTINGS": str(settings)})
    assert result.returncode == 0, result.stderr
    # ... and with measures overdue after 1 day, the missing PHQ-9 now fires
    assert rows(db, "SELECT explanation FROM flags WHERE rule_id = 'measure_overdue'") == [
        ("no PHQ-9 since admission 2 days ago",)
    ]
    assert etl_cli("rebuild", "--db", tmp_path / "none.duckdb").returncode == 1
