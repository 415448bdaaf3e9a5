"""One definition, one place: the treatment week, what a status means, the settings and the
instrument catalogue are stored in the database a build made, and everything reads them there.

P1 is admitted on Monday 6 Jan 2025; 50 completed episodes give the program's expected response."""

import datetime as dt

import pytest

from conftest import (
    ATTENDANCE_HEADER,
    PROGRAM_INSTRUMENT,
    app,
    build,
    chart,
    etl_cli,
    load_files,
    measures_row,
    rows,
    scenario,
    shown,
    write,
)

D = dt.date
ADMIT = D(2025, 1, 6)


def day(n: int) -> str:
    return str(ADMIT + dt.timedelta(days=n))


def _history_week_7():
    """50 completed episodes starting moderately severe (PHQ-9 16) whose day-42 scores (treatment week
    7) are 5..14, five each: p80 12.2, p90 13.1 in week 7."""
    roster, measures = [], []
    for i in range(50):
        pid = f"H{i:02d}"
        roster.append(f"{pid},2024-06-03,2024-08-01,completed,Trauma,Chen,1990,yes")
        measures += [measures_row(pid, "2024-06-03", "PHQ-9", 16), measures_row(pid, "2024-07-15", "PHQ-9", 5 + i % 10)]
    return roster, measures


def _make_week_seven(tmp_path, db):
    roster, measures = _history_week_7()
    roster.append("P1,2025-01-06,,,Trauma,Chen,1990,")
    measures += [measures_row("P1", day(0), "PHQ-9", 16), measures_row("P1", day(42), "PHQ-9", 15)]
    build(tmp_path, db, roster=roster, measures=measures, as_of=D(2025, 2, 19))


@pytest.fixture
def week_seven(request, monkeypatch):
    """P1: PHQ-9 16 at admission, 15 on day 42 (a Monday: treatment week 7), data as of day 44."""
    db = scenario(request, _make_week_seven)  # loaded once for the module, copied for each test
    monkeypatch.setenv("IOP_DB", str(db))
    return db


def test_one_score_has_one_week_number_everywhere(week_seven):
    db = week_seven
    assert rows(db, "SELECT treatment_week FROM assessments WHERE participant_id = 'P1' ORDER BY assessed_on") == [
        (1,),
        (7,),
    ]
    explanations = dict(rows(db, "SELECT rule_id, explanation FROM flags WHERE participant_id = 'P1'"))
    assert explanations["no_improvement"].startswith("PHQ-9 16 → 15 in week 7:")
    assert explanations["below_expected"].startswith(
        "PHQ-9 15 in week 7; people starting at 16 here are usually 7–12 by week 7"
    )
    assert rows(
        db, "SELECT p80, p90 FROM expected_response WHERE intake_stratum = 'moderately severe' AND treatment_week = 7"
    ) == [(12.2, 13.1)]
    at = app("director")
    at.run()
    at.switch_page("pages/participant.py")
    at.query_params["participant"] = "P1"
    at.run()
    assert "**Week in program:** 7 ·" in at.markdown[1].value  # day 44: week 7
    flag_texts = [shown(e.value) for e in [*at.error, *at.warning] if "PHQ-9" in shown(e.value)]  # the score's flags
    assert len(flag_texts) == 2 and all("PHQ-9 15 in week 7" in t or "→ 15 in week 7" in t for t in flag_texts), (
        flag_texts
    )
    at.toggle(key="weeks_axis").set_value(True).run()
    figure = chart(at, 0)
    scores = next(t for t in figure["data"] if t.get("name") == "PHQ-9")
    assert scores["x"] == [1, 7] and [c[2] for c in scores["customdata"]] == ["1", "7"]  # inside week 7: 7 <= x < 8
    # the chart draws the limit the status and flag are judged against: week 7's, mid-week
    limit = next(t for t in figure["data"] if t.get("name") == "not on track beyond")
    assert dict(zip(limit["x"], limit["y"]))[7.5] == 12.2


