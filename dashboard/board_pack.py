"""The board pack: one PDF of the overview and cohort charts for the selection, built from the
payloads as they may leave the program (suppressed unless a care-team member chose otherwise),
with the program's confidentiality notice on every page."""
from __future__ import annotations

from dashboard import db, exports
from dashboard.documents import board
from dashboard.charts import cohorts as cohort_charts
from dashboard.charts import overview as overview_charts
from dashboard.privacy.views import CohortsShown, OverviewShown, label


def board_pack_figures(o: OverviewShown, c: CohortsShown, instrument: str, total_min: float, total_max: float):
    n_o, n_c = o.n(), label(*c.n)
    return [
        (overview_charts.flow(o), n_o), (overview_charts.discharge_reasons(o), n_o), (overview_charts.attendance(o), n_o),
        (overview_charts.modality(o), n_o), (overview_charts.completeness(o, instrument), n_o),
        (overview_charts.flags_by_rule(o), n_o),
        (cohort_charts.jt_categories(c), n_c), (cohort_charts.rates(c), n_c), (cohort_charts.weekly_means(c), n_c),
        (cohort_charts.pre_post(c, total_min, total_max), n_c), (cohort_charts.retention(c), n_c),
    ]


def board_pack_pdf(o: OverviewShown, c: CohortsShown, instrument: str, total_min: float, total_max: float,
                   selection: str, data_as_of) -> bytes:
    info = exports.FileInfo("board pack", selection, o.n(), data_as_of, o.disclosure.note(), not o.disclosure.suppressed)
    return board.pdf(info, board_pack_figures(o, c, instrument, total_min, total_max), notice())


def notice() -> str:
    """The confidentiality notice every page carries (settings reports.confidentiality_notice)."""
    settings = db.query("common/settings").set_index("name")
    return str(settings.loc["reports_confidentiality_notice", "text"])
