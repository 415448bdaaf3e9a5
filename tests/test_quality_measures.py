"""Quality measures on small crafted programs, every step counted by hand (docs/measures.md).

Depression program, as of 30 Sep 2026, reporting period Q1 2026 (admitted 1 Jan - 31 Mar):
  D1  Depressive, PHQ-9 18 on 5 Jan (index), 4 on 5 May = day 120 after the index: inside DRR-E's
      120-240 day window -> remission and response there; one day before DEP-REM-6's window (six
      calendar months after the index, 5 Jul, minus 60 days = 6 May) -> not met there; attended 6 Jan
      and 20 Feb
  D2  Depressive, PHQ-9 12 on 6 Jan (index), 3 on 5 May = day 119: outside the window -> no score in
      it, not met; attended 7 Jan and 4 May (two 4-month periods, each with a PHQ-9)
  D3  Depressive, PHQ-9 8 and 9: never above 9 -> no index event; attended 6 Jan (DMS-E: met)
  D4  Depressive, only a baseline PHQ-9 15 -> in the denominator, not met; attended 6 Jan and 10 Sep
      (the September-December period has not ended: not judged)
  D5  Depressive, admitted 1 Mar, PHQ-9 20 on 1 Mar: the window closes 31 Oct (1 Sep + 60 days;
      DRR-E: day 240, 27 Oct) -> not yet judged
  D6  Bipolar: outside the population
  D7  Depressive, PHQ-9 14, discharged "Deceased" 10 Feb -> excluded (TEDS-D 6)
  D8  no diagnosis recorded -> not eligible
  D9  Depressive, PHQ-9 20 on 5 Jan, 10 on 1 Jun, 12 on 30 Aug: the latest in the window (12) is
      judged, so no response although 1 June's was one
  D11 Depressive, attended 2 Feb, never a PHQ-9: DMS-E not met
  D12 Depressive, PHQ-9 11 on 10 Feb, no attended session: DMS-E no index; window closes 8 Oct
  D10 admitted in December 2025: outside the period"""

import datetime as dt
import io
import zipfile

import pytest

from conftest import ATTENDANCE_HEADER, ITEMS_HEADER, ROSTER_HEADER, load_files, measures_row, scenario, write

AS_OF = dt.date(2026, 9, 30)
Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
DEPRESSIVE, BIPOLAR, SUBSTANCE = "Depressive disorders", "Bipolar and related disorders", "Substance use disorders"


def _program(tmp_path, db, roster, attendance, measures, diagnosis=True):
    """Roster rows (id, admit, discharge, reason, diagnosis), attendance (id, date, status) and
    measures rows loaded as of AS_OF; the diagnosis column left out when diagnosis is False."""
    header = ROSTER_HEADER.strip() + (",Primary Diagnosis\n" if diagnosis else "\n")
    lines = [f"{p},{a},{d},{r},IOP,Chen,1990,{',' + dx if diagnosis else ''}" for p, a, d, r, dx in roster]
    files = [
        write(tmp_path, "roster.csv", header + "\n".join(lines) + "\n"),
        write(tmp_path, "measures.csv", ITEMS_HEADER + "\n".join(measures) + "\n"),
    ]
    if attendance:
        files.append(
            write(
                tmp_path,
                "attendance.csv",
                ATTENDANCE_HEADER
                + "\n".join(
                    f"{p},{day},group,{status},{180 if status == 'attended' else 0},IOP,Chen"
                    for p, day, status in attendance
                )
                + "\n",
            )
        )
    load_files(db, *files, today=dt.date(2026, 11, 1), as_of=AS_OF)


