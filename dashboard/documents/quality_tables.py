"""The quality measures page's tables and its submission files, from the measures as they may be
shown (MeasuresShown). The files' column layouts are defined here, once, with what each column
holds; docs/measures.md lists the same (tests/test_quality_measures.py compares)."""

from __future__ import annotations

import pandas as pd

from dashboard.privacy.shown_measures import MeasuresShown
from dashboard.views import words
from dashboard.views.filters import WHOLE
from dashboard.views.quality_measures import STEP_LABELS, STEPS, STOP_LABELS, rate_label

SUMMARY_COLUMNS = {
    "measure_id": "the measure's code (DEP-REM-6, DRR-E …)",
    "measure_name": "its name",
    "specification": "the published specification and version its numbers are pinned to",
    "rate_id": "the rate (a measure may have several over one denominator)",
    "rate_label": "what the numerator counts",
    "period_start": "first admission date of the reporting period (YYYY-MM-DD)",
    "period_end": "last admission date of the reporting period",
    "grouping": "what the rows are grouped by (track, clinician, age group, an equity field)",
    "cohort": "the group, or Whole program",
    "admitted": "episodes admitted in the period",
    "eligible": "of those, in the measure's population (diagnosis)",
    "index_event": "of those, with the index event",
    "window_closed": "of those, whose measurement window has closed by the data date",
    "excluded": "of those, excluded by their discharge reason (death; retention: transfer, prison or death before the day)",
    "denominator": "window closed and not excluded",
    "numerator": "of the denominator, meeting the rate",
    "rate_percent": "numerator / denominator × 100, one decimal; empty when not shown",
    "ci_low_percent": "95 % Wilson interval, low end",
    "ci_high_percent": "95 % Wilson interval, high end",
}
EPISODE_COLUMNS = {
    "measure_id": "the measure's code",
    "specification": "the specification and version",
    "rate_id": "the rate",
    "period_start": "first admission date of the reporting period",
    "period_end": "last admission date of the reporting period",
    "episode_id": "the episode",
    "participant_id": "the participant",
    "admit_date": "admission date",
    "discharge_date": "discharge date (empty: open)",
    "track": "the episode's track",
    "clinician": "its primary clinician",
    "cohort": "its group along the file's grouping",
    "step": "where it left the measure: index, window, excluded, not met (in the denominator) or met",
    "reason": "why, in words",
    "scored": "the instrument (and subscale) scored",
    "index_date": "the index event's date",
    "index_value": "the index score (monitoring: periods judged)",
    "result_date": "the date of the score (or session) judged",
    "result_value": "that score (first session: days after admission; monitoring: periods with a score)",
    "met": "1 when in the numerator, 0 otherwise",
}
DISCHARGE_COLUMNS = {
    "episode_id": "the episode",
    "participant_id": "the participant (the program's own identifier)",
    "admit_date": "admission date (TEDS-D DATE of admission)",
    "discharge_date": "discharge date (TEDS-D DATE of discharge)",
    "length_of_stay_days": "discharge date minus admission date (TEDS-D LOS, in days)",
    "level_of_care": "level of care as the roster gives it (TEDS-D SERVICES_D: ambulatory, intensive outpatient)",
    "track": "the program's track",
    "teds_reason_code": "TEDS-D REASON: 1 completed, 2 dropped out, 3 terminated by facility, 4 transferred, 5 incarcerated, 6 death, 7 other",
    "teds_reason": "the label of that code",
    "local_reason": "the discharge reason as the program's export wrote it",
    "last_contact_date": "the last attended session of the episode (TEDS-D last contact)",
}


def _n(value) -> str:
    return value if isinstance(value, str) else f"{int(value):,}"


