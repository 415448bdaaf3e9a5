"""The log of files that left the program, as each role may read it. The care team sees every row as
logged; a role outside it (quality) sees that a participant's file was taken, never whose: the
participant column, the file's name (case-review-IOP-10290.pdf names them) and the selection
(the episode) are masked, and the
log's own files say what they are instead of the care team's INTERNAL notice."""

from __future__ import annotations

import pandas as pd

from dashboard.privacy import policy

PARTICIPANT_FILE = "(a participant's file)"
EXTERNAL_NOTE = "The dashboard's log of files let out of the program; participants' files are not named"


def export_log(log: pd.DataFrame, role: str) -> tuple[pd.DataFrame, str | None]:
    """(the rows the role may read, the note its files carry: None = the care team's INTERNAL)."""
    if not policy.external(role):
        return log, None
    named = log["participant_id"].notna()
    return (
        log.assign(
            participant_id=log["participant_id"].where(~named, "(a participant)"),
            file=log["file"].where(~named, PARTICIPANT_FILE),
            selection=log["selection"].where(~named, "(one episode)"),  # it names the episode
        ),
        EXTERNAL_NOTE,
    )
