"""Careless and hostile exports: each bad file is refused alone with one line, every row of a sheet
is read whatever its size marker says, and nothing unpacks past the loader's limit."""

from __future__ import annotations

import re
import zipfile

import pytest
from openpyxl import Workbook

from conftest import etl_cli, load_files, rows, write

GOOD = "participant_id,session_date,session_type,status,minutes\nP1,2026-01-05,group,attended,180\n"
HEADER = ["participant_id", "session_date", "session_type", "status", "minutes"]


def _book(path, n_rows):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for i in range(n_rows):
        sheet.append([f"P{i}", "2026-01-05", "group", "attended", 180])
    book.save(path)
    return path


def _rewrite(path, member, change):
    """A copy of the workbook with one member's bytes changed (as a broken export would have it)."""
    with zipfile.ZipFile(path) as old:
        items = [(i, old.read(i.filename)) for i in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in items:
            if info.filename == member:
                data = change(data)
                if data is None:
                    continue
            new.writestr(info.filename, data)
    return path


def test_understated_dimension_marker_still_loads_every_row(tmp_path, db):
    f = _rewrite(
        _book(tmp_path / "a.xlsx", 1000),
        "xl/worksheets/sheet1.xml",
        lambda x: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:E2"', x),
    )
    with zipfile.ZipFile(f) as z:
        assert b'<dimension ref="A1:E2"' in z.read("xl/worksheets/sheet1.xml")
    [r] = load_files(db, f)
    assert r.counts["read"] == 1000 and r.counts["loaded"] == 1000
    assert rows(db, "SELECT count(DISTINCT participant_id) FROM sessions") == [(1000,)]


def test_expanding_workbook_above_the_limit_is_refused_before_unpacking(tmp_path, db, monkeypatch):
    f = tmp_path / "bomb.xlsx"
    _book(f, 1)
    with zipfile.ZipFile(f, "a", zipfile.ZIP_DEFLATED) as z:  # 30 MB of zeros in a few kilobytes
        z.writestr("xl/media/padding.bin", b"\0" * 30_000_000)
    assert f.stat().st_size < 100_000
    monkeypatch.setenv("IOP_SETTINGS", str(write(tmp_path, "s.toml", "[loader]\nxlsx_max_expanded_mb = 10\n")))
    [r] = load_files(db, f)
    assert r.status == "failed"
    assert r.message == (
        "bomb.xlsx: unpacks to 30 MB, above the loader's limit of 10 MB (settings [loader] "
        "xlsx_max_expanded_mb); export it as CSV or split it"
    )


@pytest.mark.parametrize(
    "name, member, change, reason",
    [
        (
            "cut.xlsx",
            "xl/worksheets/sheet1.xml",
            lambda x: x[: len(x) // 2],
            "is not a readable Excel workbook (ParseError: ",
        ),
        ("no_sheets.xlsx", "xl/worksheets/sheet1.xml", lambda x: None, "has no worksheets"),
        ("broken_book.xlsx", "xl/workbook.xml", lambda x: x[:40], "is not a readable Excel workbook (ParseError: "),
    ],
)
def test_broken_workbook_fails_alone_with_one_line(tmp_path, db, name, member, change, reason):
    good = write(tmp_path, "good.csv", GOOD)
    bad = _rewrite(_book(tmp_path / name, 50), member, change)
    run = etl_cli("load", good, bad, "--db", db, "--today", "2026-01-31")
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout
    errors = run.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith(f"error: {name}: {reason}")
    assert str(tmp_path) not in run.stderr
    assert "good.csv (attendance, load 1): read 1, loaded 1" in run.stdout
    assert rows(db, "SELECT participant_id FROM sessions") == [("P1",)]


def test_json_nested_too_deep_is_refused_and_the_other_files_load(tmp_path, db):
    good = write(tmp_path, "good.csv", GOOD)
    deep = write(tmp_path, "deep.json", '{"resourceType": "Bundle", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    run = etl_cli("load", good, deep, "--db", db, "--today", "2026-01-31")
    assert "Traceback" not in run.stderr
    assert run.stderr.strip() == "error: deep.json: is JSON nested too deeply to be a FHIR export"
    assert rows(db, "SELECT count(*) FROM sessions") == [(1,)]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_bom(tmp_path, db, encoding):
    text = (
        "participant_id,session_date,session_type,status,minutes,clinician\n\nP1,2026-01-05,group,attended,180,Zoë\n"
        "P2,2026-01-05,group,came,180,Zoë\n"
    )
    data = ("\ufeff" + text).encode(encoding) if encoding == "utf-16-be" else text.encode(encoding)
    [r] = load_files(db, write(tmp_path, "a.csv", data))
    assert r.status == "loaded" and r.counts["loaded"] == 1
    assert rows(db, "SELECT clinician FROM sessions") == [("Zoë",)]
    assert rows(db, "SELECT row_number FROM rejects") == [(4,)]  # the blank line 2 still counts
    assert not list(tmp_path.glob("*.utf8.csv"))


def test_dates_before_1990_and_ids_with_control_characters_are_refused(tmp_path, db):
    f = write(
        tmp_path,
        "a.csv",
        "participant_id,session_date,session_type,status,minutes\n"
        'P1,0000-01-01,group,attended,180\n"P\n2",2026-01-05,group,attended,180\n'
        "P3,2026-01-05,group,attended,180\n",
    )
    [r] = load_files(db, f)
    assert r.counts == {"read": 3, "loaded": 1, "updated": 0, "rejected": 2, "duplicate": 0}
    assert rows(db, "SELECT reason FROM rejects ORDER BY row_number") == [
        ("session_date '0000-01-01' is before 1990",),
        ("participant_id contains a line break or another control character",),
    ]


def test_ids_that_reverse_on_screen_or_run_past_the_limit_are_refused_with_their_reason(tmp_path, db):
    long_id = "P" * 100_000  # loaded, it could not be opened, and overflows a spreadsheet cell
    f = write(
        tmp_path,
        "a.csv",
        "participant_id,session_date,session_type,status,minutes\n"
        "IOP-\u202e09201,2026-01-05,group,attended,180\n"
        f"{long_id},2026-01-05,group,attended,180\n"
        f"{'Q' * 64},2026-01-05,group,attended,180\n"  # at the limit: loaded
        "https://example.org/x,2026-01-05,group,attended,180\n",
    )
    [r] = load_files(db, f)
    assert r.counts == {"read": 4, "loaded": 1, "updated": 0, "rejected": 3, "duplicate": 0}
    assert rows(db, "SELECT reason FROM rejects ORDER BY row_number") == [
        ("participant_id contains a text-direction control character (it would show the id reversed or reordered)",),
        ("participant_id is 100000 characters long; at most 64 are accepted (settings [loader] max_id_characters)",),
        ("participant_id looks like a web address, not an id (a screen would show it as a link)",),
    ]


def test_a_load_that_runs_out_of_memory_says_so_and_changes_nothing(tmp_path, db, monkeypatch):
    import duckdb

    from etl import derive

    load_files(db, write(tmp_path, "first.csv", GOOD))
    before = rows(db, "SELECT count(*), max(load_id) FROM sessions")

    def out_of_memory(*args, **kwargs):
        raise duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate data of size 2.0 MiB")

    monkeypatch.setattr(derive.marts, "rebuild", out_of_memory)
    [r] = load_files(db, write(tmp_path, "second.csv", GOOD.replace("P1", "P2")))
    assert r.status == "failed"
    assert r.message == (
        "second.csv: not loaded: the load needed more than its memory limit of 800 MB "
        "(settings [loader] memory_limit_mb); the database is unchanged"
    )
    assert rows(db, "SELECT count(*), max(load_id) FROM sessions") == before
    assert not list(db.parent.glob(".*.loading-*")) and not list(db.parent.glob(".*.spill-*"))


def test_a_fhir_bundle_above_the_limit_is_refused_unread(tmp_path, db, monkeypatch):
    monkeypatch.setenv("IOP_SETTINGS", str(write(tmp_path, "s.toml", "[loader]\nfhir_max_mb = 1\n")))
    big = write(tmp_path, "big.json", '{"resourceType": "Bundle", "entry": [], "pad": "' + "x" * 1_500_000 + '"}')
    [r] = load_files(db, big)
    assert r.status == "failed"
    assert r.message == (
        "big.json: is 2 MB of JSON, above the loader's limit of 1 MB for FHIR (settings [loader] "
        "fhir_max_mb); split the bundle"
    )
