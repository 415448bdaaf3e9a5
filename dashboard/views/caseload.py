"""The clinician's worklist: open episodes with attendance, latest scores and flags, most urgent
first. The caseload page's one source of data; whose episodes it reads is bound in the data layer
(a clinician sees their own caseload only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from clinical.flag_rules import PRIORITY
from dashboard.store import db, flag_actions
from dashboard.store.settings import stored
from dashboard.views import words


@dataclass(frozen=True)
class Caseload:
    rows: pd.DataFrame  # one per open episode, most urgent first
    flags: pd.DataFrame  # every flag of those episodes, with its handling
    instruments: list[str]  # score columns, in catalogue order
    recent_days: int  # the attendance window (settings flags.low_attendance_days)
    data_as_of: dt.date | None
    authorizations: bool = False  # any open episode has a payer authorization (authorizations export)

    def count(self, rank: int) -> int:
        """Open episodes whose most urgent flag has this priority rank (0 safety, 1 red, 2 amber)."""
        return int((self.rows["rank"] == rank).sum())

    def next_open(self, episode_id: str | None) -> pd.Series | None:
        """The most urgent other episode with an open flag: offered after a save, by name."""
        rows = self.rows[(self.rows["rank"] < 3) & (self.rows["episode_id"] != episode_id)]
        return None if not len(rows) else rows.iloc[0]

    def handled(self) -> pd.DataFrame:
        """The acknowledged and snoozed flags, in words: dates as everywhere, nothing shown as None."""
        h = self.flags[self.flags["status"] != "active"]
        return pd.DataFrame(
            {
                "Participant": h["participant_id"],
                "Flag": h["label"],
                "State": h["status"],
                "Until": [words.day(u) if s == "snoozed" else "" for u, s in zip(h["snooze_until"], h["status"])],
                "Action taken": h["action_taken"],
                "Note": h["note"],
                "By": h["author"],
                "When (UTC)": [f"{pd.Timestamp(c):%d %b %Y %H:%M}" for c in h["created_at"]],
            }
        )


def filters() -> pd.DataFrame:
    return db.query("caseload/filters")


def _scores(outcomes: pd.DataFrame) -> pd.DataFrame:
    """One column per instrument: 'latest (change since baseline) · expected-recovery status'."""
    if not len(outcomes):
        return pd.DataFrame(columns=["episode_id"])
    text = [
        f"{latest:g}"
        + (f" ({change:+g})" if pd.notna(change) else "")
        + (f" · {status}" if status in words.JUDGED else "")
        for latest, change, status in zip(outcomes["latest_score"], outcomes["change"], outcomes["recovery_status"])
    ]
    return outcomes.assign(text=text).pivot(index="episode_id", columns="instrument", values="text").reset_index()


def worklist(clinician: str | None = None, program: str | None = None, today: dt.date | None = None) -> Caseload:
    """The open episodes of a clinician and track (None: all that this request may see)."""
    frames = db.queries(
        episodes=("caseload/open_episodes", {"clinician": clinician, "program": program}),
        outcomes=("caseload/open_outcomes", {}),
        flags=("caseload/open_flags", {}),
        info=("common/dataset_info", {}),
        instruments=("caseload/instruments", {}),
        authorizations=("caseload/authorizations", {}),
    )
    episodes = frames["episodes"]
    flags = frames["flags"][frames["flags"]["episode_id"].isin(episodes["episode_id"])]
    flags = flag_actions.with_status(flags, today).rename(columns={"priority": "rank"})  # open first, then handled
    active = flags[flags["status"] == "active"]
    handled = flags[flags["status"] != "active"]
    summary = active.groupby("episode_id").agg(
        rank=("rank", "min"), flags=("label", lambda s: " · ".join(s)), n_flags=("label", "size")
    )
    handled_text = (
        handled.assign(
            text=[
                f"{lab} — {status} by {user}"
                for lab, status, user in zip(handled["label"], handled["status"], handled["author"])
            ]
        )
        .groupby("episode_id")["text"]
        .agg("; ".join)
        .rename("handled")
    )
    rows = (
        episodes.merge(summary, on="episode_id", how="left")
        .merge(handled_text, on="episode_id", how="left")
        .merge(_scores(frames["outcomes"]), on="episode_id", how="left")
        .merge(authorization_columns(frames["authorizations"]), on="episode_id", how="left")
    )
    rows["rank"] = pd.to_numeric(rows["rank"], errors="coerce").fillna(3).astype(int)
    rows["n_flags"] = pd.to_numeric(rows["n_flags"], errors="coerce").fillna(0).astype(int)
    rows["priority"] = rows["rank"].map(PRIORITY)
    rows["auth_ends"] = rows["auth_ends"].astype(object).fillna("none on file")
    rows["auth_soon"] = rows["auth_soon"].astype("boolean").fillna(False).astype(bool)
    rows["attendance_recent"] = [
        f"{a}/{s} ({round(100 * a / s)} %)" if s else "none scheduled"
        for a, s in zip(rows["attended_recent"], rows["scheduled_recent"])
    ]
    rows["hours_vs_asam"] = [
        f"{h:.1f} / {m:g} h" if pd.notna(h) else "—" for h, m in zip(rows["hours_last_week"], rows["asam_min_hours"])
    ]
    # safety first, then red, then amber; within each, more open flags first, then longer in treatment
    rows = rows.sort_values(
        ["rank", "n_flags", "week_in_program", "participant_id"], ascending=[True, False, False, True]
    )
    instruments = [i for i in frames["instruments"]["instrument"] if i in rows]
    info = frames["info"]
    data_as_of = (
        pd.Timestamp(info["data_as_of"].iloc[0]).date() if len(info) and pd.notna(info["data_as_of"].iloc[0]) else None
    )
    recent = stored().whole("flags", "low_attendance_days")
    return Caseload(
        rows.reset_index(drop=True),
        flags,
        instruments,
        recent,
        data_as_of,
        authorizations=bool(len(frames["authorizations"])),
    )


def authorization_columns(auth: pd.DataFrame) -> pd.DataFrame:
    """'Authorization ends' (days left of the unbroken run of authorizations, or when it ended),
    whether that is soon (settings authorization.ends_soon_days), and the block's use so far."""
    ends = pd.to_datetime(auth["covered_through"])
    text = [
        (
            "none on file"
            if pd.isna(left)
            else f"ended {day:%d %b}"
            if left < 0
            else f"today ({day:%d %b})"
            if left == 0
            else f"{left:.0f} day{'s' * (left != 1)} ({day:%d %b})"
        )
        for left, day in zip(auth["days_left"], ends)
    ]
    used = [
        " · ".join(
            [
                *([f"{hours:.1f} of {of_hours:g} h"] if pd.notna(of_hours) else []),
                *([f"{days:.0f} of {of_days:.0f} days"] if pd.notna(of_days) else []),
            ]
        )
        for hours, of_hours, days, of_days in zip(
            auth["hours_used"], auth["authorized_hours"], auth["days_used"], auth["authorized_sessions"]
        )
    ]
    return pd.DataFrame(
        {
            "episode_id": auth["episode_id"],
            "auth_ends": text,
            "auth_soon": auth["ends_soon"].astype(bool),
            "auth_used": used,
        }
    )


DUE_WORDS = {"overdue": "overdue", "due": "due", "done": "done this week"}


def measures_due(clinician: str | None = None, program: str | None = None, with_done: bool = True) -> pd.DataFrame:
    """This week's planned measures of the open episodes (overdue, due and, with_done, done), overdue
    first, in words."""
    d = db.query("caseload/measures_due", clinician=clinician, program=program, with_done=with_done)
    return pd.DataFrame(
        {
            "Participant": d["participant_id"],
            "Clinician": d["primary_clinician"],
            "Measure": d["instrument"],
            "Status": d["status"].map(DUE_WORDS),
            "Due": d["status"].map({"done": "next "}).fillna("") + pd.to_datetime(d["due_on"]).dt.strftime("%a %d %b"),
            "Last taken": pd.to_datetime(d["last_on"]).dt.strftime("%d %b %Y").fillna("never"),
            "Every": d["every_days"].astype(str) + " days",
        }
    )


def due_by_clinician(program: str | None = None) -> pd.DataFrame:
    """Per clinician: the planned measures of their open episodes by status, and the share not overdue."""
    return db.query("caseload/due_by_clinician", program=program)
