"""Seeded demo exports of a fictional Intensive Outpatient Program (IOP).

The demo models a mental-health and addiction IOP (ASAM level 2.1) over the 18 months before
`end`: four tracks (Depression/Anxiety, Trauma, Substance Use, Dual Diagnosis), adults and some
adolescents, six clinicians and a psychiatrist. Each person attends 3-5 fixed weekdays a week for
6-12 planned weeks: a daily group, a weekly individual session, family sessions every other week
(all adolescents, ~40% of adults) and a medication check every 4 weeks (~half of people).

Every episode follows one of four trajectory patterns taken from published research on the course
of depression treatment (docs/clinical.md, "The demo program's trajectories", has the sources and
says which numbers are the demo's own): early responders (most change in the first 2-4 weeks,
then levelling off), delayed responders (little change for 2-4 weeks, then steady improvement),
non-responders (a small early improvement that plateaus) and deteriorators (worse by 6-10 PHQ-9
points within 4-6 weeks). Each person draws their own size and speed of change within the pattern,
and every administration adds measurement noise of the size the reliable-change criterion implies.
The pattern drives the weekly PHQ-9 / GAD-7 scores (and fortnightly PCL-5 for trauma work), and the
episode has an ending: completed, dropped out after 2-3 weeks of thinning attendance, stepped up to
PHP, or still open at `end`. About 3% of people are readmitted later with a second episode.

The files look like real exports - the roster has a vendor header and US dates - and each of
attendance.csv and measures.csv carries a few planted data-quality problems, exactly once each,
so the loader's checks have something to find. Same (participants, seed, end) gives
byte-identical files: everything comes from random.Random(seed) (authorizations, diagnoses and the
roster's dates of birth from streams seeded by name, so the other files are as they were before
them), nothing from the clock.

- attendance.csv: every scheduled session (participant, date, type, status, minutes, group).
- measures.csv: PHQ-9, GAD-7 and PCL-5 with items, the substance-use measures, follow-up surveys.
- roster.csv: admissions and discharges with the equity fields and, last, the date of birth (within
  the birth year, the same in every episode of a person).
- authorizations.csv: each episode's payer approvals in three-week blocks (none for self-pay); one
  planted authorization ends before it starts.
- diagnoses.csv: an Epic-style problem list of ICD-10-CM codes consistent with each episode's roster
  diagnosis group (a few depressive episodes also carry a bipolar, personality or psychotic
  disorder); planted: one ICD-9 code (296.32) and one problem resolved before it was noted.
"""

import csv
import datetime
import pathlib
import random

from etl.demo.attendance import attendance_rows
from etl.demo.authorizations import authorization_rows, equity, payer
from etl.demo.diagnoses import birth_dates, diagnosis_rows
from etl.demo.episodes import build_episodes
from etl.demo.measures import follow_up_rows, measure_rows, substance_rows
from etl.demo.mess import MEASURES_MESS, attendance_mess, plant, targets
from etl.demo.parameters import (
    ATTENDANCE_HEADER,
    AUTH_HEADER,
    DIAGNOSIS_HEADER,
    MEASURES_HEADER,
    ROSTER_HEADER,
    SITES,
    us_date,
)


def _roster_row(ep, seed, born):
    gender, race, ethnicity, referral, diagnosis = equity(seed, ep)
    return [
        ep.pid,
        us_date(ep.admit),
        us_date(ep.exit_day if ep.closed else None),
        ep.reason,
        ep.track,
        "IOP",
        ep.clinician,
        ep.birth_year,
        ep.aftercare,
        payer(seed, ep)[0],
        referral,
        diagnosis,
        gender,
        race,
        ethnicity,
        us_date(born[ep.pid]),
        SITES[ep.clinician],
    ]


def _open_writer(path):
    f = open(path, "w", newline="", encoding="utf-8")
    return f, csv.writer(f, lineterminator="\n")


def write_demo(
    out_dir, participants: int = 300, seed: int = 42, end: datetime.date = datetime.date(2026, 11, 20)
) -> dict[str, pathlib.Path]:
    """Write attendance.csv, measures.csv, roster.csv, authorizations.csv and diagnoses.csv into out_dir
    (created if missing); return {kind: path}."""
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    kinds = ("attendance", "measures", "roster", "authorizations", "diagnoses")
    paths = {kind: out / f"{kind}.csv" for kind in kinds}
    rng = random.Random(seed)
    episodes = build_episodes(rng, participants, end)
    # Separate streams so that changing one file's rules leaves the other files unchanged.
    att_rng, meas_rng = random.Random(rng.getrandbits(64)), random.Random(rng.getrandbits(64))
    att_mess = attendance_mess(episodes)
    att_pending = targets(rng, episodes, att_mess)
    meas_pending = targets(rng, episodes, MEASURES_MESS)

    att_file, att = _open_writer(paths["attendance"])
    meas_file, meas = _open_writer(paths["measures"])
    substance_rng = random.Random(f"{seed}-substance-use")  # a stream of its own: the other rows as before
    with att_file, meas_file:
        att.writerow(ATTENDANCE_HEADER)
        meas.writerow(MEASURES_HEADER)
        next_id = 1
        for i, ep in enumerate(episodes):
            rows = attendance_rows(att_rng, ep, next_id)
            next_id += len(rows)
            plant(att_rng, rows, att_mess, att_pending, i)
            att.writerows(rows)
            rows = measure_rows(meas_rng, ep)
            plant(meas_rng, rows, MEASURES_MESS, meas_pending, i)
            meas.writerows(rows)
            meas.writerows(substance_rows(substance_rng, ep))
        # follow-up surveys, as a later block of the export and from a stream of their own (seeded by
        # name): the rows above are as they were without them
        follow_rng = random.Random(f"{seed}-follow-up")
        admits = {}
        for ep in episodes:
            admits.setdefault(ep.pid, []).append(ep.admit)
        for ep in episodes:
            later = [a for a in admits[ep.pid] if a > ep.admit]
            meas.writerows(follow_up_rows(follow_rng, ep, end, min(later) if later else None))

    born = birth_dates(seed, episodes)
    roster_file, roster = _open_writer(paths["roster"])
    with roster_file:
        roster.writerow(ROSTER_HEADER)
        roster.writerows(_roster_row(ep, seed, born) for ep in sorted(episodes, key=lambda e: (e.pid, e.admit)))

    # a stream of its own (seeded by name), so that the other files are as they were without it
    auth_rng, rows = random.Random(f"{seed}-authorizations"), []
    for ep in sorted(episodes, key=lambda e: (e.pid, e.admit)):
        rows += authorization_rows(ep, len(rows) + 1, *payer(seed, ep))
    if rows:  # one planted problem: an authorization that ends before it starts
        bad = auth_rng.randrange(len(rows))
        rows[bad][5] = us_date(datetime.date(int(rows[bad][4][-4:]) - 1, 1, 2))
    auth_file, auth = _open_writer(paths["authorizations"])
    with auth_file:
        auth.writerow(AUTH_HEADER)
        auth.writerows(rows)

    groups = {(ep.pid, ep.admit): equity(seed, ep)[4] for ep in episodes}  # the roster's diagnosis group
    dx_file, dx = _open_writer(paths["diagnoses"])
    with dx_file:
        dx.writerow(DIAGNOSIS_HEADER)
        dx.writerows(diagnosis_rows(seed, episodes, groups, end))
    return paths
