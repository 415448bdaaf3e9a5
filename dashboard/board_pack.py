"""The board pack: one PDF of the overview and cohort charts for the chosen filters."""
from __future__ import annotations

from dataclasses import replace

from dashboard import exports
from dashboard.charts import cohorts as cohort_charts
from dashboard.charts import overview as overview_charts
from dashboard.cohorts import cohort_outcomes
from dashboard.filters import Filters
from dashboard.overview import program_overview
from dashboard.privacy import small_cell_threshold
from dashboard.suppression import format_count


def board_pack_figures(filters: Filters, instrument: str, total_min: float, total_max: float):
    t = small_cell_threshold()
    o = program_overview(filters, instrument)
    c = cohort_outcomes(replace(filters, dimension="quarter"), instrument)
    n_o, n_c = format_count(o.headline["episodes"], t), format_count(len(c.episodes), t)
    return [
        (overview_charts.flow(o.flow, t), n_o), (overview_charts.discharge_reasons(o.discharges, t), n_o),
        (overview_charts.attendance(o.attendance, t), n_o), (overview_charts.modality(o.modality, t), n_o),
        (overview_charts.completeness(o.completeness, instrument, t), n_o), (overview_charts.flags_by_rule(o.flags, t), n_o),
        (cohort_charts.jt_categories(c.summary, instrument, t), n_c), (cohort_charts.rates(c.summary, instrument, t), n_c),
        (cohort_charts.weekly_means(c.weekly, instrument, t), n_c),
        (cohort_charts.pre_post(c.episodes, instrument, t, total_min, total_max), n_c),
        (cohort_charts.retention(c.retention, t), n_c),
    ]


def board_pack_pdf(filters: Filters, instrument: str, total_min: float, total_max: float, data_as_of) -> bytes:
    figures = board_pack_figures(filters, instrument, total_min, total_max)
    return exports.board_pack("IOP outcomes: board pack", filters.describe(), data_as_of, figures)
