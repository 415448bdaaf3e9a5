"""AppTest of the quality measures page on the demo program: the director's values and episode lists
match the mart, the quality role gets the quarter's suppressed release (no episode, no count from 1
to 10 in a table, a figure's data or its text), and the submission files keep their layout."""

import io
import json
import re
import zipfile

import pytest

from conftest import app, caption_with, chart, rows

START, END = "2025-11-21", "2026-11-20"  # the director's default: the year to the data date


@pytest.fixture
def app_env(demo_db, tmp_path, monkeypatch):
    monkeypatch.setenv("IOP_DB", str(demo_db))
    monkeypatch.setenv("IOP_STATE", str(tmp_path / "state.sqlite"))
    return demo_db


def _page(role, **params):
    at = app(role)
    at.query_params.update(params)
    at.switch_page("pages/measures.py").run()
    assert not at.exception, at.exception
    return at


def _small_numbers(text: str) -> list[str]:
    return re.findall(r"(?<![\d.,<\-–/:])\b(?:[1-9]|10)\b(?![\d.,%/\-–:]| h\b| [A-Z][a-z]{2} \d|\))", text)


def test_the_director_sees_each_measure_with_its_true_counts(app_env):
    at = _page("director")
    summary = next(d.value for d in at.dataframe if "Name" in d.value.columns).set_index("Rate")  # per episode
    [(k, n)] = rows(
        app_env,
        """
        SELECT count(*) FILTER (m.stopped_at = 'met'), count(*) FILTER (m.stopped_at IN ('numerator', 'met'))
        FROM measure_episodes m JOIN episodes e USING (episode_id)
        WHERE m.measure_id = 'RET-30' AND e.admit_date BETWEEN ? AND ?""",
        [START, END],
    )
    assert summary.loc["Completed, or attending in the 14 days up to day 30", "Value (95 % CI)"].startswith(
        f"{k} of {n} · {100 * k / n:.0f} % ("
    )
    assert len(summary) == 12  # 9 measures, DRR-E with three rates and SU-USE with two
    assert caption_with(at, "INTERNAL").endswith(
        "INTERNAL: true counts for the care team, not for sharing outside the program"
    )


def test_the_waterfall_and_the_episode_list_agree_with_the_mart(app_env):
    at = _page("director", measure="SU-USE")
    assert "SU-USE: Reduced or no substance use at discharge" in [s.value for s in at.subheader]
    counts = dict(
        rows(
            app_env,
            """
        SELECT m.stopped_at, count(*) FROM measure_episodes m JOIN episodes e USING (episode_id)
        WHERE m.measure_id = 'SU-USE' AND m.rate_id = 'reduced' AND e.admit_date BETWEEN ? AND ? GROUP BY 1""",
            [START, END],
        )
    )
    admitted = sum(counts.values())
    waterfall = chart(at, 0)["data"][0]
    assert waterfall["y"][0] == "admitted in the period" and waterfall["x"][0] == admitted
    assert waterfall["x"][1] == admitted - counts.get("eligible", 0)
    assert waterfall["y"][-2] == "met: reduced"
    assert waterfall["x"][-2] == counts["met"]
    at.selectbox(key="measure_step").set_value("numerator").run()
    listed = next(d.value for d in at.dataframe if "Why" in d.value.columns)
    assert len(listed) == counts["numerator"] and set(listed["Step"]) == {"not met"}


def test_the_measure_is_kept_in_the_address(app_env):
    at = _page("director", measure="RET-60")
    assert at.selectbox(key="measure").value == "RET-60"
    at.selectbox(key="measure").set_value("DMS-E").run()
    assert at.query_params["measure"] == ["DMS-E"] or at.query_params["measure"] == "DMS-E"


