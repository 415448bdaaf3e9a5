"""The structured review recorded when a not-on-track alert is acknowledged, and the director's page
"How well our alerts work": the alert's hit rate on the program's own history (the alert_performance
mart, refitted at every load) and what followed the alerts."""

import re

import duckdb
import pandas as pd
import pytest
from test_flags import D, _history, day

from conftest import app, build, measures_row, rows, scenario, shown
from dashboard.store import app_state, flag_actions
from dashboard.views.alerts import review_follow_up

REVIEW = {
    "alliance": "concern",
    "readiness": "no concern",
    "social_support": "concern",
    "life_events": "not reviewed",
    "attendance_barriers": "no concern",
    "medication": "not reviewed",
    "level_of_care": "step up to partial hospitalization",
    "plan_change": "Refer to PHP; daily safety check-ins",
}
FLAG = {
    "flag_key": "k1",
    "participant_id": "P1",
    "episode_id": "P1#20250106",
    "rule_id": "below_expected",
    "severity": "red",
    "instrument": "PHQ-9",
    "fired_on": "2025-01-20",
}


def _make_off_track(tmp_path, db):
    # no published curves: under 50 completed episodes the re-check's folds get no range at all
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.toml").write_text("[expected_response]\npublished_curves = false\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IOP_CONFIG", str(config))
        _load_off_track(tmp_path, db)


def _load_off_track(tmp_path, db):
    roster, measures = _history()
    roster.append("P1,2025-01-06,,,Trauma,Chen,1990,")
    measures += [measures_row("P1", day(0), "PHQ-9", 12), measures_row("P1", day(14), "PHQ-9", 13)]
    build(tmp_path, db, roster=roster, measures=measures, as_of=D(2025, 1, 22))


@pytest.fixture
def off_track(request, monkeypatch):
    """P1 (Chen, Trauma, admitted 6 Jan 2025): PHQ-9 12 at intake and 13 in week 3, above the 80th
    percentile (12.2) of 50 completed episodes that also started at 12 (test_flags._history); the
    week-3 scores of those 50 are 5..14, so 10 of them reliably improved (by 6 or more) and 40 did not."""
    db = scenario(request, _make_off_track)  # loaded once for the module, copied for each test
    monkeypatch.setenv("IOP_DB", str(db))
    return db


@pytest.mark.parametrize(
    "change,message",
    [
        ({"plan_change": " ok "}, "say in at least 10 characters what changes in the plan (or why nothing does)"),
        ({a: "not reviewed" for a in flag_actions.REVIEW_AREAS}, "review at least one area"),
        ({"alliance": "maybe"}, "each review area is one of: not reviewed, no concern, concern"),
        (
            {"level_of_care": "no change"},
            "a level-of-care change is recorded both as the action taken and in the review",
        ),
    ],
)
def test_a_review_is_refused_when_incomplete_or_inconsistent(change, message):
    with pytest.raises(app_state.ActionRefused, match=re.escape(message)):
        flag_actions.record_action(
            FLAG, "acknowledged", "level of care changed", "case review", "dr", review={**REVIEW, **change}
        )
    assert flag_actions.reviews().empty and flag_actions.latest_actions(["k1"]).empty  # nothing half-written


def test_acknowledging_a_not_on_track_alert_needs_the_review_and_stores_it_with_the_action():
    with pytest.raises(app_state.ActionRefused, match="acknowledged with the structured review"):
        flag_actions.record_action(FLAG, "acknowledged", "plan adjusted", "case review", "dr")
    flag_actions.record_action(
        FLAG, "snoozed", "no change needed", "wait a week", "dr", snooze_until=D(2025, 1, 27), today=D(2025, 1, 21)
    )  # a snooze needs no review
    flag_actions.record_action(FLAG, "acknowledged", "level of care changed", "case review", "dr", review=REVIEW)
    [stored] = flag_actions.reviews().to_dict("records")
    assert {k: stored[k] for k in (*REVIEW, "action_taken", "note", "episode_id", "plan_changed")} == {
        **REVIEW,
        "action_taken": "level of care changed",
        "note": "case review",
        "episode_id": "P1#20250106",
        "plan_changed": True,
    }
    # other flags are acknowledged without one, as before
    flag_actions.record_action(
        {**FLAG, "flag_key": "k2", "rule_id": "disengaged"}, "acknowledged", "referred", "phoned them", "dr"
    )
    assert len(flag_actions.reviews()) == 1


