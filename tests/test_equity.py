"""Equity views: the roster's optional payer, referral source, diagnosis group, sex or gender, race and
ethnicity, as cohort groupings and an overview population filter for the care team, under the same
disclosure rules as every other count (a file for sharing is suppressed; the quality role sees the
equity fields in the quality measures of its quarterly release, not on its cohort page, docs/clinical.md).

Twelve episodes admitted in January 2025: P1-P8 "Medicaid", P9-P12 "Commercial"; race "Asian" for
P1-P3, "White" for P4-P11, blank for P12 ("not recorded"). Nobody's gender is recorded (the column is
empty), so "sex or gender" is no grouping at all."""

import datetime as dt

import pytest

from conftest import ROSTER_HEADER, app, caption_with, load_files, rows, scenario, write

HEADER = ROSTER_HEADER.strip() + ",Payer,Referral Source,Primary Diagnosis,Gender,Race,Ethnicity\n"


def _roster(i: int) -> str:
    payer = "Medicaid" if i <= 8 else "Commercial"
    race = "Asian" if i <= 3 else "White" if i <= 11 else ""
    return f"P{i},2025-01-{i + 5:02d},,,Trauma,Chen,1990,,{payer},Self or family,Trauma- and stressor-related,,{race},"


def _make_program(tmp_path, db):
    load_files(db, write(tmp_path, "roster.csv", HEADER + "\n".join(_roster(i) for i in range(1, 13)) + "\n"))


@pytest.fixture
def program(request, monkeypatch):
    db = scenario(request, _make_program)  # loaded once for the module, copied for each test
    monkeypatch.setenv("IOP_DB", str(db))
    return db


def test_the_fields_are_read_and_each_episode_has_its_groups(program):
    assert rows(
        program,
        "SELECT payer, race, sex_or_gender FROM episodes WHERE participant_id IN ('P1', 'P12') ORDER BY participant_id",
    ) == [("Medicaid", "Asian", None), ("Commercial", None, None)]
    assert rows(program, "SELECT field, value, count(*) FROM episode_groups GROUP BY ALL ORDER BY 1, 2") == [
        ("diagnosis group", "Trauma- and stressor-related", 12),
        ("payer", "Commercial", 4),
        ("payer", "Medicaid", 8),
        ("race", "Asian", 3),
        ("race", "White", 8),
        ("race", "not recorded", 1),
        ("referral source", "Self or family", 12),
    ]  # no gender recorded at all: no such grouping


def test_a_roster_without_the_fields_hashes_as_before(tmp_path, db):
    plain = ROSTER_HEADER + "P1,2025-01-06,,,Trauma,Chen,1990,\n"
    load_files(db, write(tmp_path, "a.csv", plain))
    [again] = load_files(db, write(tmp_path, "b.csv", HEADER + "P1,2025-01-06,,,Trauma,Chen,1990,,,,,,,\n"))
    assert (again.counts["duplicate"], again.counts["updated"]) == (1, 0)


def test_cohorts_by_race_for_the_director(program):
    at = app("director")
    at.query_params.update({"by": "race", "from": "2025-01-01", "to": "2025-01-31"})
    at.switch_page("pages/cohorts.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="filter_by").options == [
        "quarter",
        "month",
        "track",
        "clinician",
        "age group",
        "diagnosis group",
        "payer",
        "race",
        "referral source",
    ]
    completeness = at.dataframe[0].value
    assert completeness[["Cohort", "admitted"]].values.tolist() == [
        ["Asian", "3"],
        ["White", "8"],
        ["not recorded", "1"],
        ["Whole program", "12"],
    ]  # true counts: the care team


def test_the_overview_narrowed_to_a_population(program):
    at = app("director")
    at.query_params.update({"population": "payer: Commercial", "from": "2025-01-01", "to": "2025-01-31"})
    at.switch_page("pages/overview.py").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Admissions"] == "4"
    assert "payer\\: Commercial" in caption_with(at, "payer")


def test_a_file_for_sharing_hides_the_small_groups(program):
    from dashboard.privacy import shown_cohorts
    from dashboard.privacy.policy import Disclosure
    from dashboard.store import db
    from dashboard.views.cohorts import cohort_outcomes
    from dashboard.views.filters import Filters

    with db.scoped(db.EVERYTHING):
        raw = cohort_outcomes(Filters(dt.date(2025, 1, 1), dt.date(2025, 1, 31), dimension="race"), "PHQ-9")
    shared = shown_cohorts.shown_cohorts(raw, Disclosure(10))
    admitted = dict(shared.funnel[["Cohort", "admitted"]].values.tolist())
    assert admitted["Asian"] != 3 and admitted["not recorded"] != 1  # counts of 1 to 10 never leave
    assert all(isinstance(v, str) or v == 0 or v > 10 for v in admitted.values())


def test_the_quality_role_gets_equity_groupings_only_in_the_measures(program):
    from dashboard.privacy import release

    equity = {"payer", "race", "ethnicity", "sex or gender", "referral source", "diagnosis group"}
    assert not equity & set(release.DIMENSIONS)  # the cohort page's groupings
    assert set(release.measure_dimensions(("payer", "race"))) == {"track", "clinician", "age group", "payer", "race"}
