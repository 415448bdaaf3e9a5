"""What the data layer keeps between requests (dashboard/store/db.py) is the data of the file in place, for
the scope that asked: a load is seen at once, one scope's results never reach another, and the cohort
page's grouping of a selection read once is the one its queries give when they group it themselves."""

import duckdb
import pandas as pd
import pytest

from conftest import ATTENDANCE_HEADER, load_files, write
from dashboard.store import background, cache, db, live
from dashboard.views import cohorts
from dashboard.views.filters import DIMENSIONS, Filters, options, primary_instrument
from dashboard.views.statistics import mean_interval


@pytest.fixture
def demo(demo_db, monkeypatch):
    monkeypatch.setenv("IOP_DB", str(demo_db))
    return demo_db


def _files_loaded() -> int:
    return int(db.query("summary/summary_headline")["files_loaded"].iloc[0])


def test_one_scopes_results_never_reach_another(demo):
    everyone = db.query("common/overview_filters")["clinicians"].iloc[0].tolist()
    assert len(everyone) > 1
    with db.scoped(db.ReadScope(everyone[0])):
        assert db.query("common/overview_filters")["clinicians"].iloc[0].tolist() == [everyone[0]]
    assert db.query("common/overview_filters")["clinicians"].iloc[0].tolist() == everyone
    with db.scoped(db.ReadScope(everyone[1])):
        assert db.query("common/overview_filters")["clinicians"].iloc[0].tolist() == [everyone[1]]


def test_a_kept_result_is_not_changed_by_its_reader(demo):
    first = db.query("common/instrument_bands")
    first["total_min"] = -1
    first.loc[0, "instrument"] = "changed"
    again = db.query("common/instrument_bands")
    assert (again["total_min"] != -1).all() and "changed" not in set(again["instrument"])


def test_a_load_is_seen_at_once(tmp_path, monkeypatch):
    database = tmp_path / "iop.duckdb"
    load_files(database, write(tmp_path, "a.csv", ATTENDANCE_HEADER + "P1,2025-03-03,group,attended,180,T,C\n"))
    monkeypatch.setenv("IOP_DB", str(database))
    assert _files_loaded() == 1
    assert _files_loaded() == 1  # kept
    load_files(database, write(tmp_path, "b.csv", ATTENDANCE_HEADER + "P2,2025-03-04,group,attended,180,T,C\n"))
    assert _files_loaded() == 2


def test_the_replaced_file_still_open_elsewhere_is_not_kept_for_the_new_one(tmp_path, monkeypatch):
    import duckdb

    database = tmp_path / "iop.duckdb"
    load_files(database, write(tmp_path, "a.csv", ATTENDANCE_HEADER + "P1,2025-03-03,group,attended,180,T,C\n"))
    monkeypatch.setenv("IOP_DB", str(database))
    assert _files_loaded() == 1
    elsewhere = duckdb.connect(str(database), read_only=True)  # another session's query, still running
    load_files(database, write(tmp_path, "b.csv", ATTENDANCE_HEADER + "P2,2025-03-04,group,attended,180,T,C\n"))
    assert _files_loaded() in (1, 2)  # DuckDB hands out the database still open in the process: the old file
    elsewhere.close()
    assert _files_loaded() == 2  # and what it read was not kept as the new file's


def test_a_connection_is_used_again_only_by_its_own_scope_and_file(tmp_path, monkeypatch):
    database = tmp_path / "iop.duckdb"
    load_files(
        database,
        write(
            tmp_path,
            "a.csv",
            ATTENDANCE_HEADER + "P1,2025-03-03,group,attended,180,T,Dr A\nP2,2025-03-03,group,attended,180,T,Dr B\n",
        ),
    )
    monkeypatch.setenv("IOP_DB", str(database))
    live.LIVE.close()
    cache.RESULTS.clear()
    assert _files_loaded() == 1
    [(version, scope)] = list(live.LIVE.idle)
    [whole] = live.LIVE.idle[(version, scope)]
    assert scope == db.EVERYTHING
    cache.RESULTS.clear()
    assert len(db.query("common/overview_filters")["clinicians"].iloc[0]) == 2
    assert live.LIVE.idle[(version, db.EVERYTHING)] == [whole]  # the same connection, again
    with db.scoped(db.ReadScope("Dr A")):
        cache.RESULTS.clear()
        assert db.query("common/overview_filters")["clinicians"].iloc[0].tolist() == ["Dr A"]
    [caseload] = live.LIVE.idle[(version, db.ReadScope("Dr A"))]
    assert caseload is not whole  # its own views, for its own scope
    cache.RESULTS.clear()
    assert len(db.query("common/overview_filters")["clinicians"].iloc[0]) == 2
    load_files(database, write(tmp_path, "b.csv", ATTENDANCE_HEADER + "P3,2025-03-04,group,attended,180,T,Dr A\n"))
    assert _files_loaded() == 2  # the new file, on a new connection
    assert all(key[0] != version for key in live.LIVE.idle)
    with pytest.raises(duckdb.ConnectionException):  # the old file's were closed
        whole.execute("SELECT 1")


def _background_query(done):
    def build():
        with db.scoped(db.EVERYTHING):
            db.query("common/instrument_bands")
        done.set()

    return build


