"""The continued-stay review packet: one view on the participant page and in a one-page PDF, worked
by hand on a crafted episode, and the clinician's justification saved, audited and carried in it.

P1 (Trauma, Chen, born 1990) is admitted Monday 6 Jan 2025 and attends a 3-hour group every weekday
to Friday 24 Jan (the data date) but Thursday 16 Jan (no-show): 14 days, 42 h. Authorization A1
(6-26 Jan) authorizes 15 days and 45 hours. PHQ-9 18 at intake (6 Jan), 10 on 20 Jan with item 9
endorsed (a safety flag, acknowledged below)."""

import datetime as dt
import io
import json

import pytest
from pypdf import PdfReader

from conftest import app, build, load_files, measures_row, scenario, shown, write

AS_OF = dt.date(2025, 1, 24)
AUTH = (
    "participant_id,payer,authorization_id,start_date,end_date,authorized_sessions,authorized_hours\n"
    "P1,State Medicaid,A1,2025-01-06,2025-01-26,15,45\n"
)


def _make_program(tmp_path, db):
    days = [dt.date(2025, 1, 6) + dt.timedelta(days=d) for d in range(19) if d % 7 < 5]
    attendance = [
        f"P1,{d},group,{'no_show,0' if d == dt.date(2025, 1, 16) else 'attended,180'},Trauma,Chen" for d in days
    ]
    measures = [
        measures_row("P1", "2025-01-06", "PHQ-9", 18),
        measures_row("P1", "2025-01-20", "PHQ-9", "", [2, 1, 1, 1, 1, 1, 1, 1, 1]),
    ]
    build(
        tmp_path,
        db,
        roster=["P1,2025-01-06,,,Trauma,Chen,1990,"],
        attendance=attendance,
        measures=measures,
        as_of=AS_OF,
    )
    load_files(db, write(tmp_path, "auth.csv", AUTH), as_of=AS_OF)


@pytest.fixture
def program(request, monkeypatch):
    db = scenario(request, _make_program)  # loaded once for the module, copied for each test
    monkeypatch.setenv("IOP_DB", str(db))
    return db


def _view():
    from dashboard.store import db
    from dashboard.views.participant import episode_view

    with db.scoped(db.EVERYTHING):
        return episode_view("P1")


def _packet():
    from dashboard.store import db
    from dashboard.views import stay_review

    with db.scoped(db.EVERYTHING):
        return stay_review.packet(_view())


def test_the_packet_by_hand(program):
    from dashboard.store import flag_actions

    view = _view()
    [flag] = view.flags.to_dict("records")
    flag_actions.record_action(flag, "acknowledged", "plan adjusted", "safety plan reviewed", "dr.chen", today=AS_OF)
    p = _packet()
    assert p.facts.values.tolist() == [
        ["Level of care", "not recorded"],
        ["Track", "Trauma"],
        ["Admitted", "06 Jan 2025 (week 3 of treatment)"],
        ["Status", "open"],
        ["Primary clinician", "Chen"],
        ["Payer", "State Medicaid"],
        ["Authorization", "A1: 06 Jan 2025 – 26 Jan 2025"],
        ["Authorized", "through 26 Jan 2025 (2 days after the data date, 24 Jan 2025)"],
        ["Data as of", "24 Jan 2025"],
    ]
    assert p.attendance.values.tolist() == [
        ["Days attended, this authorization (06 Jan 2025 – 26 Jan 2025)", "14", "15 days authorized"],
        ["Hours attended, this authorization (06 Jan 2025 – 26 Jan 2025)", "42.0 h", "45 h authorized"],
        ["Sessions attended since admission", "14", "of 15 scheduled"],
        ["Hours attended since admission", "42.0 h", ""],
        # the weeks of 6 and 13 Jan are full (the week of 20 Jan is not, on Friday 24 Jan): 15 h and 12 h
        ["Hours, last full week (from 13 Jan 2025)", "12.0 h", "ASAM 2.1 minimum 9 h a week (adult)"],
        ["Full weeks at or above the ASAM minimum", "2", "of 2 full weeks"],
    ]
    assert p.scores.values.tolist() == [
        [
            "PHQ-9",
            "18 (moderately severe), 06 Jan 2025",
            "10 (moderate), 20 Jan 2025",
            "−8 points: reliable improvement (threshold 6)",
            "on track (week 3)",  # 44 % better by week 3: inside the published curves
        ]
    ]
    [row] = p.flags.values.tolist()
    assert row[0] == "Safety item (PHQ-9)" and "item 9" in row[1]
    assert row[2:] == ["acknowledged", f"plan adjusted: safety plan reviewed (dr.chen, {dt.date.today()})"]
    assert p.justification is None and p.justification_line == "No justification written yet."


