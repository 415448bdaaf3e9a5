"""Charts read at a glance: colours that mean something on any boolean type, axes bounded by the
data and the instrument, one colour per cohort, and a reason instead of an empty axis."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from dashboard.charts.attendance import weekly_hours
from dashboard.charts.style import CATEGORY_COLOURS, FLAG_COLOURS


def test_a_short_full_week_is_amber_whatever_boolean_type_the_data_has():
    # IOP-10281's week of 2 Nov: 8.63 h against a 9 h minimum, flags as numpy booleans from DuckDB
    weeks = pd.DataFrame(
        {
            "week_start": [dt.date(2026, 10, 26), dt.date(2026, 11, 2), dt.date(2026, 11, 9)],
            "hours_attended": [9.5, 8.63, 3.0],
            "asam_min_hours": [9.0, 9.0, 9.0],
            "full_week": np.array([True, True, False]),
            "below_asam": pd.array([False, True, None], dtype="boolean"),
        }
    )
    colours = weekly_hours(weeks).data[0].marker.color
    assert colours[1] == FLAG_COLOURS["amber"]
    assert colours[0] != FLAG_COLOURS["amber"] and colours[2] != FLAG_COLOURS["amber"]
    with_numpy = weeks.assign(below_asam=np.array([False, True, False]))
    assert weekly_hours(with_numpy).data[0].marker.color[1] == FLAG_COLOURS["amber"]


def test_eighteen_cohorts_get_eighteen_colours_and_none_is_the_whole_programs():
    assert len(set(CATEGORY_COLOURS[:18])) == 18
    assert "#000000" not in CATEGORY_COLOURS
    rgb = [tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in CATEGORY_COLOURS[:18]]
    closest = min(sum((a - b) ** 2 for a, b in zip(x, y)) ** 0.5 for i, x in enumerate(rgb) for y in rgb[i + 1 :])
    assert closest > 40  # no two near-identical shades


def test_shapes_drawn_at_once_are_the_ones_plotly_draws_one_by_one():
    import plotly.graph_objects as go

    from dashboard.charts.style import band, base_layout, draw, level, upright

    slow = go.Figure()
    slow.add_hrect(
        y0=-0.5,
        y1=4.5,
        fillcolor="#ffffe5",
        opacity=0.6,
        line_width=0,
        layer="below",
        annotation_text="minimal",
        annotation_position="right",
        annotation_font_size=11,
        annotation_font_color="#555",
    )
    slow.add_hline(
        y=9.5,
        line_dash="dash",
        line_color="#333",
        line_width=1.5,
        annotation_text="clinical cutoff (≥ 10)",
        annotation_position="top left",
        annotation_font_size=11,
    )
    slow.add_hrect(y0=6.5, y1=17.5, fillcolor="#777", opacity=0.25, line={"width": 1, "dash": "dot", "color": "#333"})
    slow.add_shape(type="rect", x0=0.5, x1=1.5, y0=-0.5, y1=0.5, line={"color": FLAG_COLOURS["red"], "width": 4})
    slow.add_vline(x=9.5, line_dash="dash", line_color="#333")
    slow.add_hline(y=9.5, line_dash="dash", line_color="#333", annotation_text="cutoff 10")
    slow.update_layout(template="plotly_white")
    fast = go.Figure()
    draw(
        fast,
        [
            band(
                -0.5,
                4.5,
                "minimal",
                {"size": 11, "color": "#555"},
                fillcolor="#ffffe5",
                opacity=0.6,
                line={"width": 0},
                layer="below",
            ),
            level(9.5, "clinical cutoff (≥ 10)", {"size": 11}, line={"dash": "dash", "color": "#333", "width": 1.5}),
            band(6.5, 17.5, fillcolor="#777", opacity=0.25, line={"width": 1, "dash": "dot", "color": "#333"}),
            (
                {
                    "type": "rect",
                    "x0": 0.5,
                    "x1": 1.5,
                    "y0": -0.5,
                    "y1": 0.5,
                    "line": {"color": FLAG_COLOURS["red"], "width": 4},
                },
                None,
            ),
            upright(9.5, line={"dash": "dash", "color": "#333"}),
            level(9.5, "cutoff 10", note_at="right", line={"dash": "dash", "color": "#333"}),
        ],
    )
    base_layout(fast, "")
    assert fast.to_plotly_json()["layout"]["shapes"] == slow.to_plotly_json()["layout"]["shapes"]
    assert fast.to_plotly_json()["layout"]["annotations"] == slow.to_plotly_json()["layout"]["annotations"]
    assert fast.to_plotly_json()["layout"]["template"] == slow.to_plotly_json()["layout"]["template"]  # set unvalidated


@pytest.fixture
def demo(demo_db, monkeypatch):
    monkeypatch.setenv("IOP_DB", str(demo_db))
    from dashboard.views.filters import options

    return options()


def _cohorts(opts, instrument, **filters):
    from dashboard.privacy import shown_cohorts
    from dashboard.privacy.policy import Disclosure
    from dashboard.views.cohorts import cohort_outcomes
    from dashboard.views.filters import Filters

    f = Filters(opts.first_admission, opts.data_as_of, **filters)
    return shown_cohorts.shown_cohorts(cohort_outcomes(f, instrument), Disclosure(0))


def test_month_cohorts_have_one_colour_each_in_every_chart(demo):
    from dashboard.charts import cohorts as charts

    c = _cohorts(demo, "PHQ-9", dimension="month")
    assert len(c.cohorts) >= 18
    for figure in (charts.retention(c), charts.weekly_means(c, 0, 27)):
        lines = {t.name: t.line.color for t in figure.data if t.name}
        assert len(set(lines.values())) == len(lines) == len(c.cohorts) + 1, figure.layout.title.text
        assert lines["Whole program"] == "#000000"
        assert figure.layout.height >= 140 + 21 * len(lines)  # every cohort fits in the legend


def test_axes_are_bounded_by_the_instrument_and_the_data(demo):
    from dashboard.charts import cohorts as charts

    c = _cohorts(demo, "PHQ-9")
    scatter = charts.pre_post(c, 0, 27)
    assert list(scatter.layout.xaxis.range) == list(scatter.layout.yaxis.range) == [-0.5, 27.5]
    assert scatter.layout.yaxis.scaleanchor is None  # it widened the axes to −5…35 in a column
    assert list(charts.weekly_means(c, 0, 27).layout.yaxis.range) == [0, 27]
    assert list(charts.jt_categories(c).layout.xaxis.range) == [0, 100]


def test_the_scatter_draws_each_pair_of_scores_once_with_its_episodes(demo):
    from dashboard.charts import cohorts as charts

    c = _cohorts(demo, "PHQ-9")
    paired = c.episodes.dropna(subset=["change"])
    points = [t for t in charts.pre_post(c, 0, 27).data if t.mode == "markers"]
    drawn = {
        (cat, x, y): n
        for t in points
        for x, y, n in zip(t.x, t.y, t.customdata)
        for cat in [next(k for k, v in charts.JT_LABELS.items() if v == t.name)]
    }
    expected = paired.groupby(["jt_category", "baseline_score", "latest_score"]).size()
    assert drawn == {key: n for key, n in expected.items()}
    assert sum(drawn.values()) == len(paired) and max(drawn.values()) > 1  # the demo has pairs shared by episodes
    assert all(list(t.marker.size) == list(t.customdata) for t in points)
    assert charts.pre_post(c, 0, 27).layout.legend.itemsizing == "constant"  # legible marks whatever the sizes


def test_an_empty_chart_says_why_and_draws_no_axis(demo):
    from dashboard.charts import cohorts as charts

    pcl = _cohorts(demo, "PCL-5")
    rates = charts.rates(pcl)
    assert [a.text for a in rates.layout.annotations] == [
        "PCL-5 has no response or remission definition in the instrument catalogue"
    ]
    assert rates.layout.xaxis.visible is False and rates.layout.yaxis.visible is False
    nobody = _cohorts(demo, "PHQ-9", program="No such track")
    for figure in (
        charts.rates(nobody),
        charts.weekly_means(nobody),
        charts.retention(nobody),
        charts.jt_categories(nobody),
        charts.pre_post(nobody, 0, 27),
    ):
        assert figure.layout.annotations and figure.layout.xaxis.visible is False, figure.layout.title.text


def test_completeness_counts_only_the_tracks_that_take_the_instrument(demo, demo_db):
    """PCL-5 is taken on the trauma track (settings measurement.plan): 17 of 61 was all admissions."""
    from conftest import rows
    from dashboard.views.filters import Filters
    from dashboard.views.overview import program_overview

    o = program_overview(Filters(demo.first_admission, demo.data_as_of), "PCL-5")
    funnel = o.completeness.iloc[0]
    [(trauma,)] = rows(
        demo_db, "SELECT count(*) FROM episodes WHERE program = 'Trauma' AND admit_date <= ?", [demo.data_as_of]
    )
    assert funnel["admitted"] > funnel["expected"] == trauma
    assert funnel["with_baseline"] <= funnel["expected"]
    phq = program_overview(Filters(demo.first_admission, demo.data_as_of), "PHQ-9").completeness.iloc[0]
    assert phq["expected"] == phq["admitted"]  # every track takes the PHQ-9


def test_every_chart_has_a_text_alternative_made_from_what_it_draws():
    import re
    from pathlib import Path

    import plotly.graph_objects as go

    from dashboard.charts.describe import describe

    fig = go.Figure(
        [
            go.Bar(x=["Safety item", "Not on track &lt;b&gt;"], y=[3, None], name="red"),
            go.Scatter(x=list(range(1, 21)), y=[float(v) for v in range(20, 0, -1)], name="PHQ-9<br>mean"),
        ]
    )
    fig.update_layout(title_text="Open flags <sup>by rule</sup>")
    assert describe(fig) == (
        "Open flags by rule. red: Safety item 3, Not on track <b> not shown; "
        "PHQ-9 mean: 20 values from 1 to 20, lowest 1, highest 20, last 1"
    )
    # one place draws charts, with that text: no page or helper calls st.plotly_chart itself
    root = Path(__file__).resolve().parents[1]
    callers = [
        str(p.relative_to(root))
        for folder in ("pages", "dashboard")
        for p in (root / folder).rglob("*.py")
        if re.search(r"st\.plotly_chart\(", p.read_text())
    ]
    assert callers == ["dashboard/ui/figures.py"]


def test_only_a_subscale_that_raises_a_flag_is_drawn_as_one_and_a_total_without_items_is_named():
    import pandas as pd

    from dashboard.charts.items import item_heatmap
    from dashboard.charts.subscales import subscale_chart

    bam = pd.DataFrame(
        {
            "assessed_on": ["2026-11-02"] * 3,
            "subscale": ["Use", "Risk", "Protective"],
            "score": [4, 18, 7],
            "flag_at_least": [1, 12, None],
            "flag_at_most": [None, None, 12],
            "low": [0, 0, 0],
            "high": [12, 24, 24],
            "raises_flag": [True, False, False],
        }
    )
    notes = [a.text for a in subscale_chart("BAM", bam).layout.annotations if "at " in (a.text or "")]
    assert notes == ["red flag at 1 or more", "concern (no flag) at 12 or more", "concern (no flag) at 12 or less"]
    items = pd.DataFrame(
        {
            "assessed_on": ["2026-11-02", "2026-11-02"],
            "item_number": [1, 2],
            "value": [2, 1],
            "item_max": [3, 3],
            "item_label": ["nervous", "worry"],
            "safety_item": [False, False],
        }
    )
    title = item_heatmap("GAD-7", items, [pd.Timestamp("2026-11-09").date()]).layout.title.text
    assert "Not in the grid (a total without item answers): 09 Nov 2026" in title
