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
from dashboard.privacy.auditor import audit
from dashboard.privacy.cells import CellSet
from dashboard.privacy.marks import IN_TREATMENT
from dashboard.privacy.release import cohort_dimensions, measure_dimensions, quarter_release, quarters
from dashboard.views.cohorts import JT_ORDER, WHOLE, cohort_outcomes
from dashboard.views.filters import instrument_choices, options, primary_instrument
from dashboard.views.overview import program_overview
from dashboard.views.quality_measures import STEPS as QM_STEPS
from dashboard.views.quality_measures import quality_measures

T = 10
WIDTH = 4  # [privacy] protection_width
MARKS = ("<11", "suppressed", "withheld")
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
    """Sees every shown count of every setting and knows what each mark means ("<11": 1 to 10;
    "suppressed": 11 or more), which counts add up to which (groups to the whole program, categories
    to a row's N, a funnel's and a measure's steps with those who left at each) and works out, for
    every hidden count at once, the lowest and highest value all of that allows (linear programming
    over the whole quarter). It is told the true counts only to say which hidden ones are small."""

    def __init__(self):
        self.shown, self.truth, self.lines = {}, {}, []

    def see(self, key, value, true):
        if isinstance(value, str):
            assert value in MARKS, (key, value)
        else:
            value = float(value)
            assert value == 0 or value > T, (key, value)  # nothing small is shown
            assert value == float(true), (key, value, true)
        assert self.shown.setdefault(key, value) == value, (key, value, self.shown[key])  # one count, one value
        self.unknown(key, true)

    def unknown(self, key, true):
        """A count the reader does not see but reasons about (those who left at a step)."""
        assert self.truth.setdefault(key, float(true)) == float(true), (key, true, self.truth[key])

    def line(self, members, total):
        self.lines.append((tuple(members), total))

    def work_out(self, width=None) -> dict:
        """Every hidden count narrowed below the protection width (or, hidden to protect another, pinned):
        key -> (lowest, highest)."""
        cells = CellSet()
        for key, true in self.truth.items():
            cells.add(key, true, shown=key in self.shown)
        for members, total in self.lines:
            cells.line(members, total)  # the true counts add up as the reader assumes
        marks = {k: self.shown.get(k, "") for k in self.truth if isinstance(self.shown.get(k, ""), str)}
        return audit(cells, marks, T, WIDTH if width is None else width)


def _cohort(dim, cohort):
    return ("whole",) if cohort == WHOLE else (dim, cohort)


def _see_cohorts(adv: Adversary, c, raw, dim, ins):
    funnel = c.funnel.set_index("Cohort")
    outcomes = c.outcomes.set_index("Cohort")
    true_funnel = raw.funnel.set_index("cohort")
    true_jt = raw.summary.set_index("cohort")
    names = list(funnel.index)
    for name in names:
        ck = _cohort(dim, name)
        truth = {col: true_funnel.loc[name, STEPS[col]] for col in STEPS}

        def key(col, ck=ck):
            return ("admitted", *ck) if col == "admitted" else ("f", ins, *ck, col)

        for col in STEPS:
            adv.see(key(col), funnel.loc[name, col], truth[col])
        for child, parent in NESTED:
            gap = ("gap", ins, *ck, child, parent)
            adv.unknown(gap, truth[parent] - truth[child])
            adv.line([key(child), gap], key(parent))
        jt = {cat: true_jt.loc[name, cat] if name in true_jt.index else 0 for cat in JT_ORDER}
        jt["no_score"] = truth["admitted"] - sum(jt.values())
        cats = [("jt", ins, *ck, cat) for cat in CATEGORIES]
        for cat, k in zip(CATEGORIES, cats):
            adv.see(k, outcomes.loc[name, cat.replace("_", " ")], jt[cat])
        adv.see(key("admitted"), outcomes.loc[name, "total"], truth["admitted"])  # the row's total: the cohort's size
        adv.line(cats, key("admitted"))
    body = [n for n in names if n != WHOLE]
    if body:
        adv.line([("admitted", dim, n) for n in body], ("admitted", "whole"))
        for col in list(STEPS)[1:]:
            adv.line([("f", ins, dim, n, col) for n in body], ("f", ins, "whole", col))
        for cat in CATEGORIES:
            adv.line([("jt", ins, dim, n, cat) for n in body], ("jt", ins, "whole", cat))


