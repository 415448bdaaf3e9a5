"""Every flag rule firing at its threshold and not one step short of it (settings.toml defaults).
Participant P1 is admitted on Monday 6 Jan 2025; flags are computed as of a chosen date."""

import datetime as dt

import numpy as np
import pytest

from conftest import PROGRAM_INSTRUMENT, build, measures_row, rows

D = dt.date
ADMIT = D(2025, 1, 6)


def day(n: int) -> str:
    return str(ADMIT + dt.timedelta(days=n))


def flags(tmp_path, db, as_of, attendance=(), measures=(), age_group="", birth_year="1990", rule=None, discharge=""):
    roster = [f"P1,2025-01-06,{discharge},{'completed' if discharge else ''},Trauma,Chen,{birth_year},"]
    build(tmp_path, db, roster=roster, attendance=attendance, measures=measures, as_of=as_of)
    got = rows(db, "SELECT rule_id, severity, explanation FROM flags ORDER BY rule_id, explanation")
    return [g[1:] for g in got if g[0] == rule] if rule else got


def phq(d: int, total, items=()):
    return measures_row("P1", day(d), "PHQ-9", total, items)


def attended(d: int, kind="group", minutes=180):
    return f"P1,{day(d)},{kind},attended,{minutes},Trauma,Chen"


def no_show(d: int):
    return f"P1,{day(d)},group,no_show,0,Trauma,Chen"


# --- safety_item -------------------------------------------------------------------------------


def test_safety_item_on_the_latest_administration(tmp_path, db):
    got = flags(tmp_path, db, D(2025, 1, 20), measures=[phq(0, 12, [2, 2, 2, 2, 1, 1, 1, 0, 1])], rule="safety_item")
    assert got == [("red", "PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered 1 on 6 Jan 2025")]


def test_safety_item_not_endorsed(tmp_path, db):
    assert (
        flags(tmp_path, db, D(2025, 1, 20), measures=[phq(0, 12, [2, 2, 2, 2, 2, 1, 1, 0, 0])], rule="safety_item")
        == []
    )


def test_safety_item_endorsed_earlier_but_not_on_the_latest(tmp_path, db):
    measures = [phq(0, 12, [2, 2, 2, 2, 1, 1, 1, 0, 1]), phq(7, 11, [2, 2, 2, 2, 1, 1, 1, 0, 0])]
    assert flags(tmp_path, db, D(2025, 1, 20), measures=measures, rule="safety_item") == []


def test_bam_use_subscale_is_a_red_flag_not_a_safety_item(tmp_path, db):
    bam = measures_row("P1", day(0), "BAM", "", [1, 0, 0, 0, 2, 0, 0, 1, 3, 3, 0, 3, 3, 3, 0, 3, 2])
    got = flags(tmp_path, db, D(2025, 1, 10), measures=[bam], rule="subscale_flag")
    assert got == [("red", "BAM Use subscale 2 (substance use in the past 30 days) on 6 Jan 2025")]
    assert flags(tmp_path, db, D(2025, 1, 10), measures=[bam], rule="safety_item") == []


# --- reliable_deterioration --------------------------------------------------------------------


@pytest.mark.parametrize("latest,fires", [(18, True), (17, False)])
def test_reliable_deterioration(tmp_path, db, latest, fires):
    got = flags(tmp_path, db, D(2025, 1, 27), measures=[phq(0, 12), phq(14, latest)], rule="reliable_deterioration")
    assert got == ([("red", "PHQ-9 12 → 18: up 6 since intake; reliable change is 6")] if fires else [])


# --- no_improvement (week 4: a score from day 21 on) ------------------------------------------


def test_no_improvement_by_week_4(tmp_path, db):
    got = flags(tmp_path, db, D(2025, 1, 28), measures=[phq(0, 16), phq(21, 12)], rule="no_improvement")
    assert got == [
        (
            "amber",
            "PHQ-9 16 → 12 in week 4: down 4 since intake, short of the reliable change of 6; "
            "still at or above the cutoff of 10",
        )
    ]


def test_no_improvement_not_judged_before_week_4(tmp_path, db):
    assert flags(tmp_path, db, D(2025, 1, 28), measures=[phq(0, 16), phq(20, 12)], rule="no_improvement") == []


def test_no_improvement_not_when_below_the_cutoff(tmp_path, db):
    assert flags(tmp_path, db, D(2025, 1, 28), measures=[phq(0, 13), phq(21, 9)], rule="no_improvement") == []


