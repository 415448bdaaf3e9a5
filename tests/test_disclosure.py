"""The quality role's views leave the program: walked through every setting they offer (each
completed quarter, each grouping, each instrument) on the demo program, everything they send to the
browser is parsed - table cells, metrics, figure data, text and hover - and an adversary who sees all
settings at once adds and subtracts what is shown: no count from 1 to 10 may be shown or follow.
Rates, means and curves are checked against the data they rest on."""

import json

import pandas as pd
import pytest

from conftest import _decode, app, chart
from dashboard.charts import cohorts as cohort_charts
from dashboard.charts import overview as overview_charts
from dashboard.privacy.marks import IN_TREATMENT
from dashboard.privacy.release import DIMENSIONS, quarter_release, quarters
from dashboard.views.cohorts import JT_ORDER, WHOLE, cohort_outcomes
from dashboard.views.filters import instrument_choices, options, primary_instrument
from dashboard.views.overview import program_overview

T = 10
MARKS = ("<11", "suppressed")
STEPS = {
    "admitted": "admitted",
    "expected to take it": "expected",
    "baseline": "with_baseline",
    "2+ scores": "two_or_more_scores",
    "discharged": "discharged",
    "discharge score": "discharge_score",
}
CATEGORIES = [*JT_ORDER, "no_score"]
NESTED = [
    ("expected to take it", "admitted"),
    ("baseline", "expected to take it"),
    ("baseline", "admitted"),
    ("2+ scores", "baseline"),
    ("2+ scores", "expected to take it"),
    ("2+ scores", "admitted"),
    ("discharged", "expected to take it"),
    ("discharged", "admitted"),
    ("discharge score", "discharged"),
    ("discharge score", "expected to take it"),
    ("discharge score", "admitted"),
]


@pytest.fixture
def demo(demo_db, monkeypatch):
    monkeypatch.setenv("IOP_DB", str(demo_db))
    return demo_db


class Adversary:
    """Sees every shown count of every setting, knows which add up to which, and works out what follows."""

    def __init__(self):
        self.known, self.lines, self.cells = {}, [], set()

    def see(self, key, value):
        self.cells.add(key)
        if isinstance(value, str):
            assert value in MARKS, (key, value)
            return
        value = float(value)
        assert value == 0 or value > T, (key, value)  # nothing small is shown
        assert self.known.setdefault(key, value) == value, (key, value, self.known[key])  # one count, one value

    def line(self, members, total):
        self.lines.append((tuple(members), total))

    def work_out(self):
        derived = {}
        changed = True
        while changed:
            changed = False
            for members, total in self.lines:
                unknown = [k for k in (*members, total) if k not in self.known]
                if len(unknown) == 1:
                    k = unknown[0]
                    rest = sum(self.known[m] for m in members if m != k)
                    self.known[k] = derived[k] = (self.known[total] - rest) if k != total else rest
                    changed = True
        for key, value in derived.items():
            assert value == 0 or value > T, ("worked out", key, value)
        for members, total in self.lines:
            if total in self.known:
                hidden = self.known[total] - sum(self.known[m] for m in members if m in self.known)
                if any(m not in self.known for m in members):
                    assert hidden == 0 or hidden > T, ("hidden members add up to", members, hidden)
        return derived


def _cohort(dim, cohort):
    return ("whole",) if cohort == WHOLE else (dim, cohort)