DEPRESSION_ROSTER = [
    ("D1", "2026-01-05", "2026-02-27", "Completed", DEPRESSIVE),
    ("D2", "2026-01-05", "", "", DEPRESSIVE),
    ("D3", "2026-01-05", "", "", DEPRESSIVE),
    ("D4", "2026-01-05", "", "", DEPRESSIVE),
    ("D5", "2026-03-01", "", "", DEPRESSIVE),
    ("D6", "2026-01-05", "", "", BIPOLAR),
    ("D7", "2026-01-05", "2026-02-10", "Deceased", DEPRESSIVE),
    ("D8", "2026-01-05", "", "", ""),
    ("D9", "2026-01-05", "", "", DEPRESSIVE),
    ("D10", "2025-12-20", "", "", DEPRESSIVE),
    ("D11", "2026-02-01", "", "", DEPRESSIVE),
    ("D12", "2026-02-10", "", "", DEPRESSIVE),
]
DEPRESSION_SCORES = [
    measures_row("D1", "2026-01-05", "PHQ-9", 18),
    measures_row("D1", "2026-05-05", "PHQ-9", 4),
    measures_row("D2", "2026-01-06", "PHQ-9", 12),
    measures_row("D2", "2026-05-05", "PHQ-9", 3),
    measures_row("D3", "2026-01-05", "PHQ-9", 8),
    measures_row("D3", "2026-01-20", "PHQ-9", 9),
    measures_row("D4", "2026-01-05", "PHQ-9", 15),
    measures_row("D5", "2026-03-01", "PHQ-9", 20),
    measures_row("D6", "2026-01-05", "PHQ-9", 16),
    measures_row("D7", "2026-01-05", "PHQ-9", 14),
    measures_row("D9", "2026-01-05", "PHQ-9", 20),
    measures_row("D9", "2026-06-01", "PHQ-9", 10),
    measures_row("D9", "2026-08-30", "PHQ-9", 12),
    measures_row("D10", "2025-12-20", "PHQ-9", 19),
    measures_row("D12", "2026-02-10", "PHQ-9", 11),
]
DEPRESSION_SESSIONS = [
    ("D1", "2026-01-06", "attended"),
    ("D1", "2026-02-20", "attended"),
    ("D2", "2026-01-07", "attended"),
    ("D2", "2026-05-04", "attended"),
    ("D3", "2026-01-06", "attended"),
    ("D4", "2026-01-06", "attended"),
    ("D4", "2026-09-10", "attended"),
    ("D5", "2026-03-02", "attended"),
    ("D7", "2026-01-06", "attended"),
    ("D9", "2026-01-06", "attended"),
    ("D9", "2026-05-20", "attended"),
    ("D11", "2026-02-02", "attended"),
]


def _measures(db, monkeypatch, dimension="track"):
    from dashboard.store import db as data
    from dashboard.views.filters import Filters
    from dashboard.views.quality_measures import quality_measures

    monkeypatch.setenv("IOP_DB", str(db))
    with data.scoped(data.ReadScope()):
        return quality_measures(Filters(*Q1, dimension=dimension))


def _rows(m):
    """The measures' episode rows (read when asked for, as the page does, within the whole program's scope)."""
    from dashboard.store import db as data

    with data.scoped(data.ReadScope()):
        return m.episodes()


def _steps(m, measure_id):
    row = m.steps[(m.steps["measure_id"] == measure_id) & (m.steps["cohort"] == "Whole program")].iloc[0]
    return [int(row[s]) for s in ("admitted", "eligible", "index", "window", "denominator")]


def _rate(m, measure_id, rate_id):
    r = m.rates[
        (m.rates["measure_id"] == measure_id) & (m.rates["rate_id"] == rate_id) & (m.rates["cohort"] == "Whole program")
    ]
    return (int(r["numerator"].iloc[0]), int(r["denominator"].iloc[0]))


def _stopped(m, measure_id):
    e = _rows(m)[(_rows(m)["measure_id"] == measure_id) & (_rows(m)["rate_position"] == 0)]
    return dict(zip(e["participant_id"], e["stopped_at"]))


@pytest.fixture
def depression(request, monkeypatch):
    db = scenario(
        request, lambda folder, db: _program(folder, db, DEPRESSION_ROSTER, DEPRESSION_SESSIONS, DEPRESSION_SCORES)
    )  # loaded once, copied per test
    return _measures(db, monkeypatch)


def test_depression_remission_at_six_months_step_by_step(depression):
    m = depression
    # admitted 11 (not D10) -> eligible 9 (not D6, D8) -> index 7 (not D3, D11) -> window closed 5 (not D5, D12)
    # -> D7 excluded (death) -> denominator 4 (D1, D2, D4, D9) -> remission: none (D1's 4 is a day early)
    assert _steps(m, "DEP-REM-6") == [11, 9, 7, 5, 4]
    assert _rate(m, "DEP-REM-6", "remission") == (0, 4)
    assert _stopped(m, "DEP-REM-6") == {
        "D1": "numerator",
        "D2": "numerator",
        "D3": "index",
        "D4": "numerator",
        "D5": "window",
        "D6": "eligible",
        "D7": "excluded",
        "D8": "eligible",
        "D9": "numerator",
        "D11": "index",
        "D12": "window",
    }
    excl = m.exclusions[(m.exclusions["measure_id"] == "DEP-REM-6") & (m.exclusions["cohort"] == "Whole program")]
    assert excl[["reason", "episodes"]].values.tolist() == [["discharged: death", 1]]
    reasons = _rows(m)[_rows(m)["measure_id"] == "DEP-REM-6"].set_index("participant_id")["reason"]
    assert reasons["D1"] == "no PHQ-9 in the window"  # 4 on 5 May: the window opens 6 May
    assert reasons["D2"] == "no PHQ-9 in the window"  # 3 on day 119 is outside it
    assert reasons["D4"] == "no PHQ-9 in the window"  # only a baseline
    assert reasons["D3"] == "no PHQ-9 above 9 in the stay"  # 9 is not above 9
    assert reasons["D5"] == "window closes 31 Oct 2026"
    assert reasons["D8"] == "no diagnosis group recorded"
    assert reasons["D9"] == "PHQ-9 20 → 12"  # the latest in the window, not 1 June's 10


