"""AppTest of the caseload and participant pages on a small clinic with known flags, and the
flag-action store (acknowledge, snooze, persistence)."""

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from conftest import CLINIC_AS_OF as AS_OF
from conftest import app, build, chart, measures_row, rows, shown


def _days(n):
    return str(dt.date(2025, 1, 6) + dt.timedelta(days=n))


def _page(path, role="director", clinician=None, **query) -> AppTest:
    at = app(role, clinician=clinician)
    at.run()
    at.switch_page(path)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def test_marts_hold_the_scenario(clinic):
    # P1's 19 in week 6 is past the published curves' 80th percentile for an intake of 12 (10.7): the
    # clinic has no completed episode of its own (test_flags checks the curves' numbers)
    assert rows(clinic, "SELECT participant_id, rule_id, severity FROM flags ORDER BY 1, 2") == [
        ("P1", "below_expected", "red"),
        ("P1", "reliable_deterioration", "red"),
        ("P1", "safety_item", "red"),
        ("P2", "below_asam_hours", "amber"),
        ("P2", "consecutive_no_shows", "red"),
        ("P2", "disengaged", "red"),
        ("P2", "low_attendance", "amber"),
    ]


def test_caseload_rows_and_order(clinic):
    at = _page("pages/caseload.py")
    table = at.dataframe[0].value
    assert table["participant_id"].tolist() == ["P1", "P2", "P3"]
    assert table["priority"].tolist() == ["⚠ SAFETY", "● Red", ""]
    assert table["clinician"].tolist() == ["Chen", "Chen", "Rivera"]  # a director sees whose they are
    assert table.loc[0, "flags"] == "Safety item (PHQ-9) · Deteriorating (PHQ-9) · Not on track (PHQ-9)"
    assert table.loc[1, "flags"] == "Disengaged · No-shows in a row · Hours below ASAM · Low attendance"
    assert table.loc[0, "PHQ-9"] == "19 (+7) · not on track"  # 12 at baseline, 19 now: past the published range
    assert table.loc[2, "PHQ-9"] == "8 (-10) · on track"
    assert table["week_in_program"].tolist() == [6, 6, 6]


def test_caseload_filters_by_clinician(clinic):
    at = _page("pages/caseload.py")
    at.selectbox(key="case_clinician").set_value("Rivera").run()
    assert at.dataframe[0].value["participant_id"].tolist() == ["P3"]


def _select(at, participant):
    """Select the participant's row of the worklist, as a click on it does."""
    index = at.dataframe[0].value["participant_id"].tolist().index(participant)
    version = at.session_state["worklist-version"] if "worklist-version" in at.session_state else 0
    at.session_state["worklist" if not version else f"worklist-{version}"] = {
        "selection": {"rows": [index], "columns": [], "cells": []}
    }
    at.run()


def _act(at, flag_starts, kind, note, taken=None):
    """Select the participant's row, then fill and submit the flag-action form it opens."""
    _select(at, flag_starts.split(":")[0])
    choice = next(o for o in at.selectbox(key="caseload-flag").options if o.startswith(flag_starts))
    at.selectbox(key="caseload-flag").set_value(choice)
    at.radio(key="caseload-kind").set_value(kind)
    if taken:
        at.selectbox(key="caseload-taken").set_value(taken)
    at.text_area(key="caseload-note").input(note)
    at.button(key="FormSubmitter:caseload-form-Save").click().run()


def test_acknowledging_a_flag_persists(clinic):
    at = _page("pages/caseload.py")
    _act(at, "P2: Disengaged", "acknowledge", "Phoned; outreach booked", taken="referred")
    assert not at.exception
    # a fresh session (another user, after a reload) sees it acknowledged
    again = _page("pages/caseload.py")
    table = again.dataframe[0].value
    assert table.loc[1, "flags"] == "No-shows in a row · Hours below ASAM · Low attendance"
    assert table.loc[1, "handled"] == "Disengaged — acknowledged by dr.chen@example.org"
    handled = again.dataframe[1].value
    assert handled[["Participant", "Flag", "State", "Until", "Action taken", "Note", "By"]].values.tolist() == [
        ["P2", "Disengaged", "acknowledged", "", "referred", "Phoned; outreach booked", "dr.chen@example.org"]
    ]


