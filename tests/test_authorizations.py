"""The optional authorizations export: recognised by its header without changing how the other kinds
are recognised, loaded under the same rules (rejects with reasons, history, idempotent), and used on
the caseload (days left of the authorization, hours and days used of what it authorizes).

The program of the use tests, as of Wednesday 22 Jan 2025: P1 admitted Mon 6 Jan with two blocks
back to back (6-19 Jan, 20 Jan-2 Feb); P2 admitted 6 Jan, authorized to Fri 24 Jan; P3 admitted
6 Jan, authorized to 15 Jan only; P4 self-pay (no authorization)."""

import datetime as dt

import pytest

from conftest import app, build, load_files, rows, scenario, write
from dashboard.store import load_jobs
from etl import headers, vocabulary
from etl.files import FileProblem
from etl.headers import map_header

AUTH_HEADER = (
    "participant_id,payer,level_of_care,authorization_id,start_date,end_date,authorized_sessions,authorized_hours\n"
)
GOOD = "P1,State Medicaid,IOP,PA1,2025-01-06,2025-01-19,,27\n"
AS_OF = dt.date(2025, 1, 22)


def _kind(header: list[str]) -> str:
    try:
        return map_header("x.csv", header).kind
    except FileProblem as e:
        return f"refused: {e}"


def _alias_headers(kind: str) -> list[list[str]]:
    """Headers of this kind written with each of its fields' aliases in turn (the canonical name first)."""
    names = {field: [field, *aliases] for field, aliases in vocabulary.vocabulary()["columns"][kind].items()}
    widest = max(len(v) for v in names.values())
    out = []
    for i in range(widest):
        out.append([v[i % len(v)] for v in names.values()])  # every field
        out.append([names[f][i % len(names[f])] for f in vocabulary.required(kind)])  # the required ones
    return out


OTHER_HEADERS = [h for kind in ("attendance", "measures", "roster") for h in _alias_headers(kind)] + [
    ["Client ID", "Start Date", "End Date", "Level of Care", "Payer", "Program"],  # a roster in other words
    [
        "Client ID",
        "Admission Date",
        "Discharge Date",
        "Discharge Reason",
        "Program",
        "Level of Care",
        "Primary Clinician",
        "Birth Year",
        "Aftercare Plan",
    ],  # the demo's roster
    [
        "participant_id",
        "session_date",
        "start_time",
        "session_type",
        "status",
        "minutes",
        "program",
        "clinician",
        "session_id",
    ],
    ["mrn", "date", "start", "type", "attendance", "duration"],
]


def test_adding_the_kind_changes_no_other_files_recognition(monkeypatch):
    """Every header of the other kinds (each alias of each field, and vendor-like headers sharing start
    and end dates and level of care) is read as it was with the three kinds alone."""
    with_it = [_kind(h) for h in OTHER_HEADERS]
    monkeypatch.setattr(headers, "KINDS", ("attendance", "measures", "roster"))
    assert with_it == [_kind(h) for h in OTHER_HEADERS]
    assert "authorizations" not in with_it


@pytest.mark.parametrize(
    "header",
    [
        [
            "Member ID",
            "Payer",
            "Level of Care",
            "Auth Number",
            "Auth Start",
            "Auth End",
            "Units Authorized",
            "Hours Authorized",
        ],
        ["MRN", "Insurance", "Authorization #", "Effective Date", "Expiration Date", "Approved Visits"],
        ["client", "prior auth number", "from date", "through date", "hours authorized"],
        AUTH_HEADER.strip().split(","),
    ],
)
def test_authorization_headers_are_recognised(header):
    assert _kind(header) == "authorizations"


def test_a_file_authorizing_neither_sessions_nor_hours_is_refused_by_name(tmp_path, db):
    f = write(tmp_path, "auth.csv", "participant_id,authorization_id,start_date,end_date\nP1,A,2025-01-01,2025-01-31\n")
    [result] = load_files(db, f, kind="authorizations")
    assert result.status == "failed"
    assert result.message == (
        "auth.csv: not a usable authorizations export: no column for authorized_sessions or "
        "authorized_hours (header: participant_id, authorization_id, start_date, end_date)"
    )


def test_the_dashboard_offers_the_loaders_kinds():
    assert load_jobs.KINDS == vocabulary.KINDS


