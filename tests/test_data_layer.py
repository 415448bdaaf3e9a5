"""The data layer's rules, checked on the code: queries read only the scoped visible_* views; no
query, mart or page retypes a status list, an instrument code or a threshold the settings and the
catalogue hold; the import contract names every dashboard module."""

import re

import pytest

from conftest import ROOT

QUERIES = ROOT / "dashboard" / "store" / "queries"
MARTS = ROOT / "clinical" / "sql"
IDENTIFIED = (
    "episodes",
    "sessions",
    "assessments",
    "assessment_items",
    "participant_outcomes",
    "flags",
    "attendance_weekly",
    "episode_week_scores",
    "measure_episodes",
    "recovery_status",
    "participants",
    "rejects",
    "raw_rows",
    "load_notes",
    "roster_admissions",
    "authorizations",
    "diagnoses",
    "authorization_use",
    "measures_due",
)


def _queries():
    return [p for p in QUERIES.rglob("*.sql") if p.name != "_connection.sql"]


@pytest.mark.parametrize("path", _queries(), ids=lambda p: str(p.relative_to(QUERIES)))
def test_queries_read_only_what_the_request_may_see(path):
    sql = re.sub(r"--.*", "", path.read_text())
    named = re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", sql, flags=re.I)
    assert not [t for t in named if t.lower() in IDENTIFIED], (path.name, named)


def test_queries_are_grouped_by_page():
    folders = {p.parent.name for p in _queries()}
    assert folders == {
        "common",
        "summary",
        "overview",
        "cohorts",
        "caseload",
        "participant",
        "data",
        "alerts",
        "groups",
        "quality_measures",
    }


@pytest.mark.parametrize("path", [*_queries(), *MARTS.glob("*.sql")], ids=lambda p: p.name)
def test_no_status_list_instrument_code_or_threshold_is_retyped(path):
    sql = re.sub(r"--.*", "", path.read_text())
    assert not re.findall(r"'(?:attended|late|left_early|no_show|excused|cancelled)'", sql), path.name
    assert not re.findall(r"'(?:PHQ-9|GAD-7|PCL-5|AUDIT-C|DAST-10|BAM|K10|CORE-10|HAM-D-17)'", sql), path.name
    assert not re.findall(r"(?:- |\+ |>= |> |< |<= |BETWEEN )(?:14|120|240|9|5|0\.5)\b(?! \* )", sql), path.name
    assert not re.findall(r"round\([^)]*/ ?7\)|// ?7|/ ?7\.0", sql), path.name  # weeks: treatment_week() only


VIEW_CODE = [*(ROOT / "pages").glob("*.py"), *(ROOT / "dashboard").rglob("*.py")]


@pytest.mark.parametrize(
    "path", [p for p in VIEW_CODE if p.name != "validate.py"], ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_pages_charts_and_views_name_no_instrument_or_clinical_threshold(path):
    """Captions, labels and column names are built from the stored catalogue and settings
    (the DRR caption once said "PHQ-9 above 9 ... 120 to 240 days")."""
    text = re.sub(r'#.*|^"""(?:.|\n)*?"""', "", path.read_text())  # comments and the module docstring cite sources
    assert not re.findall(r"PHQ-9|GAD-7|PCL-5|AUDIT-C|DAST-10|\bBAM\b|\bK10\b|CORE-10|HAM-D", text), path.name
    assert not re.findall(r"\b(?:120|240) ?(?:to|-|–) ?(?:120|240)\b|\b14[ -]days?\b|\b1 to 10\b", text), path.name
    # settings retyped in words: the ASAM hours, the suppression threshold, the attendance standard
    assert not re.findall(r"\b[69] h (?:adults|adolescents)\b|fewer than 11\b|\b75 ?%", text), path.name


PYTHON_OUTSIDE_THE_ENGINE = [
    p
    for p in (
        *ROOT.glob("*.py"),
        *(ROOT / "pages").glob("*.py"),
        *(ROOT / "dashboard").rglob("*.py"),
        *(ROOT / "etl").rglob("*.py"),
    )
    if "demo" not in p.relative_to(ROOT).parts  # the demo's simulator plans its own weeks of attendance
]


@pytest.mark.parametrize("path", PYTHON_OUTSIDE_THE_ENGINE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_week_formula_outside_the_engine(path):
    """The treatment week is clinical/setup/definitions.sql's treatment_week() and, for what SQL does
    not hand over, clinical/weeks.py (the trajectory chart once worked out weeks itself)."""
    text = re.sub(r'#.*|"""(?:.|\n)*?"""', "", path.read_text())
    assert not re.findall(r"/ ?7\b(?!\d)|// ?7\b|\b7 ?\*|\* ?7\b(?!\d)|days=7\b", text), path.name


def test_pages_read_data_only_through_their_view_module():
    for page in (ROOT / "pages").glob("*.py"):
        text = page.read_text()
        assert "db.query" not in text and "db.queries" not in text, page.name