def _worklist_selection(at) -> list[int]:
    version = at.session_state["worklist-version"] if "worklist-version" in at.session_state else 0
    return list(at.session_state["worklist" if not version else f"worklist-{version}"]["selection"]["rows"])


def test_after_a_save_the_form_stays_on_the_person_acted_on_when_the_list_re_sorts(clinic):
    """P1 is row 1 (safety flag). Acknowledging it leaves P1 one red flag, so P2 (four) moves above: the
    heading, the selected row, the form and 'Open participant progress' stay on P1, the flag box moves to
    P1's next open flag, and P2 is offered by name."""
    at = _page("pages/caseload.py")
    _act(at, "P1: Safety item", "acknowledge", "Safety plan reviewed with P1")
    assert not at.exception
    assert at.dataframe[0].value["participant_id"].tolist() == ["P2", "P1", "P3"]  # re-sorted
    assert shown(at.success[0].value).startswith("Saved: P1: Safety item (PHQ-9) acknowledged")
    assert shown(at.subheader[0].value) == "P1: act on a flag"
    assert _worklist_selection(at) == [1]  # the row selected is P1's, where the list now has it
    assert at.selectbox(key="caseload-flag").value.startswith("P1: Deteriorating (PHQ-9)")
    assert at.button(key="next_open").label == "Next with an open flag: P2 (● Red)"
    at.button(key="open_participant").click().run()
    assert at.query_params["participant"] in ("P1", ["P1"])


def test_the_next_button_moves_the_table_and_the_form_to_that_person(clinic):
    at = _page("pages/caseload.py")
    _act(at, "P1: Safety item", "acknowledge", "Safety plan reviewed")
    at.button(key="next_open").click().run()
    assert shown(at.subheader[0].value) == "P2: act on a flag"
    assert _worklist_selection(at) == [0]
    assert at.selectbox(key="caseload-flag").value.startswith("P2: Disengaged")
    # a click on another row after all that is read against the order on screen
    _select(at, "P3")
    assert shown(at.subheader[0].value) == "P3: act on a flag"


def test_after_a_snooze_the_flag_box_moves_to_the_next_open_flag(clinic):
    at = _page("pages/caseload.py")
    _act(at, "P2: No-shows in a row", "snooze", "Outreach call Friday")
    assert shown(at.success[0].value).startswith("Saved: P2: No-shows in a row snoozed")
    options = at.selectbox(key="caseload-flag").options
    assert options[-1].startswith("P2: No-shows in a row")  # still choosable (to acknowledge), after the open ones
    assert at.selectbox(key="caseload-flag").value.startswith("P2: Disengaged")


def test_safety_flag_cannot_be_snoozed(clinic):
    at = _page("pages/caseload.py")
    _act(at, "P1: Safety item", "snooze", "Call back later this week")
    assert at.error[0].value == "Not saved: safety flags can be acknowledged, never snoozed."