def summary(m: MeasuresShown) -> pd.DataFrame:
    """One row per measure and rate: the whole selection's value."""
    rows = []
    whole = m.rates[m.rates["cohort"] == WHOLE].set_index(["measure_id", "rate_id"])
    for spec in m.specs:
        for rate_id, label in spec.rates:
            r = whole.loc[(spec.id, rate_id)] if (spec.id, rate_id) in whole.index else None
            # the value before the long labels: at 1024 px it stays in view
            rows.append(
                {
                    "Measure": spec.id,
                    "Value (95 % CI)": "—" if r is None else m.rate_text(r),
                    "Rate": label,
                    "Name": spec.name,
                }
            )
    return pd.DataFrame(rows, columns=["Measure", "Value (95 % CI)", "Rate", "Name"])


def steps_table(m: MeasuresShown, measure_id: str) -> pd.DataFrame:
    """A measure's steps (rows, in order, the exclusions by reason before the denominator) by cohort
    (columns): counts or their marks, then each rate's numerator and value."""
    spec = next(s for s in m.specs if s.id == measure_id)

    def cells(part: pd.DataFrame, column: str = "episodes") -> dict:
        return {c: mark or _n(v) for c, v, mark in zip(part["cohort"], part[column], part["mark"])}

    steps = m.steps[m.steps["measure_id"] == measure_id]
    by_step = {step: cells(part) for step, part in steps.groupby("step", sort=False)}
    rows = [(STEP_LABELS[step], by_step[step]) for step in STEPS[:-1]]
    excl = m.exclusions[m.exclusions["measure_id"] == measure_id]
    rows += [(f"excluded: {reason}", cells(part)) for reason, part in excl.groupby("reason", sort=True)]
    rows.append((STEP_LABELS["denominator"], by_step["denominator"]))
    rates = m.rates[m.rates["measure_id"] == measure_id]
    for rate_id, _ in spec.rates:
        r = rates[rates["rate_id"] == rate_id]
        rows.append((f"met: {rate_label(rate_id)}", {c: _n(v) for c, v in zip(r["cohort"], r["numerator"])}))
        rows.append((f"% {rate_label(rate_id)} (95 % CI)", {x.cohort: m.interval_text(x) for x in r.itertuples()}))
    return pd.DataFrame(
        [{"Step": label, **{c: values.get(c, "0") for c in m.cohorts}} for label, values in rows],
        columns=["Step", *m.cohorts],
    )


def episode_list(m: MeasuresShown, measure_id: str, step: str | None = None) -> pd.DataFrame:
    """The care team's episodes of a measure (its first rate's steps), optionally those stopped at one step."""
    if m.episodes is None:
        return pd.DataFrame()
    rows = m.episodes(measure_id)
    e = rows[rows["rate_position"] == 0]
    if step:
        e = e[e["stopped_at"] == step]

    def day(column):  # as every page writes a date; none as —
        return words.days(e[column])

    def value(column):  # text: a column of numbers and dashes is not one type for the browser's table
        return e[column].map(lambda v: "—" if pd.isna(v) else f"{v:g}")

    # the participant, the step and why first: at 1024 px they stay in view; the episode is the participant
    # and the admission date (its internal id, "IOP-10111#20251124", is for files only)
    return pd.DataFrame(
        {
            "Participant": e["participant_id"],
            "Step": e["stopped_at"].map(STOP_LABELS),
            "Why": e["reason"],
            "Admitted": day("admit_date"),
            "Cohort": e["cohort"],
            "Clinician": e["primary_clinician"],
            "Index": day("index_date"),
            "Index score": value("index_value"),
            "Judged on": day("result_date"),
            "Score judged": value("result_value"),
        }
    ).reset_index(drop=True)


def file_count(value):
    """A count for a file: its mark when hidden, else the whole number."""
    return value if isinstance(value, str) else int(value)


def percents(r) -> dict:
    """A rate row's rate_percent and 95 % interval columns for a file: empty when the rate is not shown."""
    shown = isinstance(r["shown"], str)
    return {
        name: round(100 * r[column], 1) if shown else None
        for name, column in (("rate_percent", "rate"), ("ci_low_percent", "low"), ("ci_high_percent", "high"))
    }


