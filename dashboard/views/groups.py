"""Today's groups: for a date, each group's members with what a huddle before group needs: their
flags (safety, red, amber), expected-recovery status, last scores with their direction, how many
sessions in a row they attended or missed before the day, and the last day they attended. The
page's one source of data. Whose rows it reads is bound in the data layer: a clinician sees the
groups their caseload attends, and members from other caseloads only as a count (group_sizes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from clinical.flag_rules import PRIORITY
from dashboard.store import db, flag_actions
from dashboard.views import words


@dataclass(frozen=True)
class Group:
    label: str
    start_time: dt.time | None
    members: int  # everyone with a session in it that day, the whole program
    attended: int
    roster: pd.DataFrame  # the members this request may see, in words, most urgent first

    @property
    def others(self) -> int:
        """Members from other caseloads: counted, never named."""
        return max(self.members - len(self.roster), 0)


@dataclass(frozen=True)
class Days:
    first: dt.date | None
    last: dt.date | None
    data_as_of: dt.date | None


def days() -> Days:
    d = db.query("groups/days").iloc[0]

    def as_date(v):
        return None if words.missing(v) else pd.Timestamp(v).date()

    return Days(as_date(d["first_day"]), as_date(d["last_day"]), as_date(d["data_as_of"]))


def _direction(latest, previous, higher_is_worse) -> str:
    if words.missing(previous):
        return ""
    delta = float(latest) - float(previous)
    if delta == 0:
        return " (→ same)"
    better = (delta < 0) == bool(higher_is_worse)
    return f" ({'↑' if delta > 0 else '↓'}{words.points(abs(delta))}, {'better' if better else 'worse'})"


def _scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Per episode: each instrument's '12 (↓3, better) 18 Nov' and the judged expected-recovery statuses."""
    if not len(scores):
        return pd.DataFrame(columns=["episode_id", "last_scores", "recovery"])
    text = [
        f"{i} {words.points(v)}{_direction(v, p, w)} {pd.Timestamp(on):%d %b}"
        for i, v, p, w, on in zip(
            scores["instrument"], scores["latest"], scores["previous"], scores["higher_is_worse"], scores["latest_on"]
        )
    ]
    judged = [f"{i} {s}" if s in words.JUDGED else "" for i, s in zip(scores["instrument"], scores["recovery_status"])]
    return (
        scores.assign(text=text, judged=judged)
        .groupby("episode_id", sort=False)
        .agg(last_scores=("text", " · ".join), recovery=("judged", lambda s: " · ".join(x for x in s if x)))
        .reset_index()
    )


def _flags(flags: pd.DataFrame) -> pd.DataFrame:
    """Each member's open flags (neither acknowledged nor snoozed: as on the caseload), most urgent first."""
    flags = flag_actions.open_only(flags)
    if not len(flags):
        return pd.DataFrame(columns=["episode_id", "rank", "flags"])
    return (
        flags.rename(columns={"priority": "rank"})
        .groupby("episode_id", sort=False)
        .agg(rank=("rank", "min"), flags=("label", " · ".join))
        .reset_index()
    )


def _streak(attended, streak) -> str:
    if not streak:
        return "first session"
    return f"{'attended' if attended else 'missed'} last {int(streak)}"


def groups_on(day: dt.date) -> list[Group]:
    """The groups held on `day` with a member this request may see (everyone: every group), in
    order of start time."""
    f = db.queries(
        {"day": day},
        sizes=("groups/sizes", {}),
        members=("groups/members", {}),
        scores=("groups/scores", {}),
        flags=("groups/flags", {}),
    )
    m = (
        f["members"]
        .merge(_flags(f["flags"]), on="episode_id", how="left")
        .merge(_scores(f["scores"]), on="episode_id", how="left")
    )
    m["rank"] = pd.to_numeric(m["rank"], errors="coerce").fillna(3).astype(int)
    roster = pd.DataFrame(
        {
            "group_label": m["group_label"],
            "rank": m["rank"],
            "priority": m["rank"].map(PRIORITY),
            "participant_id": m["participant_id"],
            "episode_id": m["episode_id"],
            "clinician": m["primary_clinician"],
            "flags": m["flags"].fillna(""),
            "recovery": m["recovery"].fillna(""),
            "last_scores": m["last_scores"].fillna(""),
            "attendance": [_streak(a, s) for a, s in zip(m["streak_attended"], m["streak"])],
            "last_attended": [
                ("never" if words.missing(d) else f"{pd.Timestamp(d):%a %d %b}") for d in m["last_attended"]
            ],
            "on_the_day": m["status_on_day"].map(words.STATUS_WORDS).fillna(m["status_on_day"]),
        }
    )
    out = []
    for g in f["sizes"].itertuples(index=False):
        rows = roster[roster["group_label"] == g.group_label].sort_values(["rank", "participant_id"], kind="stable")
        if len(rows) or db.current().whole:  # a clinician or a site's director: the groups their people attend
            out.append(
                Group(
                    g.group_label,
                    g.start_time,
                    int(g.members),
                    int(g.attended),
                    rows.drop(columns="group_label").reset_index(drop=True),
                )
            )
    return out