def test_no_improvement_not_when_reliably_improved(tmp_path, db):
    assert flags(tmp_path, db, D(2025, 1, 28), measures=[phq(0, 18), phq(21, 12)], rule="no_improvement") == []


# --- severe_persisting (week 6: a score from day 35 on; PHQ-9 severe from 20) -------------------


@pytest.mark.parametrize("d,latest,fires", [(35, 20, True), (35, 19, False), (34, 20, False)])
def test_severe_persisting(tmp_path, db, d, latest, fires):
    got = flags(tmp_path, db, D(2025, 2, 12), measures=[phq(0, 22), phq(d, latest)], rule="severe_persisting")
    assert got == ([("amber", "PHQ-9 20 in week 6: still in the severe band (20 or more)")] if fires else [])


# --- expected recovery: on track, at risk, not on track (the below_expected flag) ---------------


def _history(instrument="PHQ-9", intake=12, first=5):
    """50 completed episodes with the same intake score whose day-14 scores (treatment week 3: the
    admission day is in week 1) are first..first+9, five each. Sorted, positions 0-49: the 25th
    percentile sits at 12.25 (first+2), the 35th at 17.15 (first+3), the 20th at 9.8 (first+1.8),
    the 65th at 31.85 (first+6), the 75th at 36.75 (first+7), the 80th at 39.2 (first+7.2)."""
    roster, measures = [], []
    for i in range(50):
        pid = f"H{i:02d}"
        roster.append(f"{pid},2024-06-03,2024-08-01,completed,Trauma,Chen,1990,yes")
        measures += [
            measures_row(pid, "2024-06-03", instrument, intake),
            measures_row(pid, "2024-06-17", instrument, first + i % 10),
        ]
    return roster, measures


def _status(tmp_path, db, instrument, intake, first, score):
    roster, measures = _history(instrument, intake, first)
    roster.append("P1,2025-01-06,,,Trauma,Chen,1990,")
    measures += [measures_row("P1", day(0), instrument, intake), measures_row("P1", day(14), instrument, score)]
    build(tmp_path, db, roster=roster, measures=measures, as_of=D(2025, 1, 22))
    [status] = rows(db, "SELECT status, explanation FROM recovery_status WHERE episode_id = 'P1#20250106'")
    flagged = rows(db, "SELECT severity, explanation FROM flags WHERE rule_id = 'below_expected'")
    return status, flagged


@pytest.mark.parametrize("score,status", [(11, "on track"), (12, "at risk"), (13, "not on track")])
def test_status_beside_the_percentiles_of_similar_completed_episodes(tmp_path, db, score, status):
    # PHQ-9 (higher is worse), intake 12, week 3: 65th percentile 11, 80th 12.2, middle half 7-12
    (got, explanation), flagged = _status(tmp_path, db, "PHQ-9", 12, 5, score)
    assert got == status
    assert explanation == (
        f"PHQ-9 {score} in week 3; people starting at 12 here are usually 7–12 by week 3 (the middle "
        "half of 50 similar completed episodes); above 12.2 is not on track"
    )
    assert flagged == ([("red", explanation)] if status == "not on track" else [])  # at risk: a status, no flag


@pytest.mark.parametrize("score,status", [(23, "on track"), (22, "at risk"), (21, "not on track")])
def test_status_of_a_programs_own_instrument_where_lower_is_worse(tmp_path, db, monkeypatch, score, status):
    # WEMWBS-7 (a program's instrument; lower is worse), intake 20, week-3 scores 20-29: worse than
    # 65 % = below the 35th percentile (23); worse than 80 % = below the 20th (21.8); middle half 22-27
    config = tmp_path / "config"
    config.mkdir()
    (config / "instruments.toml").write_text(PROGRAM_INSTRUMENT)
    monkeypatch.setenv("IOP_CONFIG", str(config))
    (got, explanation), flagged = _status(tmp_path, db, "WEMWBS-7", 20, 20, score)
    assert got == status
    assert explanation.endswith(
        "usually 22–27 by week 3 (the middle half of 50 similar completed episodes); below 21.8 is not on track"
    )
    assert len(flagged) == (status == "not on track")


def _small_program(tmp_path, db, week_3=20):
    roster, measures = _history()
    roster, measures = roster[:20], measures[:40]  # 20 completed episodes: fewer than 50 (and 30 neighbours)
    roster.append("P1,2025-01-06,,,Trauma,Chen,1990,")
    measures += [phq(0, 12), phq(14, week_3)]
    build(tmp_path, db, roster=roster, measures=measures, as_of=D(2025, 1, 22))


