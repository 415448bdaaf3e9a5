"""Every file the app lets out: found on every page by catching Streamlit's download buttons, built
as a click would build it, and checked: an audit row with user, role, page, what, selection, rows
and suppression; formula-like text neutralised; suppressed unless a care-team member chose true
counts (then INTERNAL in the title); external roles get no choice."""

import datetime as dt
import io
import json

import openpyxl
import pytest
from pypdf import PdfWriter

from conftest import ATTENDANCE_HEADER, ROSTER_HEADER, app, load_files, scenario, write
from dashboard.documents import formats
from dashboard.store import audit

FORMULA_TRACK = '=HYPERLINK("http://x.example/","click")'


def _make_program(tmp_path, db):
    roster, attendance = [], []
    for i in range(30):
        track = "Trauma" if i % 3 else FORMULA_TRACK
        admitted = dt.date(2026, 1, 5) + dt.timedelta(days=3 * i)
        roster.append(f'P{i:02},{admitted},,,"{track.replace(chr(34), chr(34) * 2)}",Chen,1990,')
        for week in range(6):
            attendance.append(f"P{i:02},{admitted + dt.timedelta(days=7 * week)},group,attended,180,,Chen")
    load_files(
        db,
        write(tmp_path, "roster.csv", ROSTER_HEADER + "\n".join(roster) + "\n"),
        write(tmp_path, "attendance.csv", ATTENDANCE_HEADER + "\n".join(attendance) + "\n"),
        today=dt.date(2026, 6, 1),
    )


@pytest.fixture
def program(request, monkeypatch):
    """30 episodes admitted in the first quarter of 2026 on two tracks, one of them named like a
    spreadsheet formula, attending into April (so that the quarter has ended)."""
    db = scenario(request, _make_program)  # loaded once for the module, copied for each test
    monkeypatch.setenv("IOP_DB", str(db))
    return db


@pytest.fixture
def files(caught_downloads, monkeypatch):
    """key -> (file name, the function a click would call), for every download button drawn."""
    caught = caught_downloads
    pdf = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.write(pdf)
    # rendering is tested in test_exports.py and the browser journeys; here, files and their audit rows
    monkeypatch.setattr(
        formats, "render", lambda fig, fmt, **kw: pdf.getvalue() if fmt == "pdf" else f"<{fmt}>".encode()
    )
    monkeypatch.setattr(formats, "renderer_available", lambda: True)
    return caught


def _page(role, page, files=None, **query):
    at = app(role, user=f"{role}@example.org")
    at.run()
    if files is not None:
        files.clear()  # the start page's buttons
    at.switch_page(page)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def _exports():
    return [dict(e, **json.loads(e["detail"])) for e in audit.entries().to_dict("records") if e["event"] == "export"]


def _table_text(content: bytes, name: str) -> str:
    if name.endswith(".xlsx"):
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
        return "\n".join(",".join("" if c.value is None else str(c.value) for c in row) for row in sheet.iter_rows())
    return content.decode("utf-8-sig")


@pytest.mark.parametrize(
    "role,page,query",
    [
        ("director", "pages/overview.py", {}),
        ("director", "pages/cohorts.py", {"by": "track"}),
        ("quality", "pages/overview.py", {}),
        ("quality", "pages/cohorts.py", {"by": "track"}),
    ],
)
def test_every_file_of_the_outcome_pages_is_audited_suppressed_and_neutralised(program, files, role, page, query):
    at = _page(role, page, files, **query)
    assert files, "no download buttons"
    slug = page.split("/")[1][:-3]
    neutralised = 0
    for key, (name, build) in files.items():
        content = build()
        [entry] = _exports()[:1]
        assert (entry["user_name"], entry["role"], entry["page"]) == (f"{role}@example.org", role, slug), key
        assert entry["file"] == name and entry["suppressed"] is True and entry["filters"], key
        if name.endswith((".csv", ".xlsx")):
            text = _table_text(content, name)
            assert "Suppressed for sharing" in text and "INTERNAL" not in text
            assert entry["rows"] >= 1
            if "Cohort" in text and "by track" in text:
                assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
                neutralised += 1
    assert neutralised == (10 if slug == "cohorts" else 0)  # five tables, CSV and XLSX, by track
    assert len(_exports()) == len(files)
    toggles = [t.key for t in at.toggle if t.key.endswith("-suppress")]
    assert (role == "quality") == (toggles == [])  # external roles get no choice