def test_what_followed_the_alerts_hand_counted():
    # E1 reviewed with a plan change, improved later; E2 reviewed, no change needed, not improved;
    # E3 never reviewed, improved; E4 reviewed with a change but never scored again after its alert
    alerted = pd.DataFrame(
        {
            "episode_id": ["E1", "E2", "E3", "E4"],
            "instrument": "PHQ-9",
            "open": [False, False, True, True],
            "scored_after": [True, True, True, False],
            "improved_after": [True, False, True, None],
        }
    )
    for episode, taken in (("E1", "plan adjusted"), ("E2", "no change needed"), ("E4", "referred")):
        flag_actions.record_action(
            {**FLAG, "flag_key": episode, "episode_id": episode},
            "acknowledged",
            taken,
            "case review",
            "dr",
            review={**REVIEW, "level_of_care": "no change"},
        )
    got = review_follow_up(alerted)
    assert {k: got[k] for k in ("alerted", "open", "reviewed", "plan_changed", "scored_after")} == {
        "alerted": 4,
        "open": 2,
        "reviewed": 3,
        "plan_changed": 2,
        "scored_after": 3,
    }
    assert got["with_change"][:3] == (1, 1, 1.0)  # E1 (E4 has no later score)
    assert got["without_change"][:3] == (1, 2, 0.5)  # E2 not improved, E3 improved


def test_the_performance_mart_judges_every_ended_episode_once(off_track):
    # the 50 ended episodes, each judged once across the folds: none has a score before its last one
    # from week 2, so none is alerted; 40 end without reliable improvement (week-3 scores 7..14)
    got = rows(
        off_track,
        "SELECT threshold, episodes, alerted, not_improved, improved, improved_not_alerted "
        "FROM alert_performance WHERE method = 'expected_range' ORDER BY threshold",
    )
    assert got == [(t / 100, 50, 0, 40, 10, 10) for t in (50, 55, 60, 65, 70, 75, 80, 85, 90)]


def test_the_performance_mart_keeps_the_most_recent_episodes(tmp_path, db, monkeypatch):
    settings = tmp_path / "settings.toml"
    settings.write_text("[alert_validation]\nmax_episodes = 10\nthresholds = [80]\n")
    monkeypatch.setenv("IOP_SETTINGS", str(settings))
    roster, measures = _history()
    # ten of them admitted a month later: the ten most recent, judged; 2 of them improved (scores 5, 6)
    roster = [r.replace("2024-06-03", "2024-07-01") if i >= 40 else r for i, r in enumerate(roster)]
    measures = [
        m.replace("2024-06-03", "2024-07-01").replace("2024-06-17", "2024-07-15") if i >= 80 else m
        for i, m in enumerate(measures)
    ]
    build(tmp_path, db, roster=roster, measures=measures, as_of=D(2025, 1, 22))
    assert rows(
        db, "SELECT threshold, episodes, not_improved, improved FROM alert_performance WHERE method = 'expected_range'"
    ) == [(0.8, 10, 8, 2)]


def _participant_page(role="director"):
    at = app(role)
    at.switch_page("pages/participant.py")
    at.query_params["participant"] = "P1"
    at.run()
    assert not at.exception, at.exception
    return at


def _fill_review(at, plan_change):
    choice = next(o for o in at.selectbox(key="participant-flag").options if "Not on track" in o or "not on track" in o)
    at.selectbox(key="participant-flag").set_value(choice).run()
    at.selectbox(key="participant-taken").set_value("level of care changed")
    at.text_area(key="participant-note").input("Case review 21 Jan")
    for area, finding in ((a, REVIEW[a]) for a in flag_actions.REVIEW_AREAS):
        at.radio(key=f"participant-review-{area}").set_value(finding)
    at.radio(key="participant-review-level_of_care").set_value(REVIEW["level_of_care"])
    at.text_area(key="participant-review-plan_change").input(plan_change)
    at.button(key="FormSubmitter:participant-form-Save").click().run()