def test_depression_response_and_the_hedis_rates_share_the_denominator(depression):
    m = depression
    assert _steps(m, "DEP-RESP-6") == [11, 9, 7, 5, 4]
    assert _rate(m, "DEP-RESP-6", "response") == (0, 4)  # D1's 4 is before the window; D9's latest 12 > 10
    assert _rate(m, "DRR-E", "follow_up") == (2, 4)  # D1 and D9 have a PHQ-9 in the window
    assert _rate(m, "DRR-E", "response") == (1, 4)
    assert _rate(m, "DRR-E", "remission") == (1, 4)
    rate = m.rates.set_index(["measure_id", "rate_id", "cohort"]).loc[("DRR-E", "follow_up", "Whole program")]
    assert (round(rate["low"], 4), round(rate["high"], 4)) == (0.15, 0.85)  # Wilson 95 % for 2 of 4


def test_depression_monitoring_in_each_four_month_period(depression):
    m = depression
    # eligible 9 -> an attended session 8 (not D12) -> a period ended 8 -> D7 excluded -> 7;
    # met: D1, D2 (both periods), D3, D4 (September not judged), D5, D9; not D11 (no PHQ-9)
    assert _steps(m, "DMS-E") == [11, 9, 8, 8, 7]
    assert _rate(m, "DMS-E", "monitored") == (6, 7)
    reasons = _rows(m)[_rows(m)["measure_id"] == "DMS-E"].set_index("participant_id")["reason"]
    assert reasons["D2"] == "2 of 2 periods with a PHQ-9"
    assert reasons["D4"] == "1 of 1 periods with a PHQ-9"
    assert reasons["D11"] == "0 of 1 periods with a PHQ-9"
    assert reasons["D12"] == "no attended session"


def test_without_a_diagnosis_column_eligibility_falls_to_the_index_score(tmp_path, db, monkeypatch):
    roster = [(p, a, d, r, "") for p, a, d, r, _ in DEPRESSION_ROSTER]
    _program(tmp_path, db, roster, DEPRESSION_SESSIONS, DEPRESSION_SCORES, diagnosis=False)
    m = _measures(db, monkeypatch)
    assert not m.diagnosis_recorded
    # every admitted episode is eligible; D6 (bipolar, unknown here) now has an index and is judged
    assert _steps(m, "DEP-REM-6") == [11, 11, 8, 6, 5]
    assert _rate(m, "DEP-REM-6", "remission") == (0, 5)  # D1's 4 is a day before the window
    spec = m.spec("DEP-REM-6")
    assert m.eligibility_note(spec).startswith("Neither ICD-10 diagnoses nor a roster diagnosis group")


SU_ROSTER = [
    ("S1", "2026-01-05", "2026-03-01", "Completed", SUBSTANCE),
    ("S2", "2026-01-05", "2026-03-01", "Completed", SUBSTANCE),
    ("S3", "2026-01-05", "2026-03-01", "Completed", SUBSTANCE),
    ("S4", "2026-01-05", "2026-03-01", "Completed", SUBSTANCE),
    ("S5", "2026-01-05", "", "", SUBSTANCE),
    ("S6", "2026-01-05", "2026-03-01", "Completed", SUBSTANCE),
    ("S7", "2026-01-05", "2026-01-30", "Completed", DEPRESSIVE),
    ("S8", "2026-01-05", "2026-02-01", "Died", SUBSTANCE),
]


def _bam(pid, day, use):
    """A BAM with the Use items (4, 5, 6) as given and every other item 1."""
    items = [1] * 17
    items[3:6] = use
    return measures_row(pid, day, "BAM", "", items)