def _see_cohorts(adv: Adversary, c, dim, ins):
    funnel = c.funnel.set_index("Cohort")
    outcomes = c.outcomes.set_index("Cohort")
    names = list(funnel.index)
    for name in names:
        ck = _cohort(dim, name)
        adv.see(("admitted", *ck), funnel.loc[name, "admitted"])
        for col in list(STEPS)[1:]:
            adv.see(("f", ins, *ck, col), funnel.loc[name, col])
        for child, parent in NESTED:

            def key(col, ck=ck):
                return ("admitted", *ck) if col == "admitted" else ("f", ins, *ck, col)

            adv.cells.add(("gap", ins, *ck, child, parent))
            adv.line([key(child), ("gap", ins, *ck, child, parent)], key(parent))
        cats = [("jt", ins, *ck, cat) for cat in CATEGORIES]
        for cat, k in zip(CATEGORIES, cats):
            adv.see(k, outcomes.loc[name, cat.replace("_", " ")])
        adv.see(("admitted", *ck), outcomes.loc[name, "total"])  # the row's total is the cohort's size
        adv.line(cats, ("admitted", *ck))
    body = [n for n in names if n != WHOLE]
    if body:
        adv.line([("admitted", dim, n) for n in body], ("admitted", "whole"))
        for col in list(STEPS)[1:]:
            adv.line([("f", ins, dim, n, col) for n in body], ("f", ins, "whole", col))
        for cat in CATEGORIES:
            adv.line([("jt", ins, dim, n, cat) for n in body], ("jt", ins, "whole", cat))


def _see_overview(adv: Adversary, o, ins):
    h = {k: (v if not m else m) for k, (v, m) in o.headline.items()}
    for name in ("episodes", "active_census", "discharges"):
        adv.see(("ov", name), h[name])
    adv.see(("admitted", "whole"), h["admissions"])
    adv.line([("ov", "active_census"), ("ov", "discharges")], ("ov", "episodes"))
    adv.line([("admitted", "whole"), ("ov", "before")], ("ov", "episodes"))
    for movement, total in (("admissions", ("admitted", "whole")), ("discharges", ("ov", "discharges"))):
        part = o.flow[o.flow["movement"] == movement]
        keys = []
        for month, v, m in zip(part["month"], part["episodes"], part["mark"]):
            key = (
                ("admitted", "month", f"{pd.Timestamp(month):%Y-%m}")
                if movement == "admissions"
                else ("ov", "out", month)
            )
            adv.see(key, m or v)
            keys.append(key)
        adv.line(keys, total)
    for frame, column, name in ((o.discharges, "reason", "episodes"), (o.aftercare, "aftercare", "discharges")):
        keys = [("ov", column, r) for r in frame[column]]
        for key, v, m in zip(keys, frame[name], frame["mark"]):
            adv.see(key, m or v)
        adv.line(keys, ("ov", "discharges"))
    steps = {
        ("admitted" if r.step == IN_TREATMENT else r.step): (r.mark or r.episodes) for r in o.completeness.itertuples()
    }
    names = dict(zip(STEPS, STEPS))
    for step, v in steps.items():
        if step != "admitted":
            adv.see(("ovf", ins, names[step]), v)
    adv.see(("ov", "episodes"), steps["admitted"])
    for child, parent in NESTED:

        def key(col):
            return ("ov", "episodes") if col == "admitted" else ("ovf", ins, col)

        adv.line([key(child), ("ovgap", child, parent)], key(parent))
    for frame in (o.flags, o.actions):
        for v, m in zip(frame["flags"], frame["mark"]):
            adv.see(("ov", "other", id(frame), len(adv.cells)), m or v)


def _rate_rests_on_no_small_count(k, n):
    return not (1 <= k <= T or 1 <= n <= T or 1 <= n - k <= T)


def _check_rates_and_curves(c, raw):
    summary = raw.summary.set_index("cohort")
    for r in c.rates.itertuples():
        k, n = summary.loc[r.cohort, r.what], summary.loc[r.cohort, "cases"]
        assert _rate_rests_on_no_small_count(k, n), (r.cohort, r.what, k, n)
        assert r.rate == pytest.approx(k / n)
    assert c.weekly["n"].isna().all()  # n would let a hidden cohort's week be worked out
    weekly = raw.weekly.set_index(["cohort", "week"])
    assert all(weekly.loc[(w.cohort, w.week), "n"] > T for w in c.weekly.itertuples())
    assert c.episodes is None  # no per-episode point
    assert not c.retention["steps"].any()
    assert set(c.retention["time"]) <= {2, 4, 6, 8, 10, 12}
    for cohort, part in raw.retention.groupby("cohort"):
        shown = c.retention[c.retention["cohort"] == cohort]
        for week in shown["time"]:
            left = part.loc[part["time"] <= week, "events"].sum()
            assert left == 0 or left > T, (cohort, week, left)


