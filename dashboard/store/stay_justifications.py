"""Continued-stay justifications in the application-state store: typed by a clinician for a payer's
utilization review, the newest kept with every earlier one. Saving is audited by the caller; the
text is never copied into the audit log."""

from __future__ import annotations

import datetime as dt
from contextlib import closing

import pandas as pd

from dashboard.store import app_state
from dashboard.store.settings import stored

MAX_JUSTIFICATION = 2000  # characters (about 300 words): what the packet's one page holds beside the rest
SCHEMA = """
CREATE TABLE IF NOT EXISTS stay_justifications (
    justification_id INTEGER PRIMARY KEY AUTOINCREMENT,
    participant_id   TEXT NOT NULL,
    episode_id       TEXT NOT NULL,
    text             TEXT NOT NULL,
    user_name        TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stay_justifications_episode ON stay_justifications (episode_id, justification_id);
"""


def _connect():
    con = app_state.connect(SCHEMA)
    app_state.add_missing_columns(con, "stay_justifications", {"author": "TEXT"})  # stores from before it was kept
    return con


def save_justification(participant_id: str, episode_id: str, text: str, user: str, author: str | None = None) -> None:
    """Store a justification with its account (user) and the author's name as documents print it;
    refused (app_state.ActionRefused) when shorter than the settings allow or longer than a page holds."""
    text = (text or "").strip()
    if len(text) < (shortest := stored().whole("reports", "min_justification_characters")):
        raise app_state.ActionRefused(
            f"write a justification of at least {shortest} characters: symptoms and risk, progress, what the "
            "next period will address"
        )
    if len(text) > MAX_JUSTIFICATION:
        raise app_state.ActionRefused(
            f"the justification is {len(text):,} characters; the packet's page holds {MAX_JUSTIFICATION:,}"
        )
    with closing(_connect()) as con, con:
        con.execute(
            "INSERT INTO stay_justifications (participant_id, episode_id, text, user_name, author, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                participant_id,
                episode_id,
                text,
                user,
                (author or "").strip() or user,
                dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            ),
        )


def justifications(episode_id: str) -> pd.DataFrame:
    """The episode's justifications, newest first: text, user_name, author (the name documents print),
    created_at (UTC)."""
    with closing(_connect()) as con:
        return app_state.frame(
            con,
            "SELECT text, user_name, coalesce(author, user_name) AS author, created_at FROM stay_justifications "
            "WHERE episode_id = ? "
            "ORDER BY justification_id DESC",
            [episode_id],
        )