def _see_measures(adv: Adversary, m, raw, dim, only=None):
    """The quality measures page: each measure's steps by cohort, its exclusions by reason and each
    rate's numerator; a reason a cohort does not list is none of its episodes."""
    steps = m.steps.set_index(["measure_id", "cohort", "step"])
    true_steps = raw.steps.set_index(["measure_id", "cohort"])
    excl = m.exclusions.set_index(["measure_id", "cohort", "reason"])
    true_excl = raw.exclusions.set_index(["measure_id", "cohort", "reason"])["episodes"]
    rates = m.rates.set_index(["measure_id", "rate_id", "cohort"])
    true_rates = raw.rates.set_index(["measure_id", "rate_id", "cohort"])["numerator"]
    for spec in (s for s in m.specs if only in (None, s.id)):
        reasons = sorted(set(m.exclusions.loc[m.exclusions["measure_id"] == spec.id, "reason"]))
        by_name: dict = {}
        for cohort in m.cohorts:
            ck = _cohort(dim, cohort)

            def true(step, cohort=cohort, measure=spec.id):
                at = (measure, cohort)
                return int(true_steps.loc[at, step]) if at in true_steps.index else 0

            keys = {}
            for step in QM_STEPS:
                keys[step] = ("admitted", *ck) if step == "admitted" else ("m", spec.id, step, *ck)
                r = steps.loc[(spec.id, cohort, step)]
                adv.see(keys[step], r["mark"] or r["episodes"], true(step))
            for before, step in zip(QM_STEPS, QM_STEPS[1:]):
                if step == "denominator":
                    continue  # the window's closed episodes are the denominator and the exclusions
                left = ("m", spec.id, "left at", step, *ck)
                adv.unknown(left, true(before) - true(step))
                adv.line([keys[step], left], keys[before])
            for reason in reasons:
                keys[reason] = ("m", spec.id, "excluded", reason, *ck)
                at = (spec.id, cohort, reason)
                shown = (excl.loc[at, "mark"] or excl.loc[at, "episodes"]) if at in excl.index else 0
                adv.see(keys[reason], shown, int(true_excl.get(at, 0)))
            adv.line([keys["denominator"], *(keys[r] for r in reasons)], keys["window"])
            for rate_id, _ in spec.rates:
                at = (spec.id, rate_id, cohort)
                keys[rate_id] = ("m", spec.id, rate_id, "met", *ck)
                numerator = rates.loc[at, "numerator"] if at in rates.index else 0
                met = int(true_rates.get(at, 0))
                adv.see(keys[rate_id], numerator, met)
                not_met = ("m", spec.id, rate_id, "not met", *ck)
                adv.unknown(not_met, true("denominator") - met)
                adv.line([keys[rate_id], not_met], keys["denominator"])
            for name, key in keys.items():
                by_name.setdefault(name, {})[cohort] = key
        if len(m.cohorts) > 1:
            for by_cohort in by_name.values():
                adv.line([k for c, k in by_cohort.items() if c != WHOLE], by_cohort[WHOLE])


def _see_overview(adv: Adversary, o, raw, ins):
    h = {k: (v if not m else m) for k, (v, m) in o.headline.items()}
    true = raw.headline
    for name in ("episodes", "active_census", "discharges"):
        adv.see(("ov", name), h[name], true[name])
    adv.see(("admitted", "whole"), h["admissions"], true["admissions"])
    adv.line([("ov", "active_census"), ("ov", "discharges")], ("ov", "episodes"))
    adv.unknown(("ov", "before"), true["episodes"] - true["admissions"])
    adv.line([("admitted", "whole"), ("ov", "before")], ("ov", "episodes"))
    for movement, total in (("admissions", ("admitted", "whole")), ("discharges", ("ov", "discharges"))):
        part = o.flow[o.flow["movement"] == movement]
        true_part = raw.flow[raw.flow["movement"] == movement]
        keys = []
        for month, v, m, t in zip(part["month"], part["episodes"], part["mark"], true_part["episodes"]):
            key = (
                ("admitted", "month", f"{pd.Timestamp(month):%Y-%m}")
                if movement == "admissions"
                else ("ov", "out", month)
            )
            adv.see(key, m or v, t)
            keys.append(key)
        adv.line(keys, total)
    for frame, raw_frame, column, name in (
        (o.discharges, raw.discharges, "reason", "episodes"),
        (o.aftercare, raw.aftercare, "aftercare", "discharges"),
    ):
        keys = [("ov", column, r) for r in frame[column]]
        for key, v, m, t in zip(keys, frame[name], frame["mark"], raw_frame[name]):
            adv.see(key, m or v, t)
        adv.line(keys, ("ov", "discharges"))
    steps = {
        ("admitted" if r.step == IN_TREATMENT else r.step): (r.mark or r.episodes) for r in o.completeness.itertuples()
    }
    true_steps = raw.completeness.iloc[0]
    truth = {label: true_steps[STEPS[label]] for label in STEPS if label != "admitted"}
    truth["admitted"] = true["episodes"]
    for step, v in steps.items():
        if step != "admitted":
            adv.see(("ovf", ins, step), v, truth[step])
    adv.see(("ov", "episodes"), steps["admitted"], truth["admitted"])
    for child, parent in NESTED:

        def key(col):
            return ("ov", "episodes") if col == "admitted" else ("ovf", ins, col)

        adv.unknown(("ovgap", child, parent), truth[parent] - truth[child])
        adv.line([key(child), ("ovgap", child, parent)], key(parent))


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
    settings = 0
    for quarter in periods:
        release = quarter_release(quarter, instruments, primary, T)
        adv = Adversary()
        raw_overview = program_overview(quarter.filters(), primary)
        _see_overview(adv, release.overview, raw_overview, primary)
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
            _check_figure(build(release.overview), adv.shown)
        for dimension in cohort_dimensions(opts.group_fields):
            for instrument in instruments:
                c = release.cohorts[(dimension, instrument)]
                raw = cohort_outcomes(quarter.filters(dimension), instrument)
                _see_cohorts(adv, c, raw, dimension, instrument)
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
                    _check_figure(build(c), adv.shown)
                shares = c.shares.dropna(subset=["share"])
                outcomes = c.outcomes.set_index("Cohort")
                for s in shares.itertuples():
                    count, total = outcomes.loc[s.cohort, s.category.replace("_", " ")], outcomes.loc[s.cohort, "total"]
                    assert not isinstance(count, str) and not isinstance(total, str)
                    assert s.share * total / 100 == pytest.approx(count)  # a share is only ever a shown count's
                settings += 1
        for dimension in measure_dimensions(opts.group_fields):
            _see_measures(adv, release.measures[dimension], quality_measures(quarter.filters(dimension)), dimension)
            settings += 1
        assert len(adv.truth) > 4000  # every count of the quarter, seen together
        assert adv.work_out() == {}, quarter.label
    # 6 quarters: 5 groupings (month, track, clinician, age group, site) x 3 instruments on the cohort
    # page, 10 groupings (the site among them) on the measures page
    assert settings == len(periods) * (len(cohort_dimensions(opts.group_fields)) * len(instruments) + 10) == 150


