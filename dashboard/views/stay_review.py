"""The continued-stay review packet for a payer's utilization review: level of care and dates,
attendance against what was authorized and against the ASAM minimum, scores at intake and latest
with reliable change and severity band, expected-recovery status, flags and what was done, and the
clinician's justification. One Packet, built from the participant page's EpisodeView, is what the
page shows and what the one-page PDF prints, so the two cannot disagree.

The justification is typed by a clinician and kept in the application-state store
(dashboard/store/stay_justifications.py); the printed page is dashboard/documents/stay_packet.py."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.store import stay_justifications
from dashboard.views import words
from dashboard.views.participant import EpisodeView


@dataclass(frozen=True)
class Packet:
    participant_id: str
    title: str  # the episode in words
    facts: pd.DataFrame  # Item, Detail
    attendance: pd.DataFrame  # Attendance, Attended, Against
    scores: pd.DataFrame  # Instrument, Intake, Latest, Change, Expected recovery
    flags: pd.DataFrame  # Flag, Explanation, Status, Action taken
    justification: dict | None  # the latest: text, user_name, created_at
    notice: str

    def sections(self) -> list[tuple[str, pd.DataFrame]]:
        return [
            ("Level of care and dates", self.facts),
            ("Attendance", self.attendance),
            ("Scores", self.scores),
            ("Flags and actions taken", self.flags),
        ]

    @property
    def justification_line(self) -> str:
        j = self.justification
        return "No justification written yet." if j is None else f"By {j['author']}, {j['created_at']} UTC"


def _day(value) -> str:
    return "—" if words.missing(value) else f"{pd.Timestamp(value):%d %b %Y}"


def _hours(value) -> str:
    return f"{float(value):.1f} h"


def _facts(view: EpisodeView, current: dict | None) -> pd.DataFrame:
    e = view.episode
    rows = [
        ("Level of care", e.get("level_of_care") or "not recorded"),
        ("Track", e["program"] or "not recorded"),
        ("Admitted", f"{_day(e['admit_date'])} (week {view.week_in_program} of treatment)"),
        ("Status", view.status),
        ("Primary clinician", e["primary_clinician"] or "not recorded"),
    ]
    if current is None:
        rows.append(("Authorization", "none on file"))
    else:
        left = int(current["days_left"])
        ends = (
            f"ended {_day(current['covered_through'])}"
            if left < 0
            else f"through {_day(current['covered_through'])} ({left} day{'s' * (left != 1)} after the data date, "
            f"{_day(view.data_as_of)})"
        )
        rows += [
            ("Payer", current["payer"] or "not recorded"),
            (
                "Authorization",
                f"{current['authorization_id']}: {_day(current['start_date'])} – "
                f"{_day(current['end_date'])}" + (f", {current['level_of_care']}" if current["level_of_care"] else ""),
            ),
            ("Authorized", ends),
        ]
    rows.append(("Data as of", _day(view.data_as_of)))
    return pd.DataFrame(rows, columns=["Item", "Detail"])


def _attendance(view: EpisodeView, current: dict | None) -> pd.DataFrame:
    rows = []
    if current is not None:
        block = f"this authorization ({_day(current['start_date'])} – {_day(current['end_date'])})"
        if not words.missing(current["authorized_sessions"]):
            rows.append(
                (
                    f"Days attended, {block}",
                    f"{int(current['days_used'])}",
                    f"{int(current['authorized_sessions'])} days authorized",
                )
            )
        if not words.missing(current["authorized_hours"]):
            rows.append(
                (
                    f"Hours attended, {block}",
                    _hours(current["hours_used"]),
                    f"{float(current['authorized_hours']):g} h authorized",
                )
            )
    s = view.sessions
    if len(s):  # attended and scheduled as the attendance settings count them
        attended, scheduled = s["attended"].astype(bool), s["scheduled"].astype(bool)
        rows.append(
            ("Sessions attended since admission", f"{int(attended.sum())}", f"of {int(scheduled.sum())} scheduled")
        )
        rows.append(("Hours attended since admission", _hours(s.loc[attended, "minutes"].sum() / 60), ""))
    full = view.weeks[view.weeks["full_week"].astype(bool)] if len(view.weeks) else view.weeks
    if len(full):
        last = full.iloc[-1]
        age = view.episode.get("age_group") or "adult"
        rows.append(
            (
                f"Hours, last full week (from {_day(last['week_start'])})",
                _hours(last["hours_attended"]),
                f"ASAM 2.1 minimum {float(last['asam_min_hours']):g} h a week ({age})",
            )
        )
        met = int((~full["below_asam"].astype(bool)).sum())
        rows.append(("Full weeks at or above the ASAM minimum", f"{met}", f"of {len(full)} full weeks"))
    return pd.DataFrame(rows, columns=["Attendance", "Attended", "Against"])


def _scores(view: EpisodeView) -> pd.DataFrame:
    rows = []
    for instrument in [i for i in view.instruments if i in set(view.outcomes["instrument"])]:
        o = view.outcome(instrument)

        def score(value, band, on):
            if words.missing(value):
                return "—"
            return f"{words.points(value)}" + ("" if words.missing(band) else f" ({band})") + f", {_day(on)}"

        rows.append(
            {
                "Instrument": instrument,
                "Intake": score(o["baseline_score"], o["baseline_band"], o["baseline_date"]),
                "Latest": score(o["latest_score"], o["latest_band"], o["latest_date"]),
                "Change": words.change(o),
                "Expected recovery": "—"
                if words.missing(o["recovery_status"])
                else f"{o['recovery_status']} (week {int(o['recovery_week'])})",
            }
        )
    return pd.DataFrame(rows, columns=["Instrument", "Intake", "Latest", "Change", "Expected recovery"])


def _flags(view: EpisodeView) -> pd.DataFrame:
    f = view.flags  # with their state, open first
    if not len(f):
        return pd.DataFrame(columns=["Flag", "Explanation", "Status", "Action taken"])
    taken = [
        "—" if words.missing(a) else f"{a}: {n} ({u}, {str(c)[:10]})"
        for a, n, u, c in zip(f["action_taken"], f["note"], f["author"], f["created_at"])
    ]
    return pd.DataFrame(
        {"Flag": f["label"], "Explanation": f["explanation"], "Status": f["status"], "Action taken": taken}
    )


def packet(view: EpisodeView) -> Packet:
    in_use = view.authorizations[view.authorizations["in_use"].astype(bool)]  # authorization_use.in_use
    current = in_use.iloc[0].to_dict() if len(in_use) else None
    latest = stay_justifications.justifications(view.episode["episode_id"]).head(1)
    return Packet(
        view.participant_id,
        view.label,
        _facts(view, current),
        _attendance(view, current),
        _scores(view),
        _flags(view),
        latest.iloc[0].to_dict() if len(latest) else None,
        view.notice,
    )