def test_a_director_can_choose_true_counts_and_the_file_says_internal(program, files):
    at = _page("director", "pages/cohorts.py", files, by="track")
    at.toggle(key="outcomes-suppress").set_value(False).run()
    name, build = files["outcomes-csv"]
    text = build().decode("utf-8-sig")
    assert text.startswith("IOP outcomes: INTERNAL · outcomes (PHQ-9)") or text.startswith("IOP outcomes: INTERNAL")
    assert "INTERNAL: true counts for the care team" in text
    assert _exports()[0]["suppressed"] is False
    name, build = files["completeness-csv"]  # the other tables are still suppressed by default
    assert "Suppressed for sharing" in build().decode("utf-8-sig") and _exports()[0]["suppressed"] is True


def test_administrators_record_files_are_audited_and_neutralised(program, files, tmp_path):
    audit.record("sign_in_failed", '=cmd|" /C calc"!A0', None)  # a typed user name in the audit trail
    _page("admin", "pages/audit.py")
    name, build = files["audit-csv"]
    text = build().decode("utf-8-sig")
    assert "'=cmd|" in text and "IOP outcomes: INTERNAL · audit trail" in text
    entry = _exports()[0]
    assert (entry["user_name"], entry["role"], entry["page"], entry["kind"]) == (
        "admin@example.org",
        "admin",
        "audit",
        "table CSV",
    )
    assert entry["filters"].endswith(f"{dt.datetime.now(dt.UTC).date():%d %b %Y}") and entry["rows"] >= 1  # filter, N
    files.clear()
    _page("admin", "pages/data.py")
    assert {"loads-csv", "loads-xlsx", "rejects-csv", "rejects-xlsx", "findings-csv", "findings-xlsx"} <= set(files)
    for key in ("loads-xlsx", "rejects-csv"):
        files[key][1]()
        assert _exports()[0]["page"] == "data"


def test_what_left_the_program_lists_every_file(program, files):
    _page("director", "pages/overview.py", files)
    for _, build in list(files.values())[:3]:
        build()
    files.clear()
    at = _page("quality", "pages/exports.py")
    table = at.dataframe[0].value
    assert len(table) == 3 and set(table["user_name"]) == {"director@example.org"}
    assert set(table["suppressed"]) == {"yes"} and set(table["page"]) == {"overview"}
    assert "3 files" in at.caption[0].value
    files["exports-csv"][1]()
    assert _exports()[0]["page"] == "exports"


def test_the_quality_role_reads_that_a_participants_file_left_never_whose(program, files):
    """A director's case review is in the export log; the quality role's page, and the CSV it downloads of
    that log, name neither the participant nor the file (case-review-<id>.pdf), and the CSV says what it is."""
    from dashboard.store import audit

    audit.record(
        "export",
        "dr.chen",
        "clinician",
        page="participant",
        participant_id="P1",
        kind="case review PDF",
        file="case-review-P1.pdf",
        filters="episode P1#20250101",
        rows=1,
        suppressed=None,
    )
    at = _page("quality", "pages/exports.py", files)
    table = at.dataframe[0].value
    assert table["selection"].tolist() == ["(one episode)"]
    assert table["participant_id"].tolist() == ["(a participant)"]
    assert table["file"].tolist() == ["(a participant's file)"]
    name, build = files["exports-csv"]
    text = build().decode("utf-8")
    assert "P1" not in text and "case-review" not in text
    assert "participants' files are not named" in text and "INTERNAL" not in text and name == "exports.csv"
    director = _page("director", "pages/exports.py", files)  # the care team reads the log as logged
    assert "case-review-P1.pdf" in director.dataframe[0].value["file"].tolist()


def test_no_table_has_streamlits_own_download():
    import tomllib

    from conftest import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
