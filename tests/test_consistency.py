"""One fact, one reading: the same fact collected from every page and file that shows it, on the demo
program, must agree. Each test names a fact and the views it is read from (the closing note of
issue 28 lists them); a new page that shows the fact belongs here.

Facts: the admissions N (overview headline, cohort caption, quality measures, the database); the
in-treatment N (overview completeness, board pack cover, the database); a flag's state after it is
acknowledged (caseload table and handled list, Today's groups, the overview's open flags by rule,
the progress page, the case review, the continued-stay packet); a whole quarter's rate (the measures
by quarter and the trend by quarter) and a cut quarter's label; an authorization's days left
(caseload, continued-stay packet, the database)."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from conftest import app, rows, shown

START, END = dt.date(2025, 11, 21), dt.date(2026, 11, 20)  # the demo's default selection: a year to its data date


@pytest.fixture
def demo(demo_db, monkeypatch):
    """The demo program (each test has its own application state: conftest.private_state)."""
    monkeypatch.setenv("IOP_DB", str(demo_db))
    return demo_db


def _page(role, path, **query):
    at = app(role)
    at.run()
    at.switch_page(path)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def _filters(**kw):
    from dashboard.views.filters import Filters

    return Filters(START, END, **kw)


def test_the_admissions_n_reads_the_same_on_overview_cohorts_measures_and_the_database(demo):
    from dashboard.privacy import policy
    from dashboard.privacy.shown_measures import shown_measures
    from dashboard.views.quality_measures import quality_measures

    [(admitted,)] = rows(demo, "SELECT count(*) FROM episodes WHERE admit_date BETWEEN ? AND ?", [START, END])
    overview = _page("director", "pages/overview.py")
    assert {m.label: m.value for m in overview.metric}["Admissions"] == f"{admitted:,}"
    cohorts = _page("director", "pages/cohorts.py")
    assert f"N = {admitted:,} episodes admitted in the range" in shown(cohorts.caption[0].value)
    measures = shown_measures(quality_measures(_filters()), policy.for_view("director"))
    assert measures.n() == f"{admitted:,} episodes admitted in the period"


def test_the_in_treatment_n_reads_the_same_on_the_overview_its_chart_and_the_board_pack(demo, caught_downloads):
    from dashboard.documents import board_pack

    [(in_treatment,)] = rows(
        demo,
        "SELECT count(*) FROM episodes WHERE admit_date <= ? AND coalesce(discharge_date, DATE '9999-12-31') >= ?",
        [END, START],
    )
    overview = _page("director", "pages/overview.py")
    completeness = next(
        c for c in overview.get("plotly_chart") if "Measurement completeness" in c.proto.spec
    )  # the first bar: the population the steps start from
    first = re.search(r'"x":\[([\d.]+)', completeness.proto.spec)
    assert first and float(first[1]) == in_treatment
    assert "in treatment in the range" in completeness.proto.spec
    covers = []
    real_pdf = board_pack.pdf
    board_pack.pdf = lambda info, figures, notice="": covers.append(info.n) or b""
    try:
        caught_downloads["board_pack"][1]()
    finally:
        board_pack.pdf = real_pdf
    assert covers[0].startswith(f"{in_treatment:,} episodes in treatment during the range (overview charts)")


def test_an_acknowledged_flag_reads_as_handled_everywhere(demo):
    """The flag of a member of the last day's groups, acknowledged: no view lists it as open any more."""
    from dashboard.documents import case_review
    from dashboard.store import flag_actions
    from dashboard.views import groups, overview, participant, stay_review

    [(day,)] = rows(demo, "SELECT max(session_date) FROM sessions WHERE group_name IS NOT NULL")
    members = pd.concat([g.roster for g in groups.groups_on(day)])
    member = members[members["flags"] != ""].iloc[0]
    view = participant.episode_view(member["participant_id"], member["episode_id"])
    flag = view.flags[view.flags["status"] == "active"].iloc[0].to_dict()
    before = overview.program_overview(_filters(), "PHQ-9").flags.set_index("label")["flags"]
    rule_label = next(label for label in before.index if flag["label"].startswith(label.split(" (")[0]))

    flag_actions.record_action(flag, "acknowledged", "plan adjusted", "Discussed in the case review", "dr.chen")

    caseload = _page("director", "pages/caseload.py")
    worklist = caseload.dataframe[0].value.set_index("participant_id")
    assert flag["label"] not in worklist.loc[flag["participant_id"], "flags"].split(" · ")
    assert f"{flag['label']} — acknowledged by dr.chen" in worklist.loc[flag["participant_id"], "handled"]
    roster = pd.concat([g.roster for g in groups.groups_on(day)]).set_index("episode_id")
    assert flag["label"] not in roster.loc[flag["episode_id"], "flags"].split(" · ")
    after = overview.program_overview(_filters(), "PHQ-9").flags.set_index("label")["flags"]
    assert after.get(rule_label, 0) == before[rule_label] - 1
    again = participant.episode_view(member["participant_id"], member["episode_id"])
    state = again.flags.set_index("flag_key").loc[flag["flag_key"], "status"]
    assert state == "acknowledged"
    assert list(again.flags["status"]) == sorted(again.flags["status"], key=flag_actions.HANDLING_ORDER.get)
    html = case_review.flags(again)
    open_part, _, handled_part = html.partition("Acknowledged and snoozed")
    assert flag["label"] not in open_part and flag["label"] in handled_part
    packet = stay_review.packet(again)
    assert packet.flags.set_index("Flag").loc[flag["label"], "Status"] == "acknowledged"