REJECTS = [
    (",Medicaid,IOP,PA2,2025-01-06,2025-01-19,,27", "participant_id is empty"),
    ("P2,Medicaid,IOP,,2025-01-06,2025-01-19,,27", "authorization_id is empty"),
    ("P2,Medicaid,IOP,PA2,,2025-01-19,,27", "start_date is empty"),
    (
        "P2,Medicaid,IOP,PA2,Jan 6,2025-01-19,,27",
        "start_date 'Jan 6' is not a date (use YYYY-MM-DD, M/D/YYYY or an Excel date number)",
    ),
    ("P2,Medicaid,IOP,PA2,1985-01-06,2025-01-19,,27", "start_date '1985-01-06' is before 1990"),
    ("P2,Medicaid,IOP,PA2,2027-03-01,2027-03-21,,27", "start_date 2027-03-01 is more than a year in the future"),
    ("P2,Medicaid,IOP,PA2,2025-01-06,,,27", "end_date is empty (an authorization always ends)"),
    ("P2,Medicaid,IOP,PA2,2025-01-06,2025-01-05,,27", "end_date 2025-01-05 is before start_date 2025-01-06"),
    ("P2,Medicaid,IOP,PA2,2025-01-06,2025-01-19,9.5,", "authorized_sessions '9.5' is not a whole number of sessions"),
    ("P2,Medicaid,IOP,PA2,2025-01-06,2025-01-19,,-3", "authorized_hours '-3' is not a number of hours"),
    ("P2,Medicaid,IOP,PA2,2025-01-06,2025-01-19,,", "neither authorized_sessions nor authorized_hours is given"),
    (
        "P1,Medicaid,IOP,PA1,2025-01-06,2025-01-26,,27",
        "repeats row 2 (same participant and authorization_id) with different values",
    ),
]


@pytest.mark.parametrize("line,reason", REJECTS, ids=[r for _, r in REJECTS])
def test_a_bad_authorization_row_is_kept_with_its_reason(tmp_path, db, line, reason):
    f = write(tmp_path, "auth.csv", AUTH_HEADER + GOOD + line + "\n")
    [result] = load_files(db, f)
    assert result.kind == "authorizations"
    assert result.counts == {"read": 2, "loaded": 1, "updated": 0, "rejected": 1, "duplicate": 0}
    [(row, said, raw)] = rows(db, "SELECT row_number, reason, raw_row FROM rejects")
    assert (row, said) == (3, reason)
    assert line.split(",")[3] in raw  # the row as read is kept with it


def test_an_extension_updates_the_authorization_and_keeps_the_old_one_in_history(tmp_path, db):
    first = write(tmp_path, "auth1.csv", AUTH_HEADER + GOOD + GOOD)  # an exact repeat inside the file
    [r1] = load_files(db, first)
    assert r1.counts == {"read": 2, "loaded": 1, "updated": 0, "rejected": 0, "duplicate": 1}
    assert load_files(db, first)[0].status == "unchanged"
    extended = write(
        tmp_path,
        "auth2.csv",
        AUTH_HEADER
        + GOOD.replace("2025-01-19", "2025-02-09")
        + "P1,State Medicaid,IOP,PA9,2025-02-10,2025-03-02,,27\n",
    )
    [r2] = load_files(db, extended)
    assert r2.counts == {"read": 2, "loaded": 1, "updated": 1, "rejected": 0, "duplicate": 0}
    assert rows(db, "SELECT authorization_id, end_date FROM authorizations ORDER BY 1") == [
        ("PA1", dt.date(2025, 2, 9)),
        ("PA9", dt.date(2025, 3, 2)),
    ]
    assert rows(db, "SELECT authorization_id, end_date, replaced_by_load FROM authorizations_history") == [
        ("PA1", dt.date(2025, 1, 19), r2.load_id)
    ]


def _make_program(tmp_path, db):
    roster = [
        "P1,2025-01-06,,,Trauma,Chen,1990,",
        "P2,2025-01-06,,,Trauma,Chen,1985,",
        "P3,2025-01-06,,,Trauma,Chen,1980,",
        "P4,2025-01-06,,,Trauma,Rivera,1975,",
    ]
    # P1 attends Mon/Wed/Fri: a 3 h group each day and a 50 min individual session on Mondays;
    # missed Fri 17 Jan (no-show)
    days = {
        "2025-01-06": 230,
        "2025-01-08": 180,
        "2025-01-10": 180,
        "2025-01-13": 230,
        "2025-01-15": 180,
        "2025-01-20": 230,
        "2025-01-22": 180,
    }
    attendance = [f"P1,{d},group,attended,180,Trauma,Chen" for d in days]
    attendance += [f"P1,{d},individual,attended,50,Trauma,Chen" for d, m in days.items() if m == 230]
    attendance += [
        "P1,2025-01-17,group,no_show,0,Trauma,Chen",
        "P2,2025-01-21,group,attended,180,Trauma,Chen",
        "P3,2025-01-21,group,attended,180,Trauma,Chen",
        "P4,2025-01-21,group,attended,180,Trauma,Rivera",
    ]
    build(tmp_path, db, roster=roster, attendance=attendance, as_of=AS_OF)
    auth = write(
        tmp_path,
        "auth.csv",
        AUTH_HEADER
        + "\n".join(
            [
                "P1,State Medicaid,IOP,A1,2025-01-06,2025-01-19,,27",
                "P1,State Medicaid,IOP,A2,2025-01-20,2025-02-02,,27",
                "P2,Northwind PPO,IOP,B1,2025-01-06,2025-01-24,12,",
                "P3,Northwind PPO,IOP,C1,2025-01-06,2025-01-15,6,18",
            ]
        )
        + "\n",
    )
    load_files(db, auth, as_of=AS_OF)


