"""Every accepted date form, encoding, separator and header alias; XLSX sheets."""

import datetime as dt

import pytest
from openpyxl import Workbook

from conftest import load_files, rows, write

DATES = [
    ("2025-03-07", dt.date(2025, 3, 7)),
    ("2025-3-7", dt.date(2025, 3, 7)),
    ("2025-03-07T09:30:00", dt.date(2025, 3, 7)),
    ("2025-03-07 09:30", dt.date(2025, 3, 7)),
    ("3/7/2025", dt.date(2025, 3, 7)),
    ("03/07/2025", dt.date(2025, 3, 7)),
    ("12/31/2025", dt.date(2025, 12, 31)),
    ("45658", dt.date(2025, 1, 1)),  # Excel's serial day number for 1 Jan 2025
    ("45658.375", dt.date(2025, 1, 1)),  # 09:00 that day
]


@pytest.mark.parametrize("text,expected", DATES, ids=[t for t, _ in DATES])
def test_date_forms(tmp_path, db, text, expected):
    f = write(
        tmp_path, "a.csv", f"participant_id,session_date,session_type,status,minutes\nP1,{text},group,attended,180\n"
    )
    [result] = load_files(db, f)
    assert result.counts["loaded"] == 1
    assert rows(db, "SELECT session_date FROM sessions") == [(expected,)]


def test_start_time_from_date_time_or_own_column(tmp_path, db):
    f = write(
        tmp_path,
        "a.csv",
        "participant_id,session_date,start_time,session_type,status,minutes\n"
        "P1,2025-03-07 09:30,,group,attended,180\n"
        "P1,2025-03-07,1:00 PM,individual,attended,50\n",
    )
    load_files(db, f)
    assert rows(db, "SELECT session_type, start_time, session_slot FROM sessions ORDER BY start_time") == [
        ("group", dt.time(9, 30), "group 09:30"),
        ("individual", dt.time(13, 0), "individual 13:00"),
    ]


HEADER = "Client ID{d}Date of Service{d}Service Type{d}Attendance{d}Duration{d}Staff\n"
ROW = "P1{d}3/7/2025{d}Group Therapy{d}Present{d}180{d}Müller, Zoë\n"


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("latin-1", False)])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_encodings_and_separators(tmp_path, db, encoding, bom, delimiter):
    text = (HEADER + ROW).format(d=delimiter).replace("Müller, Zoë", "Müller Zoë")
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)
    f = write(tmp_path, "attendance.csv", data)
    [result] = load_files(db, f)
    assert result.kind == "attendance"
    assert result.counts["loaded"] == 1
    assert rows(db, "SELECT participant_id, session_date, session_type, status, minutes, clinician FROM sessions") == [
        ("P1", dt.date(2025, 3, 7), "group", "attended", 180.0, "Müller Zoë")
    ]


def test_quoted_fields_with_separator_inside(tmp_path, db):
    f = write(tmp_path, "attendance.csv", (HEADER + ROW).format(d=",").replace("Müller, Zoë", '"Müller, Zoë"'))
    load_files(db, f)
    assert rows(db, "SELECT clinician FROM sessions") == [("Müller, Zoë",)]


def test_blank_lines_do_not_shift_row_numbers(tmp_path, db):
    f = write(
        tmp_path,
        "a.csv",
        "participant_id,session_date,session_type,status,minutes\n"
        "P1,2025-03-03,group,attended,180\n\n"
        "P1,2025-03-04,group,came,180\n",
    )
    [result] = load_files(db, f)
    assert result.counts == {"read": 2, "loaded": 1, "updated": 0, "rejected": 1, "duplicate": 0}
    assert rows(db, "SELECT row_number FROM rejects") == [(4,)]


def test_header_aliases_pick_the_kind(tmp_path, db):
    roster = write(
        tmp_path,
        "r.csv",
        "MRN,Admission Date,Discharge Date,Reason for Discharge,Track\n"
        "P1,1/6/2025,2/28/2025,Completed treatment,Trauma\n",
    )
    measures = write(tmp_path, "m.csv", "Client ID,Date Completed,Measure,Score,Q1,Q2\nP1,1/6/2025,PHQ9,14,,\n")
    results = load_files(db, roster, measures)
    assert [(r.path.name, r.kind) for r in results] == [("r.csv", "roster"), ("m.csv", "measures")]
    assert rows(db, "SELECT discharge_teds_code, discharge_category, program FROM episodes") == [
        (1, "Treatment completed", "Trauma")
    ]
    assert rows(db, "SELECT instrument, total_score FROM assessments") == [("PHQ-9", 14)]


def _workbook(path, sheets):
    book = Workbook()
    book.remove(book.active)
    for name, data in sheets.items():
        sheet = book.create_sheet(name)
        for row in data:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_first_sheet_with_real_date_and_number_cells(tmp_path, db):
    f = _workbook(
        tmp_path / "measures.xlsx",
        {
            "Scores": [
                ["Client ID", "Date", "Instrument", "Total"],
                ["P1", dt.datetime(2025, 3, 7), "GAD-7", 12.0],
                [None, None, None, None],
                ["P1", dt.datetime(2025, 3, 14), "GAD-7", 30],
            ]
        },
    )
    [result] = load_files(db, f)
    assert result.counts == {"read": 2, "loaded": 1, "updated": 0, "rejected": 1, "duplicate": 0}
    assert rows(db, "SELECT assessed_on, total_score FROM assessments") == [(dt.date(2025, 3, 7), 12)]
    assert rows(db, "SELECT row_number, reason FROM rejects") == [(4, "GAD-7 total 30 is above the maximum 21")]


def test_xlsx_named_sheet(tmp_path, db):
    f = _workbook(
        tmp_path / "export.xlsx",
        {
            "Notes": [["exported by EHR"]],
            "Attendance": [
                ["participant_id", "session_date", "session_type", "status", "minutes"],
                ["P1", "2025-03-07", "family", "attended", 60],
            ],
        },
    )
    [result] = load_files(db, f, sheet="Attendance")
    assert result.kind == "attendance" and result.counts["loaded"] == 1
    [missing] = load_files(db, f, sheet="Nope")
    assert missing.status == "failed"
    assert missing.message == "export.xlsx: has no sheet 'Nope' (sheets: Notes, Attendance)"