def test_a_whole_quarter_has_one_rate_and_a_cut_quarter_says_it_is_part_of_one(demo):
    from dashboard.views.filters import Filters
    from dashboard.views.quality_measures import quality_measures, trend

    whole = Filters(dt.date(2026, 4, 1), dt.date(2026, 6, 30), dimension="quarter")
    by_quarter = quality_measures(whole).rates.set_index(["measure_id", "rate_id", "cohort"])
    by_trend = trend(whole).assign(quarter_start=lambda t: pd.to_datetime(t["quarter_start"]).dt.date)
    by_trend = by_trend[by_trend["quarter_start"] == dt.date(2026, 4, 1)].set_index(["measure_id", "rate_id"])
    compared = 0
    for (measure, rate), t in by_trend.iterrows():
        if (measure, rate, "2026 Q2") not in by_quarter.index:  # no denominator that quarter: none on either
            assert t["denominator"] == 0, (measure, rate)
            continue
        q = by_quarter.loc[(measure, rate, "2026 Q2")]
        assert (q["numerator"], q["denominator"]) == (t["numerator"], t["denominator"]), (measure, rate)
        compared += 1
    assert compared >= 5
    cut = quality_measures(_filters(dimension="quarter")).cohorts
    assert cut[0] == "2025 Q4 (part: 21 Nov–31 Dec)" and cut[-2] == "2026 Q4 (part: 01 Oct–20 Nov)"


def test_days_left_of_an_authorization_read_the_same_on_caseload_packet_and_database(demo):
    from dashboard.views import caseload, participant, stay_review

    work = caseload.worklist()
    auth = work.rows[work.rows["auth_ends"].str.contains(r"^\d+ days \(", regex=True)].iloc[0]
    [(left,)] = rows(
        demo, "SELECT days_left FROM authorization_use WHERE episode_id = ? AND in_use", [auth["episode_id"]]
    )
    assert auth["auth_ends"].startswith(f"{left} days (")
    packet = stay_review.packet(participant.episode_view(auth["participant_id"], auth["episode_id"]))
    authorized = packet.facts.set_index(packet.facts.columns[0]).loc["Authorized"].iloc[0]
    assert f"({left} days after the data date, 20 Nov 2026)" in authorized


def test_before_a_suppressed_download_the_care_team_is_told_how_many_cells_it_hides(demo):
    """The default (suppressed) summary submission hides cells the director sees: the page says how many,
    counted against the file's own rows."""
    from dashboard.documents import quality_tables
    from dashboard.privacy import policy
    from dashboard.privacy.shown_measures import shown_measures
    from dashboard.ui.downloads import hidden_cells
    from dashboard.views.quality_measures import quality_measures

    at = _page("director", "pages/measures.py")
    said = [c.value for c in at.caption if c.value.startswith("The shared file hides")]
    assert said, [c.value for c in at.caption]
    raw = quality_measures(_filters(dimension="track"))
    screen = shown_measures(raw, policy.for_view("director"))
    shared = shown_measures(raw, policy.for_export("director", True))
    expected = hidden_cells(quality_tables.summary(screen), quality_tables.summary(shared))
    # the per-episode table's (the specified count's table says its own above it)
    assert expected in said and not expected.startswith("The shared file hides 0 ")
