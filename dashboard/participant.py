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
        end = self.episode["discharge_date"] or self.data_as_of
        return (pd.Timestamp(end) - pd.Timestamp(self.episode["admit_date"])).days // 7 + 1

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


def participant_episodes(participant_id: str, scope: str | None = None) -> pd.DataFrame:
    """The participant's episodes, latest first (with `scope`, a clinician's name: only theirs)."""
    return db.query("participant_episodes", participant_id=participant_id, clinician=scope)


def episode_view(participant_id: str, episode_id: str | None = None, scope: str | None = None,
                 episodes: pd.DataFrame | None = None) -> EpisodeView | None:
    """The participant's chosen episode (default: the latest); None if the participant is unknown,
    or (with `scope`, a clinician's name) has no episode in that clinician's caseload."""
    if episodes is None:
        episodes = participant_episodes(participant_id, scope)
    if not len(episodes):
        return None
    chosen = episodes[episodes["episode_id"] == episode_id] if episode_id else episodes.head(1)
    episode = _plain((chosen if len(chosen) else episodes.head(1)).iloc[0].to_dict())
    p = {"episode_id": episode["episode_id"]}
    f = db.queries(scores=("episode_scores", p), items=("episode_items", p), sessions=("episode_sessions", p),
                   weeks=("episode_weeks", p), outcomes=("episode_outcomes", p), flags=("episode_flags", p),
                   expected=("episode_expected", p), bands=("instrument_bands", {}))
    return EpisodeView(participant_id, episode, episodes, episode["data_as_of"], **f)