def _check_hedis(c, raw):
    for column in c.hedis.columns[1:]:
        for v in c.hedis[column]:
            assert v == "—" or v.endswith(" %"), v
    at = raw.hedis.set_index(["measure_id", "rate_id", "cohort"])
    for spec in raw.hedis_specs:
        for rate_id, label in spec.rates:
            for cohort, shown in zip(c.hedis["Cohort"], c.hedis[f"{spec.id}: {label}"]):
                if shown != "—":
                    k, n = at.loc[(spec.id, rate_id, cohort), ["numerator", "denominator"]]
                    assert _rate_rests_on_no_small_count(int(k), int(n)), (spec.id, rate_id, cohort)


def _numbers(value):
    if isinstance(value, (list, tuple)):
        for v in value:
            yield from _numbers(v)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield value


def _check_figure(fig, shown_counts):
    """What a figure sends: bars are hidden (0) or shown counts; labels are marks or shown counts; no
    per-episode markers; no n in hover."""
    data = _decode(json.loads(fig.to_json()))["data"]
    for trace in data:
        if trace.get("type") == "bar" and trace.get("text") is not None and "h" not in str(trace.get("text")[:1]):
            heights = trace.get("x") if trace.get("orientation") == "h" else trace.get("y")
            for height, text in zip(heights, trace["text"]):
                assert text in MARKS or float(text.replace(",", "")) == height, (text, height)
                assert height == 0 or height > T, (trace.get("name"), height)
        assert trace.get("customdata") is None or all(v is None for v in _numbers(trace["customdata"])), trace.get(
            "name"
        )
        assert "n %{customdata}" not in str(trace.get("hovertemplate", ""))


def test_every_setting_of_the_quality_views_leaves_nothing_small_to_work_out(demo):
    opts = options()
    instruments, primary = tuple(instrument_choices(opts)), primary_instrument(opts)
    periods = quarters(opts.first_admission, opts.data_as_of)
    assert [q.label for q in periods] == ["2026 Q3", "2026 Q2", "2026 Q1", "2025 Q4", "2025 Q3", "2025 Q2"]
    for earlier, later in zip(periods[1:], periods):  # whole quarters: nothing to difference between them
        assert earlier.end < later.start
    settings = worked_out = 0
    for quarter in periods:
        release = quarter_release(quarter, instruments, primary, T)
        adv = Adversary()
        _see_overview(adv, release.overview, primary)
        raw_overview = program_overview(quarter.filters(), primary)
        for w, r in zip(release.overview.attendance.itertuples(), raw_overview.attendance.itertuples()):
            if w.rate is not None and not pd.isna(w.rate):
                assert _rate_rests_on_no_small_count(r.attended, r.scheduled), (quarter.label, r.week_start)
        for build in (
            overview_charts.flow,
            overview_charts.discharge_reasons,
            overview_charts.attendance,
            overview_charts.modality,
            overview_charts.flags_by_rule,
            overview_charts.aftercare,
        ):
            _check_figure(build(release.overview), adv.known)
        for dimension in DIMENSIONS:
            for instrument in instruments:
                c = release.cohorts[(dimension, instrument)]
                raw = cohort_outcomes(quarter.filters(dimension), instrument)
                _see_cohorts(adv, c, dimension, instrument)
                _check_rates_and_curves(c, raw)
                _check_hedis(c, raw)
                for table in (c.follow_up, c.thresholds):  # shares only, never a count, in a shared view
                    for v in table.drop(columns="Cohort").values.ravel():
                        assert v == "—" or v.endswith(" %"), v
                for build in (
                    cohort_charts.jt_categories,
                    cohort_charts.rates,
                    cohort_charts.weekly_means,
                    cohort_charts.retention,
                    lambda c: cohort_charts.pre_post(c, 0, 27),
                ):
                    _check_figure(build(c), adv.known)
                shares = c.shares.dropna(subset=["share"])
                outcomes = c.outcomes.set_index("Cohort")
                for s in shares.itertuples():
                    count, total = outcomes.loc[s.cohort, s.category.replace("_", " ")], outcomes.loc[s.cohort, "total"]
                    assert not isinstance(count, str) and not isinstance(total, str)
                    assert s.share * total / 100 == pytest.approx(count)  # a share is only ever a shown count's
                settings += 1
        worked_out += len(adv.work_out())
    assert settings == len(periods) * len(DIMENSIONS) * len(instruments) == 72  # 6 quarters, 4 groupings, 3 instruments
    assert worked_out > 0  # the adversary does work things out: all of them large


