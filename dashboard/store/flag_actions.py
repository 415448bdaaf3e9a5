"""What people did with flags, in the application-state store: acknowledged or snoozed with the
action taken and a note, and the structured review that acknowledging a not-on-track alert asks for.
An action covers the evidence it was taken on: a flag that fires on newer evidence is active again."""

from __future__ import annotations

import datetime as dt
from contextlib import closing

import pandas as pd

from clinical import flag_rules
from dashboard.store import app_state
from dashboard.store.app_state import ActionRefused
from dashboard.store.settings import stored

SNOOZE_DAYS = 7  # a snooze's until-date to start with: a week on (the clinician picks another)
ACTIONS_TAKEN = ("plan adjusted", "level of care changed", "referred", "no change needed")
PLAN_CHANGES = ("plan adjusted", "level of care changed", "referred")  # a recorded plan change

# The structured review asked for when a not-on-track alert is acknowledged (docs/clinical.md,
# "Structured review"): the areas of Lambert's clinical support tools, each reviewed or not.
REVIEW_AREAS = {
    "alliance": "Therapeutic alliance",
    "readiness": "Readiness and motivation",
    "social_support": "Social support",
    "life_events": "Recent life events",
    "attendance_barriers": "Attendance barriers",
    "medication": "Medication review",
}
REVIEW_FINDINGS = ("not reviewed", "no concern", "concern")
LEVEL_OF_CARE_CHANGES = ("no change", "step up to partial hospitalization", "step down to outpatient")

SCHEMA = """
CREATE TABLE IF NOT EXISTS flag_actions (
    action_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    flag_key       TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    episode_id     TEXT NOT NULL,
    rule_id        TEXT NOT NULL,
    severity       TEXT,
    instrument     TEXT,
    fired_on       TEXT NOT NULL,     -- the evidence date of the flag acted on
    kind           TEXT NOT NULL CHECK (kind IN ('acknowledged', 'snoozed')),
    action_taken   TEXT NOT NULL,
    note           TEXT NOT NULL,
    snooze_until   TEXT,
    user_name      TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS flag_actions_key ON flag_actions (flag_key, created_at);
CREATE TABLE IF NOT EXISTS flag_reviews (
    action_id           INTEGER PRIMARY KEY REFERENCES flag_actions (action_id),
    alliance            TEXT NOT NULL,
    readiness           TEXT NOT NULL,
    social_support      TEXT NOT NULL,
    life_events         TEXT NOT NULL,
    attendance_barriers TEXT NOT NULL,
    medication          TEXT NOT NULL,
    level_of_care       TEXT NOT NULL,
    plan_change         TEXT NOT NULL
);
"""


def _connect():
    con = app_state.connect(SCHEMA)
    # stores written before severity was recorded, and before the author's name was kept beside the account
    app_state.add_missing_columns(con, "flag_actions", {"severity": "TEXT", "author": "TEXT"})
    return con


def minimum(key: str) -> int:
    """The shortest text the settings allow (reports.min_note_characters, min_justification_characters)."""
    return stored().whole("reports", key)


def needs_review(flag: dict, kind: str) -> bool:
    return kind == "acknowledged" and flag["rule_id"] in flag_rules.reviewed_rules()


def check_review(review: dict | None, action_taken: str) -> dict:
    """A structured review as stored: every area answered, at least one reviewed, a level-of-care
    change that agrees with the action taken, and the plan change in words."""
    if review is None:
        raise ActionRefused("a not-on-track alert is acknowledged with the structured review")
    findings = {area: review.get(area) for area in REVIEW_AREAS}
    if any(f not in REVIEW_FINDINGS for f in findings.values()):
        raise ActionRefused(f"each review area is one of: {', '.join(REVIEW_FINDINGS)}")
    if all(f == "not reviewed" for f in findings.values()):
        raise ActionRefused("review at least one area")
    level = review.get("level_of_care")
    if level not in LEVEL_OF_CARE_CHANGES:
        raise ActionRefused(f"level of care is one of: {', '.join(LEVEL_OF_CARE_CHANGES)}")
    if (level != "no change") != (action_taken == "level of care changed"):
        raise ActionRefused("a level-of-care change is recorded both as the action taken and in the review")
    plan = str(review.get("plan_change") or "").strip()
    if len(plan) < (shortest := minimum("min_note_characters")):
        raise ActionRefused(f"say in at least {shortest} characters what changes in the plan (or why nothing does)")
    return {**findings, "level_of_care": level, "plan_change": plan}


