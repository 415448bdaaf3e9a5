"""The optional diagnoses export (EHR problem lists, claims diagnosis lines) and the roster's date of
birth: recognised by the header without changing how any other file is recognised, codes stored in
one form, every bad row kept with its reason, reloads idempotent and corrections kept in history."""

import copy
import datetime as dt
import hashlib
import json

import pytest

from conftest import ATTENDANCE_HEADER, MEASURES_HEADER, ROSTER_HEADER, load_files, rows, write
from etl import headers, vocabulary
from etl.demo import parameters
from etl.files import FileProblem
from etl.headers import map_header

HEADER = "participant_id,icd10_code,start_date,end_date,episode_ref,description,status\n"
GOOD = "P1,F33.1,2025-01-06,,E1,Major depressive disorder,Active\n"


def _kind(header: list[str]) -> str:
    try:
        return map_header("x.csv", header).kind
    except FileProblem as e:  # without the list of what each kind needs, which names every kind
        return f"refused: {str(e).split('; attendance needs')[0]}"


def _alias_headers(kind: str) -> list[list[str]]:
    """Headers of this kind written with each of its fields' aliases in turn (the canonical name first)."""
    names = {field: [field, *aliases] for field, aliases in vocabulary.vocabulary()["columns"][kind].items()}
    widest = max(len(v) for v in names.values())
    out = []
    for i in range(widest):
        out.append([v[i % len(v)] for v in names.values()])  # every field
        out.append([names[f][i % len(names[f])] for f in vocabulary.required(kind)])  # the required ones
    return out


def _as_before() -> dict:
    """The vocabulary without the diagnoses kind and the roster's date of birth and age."""
    before = copy.deepcopy(vocabulary.vocabulary())
    del before["columns"]["diagnoses"], before["required"]["diagnoses"]
    del before["columns"]["roster"]["birth_date"], before["columns"]["roster"]["age_at_admission"]
    return before


FILES = {  # the demo's and the tests' headers, and the kind each is
    "demo attendance": (parameters.ATTENDANCE_HEADER, "attendance"),
    "demo measures": (parameters.MEASURES_HEADER, "measures"),
    "demo roster": (parameters.ROSTER_HEADER, "roster"),  # with its Date of Birth
    "demo roster before": (parameters.ROSTER_HEADER[:-1], "roster"),
    "demo authorizations": (parameters.AUTH_HEADER, "authorizations"),
    "tests' attendance": (ATTENDANCE_HEADER.strip().split(","), "attendance"),
    "tests' measures": (MEASURES_HEADER.strip().split(","), "measures"),
    "tests' roster": (ROSTER_HEADER.strip().split(","), "roster"),
}
OTHER_HEADERS = [
    *(h for kind in ("attendance", "measures", "roster", "authorizations") for h in _alias_headers(kind)),
    *(header for header, _ in FILES.values()),
    ["Client ID", "Start Date", "End Date", "Level of Care", "Payer", "Program"],  # a roster in other words
    ["MRN", "Admission Date", "Discharge Date", "Primary Diagnosis", "DOB", "Age", "Age Band"],
    ["Client ID", "Date of Service", "Service Type", "Status", "Minutes", "Diagnosis"],
    ["Client ID", "Start Date", "End Date", "Dx"],
    ["mrn", "date", "start", "type", "attendance", "duration"],
]


def test_adding_the_kind_changes_no_other_files_recognition(monkeypatch):
    """Every header of the other kinds (each alias of each field, the demo's and the tests' files, and
    vendor-like headers sharing dates and a free-text diagnosis) is read as it was before the diagnoses
    kind and the roster's date of birth and age."""
    now = [_kind(h) for h in OTHER_HEADERS]
    before = _as_before()
    monkeypatch.setattr(vocabulary, "vocabulary", lambda: before)
    monkeypatch.setattr(headers, "KINDS", ("attendance", "measures", "roster", "authorizations"))
    assert now == [_kind(h) for h in OTHER_HEADERS]
    assert "diagnoses" not in now


@pytest.mark.parametrize("name", FILES)
def test_the_demo_and_test_files_are_the_kinds_they_were(name):
    header, kind = FILES[name]
    assert _kind(header) == kind


def test_the_roster_reads_its_date_of_birth_and_age_beside_its_diagnosis_group():
    cols = map_header("x.csv", ["MRN", "Admission Date", "Primary Diagnosis", "Date of Birth", "Age", "Age Band"])
    assert cols.kind == "roster"
    assert cols.fields == {
        "participant_id": 0,
        "admit_date": 1,
        "diagnosis_group": 2,
        "birth_date": 3,
        "age_at_admission": 4,
        "age_group": 5,
    }