def test_the_quality_pages_through_apptest_for_a_sample_of_settings(demo):
    from test_director_pages import _small_numbers

    for quarter, by in (("2026 Q3", "track"), ("2026 Q1", "age group"), ("2025 Q4", "clinician"), ("2026 Q2", "month")):
        for page in ("pages/overview.py", "pages/cohorts.py"):
            at = app("quality", user="q@example.org")
            at.run()
            at.switch_page(page)
            at.query_params["quarter"], at.query_params["by"] = quarter, by
            at.run()
            assert not at.exception
            assert at.selectbox(key="quarter").value == quarter
            texts = [m.value for m in at.metric]
            for frame in at.dataframe:
                numeric = frame.value.drop(
                    columns=[c for c in frame.value.columns if "%" in c or "Cohen" in c or "DMS" in c or "DRR" in c],
                    errors="ignore",
                )
                texts += [str(v) for v in numeric.to_numpy().ravel()]
            for i in range(len(at.get("plotly_chart"))):
                fig = chart(at, i)
                for trace in fig["data"]:
                    texts += [str(t) for t in trace.get("text") or []] if isinstance(trace.get("text"), list) else []
                    assert trace.get("customdata") is None or not any(_numbers(trace["customdata"]))
            found = [t for t in texts if _small_numbers(t)]
            assert found == [], (quarter, by, page, found)
            assert not [
                t
                for t in ("Quarter", "Track", "Clinician", "Age group")
                if t != "Quarter" and t in [s.label for s in at.selectbox]
            ]  # no free filters to narrow the view


def test_the_director_still_sees_every_count(demo):
    at = app("director", user="d@example.org")
    at.run()
    at.switch_page("pages/cohorts.py").run()
    outcomes = at.dataframe[1].value
    assert not outcomes.isin(MARKS).any().any()
    assert at.get("plotly_chart") and chart(at, 3)["data"][-1]["mode"] == "markers"  # per-episode points, care team


def test_the_quality_extract_holds_only_what_the_quality_pages_show(demo, tmp_path, monkeypatch, capsys):
    import threading

    import duckdb

    from dashboard.commands import extract

    out = tmp_path / "quality.duckdb"
    # as a quality team runs it, with no scope bound by anything else (a thread starts without this test's),
    # in this process: the releases the tests above built for the same file are reused (seconds each);
    # test_cli_entry_points.py runs the command itself
    monkeypatch.setenv("IOP_DB", str(demo))
    ran = {}
    command = threading.Thread(target=lambda: ran.update(code=extract.main(["--db", str(demo), "--out", str(out)])))
    command.start()
    command.join(300)
    assert ran == {"code": 0} and "measures_summary" in capsys.readouterr().out
    with duckdb.connect(str(out), read_only=True) as con:
        names = [n for (n,) in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        assert "cohort_outcomes" in names and "overview_flow" in names and "measures_summary" in names
        columns = {c for (c,) in con.execute("SELECT column_name FROM information_schema.columns").fetchall()}
        assert not {"participant_id", "episode_id", "admit_date", "discharge_date"} & columns
        counts = con.execute("""SELECT table_name, column_name FROM information_schema.columns
                                WHERE data_type IN ('BIGINT', 'INTEGER')
                                AND table_name IN ('cohort_outcomes', 'cohort_completeness', 'measures_summary')""").fetchall()
        assert counts
        for table, column in counts:
            [(small,)] = con.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" BETWEEN 1 AND 10').fetchall()
            assert small == 0, (table, column)
        [(hidden,)] = con.execute(
            """SELECT count(*) FROM cohort_outcomes WHERE total IS NULL AND "total mark" = 'suppressed'"""
        ).fetchall()
        assert hidden > 0