def record_action(
    flag: dict,
    kind: str,
    action_taken: str,
    note: str,
    user: str,
    snooze_until: dt.date | None = None,
    today: dt.date | None = None,
    review: dict | None = None,
    author: str | None = None,
) -> None:
    """Acknowledge or snooze one flag (a row of the flags mart); acknowledging a not-on-track alert
    stores its structured review with it (one transaction). `user` is the account; `author` the name
    every page and document prints (the account's display name; the account when none)."""
    today = today or dt.date.today()
    if kind not in ("acknowledged", "snoozed"):
        raise ActionRefused(f"unknown action {kind!r}")
    if action_taken not in ACTIONS_TAKEN:
        raise ActionRefused(f"action taken must be one of: {', '.join(ACTIONS_TAKEN)}")
    if len(note.strip()) < (shortest := minimum("min_note_characters")):
        raise ActionRefused(f"write a note of at least {shortest} characters: what was decided")
    if kind == "snoozed":
        if flag["rule_id"] in flag_rules.safety_rules():
            raise ActionRefused("safety flags can be acknowledged, never snoozed")
        if snooze_until is None or snooze_until <= today:
            raise ActionRefused("a snooze needs an until-date after today")
    checked = check_review(review, action_taken) if needs_review(flag, kind) else None
    with closing(_connect()) as con, con:
        action_id = con.execute(
            """INSERT INTO flag_actions (flag_key, participant_id, episode_id, rule_id, severity, instrument, fired_on,
                       kind, action_taken, note, snooze_until, user_name, author, created_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING action_id""",
            (
                flag["flag_key"],
                flag["participant_id"],
                flag["episode_id"],
                flag["rule_id"],
                flag.get("severity"),
                flag.get("instrument"),
                str(pd.Timestamp(flag["fired_on"]).date()),
                kind,
                action_taken,
                note.strip(),
                str(snooze_until) if kind == "snoozed" else None,
                user,
                (author or "").strip() or user,
                dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            ),
        ).fetchone()[0]
        if checked:
            con.execute(
                f"INSERT INTO flag_reviews (action_id, {', '.join(checked)}) VALUES (?{', ?' * len(checked)})",
                (action_id, *checked.values()),
            )


def latest_actions(flag_keys: list[str]) -> pd.DataFrame:
    """The most recent action on each of these flags."""
    columns = ["flag_key", "fired_on", "kind", "action_taken", "note", "snooze_until", "user_name", "created_at"]
    if not flag_keys:
        return pd.DataFrame(columns=[*columns, "author"])
    with closing(_connect()) as con:
        marks = ", ".join("?" * len(flag_keys))
        return app_state.frame(
            con,
            f"""
            SELECT {", ".join(columns)}, coalesce(author, user_name) AS author FROM flag_actions
            WHERE action_id IN (SELECT max(action_id) FROM flag_actions WHERE flag_key IN ({marks}) GROUP BY flag_key)""",
            flag_keys,
        )


def with_status(flags: pd.DataFrame, today: dt.date | None = None) -> pd.DataFrame:
    """Flags with their handling: status is 'active', 'acknowledged' or 'snoozed'. An action covers
    the evidence it was taken on: a flag that fires on newer evidence is active again, and a
    snooze ends on its until-date."""
    today = today or dt.date.today()
    actions = latest_actions(flags["flag_key"].tolist()).rename(columns={"fired_on": "acted_on_evidence"})
    out = flags.merge(actions, on="flag_key", how="left")
    evidence = pd.to_datetime(out["fired_on"]).dt.date.astype(str)
    covers = out["kind"].notna() & (out["acted_on_evidence"] >= evidence)
    snoozing = covers & (out["kind"] == "snoozed") & (out["snooze_until"].fillna("") > str(today))
    out["status"] = "active"
    out.loc[covers & (out["kind"] == "acknowledged"), "status"] = "acknowledged"
    out.loc[snoozing, "status"] = "snoozed"
    return in_order(out)


HANDLING_ORDER = {"active": 0, "snoozed": 1, "acknowledged": 2}  # open flags before handled ones


def in_order(flags: pd.DataFrame) -> pd.DataFrame:
    """The one order of flags on every page and document: open before snoozed before acknowledged,
    then safety, red, amber (the flag rules' priority), then participant and label."""
    rank = flags["status"].map(HANDLING_ORDER) if "status" in flags else 0
    return (
        flags.assign(_handling=rank)
        .sort_values(["_handling", "priority", "participant_id", "label"], kind="stable")
        .drop(columns="_handling")
        .reset_index(drop=True)
    )


def open_only(flags: pd.DataFrame, today: dt.date | None = None) -> pd.DataFrame:
    """The flags still open (neither acknowledged nor snoozed), in the one order."""
    flags = with_status(flags, today)
    return flags[flags["status"] == "active"].reset_index(drop=True)


def first_actions() -> pd.DataFrame:
    """The first action on each flag's evidence: how fast flags were acted on, and what was done."""
    with closing(_connect()) as con:
        out = app_state.frame(
            con,
            """
            SELECT episode_id, rule_id, severity, fired_on, kind, action_taken, created_at AS acted_at FROM (
                SELECT *, row_number() OVER (PARTITION BY flag_key, fired_on ORDER BY created_at, action_id) AS nth
                FROM flag_actions
            ) AS actions WHERE nth = 1""",
        )
    days = (pd.to_datetime(out["acted_at"]) - pd.to_datetime(out["fired_on"])).dt.total_seconds() / 86400
    return out.assign(days_to_action=days.astype(float))


def reviews(episode_ids: list[str] | None = None) -> pd.DataFrame:
    """Structured reviews with their acknowledgement (all, or these episodes'), oldest first;
    plan_changed is whether the action taken changed the plan."""
    where, params = "", []
    if episode_ids is not None:
        if not episode_ids:
            episode_ids = [""]
        where, params = f"WHERE a.episode_id IN ({', '.join('?' * len(episode_ids))})", list(episode_ids)
    review_columns = ", ".join(f"r.{c}" for c in (*REVIEW_AREAS, "level_of_care", "plan_change"))
    with closing(_connect()) as con:
        out = app_state.frame(
            con,
            f"""
            SELECT a.participant_id, a.episode_id, a.rule_id, a.instrument, a.fired_on, a.action_taken, a.note,
                   a.user_name, coalesce(a.author, a.user_name) AS author, a.created_at, {review_columns}
            FROM flag_reviews AS r JOIN flag_actions AS a USING (action_id) {where}
            ORDER BY a.action_id""",
            params,
        )
    return out.assign(plan_changed=out["action_taken"].isin(PLAN_CHANGES))
