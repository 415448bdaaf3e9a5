"""Everything the participant page and the case-review export show for one episode."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard import db


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
    flags: pd.DataFrame
    expected: pd.DataFrame
    bands: pd.DataFrame

    @property
    def instruments(self) -> list[str]:
        return sorted(self.scores["instrument"].unique())

    @property
    def week_in_program(self) -> int:
        """The treatment week reached (the database's treatment_week: the same number as the flags and charts)."""
        return int(self.episode["week_in_program"])

    @property
    def status(self) -> str:
        if self.episode["discharge_date"] is None:
            return "open" + (" (inferred from attendance)" if self.episode["inferred"] else "")
        reason = self.episode["discharge_category"] or "reason not recorded"
        return f"discharged {self.episode['discharge_date']:%d %b %Y} ({reason})"

    def outcome(self, instrument: str) -> dict | None:
        rows = self.outcomes[self.outcomes["instrument"] == instrument]
        return rows.iloc[0].to_dict() if len(rows) else None


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
    The id is matched whatever its case ("iop-10001" finds IOP-10001)."""
    return db.query("participant/episodes", participant_id=participant_id)


def episode_view(participant_id: str, episode_id: str | None = None,
                 episodes: pd.DataFrame | None = None) -> EpisodeView | None:
    """The participant's chosen episode (default: the latest); None if the participant is unknown,
    or not in what this request may see (for a clinician: their caseload)."""
    if episodes is None:
        episodes = participant_episodes(participant_id)
    if not len(episodes):
        return None
    chosen = episodes[episodes["episode_id"] == episode_id] if episode_id else episodes.head(1)
    episode = _plain((chosen if len(chosen) else episodes.head(1)).iloc[0].to_dict())
    p = {"episode_id": episode["episode_id"]}
    f = db.queries(p, scores=("participant/scores", {}), items=("participant/items", {}), sessions=("participant/sessions", {}),
                   weeks=("participant/weeks", {}), outcomes=("participant/outcomes", {}), flags=("participant/flags", {}),
                   expected=("participant/expected", {}), bands=("common/instrument_bands", {}))
    return EpisodeView(episode["participant_id"], episode, episodes, episode["data_as_of"], **f)