def test_no_shows_with_the_appointment_length_load_and_count(tmp_path, db):
    lines = [f"P1,{day(0)},group,attended,180,Trauma,Chen"] + [
        f"P1,{day(d)},group,no show,180,Trauma,Chen" for d in (1, 2, 3)
    ]
    [result] = load_files(
        db, write(tmp_path, "a.csv", ATTENDANCE_HEADER + "\n".join(lines) + "\n"), as_of=D(2025, 1, 10)
    )
    assert result.counts == {"read": 4, "loaded": 4, "updated": 0, "rejected": 0, "duplicate": 0}
    assert result.notes == [
        (
            0,
            "3 rows with status no_show gave minutes: kept as the scheduled length "
            "(scheduled_minutes), with 0 minutes attended",
        )
    ]
    assert (
        rows(db, "SELECT status, minutes, scheduled_minutes, attended, no_show FROM sessions ORDER BY session_date")
        == [("attended", 180, None, True, False)] + [("no_show", 0, 180, False, True)] * 3
    )
    assert rows(db, "SELECT severity, explanation FROM flags WHERE rule_id = 'consecutive_no_shows'") == [
        ("red", "3 no-shows in a row; last attended 6 Jan 2025")
    ]
    assert rows(db, "SELECT hours_attended FROM attendance_weekly") == [(3.0,)]  # scheduled time is not attended


def test_a_baseline_outside_the_window_gives_an_insufficient_data_row(tmp_path, db):
    build(
        tmp_path,
        db,
        roster=["P1,2025-01-06,,,Trauma,Chen,1990,"],
        attendance=[f"P1,{day(d)},group,attended,180,Trauma,Chen" for d in range(0, 10)],
        measures=[measures_row("P1", day(-20), "PHQ-9", 18)],
        as_of=D(2025, 1, 20),
    )
    assert rows(db, "SELECT jt_category, n_scores, outcome_note FROM participant_outcomes") == [
        ("insufficient_data", 0, "no score in this episode; the last was on 17 Dec 2024 (before admission)")
    ]
    build(tmp_path, db, measures=[measures_row("P1", day(10), "PHQ-9", 15)], as_of=D(2025, 1, 20))
    assert rows(db, "SELECT jt_category, n_scores, outcome_note FROM participant_outcomes") == [
        (
            "insufficient_data",
            1,
            "no baseline from 14 days before to 7 days after admission; the first score is from week 2",
        )
    ]


def test_settings_and_definitions_are_stored_in_the_database(tmp_path, db):
    build(tmp_path, db, attendance=[f"P1,{day(0)},group,attended,180,Trauma,Chen"], as_of=D(2025, 1, 10))
    assert rows(db, "SELECT number FROM settings WHERE name = 'flags_low_attendance_days'") == [(14.0,)]
    assert rows(db, "SELECT list FROM settings WHERE name = 'attendance_attended'") == [
        (["attended", "late", "left_early"],)
    ]
    assert rows(
        db,
        "SELECT treatment_week(DATE '2025-01-12', DATE '2025-01-06'), treatment_week(DATE '2025-01-13', "
        "DATE '2025-01-06'), treatment_week(DATE '2025-01-05', DATE '2025-01-06')",
    ) == [(1, 2, 0)]
    assert rows(db, "SELECT setting_number('flags_disengaged_days')") == [(7.0,)]
    [(source, digest)] = rows(
        db, "SELECT source_file, source_sha256 FROM instrument_catalogue WHERE instrument = 'PHQ-9'"
    )
    assert source == "shipped instruments.toml" and len(digest) == 64
    assert rows(db, "SELECT track, instrument, every_days FROM measurement_plan ORDER BY 2, 1") == [
        ("Dual Diagnosis", "AUDIT-C", 28),
        ("Substance Use", "AUDIT-C", 28),
        ("Dual Diagnosis", "BAM", 28),
        ("Substance Use", "BAM", 28),
        ("Dual Diagnosis", "DAST-10", 28),
        ("Substance Use", "DAST-10", 28),
        ("*", "GAD-7", 7),
        ("Trauma", "PCL-5", 14),
        ("*", "PHQ-9", 7),
    ]
    assert rows(
        db,
        "SELECT takes_instrument('Trauma', 'PCL-5'), takes_instrument('Substance Use', 'PCL-5'), "
        "takes_instrument(NULL, 'PHQ-9'), takes_instrument('Trauma', 'AUDIT-C'), "
        "takes_instrument('Substance Use', 'BAM'), takes_instrument('Trauma', 'K10')",
    ) == [(True, False, True, False, True, True)]  # an instrument the plan does not list: every track
    assert rows(db, "SELECT label FROM instrument_items WHERE instrument = 'PHQ-9' AND item_number = 9") == [
        ("better off dead or self-harm",)
    ]


