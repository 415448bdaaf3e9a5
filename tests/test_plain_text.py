"""No markdown or HTML from data or from people renders: participant ids, track and clinician names,
notes, file names, reject reasons and typed text are shown as typed on every page that shows them,
and chart labels carry no live markup. AppTest gives each element's markdown source: the raw text
must never appear in it unescaped, and what a reader sees must be the raw text."""

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from conftest import app, build, measures_row, scenario, shown

PID = "![p](//evil.example/p.png)"  # markdown, HTML and a link, in an id the loader accepts
TRACK = '<a href="javascript:alert(1)">[t](http://evil.example)</a>'
CLINICIAN = "**Chen**"
NOTE = "![n](http://evil.example/beacon.png) <img src=x onerror=alert(1)> [click](javascript:alert(1))"


def _csv(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _make_program(tmp_path, db):
    start = dt.date(2025, 1, 6)

    def day(n):
        return str(start + dt.timedelta(days=n))

    roster = [f"{_csv(PID)},{start},,,{_csv(TRACK)},{_csv(CLINICIAN)},1990,"]
    attendance = [
        f"{_csv(PID)},{day(d)},group,attended,180,{_csv(TRACK)},{_csv(CLINICIAN)}" for d in range(0, 30) if d % 7 < 5
    ]
    measures = [measures_row(_csv(PID), day(7 * w), "PHQ-9", "", [2, 2, 2, 2, 2, 1, 1, 0, 1]) for w in range(4)]
    build(
        tmp_path,
        db,
        roster=roster,
        attendance=attendance,
        measures=measures,
        as_of=dt.date(2025, 2, 7),
        today=dt.date(2025, 3, 1),
    )


@pytest.fixture
def program(request, monkeypatch):
    db = scenario(request, _make_program)  # loaded once for the module, copied for each test
    monkeypatch.setenv("IOP_DB", str(db))
    return db


def _sources(at) -> list[str]:
    """The markdown source of every element that renders markdown."""
    out = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title", "subheader", "header"):
        out += [e.value for e in getattr(at, kind)]
    out += [v for m in at.metric for v in (m.label, m.value)]
    return out


def _plain_everywhere(at, *raw: str) -> None:
    import re

    for source in _sources(at):
        for text in raw:
            assert text not in source, (text, source)
        live = re.sub(r"\\.", "", source)  # what markdown would still read as markup: unescaped characters
        for token in ("![", "](", "<img", "<a "):
            assert token not in live, (token, source)


def _charts(at) -> str:
    """Every figure's JSON as the browser gets it (plotly writes < as \\u003c: decoded here)."""
    return " ".join(
        json.dumps(json.loads(at.get("plotly_chart")[i].proto.spec)) for i in range(len(at.get("plotly_chart")))
    )


def test_the_participant_page_shows_ids_names_and_notes_as_typed(program):
    at = app("director")
    at.run()
    at.switch_page("pages/participant.py")
    at.query_params["participant"] = PID
    at.run()
    assert not at.exception
    facts = shown(at.markdown[1].value)
    assert f"**Track:** {TRACK} ·" in facts and f"**Clinician:** {CLINICIAN} ·" in facts
    _plain_everywhere(at, PID, TRACK, CLINICIAN)
    # a note with an image, HTML and a javascript link, saved through the form
    at.selectbox(key="participant-flag").set_value(at.selectbox(key="participant-flag").options[0])
    at.text_area(key="participant-note").input(NOTE)
    at.button(key="FormSubmitter:participant-form-Save").click().run()
    assert [shown(s.value) for s in at.success][0].startswith(f"Saved: {PID}: ")
    assert any(shown(i.value).endswith(f"(plan adjusted): {NOTE}_") or NOTE in shown(i.value) for i in at.info)
    _plain_everywhere(at, PID, NOTE)


def test_a_typed_participant_id_is_shown_as_typed(program):
    at = app("director")
    at.run()
    at.switch_page("pages/participant.py").run()
    at.text_input(key="participant_input").input("[x](http://evil.example)").run()
    assert [shown(w.value) for w in at.warning] == ["No participant [x](http://evil.example) in the loaded data."]
    _plain_everywhere(at, "[x](http://evil.example)")


def test_the_caseload_shows_names_as_typed(program):
    at = app("clinician", user="c@example.org", clinician=CLINICIAN)
    at.run()
    assert at.title[0].value == "Caseload"
    assert any(
        shown(m.value) == f"**Your caseload:** {CLINICIAN}".replace("**Your caseload:** ", "Your caseload: ")
        or CLINICIAN in shown(m.value)
        for m in at.markdown
    )
    _plain_everywhere(at, CLINICIAN, PID)
    at.session_state["worklist"] = {"selection": {"rows": [0], "columns": [], "cells": []}}  # a click on the row
    at.run()
    _plain_everywhere(at, CLINICIAN, PID)
    at.text_area(key="caseload-note").input(NOTE)
    at.button(key="FormSubmitter:caseload-form-Save").click().run()
    assert shown(at.success[0].value).startswith(f"Saved: {PID}: ")
    _plain_everywhere(at, PID, NOTE)


def test_outcome_pages_show_track_names_as_typed_and_charts_carry_no_markup(program):
    for page in ("pages/overview.py", "pages/cohorts.py"):
        at = app("director")
        at.run()
        at.switch_page(page)
        at.query_params["track"], at.query_params["by"] = TRACK, "track"
        at.run()
        assert not at.exception
        assert any(TRACK in shown(c.value) for c in at.caption)
        _plain_everywhere(at, TRACK, CLINICIAN)
        spec = _charts(at)
        assert "<a href" not in spec
        if page.endswith("cohorts.py"):
            assert "&lt;a href" in spec  # the cohort's label is there, as text


def test_the_name_of_the_signed_in_user_is_shown_as_typed(program):
    from dashboard.access import accounts

    accounts.add("odd", "director", accounts.Actor("t", None), "![me](http://evil.example/me.png)")
    from conftest import ROOT
    from dashboard.access import sessions
    from dashboard.ui.session import TOKEN_KEY

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[TOKEN_KEY] = sessions.create(accounts.identity_of("odd", "oidc"))
    at.run()
    caption = at.sidebar.caption[0].value
    assert shown(caption) == "Signed in as ![me](http://evil.example/me.png) (director)" and "![" not in caption


def test_load_results_show_file_names_and_reasons_as_typed():
    def page():
        from pathlib import Path
        from types import SimpleNamespace

        from dashboard.ui.notes import load_results

        counts = {"read": 2, "loaded": 1, "updated": 0, "rejected": 1, "duplicate": 0}
        load_results(
            [
                SimpleNamespace(
                    status="loaded",
                    path=Path("![f](http:x).csv"),
                    kind="measures",
                    counts=counts,
                    reasons=[(1, "status '<img src=x>' is not one of attended")],
                ),
                SimpleNamespace(
                    status="failed", path=Path("b.csv"), message="[b](http://evil.example).csv: not a table"
                ),
                SimpleNamespace(status="unchanged", path=Path("**c**.csv"), message="loaded before"),
            ]
        )

    at = AppTest.from_function(page).run()
    assert shown(at.success[0].value).startswith("![f](http:x).csv (measures): read 2")
    assert shown(at.caption[0].value) == "rejected 1 × status '<img src=x>' is not one of attended"
    assert shown(at.error[0].value) == "[b](http://evil.example).csv: not a table"
    assert shown(at.info[0].value) == "**c**.csv: loaded before"
    _plain_everywhere(at, "![f](http:x)", "<img src=x>", "[b](http://evil.example)", "**c**")


def test_a_column_of_dates_reads_as_each_date_does():
    import datetime as dt

    import pandas as pd

    from dashboard.views import words

    column = pd.Series([dt.date(2026, 2, 3), None, pd.NaT, "", pd.Timestamp("2025-12-31")], dtype=object)
    assert words.days(column).tolist() == ["03 Feb 2026", "—", "—", "—", "31 Dec 2025"]
    assert words.days(column).tolist() == column.map(words.day).tolist()