def test_a_justification_is_refused_when_empty_or_longer_than_the_page(program):
    from dashboard.store import app_state, stay_justifications

    for text, why in (
        ("  ", "write a justification of at least 40 characters"),
        (
            "Needs more time in IOP.",
            "write a justification of at least 40 characters",
        ),  # 23: says nothing a payer reads
        ("x" * 2001, "the justification is 2,001 characters; the packet's page holds 2,000"),
    ):
        with pytest.raises(app_state.ActionRefused, match=why):
            stay_justifications.save_justification("P1", "P1#20250106", text, "dr.chen")
    assert stay_justifications.justifications("P1#20250106").empty


def test_the_pdf_is_one_page_with_the_hours_scores_and_justification(program):
    from test_reports import _chromium_or_skip

    _chromium_or_skip()
    from dashboard.documents import stay_packet
    from dashboard.store import stay_justifications

    typed = "Needs two more weeks: <b>sleep</b> & trauma processing not yet begun."
    stay_justifications.save_justification("P1", "P1#20250106", typed, "dr.chen")
    stay_justifications.save_justification(
        "P1", "P1#20250106", "An earlier draft is not the one in the packet.", "dr.chen"
    )
    stay_justifications.save_justification("P1", "P1#20250106", typed, "dr.chen")
    pages = PdfReader(io.BytesIO(stay_packet.pdf(_packet()))).pages
    assert len(pages) == 1
    text = " ".join(pages[0].extract_text().split())
    for expected in (
        "Continued-stay review · P1",
        "42.0 h 45 h authorized",
        "14 15 days authorized",
        "ASAM 2.1 minimum 9 h a week (adult)",
        "18 (moderately severe), 06 Jan 2025",
        "10 (moderate), 20 Jan 2025",
        "reliable improvement (threshold 6)",
        typed,
        "By dr.chen,",
        "page 1 of 1",
    ):
        assert expected in text, expected
    assert "earlier draft" not in text


def test_the_clinician_saves_a_justification_on_the_page_and_it_is_audited(program):
    from dashboard.store import audit

    at = app("clinician", clinician="Chen")
    at.query_params["participant"] = "P1"
    at.switch_page("pages/participant.py").run()
    assert not at.exception, at.exception
    assert "The packet can be downloaded once a justification is saved" in " ".join(c.value for c in at.caption)
    at.text_area(key="stay-text").input("Still at risk: safety plan active; two more weeks.")
    at.button(key="FormSubmitter:stay-form-Save justification").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success][-1].startswith("Saved: the justification by")
    assert at.text_area(key="stay-text").value == ""  # emptied once saved
    written = next(d.value for d in at.dataframe if "Justification" in d.value.columns)
    assert written["Justification"].tolist() == ["Still at risk: safety plan active; two more weeks."]
    [entry] = audit.entries().query("event == 'stay_justification'").to_dict("records")
    assert entry["participant_id"] == "P1" and entry["role"] == "clinician"
    assert json.loads(entry["detail"]) == {
        "characters": 50,
        "episode_id": "P1#20250106",
    }  # the text stays out of the log
    fresh = app("clinician", clinician="Chen")  # a reload: still there
    fresh.query_params["participant"] = "P1"
    fresh.switch_page("pages/participant.py").run()
    assert next(d.value for d in fresh.dataframe if "Justification" in d.value.columns)["Justification"].tolist() == [
        "Still at risk: safety plan active; two more weeks."
    ]
    assert not [c for c in fresh.caption if "once a justification is saved" in c.value]


def test_an_empty_justification_is_refused_on_the_page_with_the_reason(program):
    at = app("clinician", clinician="Chen")
    at.query_params["participant"] = "P1"
    at.switch_page("pages/participant.py").run()
    at.button(key="FormSubmitter:stay-form-Save justification").click().run()
    assert shown([e.value for e in at.error][-1]) == (
        "Not saved: write a justification of at least 40 characters: symptoms and risk, progress, what the next "
        "period will address."
    )
