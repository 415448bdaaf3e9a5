"""The overview as it may be shown under a disclosure: every count registered as a cell of a CellSet
(the same key wherever the same count appears), suppressed together, and then materialised so that a
hidden value never reaches a chart, a table or a file: it is NaN, with its mark ("<11" or
"suppressed") beside it. With true counts (the care team) nothing is hidden."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.privacy.auditor import suppress
from dashboard.privacy.cells import CellSet
from dashboard.privacy.marks import FUNNEL, FUNNEL_LABELS, IN_TREATMENT, label, marked, percent, register_funnel
from dashboard.privacy.policy import Disclosure
from dashboard.views.cohorts import WHOLE
from dashboard.views.overview import Overview


@dataclass(frozen=True)
class OverviewShown:
    disclosure: Disclosure
    headline: dict  # name -> (value or NaN, mark)
    flow: pd.DataFrame  # month, movement, episodes, mark
    discharges: pd.DataFrame  # reason, episodes, mark
    attendance: pd.DataFrame  # week_start, rate, mean_hours, mean_asam_min
    modality: pd.DataFrame  # session_type, hours (NaN when fewer than threshold + 1 people)
    family: str | None  # share of episodes with a family session
    flags: pd.DataFrame  # rule_id, severity, label, flags, mark
    actions: pd.DataFrame  # action_taken, flags, mark
    red_actions: tuple  # (number of red flags acted on, mark), median days
    red_median_days: float | None
    completeness: pd.DataFrame  # step, episodes, mark
    aftercare: pd.DataFrame  # aftercare, discharges, mark
    asam_minimums: str = ""  # the ASAM minimum hours a week the build used, in words

    def n(self) -> str:
        """The overview's population, saying what it counts: the headline's Admissions counts fewer."""
        return f"{label(*self.headline['episodes'])} episodes in treatment during the range"


def register_overview(cells: CellSet, o: Overview, instrument: str) -> None:
    h = o.headline
    n, census = cells.add(("ov", "episodes"), h["episodes"]), cells.add(("ov", "census"), h["active_census"])
    admitted, discharged = (
        cells.add(("admitted", WHOLE), h["admissions"]),
        cells.add(("ov", "discharges"), h["discharges"]),
    )
    cells.line([census, discharged], n)  # each selected episode is open at the end or was discharged in the range
    cells.line([admitted, cells.add(("ov", "admitted before"), h["episodes"] - h["admissions"], shown=False)], n)
    for movement, total in (("admissions", admitted), ("discharges", discharged)):
        part = o.flow[o.flow["movement"] == movement]
        cells.line([cells.add(_flow_key(movement, m), v) for m, v in zip(part["month"], part["episodes"])], total)
    cells.line(
        [cells.add(("ov", "reason", r), v) for r, v in zip(o.discharges["reason"], o.discharges["episodes"])],
        discharged,
    )
    if len(o.aftercare):
        cells.line(
            [cells.add(("ov", "aftercare", a), v) for a, v in zip(o.aftercare["aftercare"], o.aftercare["discharges"])],
            discharged,
        )
    register_funnel(cells, o.completeness.iloc[0] if len(o.completeness) else None, ("ov", "funnel", instrument), n)
    for r in o.flags.itertuples():
        cells.add(("ov", "flag", r.rule_id, r.severity), r.flags)
    for action, count in o.actions.groupby("action_taken").size().items():
        cells.add(("ov", "action", action), count)
    cells.add(("ov", "red acted"), int((o.actions["severity"] == "red").sum()))


def _flow_key(movement: str, month) -> tuple:
    month = pd.Timestamp(month).strftime("%Y-%m")
    # admissions by month are the month cohorts' sizes on the cohort page: one count, one cell
    return ("admitted", "month", month) if movement == "admissions" else ("ov", "discharged", month)


def materialise_overview(o: Overview, marks: dict, disclosure: Disclosure, instrument: str) -> OverviewShown:
    t = disclosure.threshold
    h = o.headline
    keys = {
        "episodes": ("ov", "episodes"),
        "active_census": ("ov", "census"),
        "admissions": ("admitted", WHOLE),
        "discharges": ("ov", "discharges"),
    }
    headline = {name: (np.nan if marks.get(k) else h[name], marks.get(k, "")) for name, k in keys.items()}

    def small(v) -> bool:
        return bool(t) and 1 <= v <= t

    attendance = o.attendance.assign(
        rate=[
            None if (percent(a, s, t) is None) else 100 * a / s
            for a, s in zip(o.attendance["attended"], o.attendance["scheduled"])
        ],
        mean_hours=[
            None if small(n) or not n else m
            for m, n in zip(o.attendance["mean_hours"], o.attendance["participant_weeks"])
        ],
    )[["week_start", "rate", "mean_hours", "mean_asam_min"]]
    modality = o.modality.assign(
        hours=[np.nan if small(e) else hr for hr, e in zip(o.modality["hours"], o.modality["episodes"])]
    )
    funnel = o.completeness.iloc[0] if len(o.completeness) else None
    steps = ["admitted", *FUNNEL]
    completeness = pd.DataFrame(
        {"step": steps, "episodes": [float(funnel[s]) if funnel is not None else 0.0 for s in steps]}
    )
    completeness = marked(
        completeness, "episodes", [("ov", "episodes")] + [("ov", "funnel", instrument, s) for s in FUNNEL], marks
    )
    actions = o.actions.groupby("action_taken").size().rename("flags").reset_index()
    red = o.actions[o.actions["severity"] == "red"]
    red_mark = marks.get(("ov", "red acted"), "")
    return OverviewShown(
        disclosure,
        headline,
        marked(o.flow, "episodes", [_flow_key(mv, m) for mv, m in zip(o.flow["movement"], o.flow["month"])], marks),
        marked(o.discharges, "episodes", [("ov", "reason", r) for r in o.discharges["reason"]], marks),
        attendance,
        modality,
        percent(o.family["with_family_session"], o.family["episodes"], t),
        marked(
            o.flags, "flags", [("ov", "flag", r, s) for r, s in zip(o.flags["rule_id"], o.flags["severity"])], marks
        ),
        marked(actions, "flags", [("ov", "action", a) for a in actions["action_taken"]], marks),
        (np.nan if red_mark else len(red), red_mark),
        None if red_mark or not len(red) else float(red["days_to_action"].median()),
        completeness.assign(step=[IN_TREATMENT, *FUNNEL_LABELS]),
        marked(o.aftercare, "discharges", [("ov", "aftercare", a) for a in o.aftercare["aftercare"]], marks),
        o.asam_minimums,
    )


def shown_overview(o: Overview, disclosure: Disclosure, instrument: str) -> OverviewShown:
    cells = CellSet()
    register_overview(cells, o, instrument)
    return materialise_overview(o, suppress(cells, disclosure.threshold)[0], disclosure, instrument)