def test_a_small_program_is_judged_against_the_published_recovery_curves(tmp_path, db):
    """20 completed episodes: too few for the program's own ranges, so PHQ-9 ranges come from the two
    trials, recomputed here from the trial files: week 3, the 30 participants nearest in intake severity
    (12 / PHQ-9's severe 20 = 0.6 of the severe band; HAM-D 14.4), their improvement shares applied to 12."""
    from clinical.published_recovery import curves

    _small_program(tmp_path, db)
    c = curves(severe_from=24)  # HAM-D-17's severe band
    c = c[c["week"] == 3].assign(gap=lambda f: (f["severity"] - 0.6).abs())
    nearest = c.sort_values(["gap", "trial", "patient"]).head(30)
    scores = 12 - nearest["share"] * 12
    p25, p75, limit = (round(float(np.quantile(scores, q)), 1) for q in (0.25, 0.75, 0.8))  # shown to 0.1
    [(status, explanation)] = rows(
        db, "SELECT status, explanation FROM recovery_status WHERE episode_id = 'P1#20250106'"
    )
    assert (status, explanation) == (
        "not on track",
        f"PHQ-9 20 in week 3; people starting at 12 in published trials are usually {p25:g}–{p75:g} by week 3 (the "
        "middle half of 30 trial participants of similar severity, scaled to this intake; the program has 20 completed "
        f"episodes, 50 needed for its own); above {limit:g} is not on track",
    )
    assert 12 < limit < 20  # the week-3 score of 20 is past it
    assert rows(db, "SELECT DISTINCT range_source FROM expected_recovery WHERE instrument = 'PHQ-9'") == [
        ("published",)
    ]
    assert rows(db, "SELECT count(*) FROM flags WHERE rule_id = 'below_expected'") == [(1,)]


def test_no_expected_range_below_the_neighbours_needed_without_published_curves(tmp_path, db, monkeypatch):
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.toml").write_text("[expected_response]\npublished_curves = false\n")
    monkeypatch.setenv("IOP_CONFIG", str(config))
    _small_program(tmp_path, db)
    assert rows(db, "SELECT status, explanation FROM recovery_status WHERE episode_id = 'P1#20250106'") == [
        (
            "no expected range",
            "no expected range: 20 completed episodes of PHQ-9, 50 needed (no published recovery curve applies to it)",
        )
    ]
    assert rows(db, "SELECT count(*) FROM flags WHERE rule_id = 'below_expected'") == [(0,)]