def test_a_background_build_waits_while_a_page_runs(demo, monkeypatch):
    import threading

    monkeypatch.setattr(background, "MAX_WAIT", 30)
    cache.RESULTS.clear()
    done = threading.Event()
    with background.foreground():
        background.in_background(_background_query(done), "test build")
        assert not done.wait(1.0)  # held back at its query while the page runs
    assert done.wait(30)  # and goes on once no page runs


def test_a_busy_server_still_builds_in_the_background(demo, monkeypatch):
    import threading

    monkeypatch.setattr(background, "MAX_WAIT", 0.2)
    cache.RESULTS.clear()
    done = threading.Event()
    with background.foreground():
        background.in_background(_background_query(done), "test build")
        assert done.wait(30)  # waited its longest, then ran beside the page


def _weekly_from_the_mart(database, episode_cohorts: pd.DataFrame, instrument: str) -> pd.DataFrame:
    """Weekly means worked out apart from the page's query: the mart's scores, each group's
    metrics.mean_interval; cohorts by name, then the whole selection; weeks in order."""
    with duckdb.connect(str(database), read_only=True) as con:
        scores = con.execute(
            "SELECT episode_id, week, score FROM episode_week_scores WHERE instrument = ?", [instrument]
        ).df()
    scores = scores.merge(episode_cohorts, on="episode_id")
    rows = []
    for whole, frame in ((False, scores), (True, scores.assign(cohort=cohorts.WHOLE))):
        for (cohort, week), part in frame.groupby(["cohort", "week"]):
            mean, low, high = mean_interval(part["score"])
            rows.append((whole, cohort, week, len(part), mean, low, high))
    rows.sort(key=lambda r: r[:3])
    return pd.DataFrame([r[1:] for r in rows], columns=["cohort", "week", "n", "mean", "low", "high"])


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_a_selection_read_once_is_grouped_as_its_queries_group_it(demo, dimension):
    opts = options()
    instrument = primary_instrument(opts)
    for selection in (
        Filters(opts.first_admission, opts.data_as_of, dimension=dimension),
        Filters(opts.first_admission, opts.data_as_of, program=opts.tracks[0], dimension=dimension),
    ):
        grouped = cohorts.cohort_outcomes(selection, instrument)
        direct = db.queries(
            {**selection.params(admitted_in_range=True), "instrument": instrument},
            episodes=("cohorts/outcomes", {}),
            funnel=("common/completeness", {}),
            measures=("quality_measures/episodes", {"measure": None}),
            cohorts=("cohorts/episode_cohorts", {}),
        )
        # (completed and discharged_early are derived from the discharge in dashboard/views/cohorts.py)
        pd.testing.assert_frame_equal(
            grouped.episodes.drop(columns=["completed", "discharged_early"]), direct["episodes"], check_exact=True
        )
        pd.testing.assert_frame_equal(
            grouped.funnel,
            direct["funnel"].assign(cohort=direct["funnel"]["cohort"].fillna(cohorts.WHOLE)),
            check_exact=True,
        )
        pd.testing.assert_frame_equal(
            grouped.weekly, _weekly_from_the_mart(demo, direct["cohorts"], instrument), check_dtype=False, rtol=1e-9
        )
        # the HEDIS-style rates from the measures' episodes read once and labelled, as read along the grouping
        judged = direct["measures"][
            direct["measures"]["stopped_at"].isin(["numerator", "met"])
            & direct["measures"]["measure_id"].isin(cohorts.HEDIS)
        ]
        for r in grouped.hedis[grouped.hedis["cohort"] != cohorts.WHOLE].itertuples():
            part = judged[
                (judged["measure_id"] == r.measure_id)
                & (judged["rate_id"] == r.rate_id)
                & (judged["cohort"] == r.cohort)
            ]
            assert (r.numerator, r.denominator) == ((part["stopped_at"] == "met").sum(), len(part))
        assert len(grouped.episodes) and grouped.cohort_names


def test_a_new_file_has_the_quality_release_built_before_anyone_asks(demo, tmp_path, monkeypatch):
    """A load puts a new file in place; the first query that holds it starts the release's warm-up, and
    the quality role's first page then finds the release built (the same cache and key)."""
    import shutil
    import threading

    from dashboard.privacy import policy, release
    from dashboard.views.filters import instrument_choices

    copy = tmp_path / "iop.duckdb"
    shutil.copy(demo, copy)
    from conftest import ROSTER_HEADER

    load_files(copy, write(tmp_path, "more.csv", ROSTER_HEADER + "X1,2025-01-06,,,Trauma,Chen,1990,\n"))  # a new load
    monkeypatch.setenv("IOP_DB", str(copy))
    monkeypatch.setenv("IOP_WARM", "1")
    db.query("common/dataset_info")  # the new file is first held here
    for thread in [t for t in threading.enumerate() if t.name.startswith("warm ")]:
        thread.join(120)
    with db.scoped(db.ReadScope()):
        opts = options()
        latest = release.quarters(opts.first_admission, opts.data_as_of)[0]
        key = (latest, tuple(instrument_choices(opts)), primary_instrument(opts), policy.threshold())
        warmed = release.released(*key)
        assert warmed is not None  # built by the warm-up, in the background
        assert release.quarter_release(*key) is warmed  # the page's own call finds it kept