def test_the_quality_role_gets_the_suppressed_release_and_no_episode(app_env):
    at = _page("quality", quarter="2025 Q4")
    assert "Suppressed for sharing" in caption_with(at, "Suppressed for sharing")
    assert "Release audit: no hidden count can be narrowed" in caption_with(at, "Release audit")
    assert not [s for s in at.subheader if s.value == "Episodes at each step"]
    labels = [b.label for b in at.get("download_button")]
    assert "Episodes submission (ZIP)" not in labels and "TEDS-style discharge extract (ZIP)" not in labels
    texts = []
    for frame in at.dataframe:  # the cells, not the labels ("remission: below 5")
        texts += [
            str(v)
            for v in frame.value.drop(columns=["Step", "Measure", "Rate", "Name"], errors="ignore").to_numpy().ravel()
        ]
    for i in range(len(at.get("plotly_chart"))):
        figure = json.dumps(chart(at, i)["data"])
        for trace in chart(at, i)["data"]:
            if trace.get("type") == "bar":
                texts += [str(t) for t in trace.get("text") or []] + [str(int(x)) for x in trace["x"] if x is not None]
        assert "IOP-" not in figure  # no participant reaches the figure's data
    found = [t for t in texts if _small_numbers(t.split("%")[0] if "%" in t else t)]
    assert found == [], found


@pytest.fixture
def files(caught_downloads):
    return caught_downloads


def _archive(files, key, internal=False):
    name, build = files[key]
    # a file with true counts is named so (the care team's episodes and TEDS extract): never the shareable name
    assert name == f"{key.removesuffix('-zip')}{'-INTERNAL' if internal else ''}.zip"
    return zipfile.ZipFile(io.BytesIO(build()))


def test_the_quality_role_downloads_the_summary_suppressed(app_env, files):
    from dashboard.documents.quality_tables import SUMMARY_COLUMNS
    from dashboard.store import audit

    _page("quality", quarter="2025 Q4")
    assert not {"measures-episodes-zip", "teds-discharges-zip"} & set(files)
    archive = _archive(files, "measures-per-episode-zip")
    lines = archive.read("measures-per-episode.csv").decode("utf-8").splitlines()
    assert lines[0] == ",".join(SUMMARY_COLUMNS) and len(lines) > 1
    for line in lines[1:]:
        assert not _small_numbers(",".join(line.split(",")[9:16])), line  # the seven count columns
    about = archive.read("measures-per-episode-about.txt").decode("utf-8")
    assert "2025 Q4" in about and "Suppressed for sharing" in about
    entry = next(e for e in audit.entries().to_dict("records") if e["event"] == "export")
    assert json.loads(entry["detail"])["file"] in {"measures-per-episode.zip", "specified-submission.zip"}


def test_the_director_downloads_episodes_and_the_teds_extract_marked_internal(app_env, files):
    from dashboard.documents.quality_tables import DISCHARGE_COLUMNS, EPISODE_COLUMNS

    _page("director")
    episodes = _archive(files, "measures-episodes-zip", internal=True)
    lines = episodes.read("measures-episodes.csv").decode("utf-8").splitlines()
    assert lines[0] == ",".join(EPISODE_COLUMNS)
    [(eligible_rows,)] = rows(
        app_env,
        """
        SELECT count(*) FROM measure_episodes m JOIN episodes e USING (episode_id)
        WHERE e.admit_date BETWEEN ? AND ? AND m.stopped_at <> 'eligible'""",
        [START, END],
    )
    assert len(lines) - 1 == eligible_rows
    assert "INTERNAL" in episodes.read("measures-episodes-about.txt").decode("utf-8")
    teds = _archive(files, "teds-discharges-zip", internal=True)
    lines = teds.read("teds-discharges.csv").decode("utf-8").splitlines()
    assert lines[0] == ",".join(DISCHARGE_COLUMNS)
    [(discharges,)] = rows(app_env, "SELECT count(*) FROM episodes WHERE discharge_date BETWEEN ? AND ?", [START, END])
    assert len(lines) - 1 == discharges