def test_the_one_line_rule_as_the_programs_alert(tmp_path, db, monkeypatch):
    """expected_response.alert_rule = "percent_change": not on track when a score from week 2 has improved
    less than the set share from intake (12 -> 10 is 17 % better: short of 20 %)."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.toml").write_text(
        '[expected_response]\nalert_rule = "percent_change"\npercent_change_min_improvement = 0.2\n'
    )
    monkeypatch.setenv("IOP_CONFIG", str(config))
    _small_program(tmp_path, db, week_3=10)
    assert rows(db, "SELECT status, explanation FROM recovery_status WHERE episode_id = 'P1#20250106'") == [
        ("not on track", "PHQ-9 10 in week 3: 17 % better than intake 12; the alert in use flags less than 20 % better")
    ]
    [(explanation,)] = rows(db, "SELECT explanation FROM flags WHERE rule_id = 'below_expected'")
    assert explanation.startswith("PHQ-9 10 in week 3: 17 % better")


# --- consecutive_no_shows --------------------------------------------------------------------------


def test_three_no_shows_in_a_row(tmp_path, db):
    sessions = [attended(0), no_show(1), no_show(2), f"P1,{day(3)},group,excused,0,Trauma,Chen", no_show(4)]
    got = flags(tmp_path, db, D(2025, 1, 10), attendance=sessions, rule="consecutive_no_shows")
    assert got == [("red", "3 no-shows in a row; last attended 6 Jan 2025")]


def test_two_no_shows_in_a_row_do_not_fire(tmp_path, db):
    sessions = [no_show(0), attended(1), no_show(2), no_show(3)]
    assert flags(tmp_path, db, D(2025, 1, 10), attendance=sessions, rule="consecutive_no_shows") == []


# --- low_attendance (last 14 days, < 75 %, at least 3 scheduled) -------------------------------------


@pytest.mark.parametrize(
    "pattern,expected",
    [
        ("AANN", [("amber", "attended 2 of 4 scheduled sessions (50 %) in the last 14 days; the standard is 75 %")]),
        ("AAAN", []),  # 75 % is not below 75 %
        ("NN", []),  # too few sessions scheduled to judge
    ],
)
def test_low_attendance(tmp_path, db, pattern, expected):
    # as of day 35 the last 14 days are days 22..35: the no-show on day 21 does not count
    sessions = [no_show(21)] + [attended(25 + i) if c == "A" else no_show(25 + i) for i, c in enumerate(pattern)]
    got = flags(tmp_path, db, ADMIT + dt.timedelta(days=35), attendance=sessions, rule="low_attendance")
    assert got == expected


# --- disengaged (no attended session for 7 days) -----------------------------------------------------


@pytest.mark.parametrize("gap,fires", [(7, True), (6, False)])
def test_disengaged(tmp_path, db, gap, fires):
    got = flags(tmp_path, db, ADMIT + dt.timedelta(days=10 + gap), attendance=[attended(10)], rule="disengaged")
    assert got == ([("red", "no attended session for 7 days (last attended 16 Jan 2025)")] if fires else [])


def test_disengaged_since_admission(tmp_path, db):
    got = flags(tmp_path, db, ADMIT + dt.timedelta(days=8), attendance=[no_show(1)], rule="disengaged")
    assert got == [("red", "no attended session in the 8 days since admission on 6 Jan 2025")]


# --- below_asam_hours (last full week; 9 h adults, 6 h adolescents) ----------------------------------


@pytest.mark.parametrize(
    "birth_year,minutes,expected",
    [
        (
            "1990",
            [180, 180, 174],
            [("amber", "8.9 h attended in the week of 13 Jan 2025; the ASAM level 2.1 minimum is 9 h for adults")],
        ),
        ("1990", [180, 180, 180], []),
        ("2010", [180, 180], []),
        (
            "2010",
            [180, 120],
            [("amber", "5 h attended in the week of 13 Jan 2025; the ASAM level 2.1 minimum is 6 h for adolescents")],
        ),
    ],
)
def test_below_asam_hours(tmp_path, db, birth_year, minutes, expected):
    sessions = [attended(7 + i, minutes=m) for i, m in enumerate(minutes)] + [attended(14)]
    got = flags(tmp_path, db, D(2025, 1, 20), attendance=sessions, birth_year=birth_year, rule="below_asam_hours")
    assert got == expected


# --- measure_overdue (PHQ-9, due every 7 days: overdue more than 7 days after it fell due) -----------


@pytest.mark.parametrize("days_since,fires", [(15, True), (14, False)])
def test_measure_overdue(tmp_path, db, days_since, fires):
    got = flags(tmp_path, db, ADMIT + dt.timedelta(days=3 + days_since), measures=[phq(3, 12)], rule="measure_overdue")
    assert got == ([("amber", "no PHQ-9 for 15 days (last 9 Jan 2025; due every 7 days)")] if fires else [])


# --- scope ------------------------------------------------------------------------------------------


def test_no_flags_for_a_discharged_episode(tmp_path, db):
    assert (
        flags(
            tmp_path,
            db,
            D(2025, 3, 1),
            attendance=[attended(1), no_show(2), no_show(3), no_show(4)],
            measures=[phq(0, 12), phq(14, 20)],
            discharge="2025-02-01",
        )
        == []
    )


def test_flags_as_of_an_earlier_date_ignore_later_data(tmp_path, db):
    got = flags(
        tmp_path, db, D(2025, 1, 15), measures=[phq(0, 12), phq(7, 12), phq(21, 20)], rule="reliable_deterioration"
    )
    assert got == []


def test_the_status_shows_on_the_caseload_and_the_participant_page(tmp_path, db, monkeypatch):
    from conftest import app

    (status, explanation), _ = _status(tmp_path, db, "PHQ-9", 12, 5, 12)
    assert status == "at risk"
    monkeypatch.setenv("IOP_DB", str(db))
    at = app("director")
    at.switch_page("pages/caseload.py").run()
    worklist = at.dataframe[0].value
    assert worklist.loc[worklist["participant_id"] == "P1", "PHQ-9"].tolist() == ["12 (+0) · at risk"]
    at.switch_page("pages/participant.py")
    at.query_params["participant"] = "P1"
    at.run()
    table = next(d.value for d in at.dataframe if "Expected recovery" in d.value.columns)
    assert table["Expected recovery"].tolist() == ["at risk (week 3)"]
    assert any(explanation in c.value.replace("\\", "") for c in at.caption)