SU_SCORES = [
    measures_row("S1", "2026-01-05", "AUDIT-C", 8),
    measures_row("S1", "2026-02-25", "AUDIT-C", 3),
    measures_row("S2", "2026-01-05", "AUDIT-C", 6),
    measures_row("S2", "2026-02-20", "AUDIT-C", 0),
    measures_row("S3", "2026-01-05", "AUDIT-C", 0),
    measures_row("S4", "2026-01-05", "AUDIT-C", 7),
    measures_row("S5", "2026-01-05", "AUDIT-C", 5),
    _bam("S6", "2026-01-05", [2, 1, 0]),
    measures_row("S6", "2026-01-05", "AUDIT-C", 9),
    _bam("S6", "2026-02-25", [0, 0, 0]),
    measures_row("S6", "2026-02-25", "AUDIT-C", 9),
    measures_row("S8", "2026-01-05", "AUDIT-C", 5),
    measures_row("S8", "2026-01-30", "AUDIT-C", 2),
]
SU_SESSIONS = [
    ("S1", "2026-01-19", "attended"),
    ("S1", "2026-02-03", "attended"),  # day 14: inside; engaged on day 30
    ("S2", "2026-01-20", "attended"),
    ("S2", "2026-01-21", "attended"),  # day 15: outside; last 21 Jan < 22 Jan
    ("S3", "2026-01-05", "attended"),
    ("S3", "2026-01-22", "attended"),  # day 0; 22 Jan is the engaged window's first day
    ("S4", "2026-01-06", "no_show"),
    ("S4", "2026-01-08", "attended"),
    ("S6", "2026-01-06", "attended"),
    ("S6", "2026-02-04", "attended"),  # day 30 itself
    ("S8", "2026-01-07", "attended"),
]


@pytest.fixture
def substance(request, monkeypatch):
    db = scenario(
        request, lambda folder, db: _program(folder, db, SU_ROSTER, SU_SESSIONS, SU_SCORES)
    )  # loaded once, copied per test
    return _measures(db, monkeypatch)


def test_reduced_or_no_use_at_discharge(substance):
    m = substance
    # admitted 8 -> eligible 7 (not S7) -> use at intake 6 (not S3: AUDIT-C 0) -> discharged 5 (not S5)
    # -> S8 excluded (death) -> 4: reduced S1, S2, S6; no use S2, S6 (S6 by its BAM, preferred to its AUDIT-C)
    assert _steps(m, "SU-USE") == [8, 7, 6, 5, 4]
    assert _rate(m, "SU-USE", "reduced") == (3, 4)
    assert _rate(m, "SU-USE", "no_use") == (2, 4)
    rows = _rows(m)[(_rows(m)["measure_id"] == "SU-USE") & (_rows(m)["rate_id"] == "reduced")].set_index(
        "participant_id"
    )
    assert rows.loc["S6", "scored"] == "BAM Use" and rows.loc["S6", "reason"] == "BAM Use 3 → 0"
    assert rows.loc["S4", "reason"] == "no AUDIT-C after intake"  # an episode with only a baseline
    assert rows.loc["S3", "reason"] == "no use at intake (AUDIT-C 0)"
    assert rows.loc["S5", "reason"] == "not discharged by the data date"


def test_days_to_the_first_session(substance):
    m = substance
    # eligible 7, S8 excluded -> 6; within 14 days: S1 (day 14), S3 (day 0), S4 (day 3), S6 (day 1);
    # not S2 (day 15) nor S5 (no session)
    assert _steps(m, "SU-START") == [8, 7, 7, 7, 6]
    assert _rate(m, "SU-START", "within") == (4, 6)
    reasons = _rows(m)[_rows(m)["measure_id"] == "SU-START"].set_index("participant_id")["reason"]
    assert (reasons["S1"], reasons["S2"], reasons["S5"]) == (
        "first session on day 14",
        "first session on day 15",
        "no attended session",
    )


def test_retention_at_30_and_90_days(substance):
    m = substance
    # day 30 = 4 Feb, engaged = an attended session 22 Jan - 4 Feb, or completed by then:
    # S1, S3 (22 Jan), S6 (4 Feb), S7 (completed 30 Jan); not S2 (last 21 Jan), S4, S5; S8 died before: excluded
    assert _steps(m, "RET-30") == [8, 8, 8, 8, 7]
    assert _rate(m, "RET-30", "engaged") == (4, 7)
    # day 90 = 5 Apr: everyone but S5 completed by then
    assert _rate(m, "RET-90", "engaged") == (6, 7)