def submission_summary(m: MeasuresShown) -> pd.DataFrame:
    """The summary submission file: SUMMARY_COLUMNS, one row per measure, rate and cohort."""
    steps = m.steps.set_index(["measure_id", "cohort", "step"])
    rates = m.rates.set_index(["measure_id", "rate_id", "cohort"])
    rows = []
    for spec in m.specs:
        for rate_id, rate_name in spec.rates:
            for cohort in m.cohorts:
                r = rates.loc[(spec.id, rate_id, cohort)]

                def step(name, cohort=cohort, spec=spec):
                    s = steps.loc[(spec.id, cohort, name)]
                    return s["mark"] or int(s["episodes"])

                window, denominator = step("window"), step("denominator")
                excluded = (
                    window - denominator
                    if not isinstance(window, str) and not isinstance(denominator, str)
                    else "suppressed"
                )
                rows.append(
                    {
                        "measure_id": spec.id,
                        "measure_name": spec.name,
                        "specification": spec.version,
                        "rate_id": rate_id,
                        "rate_label": rate_name,
                        "period_start": m.period[0].isoformat(),
                        "period_end": m.period[1].isoformat(),
                        "grouping": m.dimension,
                        "cohort": cohort,
                        "admitted": step("admitted"),
                        "eligible": step("eligible"),
                        "index_event": step("index"),
                        "window_closed": window,
                        "excluded": excluded,
                        "denominator": denominator,
                        "numerator": file_count(r["numerator"]),
                        **percents(r),
                    }
                )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def submission_episodes(m: MeasuresShown) -> pd.DataFrame:
    """The care team's per-episode file: EPISODE_COLUMNS, one row per measure, rate and eligible
    episode (those not eligible are counted in the summary, not listed)."""
    if m.episodes is None:
        raise PermissionError("episode rows are for the care team's true-count view only")
    spec = {s.id: s for s in m.specs}
    rows = m.episodes()
    e = rows[rows["stopped_at"] != "eligible"]
    out = pd.DataFrame(
        {
            "measure_id": e["measure_id"],
            "specification": e["measure_id"].map(lambda i: spec[i].version),
            "rate_id": e["rate_id"],
            "period_start": m.period[0].isoformat(),
            "period_end": m.period[1].isoformat(),
            "episode_id": e["episode_id"],
            "participant_id": e["participant_id"],
            "admit_date": e["admit_date"].dt.strftime("%Y-%m-%d"),
            "discharge_date": e["discharge_date"].dt.strftime("%Y-%m-%d"),
            "track": e["program"],
            "clinician": e["primary_clinician"],
            "cohort": e["cohort"],
            "step": e["stopped_at"].replace({"numerator": "not met"}),  # the step's name read as "met"
            "reason": e["reason"],
            "scored": e["scored"],
            "index_date": e["index_date"].dt.strftime("%Y-%m-%d"),
            "index_value": e["index_value"],
            "result_date": e["result_date"].dt.strftime("%Y-%m-%d"),
            "result_value": e["result_value"],
            "met": e["met"].astype(int),
        }
    )
    return out[list(EPISODE_COLUMNS)].reset_index(drop=True)


def discharge_extract(frame: pd.DataFrame) -> pd.DataFrame:
    """The TEDS-style discharge extract (queries/quality_measures/discharges.sql): DISCHARGE_COLUMNS."""
    out = pd.DataFrame(
        {
            "episode_id": frame["episode_id"],
            "participant_id": frame["participant_id"],
            "admit_date": frame["admit_date"].dt.strftime("%Y-%m-%d"),
            "discharge_date": frame["discharge_date"].dt.strftime("%Y-%m-%d"),
            "length_of_stay_days": frame["length_of_stay_days"],
            "level_of_care": frame["level_of_care"],
            "track": frame["program"],
            "teds_reason_code": frame["discharge_teds_code"],
            "teds_reason": frame["teds_reason"],
            "local_reason": frame["discharge_reason"],
            "last_contact_date": frame["last_contact_date"].dt.strftime("%Y-%m-%d"),
        }
    )
    return out[list(DISCHARGE_COLUMNS)]