def test_participant_page_shows_the_marts(clinic):
    at = _page("pages/participant.py", participant="P1")
    assert shown(at.markdown[1].value) == (
        "**Track:** Trauma · **Admitted:** 06 Jan 2025 · **Week in program:** 6 · "
        "**Clinician:** Chen · **Status:** open"
    )
    flags = sorted(shown(e.value) for e in at.error)
    assert flags == [
        "**Deteriorating (PHQ-9)** — PHQ-9 12 → 19: up 7 since intake; reliable change is 6",
        "**Not on track (PHQ-9)** — PHQ-9 19 in week 6; people starting at 12 in published trials are usually "
        "3.1–9.9 by week 6 (the middle half of 30 trial participants of similar severity, scaled to this intake; "
        "the program has 0 completed episodes, 50 needed for its own); above 10.7 is not on track",
        "**Safety item (PHQ-9)** — PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered 1 on 10 Feb 2025",
    ]
    assert shown(at.markdown[0].value) == "**P1** · Episode 1: 06 Jan 2025 – open"
    outcomes = at.dataframe[0].value
    # results in words: the change against its threshold, Yes/No, never true/false
    assert outcomes.to_dict("records") == [
        {
            "Instrument": "PHQ-9",
            "Intake": "12",
            "Latest": "19",
            "Change": "+7 points: reliable deterioration (threshold 6)",
            "Category": "deteriorated",
            "Response": "No",
            "Remission": "No",
            "Expected recovery": "not on track (week 6)",
            "Scores": 6,  # no completed episodes to compare with
            "After discharge": "—",
        }
    ]
    trajectory = chart(at, 0)
    scores = next(t for t in trajectory["data"] if t.get("name") == "PHQ-9")
    assert scores["y"] == [12, 12, 12, 12, 12, 19]
    assert trajectory["data"][0]["name"] == "no reliable change (baseline 12 ± 6)"
    # the axis spans the episode so far (admitted 6 Jan, data to 14 Feb), not the 12 weeks of the band
    assert [x[:10] for x in trajectory["layout"]["xaxis"]["range"]] == ["2025-01-04", "2025-02-17"]
    assert trajectory["layout"]["legend"]["y"] < 0 and "text" not in trajectory["layout"]["xaxis"].get("title", {})
    # the legend below the axis, which has no title to collide with
    heatmap = chart(at, 1)
    assert heatmap["data"][0]["y"][0] == "1 little interest or pleasure"  # item text from the catalogue
    assert heatmap["data"][0]["y"][-1] == "9 better off dead or self-harm (safety)"
    assert len(heatmap["layout"]["shapes"]) == 1  # the one endorsed item 9 is outlined


def test_participant_lookup_ignores_case_and_surrounding_spaces(clinic):
    at = _page("pages/participant.py", participant="  p1 ")
    assert shown(at.markdown[1].value).startswith("**Track:** Trauma")
    assert shown(at.markdown[0].value) == "**P1** · Episode 1: 06 Jan 2025 – open"


def test_participant_page_for_an_unknown_id(clinic):
    at = _page("pages/participant.py", participant="NOPE")
    assert at.warning[0].value == "No participant NOPE in the loaded data."


def _chromium_or_skip():
    import os
    import shutil

    if not shutil.which("chromium") and not os.environ.get("CI"):
        pytest.skip("case-review export needs Debian's chromium (CI installs it)")


def test_case_review_export_is_a_pdf_and_a_png(clinic):
    _chromium_or_skip()
    import io

    from PIL import Image
    from pypdf import PdfReader

    from dashboard.documents.case_review import case_review_files
    from dashboard.views.participant import episode_view

    files = case_review_files(episode_view("P1"))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(files["pdf"])).pages]
    assert len(pages) >= 2
    for n, text in enumerate(pages, start=1):
        assert "Case review · P1 · Episode 1: 06 Jan 2025 – open" in text and f"page {n} of {len(pages)}" in text
    text = "\n".join(pages)
    for section in (
        "Episode",
        "Open flags",
        "Outcome summary",
        "PHQ-9 over the episode",
        "PHQ-9 item answers",
        "Sessions by day and type",
        "Weekly hours",
    ):
        assert section in text
    png = Image.open(io.BytesIO(files["png"]))
    assert png.format == "PNG" and png.width == 1122 and png.height > 2000


def test_trajectory_toggles_to_treatment_weeks(clinic):
    at = _page("pages/participant.py", participant="P1")
    assert chart(at, 0)["layout"]["xaxis"]["tickformat"] == "%d %b"  # dates say what they are: no axis title
    at.toggle(key="weeks_axis").set_value(True).run()
    trajectory = chart(at, 0)
    assert trajectory["layout"]["xaxis"]["tickprefix"] == "week "
    scores = next(t for t in trajectory["data"] if t.get("name") == "PHQ-9")
    assert scores["x"] == [1, 2, 3, 4, 5, 6]  # days 0, 7, ... 35: treatment weeks 1 to 6
    assert [c[2] for c in scores["customdata"]] == ["1", "2", "3", "4", "5", "6"]
    assert trajectory["layout"]["xaxis"]["range"] == [0.8, 6.57 + 0.5]  # week 1 to 14 Feb (day 39 = 6.57)