def test_the_summary_submission_column_by_column(depression):
    from dashboard.documents import formats
    from dashboard.documents.quality_tables import SUMMARY_COLUMNS, submission_summary
    from dashboard.privacy import shown_measures
    from dashboard.privacy.policy import Disclosure

    shown = shown_measures.shown_measures(depression, Disclosure(0))
    table = submission_summary(shown)
    assert list(table.columns) == list(SUMMARY_COLUMNS)
    row = table[(table["measure_id"] == "DEP-REM-6") & (table["cohort"] == "Whole program")].iloc[0].to_dict()
    assert row == {
        "measure_id": "DEP-REM-6",
        "measure_name": "Depression remission at six months",
        "specification": depression.spec("DEP-REM-6").version,
        "rate_id": "remission",
        "rate_label": "Remission: latest PHQ-9 in the window below 5",
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
        "grouping": "track",
        "cohort": "Whole program",
        "admitted": 11,
        "eligible": 9,
        "index_event": 7,
        "window_closed": 5,
        "excluded": 1,
        "denominator": 4,
        "numerator": 0,  # D1's 4 is a day before the calendar window
        "rate_percent": 0.0,
        "ci_low_percent": 0.0,
        "ci_high_percent": 49.0,
    }
    info = formats.FileInfo("quality measures: summary", "Q1 2026", "11", AS_OF, "INTERNAL", True)
    archive = zipfile.ZipFile(io.BytesIO(formats.submission_zip(table, info, "summary", SUMMARY_COLUMNS)))
    assert archive.namelist() == ["summary.csv", "summary-about.txt"]
    csv_lines = archive.read("summary.csv").decode("utf-8").splitlines()
    assert csv_lines[0] == ",".join(SUMMARY_COLUMNS)  # the layout and nothing above it
    assert len(csv_lines) == 1 + len(table)
    about = archive.read("summary-about.txt").decode("utf-8")
    assert "INTERNAL" in about and "- rate_percent: " in about


def test_the_suppressed_submission_hides_small_counts(depression):
    from dashboard.documents.quality_tables import submission_summary
    from dashboard.privacy import shown_measures
    from dashboard.privacy.policy import Disclosure

    shown = shown_measures.shown_measures(depression, Disclosure(10))
    assert shown.episodes is None  # no episode list leaves the care team
    table = submission_summary(shown)
    counts = table[["admitted", "eligible", "index_event", "window_closed", "excluded", "denominator", "numerator"]]
    for value in counts.to_numpy().ravel():
        assert isinstance(value, str) or value == 0 or value > 10, value
    shown = table[table["rate_percent"].notna()]
    assert shown[["measure_id", "cohort", "numerator", "denominator", "rate_percent"]].values.tolist() == [
        ["RET-30", "IOP", 0, 11, 0.0],
        ["RET-30", "Whole program", 0, 11, 0.0],
    ]  # 0 of 11 rests on no small count
    assert table[["measure_id", "rate_id", "cohort"]].drop_duplicates().shape[0] == len(table)


@pytest.mark.parametrize(
    "heading,columns",
    [
        ("### Summary", "SUMMARY_COLUMNS"),
        ("### Episodes", "EPISODE_COLUMNS"),
        ("### Discharge extract", "DISCHARGE_COLUMNS"),
        ("### Specified submission", "SPECIFIED_COLUMNS"),
    ],
)
def test_the_documented_layouts_are_the_files(heading, columns):
    """docs/measures.md lists each submission file's columns and what they hold, as the code writes them."""
    from conftest import ROOT
    from dashboard.documents import quality_tables, specified_tables

    text = (ROOT / "docs" / "measures.md").read_text()
    section = text[text.index(heading) :]
    section = section[: section.index("\n### ", 1)] if "\n### " in section[1:] else section
    documented = dict(
        line.strip("|").split(" | ", 1)
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith(("| column", "|---"))
    )
    module = specified_tables if columns == "SPECIFIED_COLUMNS" else quality_tables
    assert {k.strip(): v.strip(" |") for k, v in documented.items()} == getattr(module, columns)


def test_every_measure_file_is_read_and_a_bad_one_is_named(tmp_path):
    from clinical.measure_specs import FOLDER, SpecError, load_specs

    specs = load_specs()
    assert list(specs) == [
        "DEP-REM-6",
        "DEP-RESP-6",
        "DMS-E",
        "DRR-E",
        "RET-30",
        "RET-60",
        "RET-90",
        "SU-START",
        "SU-USE",
    ]
    assert all(s.sources and s.version and s.adaptation for s in specs.values())
    bad = tmp_path / "bad.toml"
    bad.write_text((FOLDER / "dep-rem-6.toml").read_text().replace('rule = "below"', 'rule = "above"'))
    with pytest.raises(SpecError, match="bad.toml: rate 'remission' has rule 'above'"):
        load_specs(tmp_path)