def test_the_review_is_recorded_from_the_participant_page_and_shown_there(off_track):
    at = _participant_page()
    _fill_review(at, "")
    assert [shown(e.value) for e in at.error if e.value.startswith("Not saved")] == [
        "Not saved: say in at least 10 characters what changes in the plan (or why nothing does)."
    ]
    assert at.text_area(key="participant-note").value == "Case review 21 Jan"  # a refusal keeps what was typed
    at.text_area(key="participant-review-plan_change").input("Refer to PHP; daily safety check-ins")
    at.button(key="FormSubmitter:participant-form-Save").click().run()
    assert (
        shown(at.success[0].value)
        == "Saved: P1: Not on track (PHQ-9) acknowledged with its review by dr.chen@example.org."
    )
    again = _participant_page()  # a reload shows it
    table = next(d.value for d in again.dataframe if "Plan change" in d.value.columns)
    assert table[["By", "Instrument", "Concerns", "No concern", "Level of care", "Plan change"]].values.tolist() == [
        [
            "dr.chen@example.org",
            "PHQ-9",
            "Therapeutic alliance, Social support",
            "Readiness and motivation, Attendance barriers",
            "step up to partial hospitalization",
            "Refer to PHP; daily safety check-ins",
        ]
    ]
    assert any("acknowledged by dr.chen@example.org" in shown(i.value) for i in again.info)