def test_the_quality_trend_shows_each_quarter_as_its_own_release_shows_it(app_env):
    import pandas as pd

    from dashboard.privacy import release
    from dashboard.store import db
    from dashboard.views.filters import WHOLE, instrument_choices, options, primary_instrument

    with db.scoped(db.ReadScope()):
        opts = options()
        first, second = release.quarters(opts.first_admission, opts.data_as_of)[-1:-3:-1]  # the two earliest
        key = (tuple(instrument_choices(opts)), primary_instrument(opts), 10)
        assert release.released(second, *key) is None  # nobody opened it: not built for the trend
        built = release.quarter_release(first, *key)
        trend = release.measure_trend([first, second], *key)
    assert set(trend["quarter_start"]) <= {pd.Timestamp(first.start)}
    rates = built.measures["track"].rates
    shown = rates[(rates["cohort"] == WHOLE) & rates["shown"].map(lambda v: isinstance(v, str))]
    assert (
        trend[["measure_id", "rate_id", "shown"]].values.tolist()
        == shown[["measure_id", "rate_id", "shown"]].values.tolist()
    )


def test_the_earlier_quarters_of_the_trend_are_built_in_the_background(app_env, monkeypatch):
    import threading

    from dashboard.privacy import release
    from dashboard.store import db
    from dashboard.views.filters import instrument_choices, options, primary_instrument

    monkeypatch.setenv("IOP_WARM", "1")
    with db.scoped(db.ReadScope()):
        opts = options()
        earlier = release.quarters(opts.first_admission, opts.data_as_of)[2:4]
        key = (tuple(instrument_choices(opts)), primary_instrument(opts), 10)
        missing = [q for q in earlier if release.released(q, *key) is None]
        assert release.prepare_trend(earlier, *key) is bool(missing)
        for thread in [t for t in threading.enumerate() if t.name == release.TREND]:
            thread.join(120)
        assert all(release.released(q, *key) is not None for q in earlier)
        assert release.prepare_trend(earlier, *key) is False  # nothing left to build


def test_the_specified_count_is_the_marts_and_says_where_diagnoses_came_from(app_env):
    at = _page("director", measure="DEP-REM-6")
    assert at.selectbox(key="measurement_period").value == "2026-01-01"  # the latest period by default
    table = next(d.value for d in at.dataframe if "Index events" in d.value.columns).set_index("Measure")
    [(candidates, index, denominator, icd10)] = rows(
        app_env,
        """
        SELECT count(*), count(*) FILTER (stopped_at <> 'eligible'),
               count(*) FILTER (stopped_at IN ('numerator', 'met')),
               count(*) FILTER (stopped_at <> 'eligible' AND dx_source = 'ICD-10 diagnoses')
        FROM measure_specified WHERE measure_id = 'DEP-REM-6' AND rate_id = 'remission' AND period_start = '2026-01-01'""",
    )
    row = table.loc["DEP-REM-6"]
    assert (row["Candidates"], row["Index events"], row["Denominator"]) == (
        f"{candidates:,}",
        f"{index:,}",
        f"{denominator:,}",
    )
    assert f"ICD-10 diagnoses {icd10:,}" in row["Diagnoses from"]
    listed = next(
        d.value for d in at.dataframe if "Diagnoses from" in d.value.columns and "Participant" in d.value.columns
    )
    assert len(listed) == candidates  # the care team's list behind the counts
    at.selectbox(key="measurement_period").set_value("2025-01-01").run()
    assert at.query_params["mperiod"] in (["2025-01-01"], "2025-01-01")


def test_the_quality_role_sees_only_ended_measurement_periods(app_env):
    at = _page("quality", quarter="2025 Q4")
    assert at.selectbox(key="measurement_period").options == ["01 Jan 2025 to 31 Dec 2025"]
    assert "Release audit: no hidden count can be narrowed" in caption_with(at, "everything this measurement period")
    assert not [d for d in at.dataframe if "Participant" in d.value.columns]
