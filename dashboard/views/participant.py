"""Everything the participant page and the case-review export show for one episode."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.store import db, flag_actions
from dashboard.store.settings import stored
from dashboard.views import words


@dataclass(frozen=True)
class EpisodeView:
    participant_id: str
    episode: dict
    episodes: pd.DataFrame
    data_as_of: dt.date
    scores: pd.DataFrame
    items: pd.DataFrame
    sessions: pd.DataFrame
    weeks: pd.DataFrame
    outcomes: pd.DataFrame
    flags: pd.DataFrame  # firing on the data date, with their state (flag_actions.with_status), open first
    expected: pd.DataFrame
    bands: pd.DataFrame
    authorizations: pd.DataFrame  # the payer's blocks and their use (authorization_use)
    follow_ups: pd.DataFrame  # scores after discharge that belong to the episode (follow_up_scores)
    subscales: pd.DataFrame  # subscale scores (assessment_subscales) with their flag rule and range
    reading_order: list[str]  # every catalogue instrument: primary, the track's, the rest
    notice: str  # the confidentiality notice for files (settings reports.confidentiality_notice)

    @property
    def instruments(self) -> list[str]:
        """The episode's scored instruments, primary first, then the track's, then the rest."""
        scored = set(self.scores["instrument"])
        return [i for i in self.reading_order if i in scored] + sorted(scored - set(self.reading_order))

    @property
    def total_instruments(self) -> list[str]:
        """The instruments with a valid total to draw (an instrument scored by subscale alone has none)."""
        totals = set(
            self.scores.loc[self.scores["total_valid"].astype(bool) & self.scores["total_score"].notna(), "instrument"]
        )
        return [i for i in self.instruments if i in totals]

    @property
    def subscale_instruments(self) -> list[str]:
        """Instruments scored by subscale alone (no total), in reading order."""
        scored = set(self.subscales["instrument"])
        return [i for i in self.instruments if i in scored and i not in self.total_instruments]

    @property
    def item_instruments(self) -> list[str]:
        answered = set(self.items["instrument"])
        return [i for i in self.instruments if i in answered] + sorted(answered - set(self.instruments))

    @property
    def week_in_program(self) -> int:
        """The treatment week reached (the database's treatment_week: the same number as the flags and charts)."""
        return int(self.episode["week_in_program"])

    @property
    def end_date(self) -> dt.date:
        """The last day the episode's data can reach: its discharge, or the data date while open."""
        end = self.episode["discharge_date"]
        return min(end, self.data_as_of) if end is not None else self.data_as_of

    @property
    def label(self) -> str:
        return words.episode_label(
            self.episode["episode_number"], self.episode["admit_date"], self.episode["discharge_date"]
        )

    @property
    def status(self) -> str:
        if self.episode["discharge_date"] is None:
            return "open" + (" (inferred from attendance)" if self.episode["inferred"] else "")
        reason = self.episode["discharge_category"] or "reason not recorded"
        return f"discharged {self.episode['discharge_date']:%d %b %Y} ({reason})"

    def total_only(self, instrument: str) -> list[dt.date]:
        """Days the instrument has a total but no item answers: the item grid cannot show them, so it says so."""
        scored = pd.to_datetime(self.scores.loc[self.scores["instrument"] == instrument, "assessed_on"]).dt.date
        answered = set(pd.to_datetime(self.items.loc[self.items["instrument"] == instrument, "assessed_on"]).dt.date)
        return sorted(d for d in set(scored) if d not in answered)

    def outcome(self, instrument: str) -> dict | None:
        rows = self.outcomes[self.outcomes["instrument"] == instrument]
        return rows.iloc[0].to_dict() if len(rows) else None

    def recovery_lines(self) -> list[str]:
        """Each instrument's latest expected-recovery explanation, in catalogue order."""
        return [
            f"Expected recovery, {o['recovery_status']}: {o['recovery_explanation']}."
            for o in (self.outcome(i) for i in self.instruments)
            if o is not None and not words.missing(o["recovery_explanation"])
        ]

    def outcome_table(self) -> pd.DataFrame:
        """The outcome summary in words, in reading order: one table for the page and the files."""
        rows = []
        for instrument in [i for i in self.instruments if i in set(self.outcomes["instrument"])]:
            o = self.outcome(instrument)
            rows.append(
                {
                    "Instrument": instrument,
                    "Intake": "—" if words.missing(o["baseline_score"]) else words.points(o["baseline_score"]),
                    "Latest": "—" if words.missing(o["latest_score"]) else words.points(o["latest_score"]),
                    "Change": words.change(o),
                    "Category": words.category(o),
                    "Response": words.yes_no(o["response"]),
                    "Remission": words.yes_no(o["remission"]),
                    "Expected recovery": "—"
                    if words.missing(o["recovery_status"])
                    else f"{o['recovery_status']} (week {int(o['recovery_week'])})",
                    "Scores": int(o["n_scores"]),
                    "After discharge": self.follow_up_text(instrument),
                }
            )
        # expected recovery beside the scores: at 1024 px the columns after Category scroll out of view
        return pd.DataFrame(
            rows,
            columns=[
                "Instrument",
                "Intake",
                "Latest",
                "Expected recovery",
                "Change",
                "Category",
                "Response",
                "Remission",
                "Scores",
                "After discharge",
            ],
        )

    def follow_up_text(self, instrument: str) -> str:
        """The latest follow-up score and what it says of the improvement at discharge."""
        f = self.follow_ups[(self.follow_ups["instrument"] == instrument) & self.follow_ups["latest"].astype(bool)]
        if not len(f):
            return "—"
        r = f.iloc[-1]
        if words.truthy(r["improved_at_discharge"]):
            verdict = "improvement sustained" if words.truthy(r["sustained"]) else "improvement not sustained"
        else:
            verdict = (
                "reliable improvement by then"
                if words.truthy(r["reliably_improved_at_follow_up"])
                else "no reliable improvement"
            )
        return (
            f"{words.points(r['total_score'])} on {pd.Timestamp(r['assessed_on']):%d %b %Y} "
            f"({int(r['days_after_discharge'])} days after discharge): {verdict}"
        )


def _plain(record: dict) -> dict:
    out = {}
    for k, v in record.items():
        if isinstance(v, pd.Timestamp):
            v = v.date()
        elif not isinstance(v, (str, list)) and pd.isna(v):
            v = None
        out[k] = v
    return out


def participant_episodes(participant_id: str) -> pd.DataFrame:
    """The participant's episodes that this request may see (a clinician: their own), latest first.
    The id is matched whatever its case and surrounding spaces ("iop-10001 " finds IOP-10001)."""
    return db.query("participant/episodes", participant_id=participant_id)


def episode_view(
    participant_id: str, episode_id: str | None = None, episodes: pd.DataFrame | None = None
) -> EpisodeView | None:
    """The participant's chosen episode (default: the latest); None if the participant is unknown,
    or not in what this request may see (for a clinician: their caseload)."""
    if episodes is None:
        episodes = participant_episodes(participant_id)
    if not len(episodes):
        return None
    chosen = episodes[episodes["episode_id"] == episode_id] if episode_id else episodes.head(1)
    episode = _plain((chosen if len(chosen) else episodes.head(1)).iloc[0].to_dict())
    f = db.queries(
        {"episode_id": episode["episode_id"], "track": episode["program"]},
        scores=("participant/scores", {}),
        items=("participant/items", {}),
        sessions=("participant/sessions", {}),
        weeks=("participant/weeks", {}),
        outcomes=("participant/outcomes", {}),
        flags=("participant/flags", {}),
        expected=("participant/expected", {}),
        bands=("common/instrument_bands", {}),
        authorizations=("participant/authorizations", {}),
        follow_ups=("participant/follow_ups", {}),
        subscales=("participant/subscales", {}),
        order=("participant/instruments", {}),
    )
    order = f.pop("order")
    f["flags"] = flag_actions.with_status(f["flags"])  # each flag's state, in the one order (open first)
    return EpisodeView(
        episode["participant_id"],
        episode,
        episodes,
        episode["data_as_of"],
        **f,
        reading_order=order["instrument"].tolist(),
        notice=stored().text("reports", "confidentiality_notice"),
    )


def review_table(episode_id: str) -> pd.DataFrame:
    """The episode's structured reviews of not-on-track alerts, oldest first, in words (typed text
    as typed: the page shows it in a table, never as markdown)."""
    r = flag_actions.reviews([episode_id])

    def areas(row, finding):
        return ", ".join(t for a, t in flag_actions.REVIEW_AREAS.items() if row[a] == finding) or "—"

    return pd.DataFrame(
        {
            "When (UTC)": r["created_at"],
            "By": r["author"],
            "Instrument": r["instrument"],
            "Concerns": [areas(row, "concern") for _, row in r.iterrows()],
            "No concern": [areas(row, "no concern") for _, row in r.iterrows()],
            "Level of care": r["level_of_care"],
            "Action taken": r["action_taken"],
            "Plan change": r["plan_change"],
        }
    )