@pytest.mark.parametrize(
    "header",
    [
        ["MRN", "ICD-10 Code", "Problem", "Noted Date", "Resolved Date", "Status"],  # Epic problem list
        ["MRN", "Diagnosis Code", "Diagnosis", "Onset Date", "End Date"],  # Kipu
        ["Patient ID", "Dx Code", "Description", "Start Date", "End Date"],  # Valant
        ["Member ID", "Claim ID", "Diagnosis Code", "Service Date"],  # claims lines
        ["Member ID", "Claim ID", "Diagnosis Code", "Date of Service"],
        ["Member ID", "Claim ID", "Diagnosis Code", "From Date"],
    ],
    ids=["epic", "kipu", "valant", "claims-service-date", "claims-date-of-service", "claims-from-date"],
)
def test_problem_lists_and_claims_are_diagnoses(header):
    cols = map_header("x.csv", header)
    assert cols.kind == "diagnoses"
    assert {"participant_id", "icd10_code", "start_date"} <= set(cols.fields)


def test_every_alias_header_of_the_kind_is_diagnoses():
    assert {_kind(h) for h in _alias_headers("diagnoses")} == {"diagnoses"}


def test_codes_are_stored_in_one_form(tmp_path, db):
    f = write(
        tmp_path,
        "claims.csv",
        "Member ID,Claim ID,Diagnosis Code,Service Date\n"
        "P1,C1,F331,3/4/2025\nP1,C1,f32.a,3/4/2025\nP1,C2,F 43.10,3/11/2025\nP1,C2,F29,3/11/2025\nP1,C3,Z51.5,3/18/2025\n",
    )
    [result] = load_files(db, f)
    assert (result.kind, result.counts["loaded"]) == ("diagnoses", 5)
    assert rows(db, "SELECT icd10_code, start_date, end_date, episode_ref FROM diagnoses ORDER BY source_row") == [
        ("F33.1", dt.date(2025, 3, 4), None, "C1"),
        ("F32.A", dt.date(2025, 3, 4), None, "C1"),
        ("F43.10", dt.date(2025, 3, 11), None, "C2"),
        ("F29", dt.date(2025, 3, 11), None, "C2"),
        ("Z51.5", dt.date(2025, 3, 18), None, "C3"),
    ]


CODE_SHAPE = "is not an ICD-10 code (a letter, two characters, then up to four; e.g. F33.1)"
REJECTS = [
    (",F33.1,2025-01-06,,,,", "participant_id is empty"),
    (
        "https://example.org/p1,F33.1,2025-01-06,,,,",
        "participant_id looks like a web address, not an id (a screen would show it as a link)",
    ),
    ("P2,,2025-01-06,,,,", "icd10_code is empty"),
    ("P2,296.32,2025-01-06,,,,", f"icd10_code '296.32' {CODE_SHAPE}"),
    ("P2,F3,2025-01-06,,,,", f"icd10_code 'F3' {CODE_SHAPE}"),
    ("P2,3F3.1,2025-01-06,,,,", f"icd10_code '3F3.1' {CODE_SHAPE}"),
    ("P2,F33.12345,2025-01-06,,,,", f"icd10_code 'F33.12345' {CODE_SHAPE}"),
    ("P2,F33.1,,,,,", "start_date is empty"),
    ("P2,F33.1,Jan 6,,,,", "start_date 'Jan 6' is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)"),
    ("P2,F33.1,1899-12-31,,,,", "start_date '1899-12-31' is before 1900"),
    ("P2,F33.1,2027-02-02,,,,", "start_date 2027-02-02 is more than a year in the future"),  # today 31 Jan 2026
    ("P2,F33.1,2025-01-06,soon,,,", "end_date 'soon' is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)"),
    ("P2,F33.1,2025-01-06,2025-01-05,,,", "end_date 2025-01-05 is before start_date 2025-01-06"),
    (
        "P2,F33.1,2025-01-06,,www.example.org,,",
        "episode_ref looks like a web address, not an id (a screen would show it as a link)",
    ),
    ("P2,F33.1,2025-01-06,,,,Entered in Error", "entered in error in the source"),
    ("P2,296.32,,,,,entered-in-error", "entered in error in the source"),  # whatever else is wrong with it
    (
        "P1,F331,2025-01-06,2025-03-01,E1,Major depressive disorder,Resolved",  # F331 is row 2's F33.1
        "repeats row 2 (same participant, icd10_code and start_date) with different values",
    ),
]


