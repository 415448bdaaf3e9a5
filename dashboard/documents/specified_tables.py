"""The specified count's table and its submission file (SpecifiedShown): the counts programs submit,
one index event per participant per measurement period as each specification counts it. The file's
column layout is defined here, once; docs/measures.md lists the same (tests/test_measures_specified.py
compares)."""

from __future__ import annotations

import pandas as pd

from dashboard.documents.quality_tables import file_count, percents
from dashboard.privacy.marks import label
from dashboard.privacy.shown_specified import SpecifiedShown
from dashboard.views import words
from dashboard.views.quality_measures import STOP_LABELS

SPECIFIED_COLUMNS = {
    "measure_id": "the measure's code (DEP-REM-6, DRR-E …)",
    "measure_name": "its name",
    "specification": "the published specification and version its numbers are pinned to",
    "rate_id": "the rate (a measure may have several over one denominator)",
    "rate_label": "what the numerator counts",
    "period_start": "first day of the measurement period (YYYY-MM-DD; settings quality.period_start_month)",
    "period_end": "last day of the measurement period",
    "period_ended": "1 when the period has ended by the data date (its counts no longer change), else 0",
    "unit": "what is counted: a participant's index event in the period (DMS-E: a participant's assessment period)",
    "candidates": "participants with a score above the index threshold in the period (DMS-E: assessment periods with an attended session)",
    "index_events": "of those, with the qualifying diagnosis active and the age: the denominator's index events",
    "window_closed": "of those, whose window has closed by the data date",
    "excluded": "of those, excluded (diagnoses such as bipolar disorder, palliative care, death)",
    "denominator": "window closed and not excluded",
    "numerator": "of the denominator, meeting the rate",
    "rate_percent": "numerator / denominator × 100, one decimal; empty when not shown",
    "ci_low_percent": "95 % Wilson interval, low end",
    "ci_high_percent": "95 % Wilson interval, high end",
    "diagnoses_icd10": "index events whose diagnoses came from the diagnoses export (ICD-10 codes)",
    "diagnoses_roster_group": "index events whose diagnosis came from the roster's diagnosis group (fallback: no exclusions by diagnosis)",
    "diagnoses_not_recorded": "index events with no diagnosis recorded at all (counted as the measure's without_diagnosis says)",
}
SOURCE_COLUMNS = {
    "ICD-10 diagnoses": "diagnoses_icd10",
    "roster diagnosis group": "diagnoses_roster_group",
    "not recorded": "diagnoses_not_recorded",
}


def _cell(s: SpecifiedShown, frame: pd.DataFrame, **where) -> object:
    part = frame
    for column, value in where.items():
        part = part[part[column] == value]
    if not len(part):
        return 0
    r = part.iloc[0]
    return r["mark"] or int(r["units"])


def _count(s: SpecifiedShown, measure_id: str, step: str) -> object:
    return _cell(s, s.steps, measure_id=measure_id, step=step)


def table(s: SpecifiedShown) -> pd.DataFrame:
    """One row per measure and rate: the value first (at 1024 px it stays in view), then the steps and
    where the diagnoses came from."""
    rows = []
    for spec in s.specs:
        rates = s.rates[s.rates["measure_id"] == spec.id].set_index("rate_id")
        sources = s.sources[s.sources["measure_id"] == spec.id]
        where = ", ".join(f"{x.dx_source} {label(x.units, x.mark)}" for x in sources.itertuples()) or "—"
        excluded = s.exclusions[s.exclusions["measure_id"] == spec.id]
        for rate_id, rate_name in spec.rates:
            r = rates.loc[rate_id] if rate_id in rates.index else None
            shown = r is not None and isinstance(r["shown"], str)
            value = f"{r['shown']} ({100 * r['low']:.0f}–{100 * r['high']:.0f})" if shown else "—"
            if shown and not s.disclosure.suppressed:
                value = f"{int(r['numerator']):,} of {int(r['denominator']):,} · {value}"
            rows.append(
                {
                    "Measure": spec.id,
                    "Value (95 % CI)": value,
                    "Rate": rate_name,
                    "Candidates": label(*_pair(s, spec.id, "candidates")),
                    "Index events": label(*_pair(s, spec.id, "eligible")),
                    "Window closed": label(*_pair(s, spec.id, "window")),
                    "Excluded": "; ".join(f"{x.reason} {label(x.units, x.mark)}" for x in excluded.itertuples()) or "0",
                    "Denominator": label(*_pair(s, spec.id, "denominator")),
                    "Diagnoses from": where,
                }
            )
    columns = [
        "Measure",
        "Value (95 % CI)",
        "Rate",
        "Candidates",
        "Index events",
        "Window closed",
        "Excluded",
        "Denominator",
        "Diagnoses from",
    ]
    return pd.DataFrame(rows, columns=columns)


def _pair(s: SpecifiedShown, measure_id: str, step: str) -> tuple:
    r = s.steps[(s.steps["measure_id"] == measure_id) & (s.steps["step"] == step)].iloc[0]
    return r["units"], r["mark"]


def submission(s: SpecifiedShown) -> pd.DataFrame:
    """The submission file: SPECIFIED_COLUMNS, one row per measure and rate of the measurement period."""
    rows = []
    for spec in s.specs:
        rates = s.rates[s.rates["measure_id"] == spec.id].set_index("rate_id")
        window, denominator = _count(s, spec.id, "window"), _count(s, spec.id, "denominator")
        excluded = (
            window - denominator if not isinstance(window, str) and not isinstance(denominator, str) else "suppressed"
        )
        sources = {
            column: _cell(s, s.sources, measure_id=spec.id, dx_source=source)
            for source, column in SOURCE_COLUMNS.items()
        }
        for rate_id, rate_name in spec.rates:
            r = rates.loc[rate_id]
            rows.append(
                {
                    "measure_id": spec.id,
                    "measure_name": spec.name,
                    "specification": spec.version,
                    "rate_id": rate_id,
                    "rate_label": rate_name,
                    "period_start": s.period.start.isoformat(),
                    "period_end": s.period.end.isoformat(),
                    "period_ended": int(s.period.ended),
                    "unit": "assessment period" if spec.kind == "monitoring" else "index event",
                    "candidates": _count(s, spec.id, "candidates"),
                    "index_events": _count(s, spec.id, "eligible"),
                    "window_closed": window,
                    "excluded": excluded,
                    "denominator": denominator,
                    "numerator": file_count(r["numerator"]),
                    **percents(r),
                    **sources,
                }
            )
    return pd.DataFrame(rows, columns=list(SPECIFIED_COLUMNS))


def participant_list(s: SpecifiedShown, measure_id: str) -> pd.DataFrame:
    """The care team's list behind a measure's specified count (its first rate's steps)."""
    if s.rows is None:
        return pd.DataFrame()
    e = s.rows(measure_id)

    def day(column):
        return words.days(e[column])

    def value(column):  # text: a column of numbers and dashes is not one type for the browser's table
        return e[column].map(lambda v: "—" if pd.isna(v) else f"{v:g}")

    return pd.DataFrame(
        {
            "Participant": e["participant_id"],
            "Step": e["stopped_at"].map(STOP_LABELS | {"eligible": "no index event"}),
            "Why": e["reason"],
            "Index": day("unit_start"),
            "Index score": value("index_value"),
            "Window": (day("window_opens") + " – " + day("window_closes")).where(e["window_opens"].notna(), "—"),
            "Judged on": day("result_date"),
            "Score judged": value("result_value"),
            "Diagnoses from": e["dx_source"],
        }
    ).reset_index(drop=True)
