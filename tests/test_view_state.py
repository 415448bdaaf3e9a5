"""AppTest of views kept between pages and in the address: the director's filters shared by the
overview and cohort pages, the caseload's filters, the participant and episode shown; a link's
values are used, and values that do not fit (old or mangled links) are ignored."""

from conftest import app, caption_with, shown


def _director():
    at = app("director")
    at.run()
    return at


def test_the_overview_filters_are_the_cohort_filters_and_are_in_the_address(clinic):
    at = _director()
    assert at.title[0].value == "Program overview"
    at.selectbox(key="filter_track").set_value("Trauma").run()
    assert at.query_params["track"] == "Trauma"
    at.switch_page("pages/cohorts.py").run()
    assert at.selectbox(key="filter_track").value == "Trauma"
    assert "track: Trauma" in shown(caption_with(at, "track"))
    at.selectbox(key="filter_by").set_value("track").run()
    at.switch_page("pages/caseload.py").run()  # a page without these filters in between
    at.switch_page("pages/overview.py").run()
    assert at.selectbox(key="filter_track").value == "Trauma"
    assert {k: at.query_params[k] for k in ("track", "by", "from", "to")} == {
        "track": "Trauma",
        "by": "track",
        "from": "2025-01-06",
        "to": "2025-02-14",
    }  # the data's whole range


def test_a_link_opens_the_view_it_holds(clinic):
    at = app("director")
    at.run()
    at.switch_page("pages/cohorts.py")
    for k, v in {"from": "2025-01-06", "to": "2025-02-01", "track": "Depression/Anxiety", "by": "clinician"}.items():
        at.query_params[k] = v
    at.run()
    assert [str(d) for d in at.date_input(key="filter_dates").value] == ["2025-01-06", "2025-02-01"]
    assert at.selectbox(key="filter_track").value == "Depression/Anxiety"
    assert at.selectbox(key="filter_by").value == "clinician"
    assert shown(caption_with(at, "Episodes admitted")).startswith(
        "Episodes admitted 06 Jan 2025 to 01 Feb 2025; track: Depression/Anxiety, by clinician"
    )


def test_values_that_do_not_fit_are_ignored(clinic):
    at = app("director")
    at.run()
    at.switch_page("pages/overview.py")
    for k, v in {"from": "2019-01-01", "to": "not a date", "track": "<script>", "clinician": "Nobody"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    assert at.selectbox(key="filter_track").value == "All tracks"
    assert at.selectbox(key="filter_clinician").value == "All clinicians"
    assert at.query_params["from"] == "2025-01-06" and at.query_params["track"] == "All tracks"
    at.query_params["from"], at.query_params["to"] = "2019-01-01", "2030-01-01"  # clamped to the data
    at.run()
    assert [str(d) for d in at.date_input(key="filter_dates").value] == ["2025-01-06", "2025-02-14"]


def test_the_caseload_filter_is_kept_after_opening_a_participant(clinic):
    at = app("director")
    at.run()
    at.switch_page("pages/caseload.py").run()
    at.selectbox(key="case_clinician").set_value("Rivera").run()
    assert at.dataframe[0].value["participant_id"].tolist() == ["P3"]
    at.switch_page("pages/participant.py")
    at.query_params["participant"] = "P3"
    at.run()
    assert "**Track:** Depression/Anxiety ·" in shown(at.markdown[1].value)
    at.switch_page("pages/caseload.py").run()
    assert at.selectbox(key="case_clinician").value == "Rivera"
    assert at.dataframe[0].value["participant_id"].tolist() == ["P3"]
    at.switch_page("pages/participant.py").run()  # and the participant page still shows P3
    assert at.text_input(key="participant_input").value == "P3"
    assert at.query_params["participant"] == "P3" and at.query_params["episode"] == "P3#20250106"


def test_an_episode_that_is_not_the_participants_falls_back_to_the_latest(clinic):
    at = app("director")
    at.run()
    at.switch_page("pages/participant.py")
    at.query_params["participant"], at.query_params["episode"] = "P1", "P3#20250106"
    at.run()
    assert not at.exception and "**Track:** Trauma ·" in at.markdown[1].value
    assert at.query_params["episode"] == "P1#20250106"