@pytest.fixture(scope="module")
def loaded_rejects(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rejects")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("IOP_CONFIG", str(folder / "config"))
        f = write(folder, "dx.csv", HEADER + GOOD + "".join(line + "\n" for line, _ in REJECTS))
        [result] = load_files(folder / "iop.duckdb", f)
    said = rows(folder / "iop.duckdb", "SELECT row_number, reason, raw_row FROM rejects ORDER BY row_number")
    return result, {n: (reason, json.loads(raw)) for n, reason, raw in said}


@pytest.mark.parametrize(
    "n,line,reason", [(i + 3, *case) for i, case in enumerate(REJECTS)], ids=[r for _, r in REJECTS]
)
def test_a_bad_diagnosis_row_is_kept_with_its_reason(loaded_rejects, n, line, reason):
    _, reasons = loaded_rejects
    said, raw = reasons[n]
    assert said == reason
    assert [v or "" for v in raw.values()] == line.split(",")  # the row as read is kept with it


def test_every_bad_row_is_rejected_alone_and_the_good_one_loaded(loaded_rejects):
    result, reasons = loaded_rejects
    n = len(REJECTS)
    assert result.counts == {"read": n + 1, "loaded": 1, "updated": 0, "rejected": n, "duplicate": 0}
    assert sorted(reasons) == list(range(3, n + 3))


EPIC = "MRN,ICD-10 Code,Problem,Noted Date,Resolved Date,Status\n"
LIST = [
    "P1,F33.1,Major depressive disorder; recurrent; moderate,6/2/2024,,Active",
    "P1,F41.1,Generalized anxiety disorder,1/6/2025,,Active",
    "P2,F43.10,Post-traumatic stress disorder,1/6/2025,,Active",
]


def _table(db, name):
    return rows(db, f"SELECT * FROM {name} ORDER BY ALL")


def test_a_reload_is_all_duplicates_and_a_resolution_is_an_update_kept_in_history(tmp_path, db):
    [first] = load_files(db, write(tmp_path, "dx1.csv", EPIC + "\n".join(LIST) + "\n"))
    assert first.counts == {"read": 3, "loaded": 3, "updated": 0, "rejected": 0, "duplicate": 0}
    held = _table(db, "diagnoses")
    # the same rows in another file (Windows line ends): nothing changes
    [again] = load_files(db, write(tmp_path, "dx2.csv", (EPIC + "\n".join(LIST) + "\n").replace("\n", "\r\n")))
    assert again.counts == {"read": 3, "loaded": 0, "updated": 0, "rejected": 0, "duplicate": 3}
    assert _table(db, "diagnoses") == held
    assert _table(db, "diagnoses_history") == []
    # F41.1 resolved on 10 March; F33.1 entered in error (rejected, the row held stays as it was); a new
    # problem; an in-file exact repeat; a bad code
    later = [
        LIST[0].replace("Active", "Entered in Error"),
        LIST[1].replace(",,Active", ",3/10/2025,Resolved"),
        LIST[2],
        LIST[2],
        "P2,F10.20,Alcohol dependence,2/3/2025,,Active",
        "P2,30390,Alcohol dependence (ICD-9),2/3/2025,,Active",
    ]
    [third] = load_files(db, write(tmp_path, "dx3.csv", EPIC + "\n".join(later) + "\n"))
    c = third.counts
    assert c == {"read": 6, "loaded": 1, "updated": 1, "rejected": 2, "duplicate": 2}
    assert c["read"] == c["loaded"] + c["updated"] + c["rejected"] + c["duplicate"]
    assert rows(
        db, "SELECT participant_id, icd10_code, start_date, end_date, load_id FROM diagnoses ORDER BY 1, 2"
    ) == [
        ("P1", "F33.1", dt.date(2024, 6, 2), None, first.load_id),
        ("P1", "F41.1", dt.date(2025, 1, 6), dt.date(2025, 3, 10), third.load_id),
        ("P2", "F10.20", dt.date(2025, 2, 3), None, third.load_id),
        ("P2", "F43.10", dt.date(2025, 1, 6), None, first.load_id),
    ]
    assert rows(db, "SELECT icd10_code, end_date, load_id, replaced_by_load FROM diagnoses_history") == [
        ("F41.1", None, first.load_id, third.load_id)
    ]
    assert rows(db, "SELECT row_number, reason FROM rejects ORDER BY 1") == [
        (2, "entered in error in the source"),
        (7, f"icd10_code '30390' {CODE_SHAPE}"),
    ]
    assert rows(db, "SELECT count(*) FROM raw_rows WHERE file_name = 'dx3.csv'") == [(6,)]


# The roster's date of birth and age at admission. Admitted 1 March 2025.
DOB_HEADER = ROSTER_HEADER.strip() + ",birth_date,age_at_admission\n"
DOB_ROWS = [
    # participant, birth year, date of birth, age -> stored birth year, age group
    ("P1", "", "2007-06-01", "", 2007, "adolescent"),  # 17 at admission (the birth year alone said 18: adult)
    ("P2", "2007", "2007-03-01", "", 2007, "adult"),  # 18 on the day
    ("P3", "", "", "17", None, "adolescent"),
    ("P4", "", "", "18", None, "adult"),
    ("P5", "1990", "", "", 1990, "adult"),  # the old shape: from the birth year
    ("P6", "", "3/2/1991", "33", 1991, "adult"),  # a day short of 34
]
DOB_REJECTS = [
    ("1990", "1991-03-02", "", "birth_year 1990 disagrees with birth_date 1991-03-02"),
    ("", "31/12/1990", "", "birth_date '31/12/1990' is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)"),
    ("", "1899-12-31", "", "birth_date '1899-12-31' is before 1900"),
    ("", "2025-03-02", "", "birth_date 2025-03-02 is after admit_date 2025-03-01"),
    ("", "", "34.5", "age_at_admission '34.5' is not a whole number of years from 0 to 120"),
    ("", "", "121", "age_at_admission '121' is not a whole number of years from 0 to 120"),
    ("", "", "-1", "age_at_admission '-1' is not a whole number of years from 0 to 120"),
    (
        "",
        "1991-03-02",
        "34",
        "age_at_admission 34 disagrees with birth_date 1991-03-02: 33 full years at admit_date 2025-03-01",
    ),
]


def _roster_line(pid, birth_year, birth_date, age):
    return f"{pid},2025-03-01,,,Trauma,Chen,{birth_year},,{birth_date},{age}"


def test_the_roster_checks_and_uses_the_date_of_birth(tmp_path, db):
    lines = [_roster_line(*r[:4]) for r in DOB_ROWS]
    lines += [_roster_line(f"X{i}", *r[:3]) for i, r in enumerate(DOB_REJECTS)]
    [result] = load_files(db, write(tmp_path, "roster.csv", DOB_HEADER + "\n".join(lines) + "\n"))
    assert result.counts == {
        "read": len(lines),
        "loaded": len(DOB_ROWS),
        "updated": 0,
        "rejected": len(DOB_REJECTS),
        "duplicate": 0,
    }
    assert rows(db, "SELECT participant_id, birth_year, age_group FROM roster_admissions ORDER BY 1") == [
        (pid, year, group) for pid, *_, year, group in DOB_ROWS
    ]
    assert rows(db, "SELECT birth_date, age_at_admission FROM roster_admissions WHERE participant_id = 'P6'") == [
        (dt.date(1991, 3, 2), 33)
    ]
    assert rows(db, "SELECT reason FROM rejects ORDER BY row_number") == [(r[3],) for r in DOB_REJECTS]
    # kept in the roster only: the tables the dashboard reads have no date of birth
    for table in ("participants", "episodes"):
        names = {
            n for (n,) in rows(db, f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}'")
        }
        assert not {"birth_date", "age_at_admission"} & names, table


def test_a_roster_in_the_old_shape_hashes_as_before_and_a_date_of_birth_is_an_update(tmp_path, db):
    line = "P1,2025-01-06,2025-03-01,Left AMA,Trauma,Chen,1990,no"
    [old] = load_files(db, write(tmp_path, "r1.csv", ROSTER_HEADER + line + "\n"))
    # the fingerprint a load made before the date of birth was read (hand-worked: NULLs are skipped)
    before = hashlib.md5(b"2025-03-01|Left AMA|Trauma|Chen|1990|no").hexdigest()
    assert rows(db, "SELECT value_hash FROM roster_admissions") == [(before,)]
    [blank] = load_files(db, write(tmp_path, "r2.csv", DOB_HEADER + line + ",,\n"))
    assert blank.counts["duplicate"] == 1
    [dob] = load_files(db, write(tmp_path, "r3.csv", DOB_HEADER + line + ",1990-05-17,34\n"))
    assert dob.counts == {"read": 1, "loaded": 0, "updated": 1, "rejected": 0, "duplicate": 0}
    assert rows(db, "SELECT birth_date, age_at_admission FROM roster_admissions") == [(dt.date(1990, 5, 17), 34)]
    assert rows(db, "SELECT birth_date, load_id FROM roster_admissions_history") == [(None, old.load_id)]