def test_a_programs_measurement_plan_replaces_the_shipped_one_and_a_bad_one_is_named(tmp_path, db, monkeypatch):
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("IOP_CONFIG", str(config))
    (config / "settings.toml").write_text(
        '[measurement]\nplan = [{ track = "Substance Use", instrument = "AUDIT-C", every_days = 28 }]\n'
    )
    build(tmp_path, db, attendance=[f"P1,{day(0)},group,attended,180,Trauma,Chen"], as_of=D(2025, 1, 10))
    assert rows(db, "SELECT * FROM measurement_plan") == [("Substance Use", "AUDIT-C", 28)]
    (config / "settings.toml").write_text('[measurement]\nplan = [{ track = "Trauma", instrument = "PCL-5" }]\n')
    result = etl_cli("rebuild", "--db", db, env={"IOP_CONFIG": str(config)})
    assert result.returncode != 0
    assert "measurement.plan entry 1 needs exactly track, instrument and every_days" in result.stderr
    assert rows(db, "SELECT * FROM measurement_plan") == [("Substance Use", "AUDIT-C", 28)]  # unchanged


def test_a_programs_instrument_survives_a_rebuild_and_a_load_without_its_configuration(tmp_path, db, monkeypatch):
    config = tmp_path / "config"
    config.mkdir()
    (config / "instruments.toml").write_text(PROGRAM_INSTRUMENT)
    monkeypatch.setenv("IOP_CONFIG", str(config))
    build(
        tmp_path,
        db,
        roster=["P1,2025-01-06,,,Trauma,Chen,1990,"],
        measures=[measures_row("P1", day(0), "WEMWBS-7", 15), measures_row("P1", day(21), "WEMWBS-7", 24)],
        as_of=D(2025, 2, 1),
    )
    before = rows(db, "SELECT episode_id, baseline_score, latest_score, jt_category FROM participant_outcomes")
    assert before == [("P1#20250106", 15, 24, "recovered")]
    # a rebuild and a load from somewhere the configuration folder is not
    monkeypatch.setenv("IOP_CONFIG", str(tmp_path / "elsewhere"))
    result = etl_cli("rebuild", "--db", db, env={"IOP_CONFIG": str(tmp_path / "elsewhere")})
    assert result.returncode == 0, result.stderr
    assert (
        "note: WEMWBS-7: no catalogue file defines it now, but 2 assessments use it, so its stored definition"
        in result.stdout
    )
    assert rows(db, "SELECT episode_id, baseline_score, latest_score, jt_category FROM participant_outcomes") == before
    [r] = build(tmp_path, db, measures=[measures_row("P1", day(24), "WEMWBS 7", 26)], as_of=D(2025, 2, 1))
    assert r.status == "loaded" and r.counts["loaded"] == 1  # still matched by name, still scored
    assert rows(db, "SELECT latest_score, jt_category FROM participant_outcomes") == [(26, "recovered")]
    assert rows(db, "SELECT source_file FROM instrument_catalogue WHERE instrument = 'WEMWBS-7'") == [
        (str(config / "instruments.toml"),)
    ]