def _line_by_line(quarter):
    """The quarter's release as the line-by-line pass alone made it (before the auditor)."""
    from dashboard.privacy import release
    from dashboard.privacy.auditor import Verdict

    opts = options()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(release, "suppress", lambda cells, t: (cells.solve(t), Verdict()))
        return release._release(
            quarter, tuple(instrument_choices(opts)), primary_instrument(opts), T, tuple(opts.group_fields)
        )


def _quarter(label):
    opts = options()
    return next(q for q in quarters(opts.first_admission, opts.data_as_of) if q.label == label)


def _release_now(label):
    opts = options()
    return quarter_release(_quarter(label), tuple(instrument_choices(opts)), primary_instrument(opts), T)


def test_ret_90_by_sex_alone_no_longer_gives_a_hidden_count_away(demo):
    """The issue's one-table example: 2026 Q3, RET-90 by sex or gender. Window closed: Female 13, Male
    hidden, Non-binary <11, whole 26; excluded 0, <11, <11, whole <11. Male's window is at most
    26 - 13 - 1 and at least 11 + 1: 12, and a non-binary participant's transfer follows."""
    quarter, dim = _quarter("2026 Q3"), "sex or gender"
    raw = quality_measures(quarter.filters(dim))

    def adversary(release):
        adv = Adversary()
        _see_measures(adv, release.measures[dim], raw, dim, only="RET-90")
        return adv

    before = adversary(_line_by_line(quarter)).work_out()
    assert before[("m", "RET-90", "window", dim, "Male")] == pytest.approx((12, 12))  # pinned, as the issue found
    assert before[("m", "RET-90", "excluded", "discharged: transferred", dim, "Non-binary")] == pytest.approx((1, 1))
    adv = adversary(_release_now("2026 Q3"))
    assert adv.work_out() == {}  # every small count keeps 4 or more either way; nothing hidden is pinned
    assert adv.work_out(width=1) == {}


def test_pcl_5_no_score_by_month_and_track_no_longer_gives_april_away(demo):
    """The issue's cohort-page example: 2026 Q2, PCL-5 "no score" by track is 13, <11, 15, 0 (so the
    whole program's is at least 29); by month each is <11, so April's is at least 9; April's row is
    <11, 0, <11, 0, 0, 0, no score, total 11: April's no score is 9, recovered 1, unchanged 1."""
    quarter = _quarter("2026 Q2")
    raws = {dim: cohort_outcomes(quarter.filters(dim), "PCL-5") for dim in ("month", "track")}

    def adversary(release):
        adv = Adversary()
        for dim, raw in raws.items():
            _see_cohorts(adv, release.cohorts[(dim, "PCL-5")], raw, dim, "PCL-5")
        return adv

    before = adversary(_line_by_line(quarter)).work_out()
    assert before[("jt", "PCL-5", "month", "2026-04", "no_score")] == pytest.approx((9, 9))
    assert before[("jt", "PCL-5", "month", "2026-04", "recovered")] == pytest.approx((1, 1))
    adv = adversary(_release_now("2026 Q2"))
    assert adv.work_out() == {} and adv.work_out(width=1) == {}


def test_the_release_keeps_the_auditors_verdict(demo):
    verdict = _release_now("2026 Q3").verdict
    assert verdict.exposed == 0 and verdict.level == WIDTH
    assert verdict.cells > 4000 and verdict.small > 1000 and verdict.added > 0
    assert verdict.hidden > 1000  # marked "<11" or "suppressed"; the rest of the small ones are never shown
    assert "every one protected" in verdict.summary()
    assert verdict.public() == (
        "no hidden count can be narrowed to fewer than 5 possible values from everything this quarter shows, taken together"
    )


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
