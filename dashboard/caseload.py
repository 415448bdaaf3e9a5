"""The clinician's worklist: open episodes with attendance, latest scores and flags, most urgent first."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard import db, state
from dashboard.flag_labels import SEVERITY_RANK, labels


def filters() -> pd.DataFrame:
    return db.query("caseload_filters")


def _scores(outcomes: pd.DataFrame) -> pd.DataFrame:
    """One column per instrument: 'latest (change since baseline)'."""
    if not len(outcomes):
        return pd.DataFrame(columns=["episode_id"])
    text = outcomes.apply(lambda r: f"{r.latest_score:g}" + (f" ({r.change:+g})" if pd.notna(r.change) else ""), axis=1)
    return outcomes.assign(text=text).pivot(index="episode_id", columns="instrument", values="text").reset_index()


def worklist(clinician: str | None = None, program: str | None = None, today: dt.date | None = None,
             scope: str | None = None):
    """(rows for the table, every flag of those episodes with its handling). `scope` is the
    signed-in clinician's name: it overrides any clinician filter, so no other caseload is read."""
    if scope is not None:
        clinician = scope
    frames = db.queries(episodes=("open_episodes", {"clinician": clinician, "program": program}),
                        outcomes=("open_outcomes", {}), flags=("open_flags", {}))
    episodes = frames["episodes"]
    flags = frames["flags"][frames["flags"]["episode_id"].isin(episodes["episode_id"])]
    flags = state.with_status(flags, today)
    flags["label"] = pd.Series(labels(flags), index=flags.index, dtype="object")
    active = flags[flags["status"] == "active"]
    handled = flags[flags["status"] != "active"]
    summary = active.assign(rank=active["severity"].map(SEVERITY_RANK)).groupby("episode_id").agg(
        rank=("rank", "min"), flags=("label", lambda s: " · ".join(s)))
    handled_text = handled.assign(text=[f"{lab} — {status} by {user}" for lab, status, user in
                                        zip(handled["label"], handled["status"], handled["user_name"])]
                                  ).groupby("episode_id")["text"].agg("; ".join).rename("handled")
    rows = (episodes.merge(summary, on="episode_id", how="left").merge(handled_text, on="episode_id", how="left")
            .merge(_scores(frames["outcomes"]), on="episode_id", how="left"))
    rows["rank"] = pd.to_numeric(rows["rank"], errors="coerce").fillna(2)
    rows["priority"] = rows["rank"].map({0: "red", 1: "amber", 2: ""})
    rows["attendance_14d"] = [f"{a}/{s} ({round(100 * a / s)} %)" if s else "none scheduled"
                              for a, s in zip(rows["attended_14d"], rows["scheduled_14d"])]
    rows["hours_vs_asam"] = [f"{h:.1f} / {m:g} h" if pd.notna(h) else "—"
                             for h, m in zip(rows["hours_last_week"], rows["asam_min_hours"])]
    rows = rows.sort_values(["rank", "week_in_program", "participant_id"], ascending=[True, False, True])
    return rows.reset_index(drop=True), flags