def test_a_configuration_that_would_drop_an_instrument_in_use_is_refused(tmp_path, db, monkeypatch):
    config = tmp_path / "config"
    config.mkdir()
    (config / "instruments.toml").write_text(PROGRAM_INSTRUMENT)
    monkeypatch.setenv("IOP_CONFIG", str(config))
    build(
        tmp_path,
        db,
        roster=["P1,2025-01-06,,,Trauma,Chen,1990,"],
        measures=[measures_row("P1", day(0), "WEMWBS-7", 15)],
        as_of=D(2025, 2, 1),
    )
    before = db.read_bytes()
    (config / "instruments.toml").write_text("# the program's instruments\n")
    result = etl_cli("rebuild", "--db", db, env={"IOP_CONFIG": str(config)})
    assert result.returncode == 1
    assert f"{config / 'instruments.toml'} no longer defines WEMWBS-7, which 1 assessments use" in result.stderr
    assert db.read_bytes() == before  # unchanged
    [r] = build(tmp_path, db, attendance=[f"P1,{day(1)},group,attended,180,Trauma,Chen"], as_of=D(2025, 2, 1))
    assert r.status == "failed" and "no longer defines WEMWBS-7" in r.message
    assert db.read_bytes() == before


def test_the_python_weeks_are_the_sql_treatment_week_day_by_day():
    """clinical/weeks.py (a chart's axis, a duration) and the treatment_week() macro every mart reads
    give the same week for every day from three weeks before admission to a year after."""
    import duckdb
    import pandas as pd

    from clinical.build import SETUP
    from clinical.weeks import treatment_week, week_position, weeks_between

    con = duckdb.connect()
    con.execute("CREATE TABLE settings (name VARCHAR, number DOUBLE, text VARCHAR, list VARCHAR[])")
    con.execute("CREATE TABLE measurement_plan (track VARCHAR, instrument VARCHAR, every_days INTEGER)")
    con.execute((SETUP / "definitions.sql").read_text())
    days = [ADMIT + dt.timedelta(days=n) for n in range(-21, 366)]
    sql = [
        w
        for (w,) in con.execute("SELECT treatment_week(d, ?) FROM unnest(?::DATE[]) AS t(d)", [ADMIT, days]).fetchall()
    ]
    dates = pd.Series(pd.to_datetime(days))
    assert treatment_week(dates, ADMIT).tolist() == sql
    assert [
        int(w) for w in week_position(dates, ADMIT).apply(lambda p: p // 1)
    ] == sql  # a position rounds down to its week
    assert (
        treatment_week(ADMIT + dt.timedelta(days=6), ADMIT) == 1
        and treatment_week(ADMIT + dt.timedelta(days=7), ADMIT) == 2
    )
    assert weeks_between(ADMIT, ADMIT + dt.timedelta(days=10)) == pytest.approx(10 / 7)


def test_every_flag_the_mart_fires_is_one_rule_of_the_flag_list():
    """05_flags.sql names each rule it fires; clinical/flags.toml (stored as flag_rules) gives each its
    label, severity and place, read by the mart and every list: none fired is missing from the list."""
    import re

    from clinical import flag_rules
    from clinical.marts import SQL

    fired = set(re.findall(r"^\s*SELECT [^']*'(\w+)'(?: AS rule_id)?,", (SQL / "05_flags.sql").read_text(), flags=re.M))
    assert fired == set(flag_rules.rules()), fired ^ set(flag_rules.rules())
    assert [r.rule for r in flag_rules.rules().values() if r.safety] == ["safety_item"]
    assert [r.rule for r in flag_rules.rules().values() if r.review] == ["below_expected"]
    ranks = [r.rank for r in flag_rules.rules().values()]
    assert ranks == sorted(ranks)  # listed in the order lists show them: safety, red, amber