@pytest.fixture
def program(request, monkeypatch):
    db = scenario(request, _make_program)  # loaded once for the module, copied for each test
    monkeypatch.setenv("IOP_DB", str(db))
    return db


def test_use_of_each_authorization_by_hand(program):
    # A1: 6-17 Jan, 5 days attended (Mondays 6 and 13: 230 min; 8, 10, 15 Jan: 180) = 1,000 min = 16.6667 h.
    # A2: 20-22 Jan, 2 days, 230 + 180 = 410 min = 6.8333 h.
    # P1's run of blocks holds 22 Jan and ends 2 Feb: 11 days left. P2: 24 Jan, 2 days (<= 5: soon).
    # P3's only block ended 15 Jan: -7 days, ended.
    got = rows(
        program,
        "SELECT participant_id, authorization_id, days_used, round(hours_used, 4), is_current, "
        "covered_through, days_left, ends_soon FROM authorization_use ORDER BY 1, 2",
    )
    assert got == [
        ("P1", "A1", 5, 16.6667, False, dt.date(2025, 2, 2), 11, False),
        ("P1", "A2", 2, 6.8333, True, dt.date(2025, 2, 2), 11, False),
        ("P2", "B1", 1, 3.0, True, dt.date(2025, 1, 24), 2, True),
        ("P3", "C1", 0, 0.0, False, dt.date(2025, 1, 15), -7, True),
    ]


def test_the_caseload_shows_days_left_and_use_of_the_authorization(program):
    at = app("director")
    at.switch_page("pages/caseload.py").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value.set_index("participant_id")
    assert table.loc[["P1", "P2", "P3", "P4"], "auth_ends"].tolist() == [
        "11 days (02 Feb)",
        "2 days (24 Jan)",
        "ended 15 Jan",
        "none on file",
    ]
    assert table.loc[["P1", "P2", "P3", "P4"], "auth_used"].tolist() == [
        "6.8 of 27 h",
        "1 of 12 days",
        "0.0 of 18 h · 0 of 6 days",
        "",
    ]


def test_the_red_cells_are_the_ones_ending_soon(program, monkeypatch):
    from dashboard.store import db
    from dashboard.ui import tables
    from dashboard.views import caseload

    drawn = {}

    class Shown:  # what st.dataframe returns: no row selected
        selection = type("Selection", (), {"rows": []})()

    def dataframe(styled, **kwargs):
        drawn["styled"] = styled
        return Shown()

    monkeypatch.setattr(tables.st, "dataframe", dataframe)
    with db.scoped(db.EVERYTHING):
        work = caseload.worklist()
    tables.worklist_table(work, show_clinician=True)
    styled = drawn["styled"]
    column = list(styled.data.columns).index("auth_ends")
    red = {work.rows["participant_id"][r] for (r, c), css in styled._compute().ctx.items() if c == column and css}
    assert red == {"P2", "P3"}


def test_a_caseload_without_authorizations_has_no_authorization_columns(tmp_path, db, monkeypatch):
    build(
        tmp_path,
        db,
        roster=["P1,2025-01-06,,,Trauma,Chen,1990,"],
        attendance=["P1,2025-01-20,group,attended,180,Trauma,Chen"],
        as_of=AS_OF,
    )
    monkeypatch.setenv("IOP_DB", str(db))
    at = app("director")
    at.switch_page("pages/caseload.py").run()
    assert not at.exception, at.exception
    assert "auth_ends" not in at.dataframe[0].value.columns


def test_settings_refuse_a_negative_warning(monkeypatch):
    from clinical import settings

    values = settings.load_settings()
    broken = {**values, "authorization": {"ends_soon_days": -1}}
    with pytest.raises(ValueError, match="authorization.ends_soon_days"):
        settings._check(broken)