def test_the_worklist_puts_safety_first_then_red_then_amber(tmp_path, monkeypatch):
    """Safety before red before amber whatever the week: the safety participant was admitted last."""
    db = tmp_path / "iop.duckdb"
    roster = [
        "RED,2025-01-06,,,Trauma,Chen,1990,",
        "AMBER,2025-01-06,,,Trauma,Chen,1985,",
        "SAFE,2025-01-27,,,Trauma,Chen,1980,",
    ]
    attendance = [
        f"{p},{_days(d)},group,attended,180,Trauma,Chen"
        for d in range(40)
        if d % 7 < 5
        for p in ("RED", "AMBER", "SAFE")
        if p != "SAFE" or d >= 21
    ]
    measures = [measures_row("RED", _days(7 * w), "PHQ-9", 12 if w < 5 else 19) for w in range(6)]
    measures += [measures_row("AMBER", _days(7 * w), "PHQ-9", 15) for w in range(6)]
    measures += [measures_row("SAFE", _days(21 + 7 * w), "PHQ-9", "", [1, 1, 1, 1, 1, 1, 1, 0, 2]) for w in range(3)]
    # no published curves: AMBER's flat 15 would be not on track against them (red), and this is about order
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.toml").write_text("[expected_response]\npublished_curves = false\n")
    monkeypatch.setenv("IOP_CONFIG", str(config))
    build(tmp_path, db, roster=roster, attendance=attendance, measures=measures, as_of=AS_OF)
    monkeypatch.setenv("IOP_DB", str(db))
    at = _page("pages/caseload.py")
    table = at.dataframe[0].value
    assert table[["participant_id", "priority", "week_in_program"]].values.tolist() == [
        ["SAFE", "⚠ SAFETY", 3],
        ["RED", "● Red", 6],
        ["AMBER", "○ Amber", 6],
    ]
    assert table.loc[0, "flags"].startswith("Safety item (PHQ-9)")
    assert (
        shown(at.markdown[0].value) == "**3** open episodes · **1** with a safety flag · **1** with a red flag · "
        "**1** with amber flags only"
    )


def test_a_long_worklist_comes_a_page_at_a_time_and_its_page_follows_the_person_acted_on(clinic, monkeypatch):
    """A page of one row here (200 in use): a whole program's open episodes are never one table."""
    from dashboard.ui import tables

    monkeypatch.setattr(tables, "PAGE_ROWS", 1)
    at = _page("pages/caseload.py")
    assert at.selectbox(key="worklist-page").options == [
        "1–1 of 3, most urgent first",
        "2–2 of 3, most urgent first",
        "3–3 of 3, most urgent first",
    ]
    assert at.dataframe[0].value["participant_id"].tolist() == ["P1"]
    assert "**3** open episodes" in at.markdown[0].value  # the counts are the whole list's
    # acknowledging P1's safety flag moves P2 above P1: the page follows P1 to the second
    _act(at, "P1: Safety item", "acknowledge", "Safety plan reviewed with P1")
    assert at.selectbox(key="worklist-page").value == 1
    assert at.dataframe[0].value["participant_id"].tolist() == ["P1"]
    assert _worklist_selection(at) == [0] and shown(at.subheader[0].value) == "P1: act on a flag"
    # turning the page is browsing: the choice leaves with the rows it was on
    at.selectbox(key="worklist-page").set_value(2).run()
    assert at.dataframe[0].value["participant_id"].tolist() == ["P3"]
    assert not [h for h in at.subheader if h.value.endswith("act on a flag")]
    _select(at, "P3")
    assert shown(at.subheader[0].value) == "P3: act on a flag"