def test_the_directors_page_says_not_checked_and_shows_what_followed(off_track):
    """The 50 ended episodes are judged in 10 folds, each against ranges fitted on the other 45: under the
    50 completed episodes a range needs, so none had one. The page says "not checked", never 0 % caught
    and 100 % of improvers not alerted (what the counts alone would read)."""
    flag_actions.record_action(
        {**FLAG, "flag_key": rows(off_track, "SELECT flag_key FROM flags WHERE rule_id = 'below_expected'")[0][0]},
        "acknowledged",
        "level of care changed",
        "case review",
        "dr",
        review=REVIEW,
    )
    at = app("director")
    at.switch_page("pages/alerts.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "How well our alerts work"
    # the live ranges use all 50 completed episodes; each fold's re-check is fitted on 45, too few
    assert [t.value for t in at.text] == ["PHQ-9: from the program's own 50 completed episodes."]
    why = "not checked: 0 of 50 judged episodes had an expected range (at least 20 needed)"
    assert f"The alert is {why}: nothing yet says how well it works." in [i.value for i in at.info]
    # no rate of the alert is shown at all: not 0 % caught, not 100 % of improvers not alerted
    assert [m.label for m in at.metric] == ["Improved later, with a plan change", "Improved later, without one"]
    assert not at.get("plotly_chart")  # no threshold was checked: no point to draw
    assert "Against the simplest rules, flagging as many" not in [h.value for h in at.subheader]
    # the signals that need no range are judged: 50 ended episodes, none before week 4 or reliably worse
    signals = next(t.value for t in at.table if "First alert, week" in t.value.columns).reset_index()
    assert list(signals["Rule"]) == ["Expected range (the alert)", "Any signal", "Deteriorating", "Worsening",
                                     "No improvement", "Still severe"]  # fmt: skip
    assert signals.iloc[0]["Episodes alerted"] == "not checked"
    assert signals.iloc[1]["Episodes alerted"] == "0% (0/50)"
    follow = next(m.value for m in at.markdown if m.value.startswith("Of **"))
    # P1, and the 10 ended episodes whose week-3 scores (13, 14) are above the 80th percentile too
    assert follow == (
        "Of **11** episode-measures ever not on track (1 still open): 1 of 11 (9%) had a structured review "
        "recorded; 1 of 11 (9%) a recorded plan change."
    )
    # every one of them was last scored when it was first not on track: nothing followed yet
    assert [c.value for c in at.caption if "scored again" in c.value] == [
        "Of 0 scored again after the first alert, 0 reliably improved",
        "Of 0 scored again after the first alert, 0 reliably improved",
    ]


def test_the_validate_command_says_not_checked_too(off_track):
    from dashboard.commands.validate import choice
    from dashboard.views.alerts import figures

    with duckdb.connect(str(off_track), read_only=True) as con:
        table = con.execute("FROM alert_performance WHERE method = 'expected_range' ORDER BY threshold").df()
    assert choice(figures(table)) == "not checked: 0 of 50 judged episodes had an expected range (at least 20 needed)"


@pytest.mark.parametrize("role", ["clinician", "quality"])
def test_only_the_director_opens_the_alerts_page(off_track, role):
    at = app(role, clinician="Chen" if role == "clinician" else None)
    at.switch_page("pages/alerts.py").run()
    assert not at.metric and not at.get("plotly_chart")


def test_shares_and_percentiles_in_words():
    from dashboard.views.words import percentile, share

    assert share(1, 236, "had a review") == "1 of 236 (<1%) had a review"  # not "0%" when one did
    assert (share(0, 236, "x"), share(3, 12, "x"), share(0, 0, "x")) == (
        "0 of 236 (0%) x",
        "3 of 12 (25%) x",
        "0 of 0 x",
    )
    assert [percentile(p) for p in (0.8, 0.51, 0.62, 0.73, 0.11, 0.5)] == [
        "80th",
        "51st",
        "62nd",
        "73rd",
        "11th",
        "50th",
    ]


def test_the_measure_chosen_is_kept_in_the_address(off_track):
    at = app("director")
    at.switch_page("pages/alerts.py").run()
    at.selectbox(key="alerts_instrument").set_value("PHQ-9").run()
    assert at.query_params["measure"] == "PHQ-9"
    again = app("director")  # a copied link, opened in another session
    again.switch_page("pages/alerts.py")
    again.query_params["measure"] = "PHQ-9"
    again.run()
    assert again.selectbox(key="alerts_instrument").value == "PHQ-9"
    # PHQ-9's own figures: not the pooled caption of all measures together
    assert not [c.value for c in again.caption if c.value.startswith("All measures together")]
    assert any("not checked: 0 of 50 judged episodes" in i.value for i in again.info)


@pytest.mark.parametrize(
    "text,message",
    [
        (
            "[alert_validation]\nthresholds = [80, 100]\n",
            "alert_validation.thresholds: whole-number percentiles from 1 to 99",
        ),
        ("[alert_validation]\nfolds = 1\n", "alert_validation.folds: a whole number, 2 or more"),
        (
            "[measurement]\noverdue_grace_days = -1\n",
            "measurement.overdue_grace_days: a whole number of days, 0 or more",
        ),
    ],
)
def test_settings_the_sql_cannot_use_are_refused_by_name(tmp_path, monkeypatch, text, message):
    from clinical.settings import load_settings

    (tmp_path / "ours.toml").write_text(text)
    with pytest.raises(ValueError, match=re.escape(message)):
        load_settings(tmp_path / "ours.toml")


def _make_small_program(tmp_path, db):
    from etl.demo import write_demo
    from etl.load import load

    paths = write_demo(tmp_path / "demo", participants=40, seed=11)
    load([str(p) for p in paths.values()], db, today=D(2026, 11, 26), progress=False)


@pytest.fixture
def small_program(request, monkeypatch):
    """The demo program with 40 participants: 24 completed PHQ-9 episodes, under the 50 its own ranges need."""
    db = scenario(request, _make_small_program)
    monkeypatch.setenv("IOP_DB", str(db))
    return db


def test_a_small_program_gets_its_alert_checked_on_published_curves_beside_the_baselines(small_program):
    expected = rows(
        small_program,
        "SELECT method, episodes, with_a_range, alerted, not_improved, alerted_not_improved FROM alert_performance "
        "WHERE instrument = 'PHQ-9' AND threshold = 0.8 ORDER BY method",
    )
    counts = {m: rest for m, *rest in expected}
    assert counts["expected_range"][:2] == [35, 35]  # every judged episode had a (published) range
    at = app("director")
    at.switch_page("pages/alerts.py").run()
    assert not at.exception, at.exception
    said = [t.value for t in at.text]
    assert "PHQ-9: from published recovery curves (two antidepressant trials, by intake severity) until the program " \
        "has 50 completed episodes of its own; it has 24." in said  # fmt: skip
    assert "GAD-7: none yet: 24 completed episodes, 50 needed, and no published curve applies to this measure." in said
    at.selectbox(key="alerts_instrument").set_value("PHQ-9").run()
    metrics = {m.label: m.value for m in at.metric}
    _, _, alerted, not_improved, caught = counts["expected_range"]
    assert metrics["Non-improvers caught"] == f"{caught / not_improved:.0%}"
    assert metrics["Episodes alerted"] == f"{alerted / 35:.0%}"
    baselines = next(t.value.reset_index() for t in at.table if list(t.value.reset_index().columns) == [
        "Rule", "Non-improvers caught", "Deteriorations caught", "Alerts that were right", "Weeks of warning"])  # fmt: skip
    for method, row in zip(("expected_range", "first_follow_up", "early_change", "worst_change", "percent_change"),
                           baselines.to_dict("records"), strict=True):  # fmt: skip
        k = counts[method][4]
        assert row["Non-improvers caught"] == f"{k / not_improved:.0%} ({k}/{not_improved})", method
        assert row["Alerts that were right"].endswith(f"/{alerted})"), method  # the same number alerted
    best = max(counts[m][4] for m in ("first_follow_up", "early_change", "worst_change", "percent_change"))
    [verdict] = [i.value for i in at.info if "one-line rule" in i.value]
    opening = verdict.split(":")[0]
    assert opening in ("A one-line rule does about as well", "A one-line rule does better",
                       "The alert does better than each one-line rule")  # fmt: skip
    assert (opening == "The alert does better than each one-line rule") == (best < caught and "overlap" not in verdict)
    assert (
        f"flagging as many episodes ({alerted}), the alert caught {caught} of {not_improved} non-improvers" in verdict
    )
    assert f"caught {best}" in verdict
    signals = next(t.value for t in at.table if "First alert, week" in t.value.columns).reset_index()
    assert list(signals["Rule"]) == ["Expected range (the alert)", "Any signal", "Deteriorating", "Worsening",
                                     "No improvement", "Still severe"]  # fmt: skip
    assert signals.iloc[1]["Episodes alerted"].endswith(f"({counts['all_signals'][2]}/35)")


def test_the_page_names_the_one_line_alert_when_the_program_chose_it(tmp_path, monkeypatch):
    """expected_response.alert_rule = "percent_change" at its default X (0): the page's setting in use is the
    rule, in words, and its figures are the rule's own row of the re-check. 30 ended episodes, intake 12, week 3
    10..14 (six each), last score in week 5: 5 (reliably better) after 10 and 11, else 12."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.toml").write_text('[expected_response]\nalert_rule = "percent_change"\n')
    monkeypatch.setenv("IOP_CONFIG", str(config))
    roster, measures = [], []
    for i in range(30):
        week_3 = 10 + i % 5
        roster.append(f"E{i:02d},2025-01-06,2025-02-07,completed,Trauma,Chen,1990,yes")
        measures += [
            measures_row(f"E{i:02d}", "2025-01-06", "PHQ-9", 12),
            measures_row(f"E{i:02d}", "2025-01-20", "PHQ-9", week_3),
            measures_row(f"E{i:02d}", "2025-02-03", "PHQ-9", 5 if week_3 < 12 else 12),
        ]
    db = tmp_path / "iop.duckdb"
    build(tmp_path, db, roster=roster, measures=measures, as_of=D(2025, 3, 1))
    monkeypatch.setenv("IOP_DB", str(db))
    # flagged: the 12 whose week 3 was worse than 12 (13, 14); all ended without reliable improvement, as did
    # the 6 at 12
    assert rows(
        db,
        "SELECT alerted, alerted_not_improved, not_improved, episodes FROM alert_performance "
        "WHERE method = 'percent_change_setting' AND threshold = 0.8",
    ) == [(12, 12, 18, 30)]
    at = app("director")
    at.switch_page("pages/alerts.py").run()
    assert not at.exception, at.exception
    assert "The setting in use: a score worse than intake" in [h.value for h in at.subheader]
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Episodes alerted"], metrics["Non-improvers caught"]) == ("40%", "67%")  # 12/30, 12/18
    assert rows(
        db, "SELECT explanation FROM recovery_status WHERE episode_id = 'E03#20250106' AND treatment_week = 3"
    ) == [("PHQ-9 13 in week 3: 8 % worse than intake 12; the alert in use flags worse than intake",)]
