"""The continued-stay review packet for a payer's utilization review: level of care and dates,
attendance against what was authorized and against the ASAM minimum, scores at intake and latest
with reliable change and severity band, expected-recovery status, flags and what was done, and the
clinician's justification. One Packet, built from the participant page's EpisodeView, is what the
page shows and what the one-page PDF prints, so the two cannot disagree.

The justification is typed by a clinician and stored in the application-state store (newest
kept with every earlier one); saving it is audited, its text is not copied into the audit log."""
from __future__ import annotations

import datetime as dt
from contextlib import closing
from dataclasses import dataclass
from html import escape

import pandas as pd

from dashboard import state, words
from dashboard.documents import compose, printing
from dashboard.flag_labels import labels, priority_ranks
from dashboard.participant import EpisodeView

COLUMN = 700               # CSS px: the printed column of a Letter page less its margins
MAX_JUSTIFICATION = 2000   # characters (about 300 words): what the one page holds beside the rest
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


def save_justification(participant_id: str, episode_id: str, text: str, user: str) -> None:
    """Store a justification; refused (state.ActionRefused) when empty or longer than a page holds."""
    text = (text or "").strip()
    if not text:
        raise state.ActionRefused("write the justification before saving it")
    if len(text) > MAX_JUSTIFICATION:
        raise state.ActionRefused(f"the justification is {len(text):,} characters; the packet's page holds "
                                  f"{MAX_JUSTIFICATION:,}")
    with closing(state.connect(SCHEMA)) as con, con:
        con.execute("INSERT INTO stay_justifications (participant_id, episode_id, text, user_name, created_at) "
                    "VALUES (?, ?, ?, ?, ?)", (participant_id, episode_id, text, user,
                                               dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")))


def justifications(episode_id: str) -> pd.DataFrame:
    """The episode's justifications, newest first: text, user_name, created_at (UTC)."""
    with closing(state.connect(SCHEMA)) as con:
        return pd.read_sql_query("SELECT text, user_name, created_at FROM stay_justifications WHERE episode_id = ? "
                                 "ORDER BY justification_id DESC", con, params=[episode_id])


@dataclass(frozen=True)
class Packet:
    participant_id: str
    title: str                   # the episode in words
    facts: pd.DataFrame          # Item, Detail
    attendance: pd.DataFrame     # Attendance, Attended, Against
    scores: pd.DataFrame         # Instrument, Intake, Latest, Change, Expected recovery
    flags: pd.DataFrame          # Flag, Explanation, Status, Action taken
    justification: dict | None   # the latest: text, user_name, created_at
    notice: str

    def sections(self) -> list[tuple[str, pd.DataFrame]]:
        return [("Level of care and dates", self.facts), ("Attendance", self.attendance),
                ("Scores", self.scores), ("Flags and actions taken", self.flags)]

    @property
    def justification_line(self) -> str:
        j = self.justification
        return "No justification written yet." if j is None else f"By {j['user_name']}, {j['created_at']} UTC"


def _day(value) -> str:
    return "—" if words.missing(value) else f"{pd.Timestamp(value):%d %b %Y}"


def _hours(value) -> str:
    return f"{float(value):.1f} h"


def _facts(view: EpisodeView, current: dict | None) -> pd.DataFrame:
    e = view.episode
    rows = [("Level of care", e.get("level_of_care") or "not recorded"),
            ("Track", e["program"] or "not recorded"),
            ("Admitted", f"{_day(e['admit_date'])} (week {view.week_in_program} of treatment)"),
            ("Status", view.status),
            ("Primary clinician", e["primary_clinician"] or "not recorded")]
    if current is None:
        rows.append(("Authorization", "none on file"))
    else:
        left = int(current["days_left"])
        ends = (f"ended {_day(current['covered_through'])}" if left < 0 else
                f"through {_day(current['covered_through'])} ({left} day{'s' * (left != 1)} left)")
        rows += [("Payer", current["payer"] or "not recorded"),
                 ("Authorization", f"{current['authorization_id']}: {_day(current['start_date'])} – "
                                   f"{_day(current['end_date'])}" + (f", {current['level_of_care']}"
                                                                      if current["level_of_care"] else "")),
                 ("Authorized", ends)]
    rows.append(("Data as of", _day(view.data_as_of)))
    return pd.DataFrame(rows, columns=["Item", "Detail"])


def _attendance(view: EpisodeView, current: dict | None) -> pd.DataFrame:
    rows = []
    if current is not None:
        block = f"this authorization ({_day(current['start_date'])} – {_day(current['end_date'])})"
        if not words.missing(current["authorized_sessions"]):
            rows.append((f"Days attended, {block}", f"{int(current['days_used'])}",
                         f"{int(current['authorized_sessions'])} days authorized"))
        if not words.missing(current["authorized_hours"]):
            rows.append((f"Hours attended, {block}", _hours(current["hours_used"]),
                         f"{float(current['authorized_hours']):g} h authorized"))
    s = view.sessions
    if len(s):      # attended and scheduled as the attendance settings count them
        attended, scheduled = s["attended"].astype(bool), s["scheduled"].astype(bool)
        rows.append(("Sessions attended since admission", f"{int(attended.sum())}",
                     f"of {int(scheduled.sum())} scheduled"))
        rows.append(("Hours attended since admission", _hours(s.loc[attended, "minutes"].sum() / 60), ""))
    full = view.weeks[view.weeks["full_week"].astype(bool)] if len(view.weeks) else view.weeks
    if len(full):
        last = full.iloc[-1]
        age = view.episode.get("age_group") or "adult"
        rows.append((f"Hours, last full week (from {_day(last['week_start'])})", _hours(last["hours_attended"]),
                     f"ASAM 2.1 minimum {float(last['asam_min_hours']):g} h a week ({age})"))
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
        rows.append({"Instrument": instrument, "Intake": score(o["baseline_score"], o["baseline_band"], o["baseline_date"]),
                     "Latest": score(o["latest_score"], o["latest_band"], o["latest_date"]),
                     "Change": words.change(o),
                     "Expected recovery": "—" if words.missing(o["recovery_status"]) else
                     f"{o['recovery_status']} (week {int(o['recovery_week'])})"})
    return pd.DataFrame(rows, columns=["Instrument", "Intake", "Latest", "Change", "Expected recovery"])


def _flags(view: EpisodeView) -> pd.DataFrame:
    f = state.with_status(view.flags)
    if not len(f):
        return pd.DataFrame(columns=["Flag", "Explanation", "Status", "Action taken"])
    f = f.assign(label=labels(f), rank=priority_ranks(f)).sort_values("rank", kind="stable")
    taken = ["—" if words.missing(a) else f"{a}: {n} ({u}, {str(c)[:10]})"
             for a, n, u, c in zip(f["action_taken"], f["note"], f["user_name"], f["created_at"])]
    return pd.DataFrame({"Flag": f["label"], "Explanation": f["explanation"], "Status": f["status"],
                         "Action taken": taken})


def packet(view: EpisodeView) -> Packet:
    in_use = view.authorizations[view.authorizations["in_use"].astype(bool)]     # authorization_use.in_use
    current = in_use.iloc[0].to_dict() if len(in_use) else None
    latest = justifications(view.episode["episode_id"]).head(1)
    return Packet(view.participant_id, view.label, _facts(view, current), _attendance(view, current), _scores(view),
                  _flags(view), latest.iloc[0].to_dict() if len(latest) else None, view.notice)


def heading(p: Packet) -> str:
    return f"Continued-stay review · {p.participant_id} · {p.title}"


def html(p: Packet) -> str:
    """The packet as one printed page (every text from data escaped)."""
    parts = [f"<h1>Continued-stay review</h1><p class='subtitle'>{escape(p.participant_id)} · {escape(p.title)}</p>"]
    for title, frame in p.sections():
        if frame is p.facts:     # two facts a line: the same rows, half the height
            half = -(-len(frame) // 2)
            left, right = frame.iloc[:half].reset_index(drop=True), frame.iloc[half:].reset_index(drop=True)
            frame = pd.concat([left, right.rename(columns={"Item": " Item", "Detail": " Detail"})], axis=1)
        body = compose.table(frame, "packet") if len(frame) else "<p>None.</p>"
        parts.append(f"<h2>{escape(title)}</h2>{body}")
    text = "<p>No justification written yet.</p>" if p.justification is None else \
        f"<p class='justification'>{escape(p.justification['text'])}</p><p class='subtitle'>{escape(p.justification_line)}</p>"
    parts.append(f"<h2>Clinical justification for continued stay</h2>{text}")
    # one page: compact tables (the packet's limits: MAX_JUSTIFICATION, and the flags of one episode)
    style = ("<style>h1{font-size:14pt} h2{font-size:10pt;margin:2.5mm 0 1mm} table.packet{font-size:7.5pt;margin:0 0 1mm}"
             " table.packet th, table.packet td{padding:0.5mm 1.5mm} .subtitle{font-size:8.5pt;margin:0 0 1mm}"
             " .justification{font-size:8.5pt;white-space:pre-wrap;margin:0 0 1mm}</style>")
    return compose.document(heading(p), heading(p), p.notice, style + "\n".join(parts), "Letter portrait", COLUMN)


def pdf(p: Packet) -> bytes:
    return printing.documents(html(p), pdf=True)["pdf"]
