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
byte-identical files: everything comes from random.Random(seed) (authorizations from a stream
seeded by name, so the other files are as they were before it), nothing from the clock.
authorizations.csv holds each episode's payer approvals in three-week blocks (none for self-pay).
"""

import csv
import datetime
import math
import pathlib
import random

DAY = datetime.timedelta(days=1)
WINDOW_DAYS = 548  # 18 months of admissions before `end`
TRACKS = [("Depression/Anxiety", 0.40), ("Trauma", 0.20), ("Substance Use", 0.25), ("Dual Diagnosis", 0.15)]
TRACK_INDEX = {name: i for i, (name, _) in enumerate(TRACKS)}
ADOLESCENT_TRACKS = {"Depression/Anxiety", "Trauma"}
ADOLESCENT_SHARE_IN_TRACK = 1 / 3  # those tracks hold 60% of people -> ~20% adolescents overall
CLINICIANS = ["Rivera, A.", "Chen, M.", "Okafor, T.", "Lindqvist, S.", "Haddad, R.", "Novak, J."]
PSYCHIATRIST = "Patel, D. (MD)"
DAYS_PER_WEEK = [(3, 0.40), (4, 0.25), (5, 0.35)]
# Trajectory patterns and their shares. The patterns follow the literature (Szegedi et al. 2009;
# Stulz et al. 2007; Uher et al. 2011; Gueorguieva et al. 2011; 5-10% deteriorate, clinical-rules.md
# section 3 [24]); the shares are chosen for the demo within the ranges those studies describe,
# before and independently of any alert validation (docs/clinical.md).
OUTCOMES = [("early_responder", 0.45), ("delayed_responder", 0.20), ("non_responder", 0.28), ("deteriorator", 0.07)]
# Dropout is likelier when treatment is not working, and in the substance-use tracks (x1.2, others x0.9).
DROPOUT_P = {"early_responder": 0.13, "delayed_responder": 0.20, "non_responder": 0.33, "deteriorator": 0.38}
DROPOUT_TRACK_FACTOR = {"Substance Use": 1.2, "Dual Diagnosis": 1.2}
TRANSFER_P = {"deteriorator": 0.30}  # step-up to PHP; 2.5% for everyone else -> ~5% of discharges
DROPOUT_REASONS = [
    ("Left AMA", 0.45),
    ("Lost to contact", 0.40),
    ("Administrative discharge", 0.08),
    ("Incarcerated", 0.02),
    ("Other", 0.05),
]
AFTERCARE_P = {"complete": 0.85, "transfer": 0.90, "dropout": 0.15}
INSTRUMENTS = {"PHQ-9": (9, 3), "GAD-7": (7, 3), "PCL-5": (20, 4)}  # items, item maximum
# Reliable-change points of the shipped catalogue (clinical/instruments.toml). A score's
# measurement error is the standard error these imply, RC / (1.96 * sqrt 2): PHQ-9 2.2, GAD-7 1.4,
# PCL-5 4.3 points.
RELIABLE_CHANGE = {"PHQ-9": 6, "GAD-7": 4, "PCL-5": 12}
NOISE_SD = {name: rc / (1.96 * math.sqrt(2)) for name, rc in RELIABLE_CHANGE.items()}
SLOTS = {name: tuple(i for i in range(n) for _ in range(top)) for name, (n, top) in INSTRUMENTS.items()}
SLOTS["PHQ-1..8"] = tuple(i for i in range(8) for _ in range(3))
SESSIONS = {
    "group": ("09:00", 180),
    "individual": ("13:00", 50),
    "medication": ("14:00", 20),
    "family": ("15:00", 60),
}  # in start-time order
ATTENDANCE_HEADER = [
    "participant_id",
    "session_date",
    "start_time",
    "session_type",
    "status",
    "minutes",
    "program",
    "clinician",
    "session_id",
    "group_name",
]
# The daily group each track runs (adolescents in their own), named as an EHR's group schedule names them.
GROUP_NAMES = {
    "Depression/Anxiety": "Mood & Anxiety Skills Group",
    "Trauma": "Trauma Recovery Group",
    "Substance Use": "Recovery Skills Group",
    "Dual Diagnosis": "Integrated Recovery Group",
}
MEASURES_HEADER = ["participant_id", "assessment_date", "instrument", "total"] + [f"item_{i}" for i in range(1, 21)]
ROSTER_HEADER = [
    "Client ID",
    "Admission Date",
    "Discharge Date",
    "Discharge Reason",
    "Program",
    "Level of Care",
    "Primary Clinician",
    "Birth Year",
    "Aftercare Plan",
    "Payer",
    "Referral Source",
    "Primary Diagnosis",
    "Gender",
    "Race",
    "Ethnicity",
]
# Equity fields (the demo's own shares, near those US IOP programs report; blank = not recorded):
# OMB race and ethnicity categories, gender, referral source, the track's diagnosis group.
GENDERS = [("Female", 0.55), ("Male", 0.42), ("Non-binary", 0.03)]
RACES = [
    ("White", 0.62),
    ("Black or African American", 0.16),
    ("Asian", 0.05),
    ("American Indian or Alaska Native", 0.02),
    ("Native Hawaiian or Other Pacific Islander", 0.01),
    ("More than one race", 0.05),
    ("", 0.09),
]
ETHNICITIES = [("Not Hispanic or Latino", 0.77), ("Hispanic or Latino", 0.18), ("", 0.05)]
REFERRALS = [
    ("Self or family", 0.35),
    ("Outpatient provider", 0.25),
    ("Inpatient or PHP step-down", 0.20),
    ("Court or criminal justice", 0.08),
    ("Employer or EAP", 0.05),
    ("Other", 0.07),
]
DIAGNOSES = {
    "Depression/Anxiety": [("Depressive disorders", 0.6), ("Anxiety disorders", 0.4)],
    "Trauma": [("Trauma- and stressor-related disorders", 1.0)],
    "Substance Use": [("Substance use disorders", 1.0)],
    "Dual Diagnosis": [("Co-occurring disorders", 1.0)],
}
AUTH_HEADER = [
    "Member ID",
    "Payer",
    "Level of Care",
    "Auth Number",
    "Auth Start",
    "Auth End",
    "Units Authorized",
    "Hours Authorized",
]
# Fictional payers: (name, share, authorizes in "days" or "hours"); self-pay needs no authorization.
PAYERS = [
    ("State Medicaid", 0.40, "hours"),
    ("Northwind Health PPO", 0.25, "days"),
    ("Summit Care HMO", 0.20, "days"),
    ("Medicare", 0.10, "hours"),
    ("Self-pay", 0.05, None),
]
AUTH_BLOCK_DAYS = 21  # each block is approved for three weeks; a continued-stay review extends it


class Episode:
    """One admission: who, which days, the outcome type and how (or whether) it ended."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


def _weighted(rng, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def _clip(value, lo, hi):
    return max(lo, min(hi, value))


def _us_date(d):
    return f"{d.month}/{d.day}/{d.year}" if d else ""


# ---------------------------------------------------------------- people and episodes


def _new_person(rng, admit):
    """Track, age and primary clinician; birth year consistent with age on the admission date."""
    track = _weighted(rng, TRACKS)
    adolescent = track in ADOLESCENT_TRACKS and rng.random() < ADOLESCENT_SHARE_IN_TRACK
    age = rng.randint(13, 17) if adolescent else round(rng.triangular(18, 70, 30))
    had_birthday = rng.random() < admit.timetuple().tm_yday / 366
    return {
        "track": track,
        "adolescent": adolescent,
        "clinician": rng.choice(CLINICIANS),
        "birth_year": admit.year - age - (0 if had_birthday else 1),
    }


def _on_program_day(d, weekdays, end):
    """First program day on or after d; the last one before it if that would pass `end`."""
    day = d
    while day.weekday() not in weekdays:
        day += DAY
    if day > end:
        day = d
        while day.weekday() not in weekdays:
            day -= DAY
    return day


def _last_program_day(d, weekdays):
    while d.weekday() not in weekdays:
        d -= DAY
    return d


def _intake_scores(rng):
    """Correlated intake severity; ~11% score below the PHQ-9 cutoff of 10 at intake anyway
    (7% drawn there, the rest pushed below by measurement noise)."""
    if rng.random() < 0.07:
        phq = rng.randint(3, 9)
    else:
        phq = _clip(round(rng.gauss(16, 4)), 10, 27)
    z = (phq - 15) / 5
    gad = _clip(round(12 + 4 * (0.7 * z + 0.71 * rng.gauss(0, 1))), 0, 21)
    pcl = _clip(round(45 + 12 * (0.5 * z + 0.87 * rng.gauss(0, 1))), 0, 80)
    return {"PHQ-9": phq, "GAD-7": gad, "PCL-5": pcl}


def _trajectory(rng, outcome):
    """This person's own size and speed of change within the pattern (see _expected). Each range is
    chosen for the demo to give the shape the cited studies describe."""
    if outcome == "early_responder":
        # Negatively accelerated: 50-75% below intake in the end, time constant 1-2.5 weeks, so
        # every early responder is at least 20% better by week 2 (Szegedi's early improvement).
        return {"drop": rng.uniform(0.50, 0.75), "tau": rng.uniform(1.0, 2.5)}
    if outcome == "delayed_responder":
        # At most 10% better until the onset (week 2-4), then steady improvement over 3-7 weeks to
        # 35-65% below intake: the change comes in the second 3 weeks more than the first (Uher).
        return {
            "early": rng.uniform(0.0, 0.10),
            "onset": rng.uniform(2, 4),
            "drop": rng.uniform(0.35, 0.65),
            "span": rng.uniform(3, 7),
        }
    if outcome == "deteriorator":
        # Worse by 6-10 PHQ-9 points (at least the reliable change) by week 4-6, then no better.
        return {"rise": rng.uniform(6, 10), "peak": rng.uniform(4, 6)}
    # Non-responder: 5-20% better within the first weeks (time constant 1-2 weeks), then a plateau.
    return {"drop": rng.uniform(0.05, 0.20), "tau": rng.uniform(1.0, 2.0)}


def _ending(rng, outcome, track, weeks, traj):
    """How the episode ends and after how many days (unless `end` comes first)."""
    planned = weeks * 7
    if rng.random() < TRANSFER_P.get(outcome, 0.025):
        # Deteriorators are stepped up around the time they peak.
        days = int(traj["peak"] * 7) + rng.randint(0, 7) if "peak" in traj else rng.randint(14, planned - 7)
        return "transfer", min(days, planned), "Transferred to PHP"
    if rng.random() < DROPOUT_P[outcome] * DROPOUT_TRACK_FACTOR.get(track, 0.9):
        return "dropout", rng.randint(14, planned - 7), _weighted(rng, DROPOUT_REASONS)
    return "complete", planned, "Completed treatment"


def _new_episode(rng, pid, person, drawn, end):
    weekdays = frozenset(rng.sample(range(5), _weighted(rng, DAYS_PER_WEEK)))
    admit = _on_program_day(drawn, weekdays, end)
    outcome = _weighted(rng, OUTCOMES)
    traj = _trajectory(rng, outcome)
    kind, length, reason = _ending(rng, outcome, person["track"], rng.randint(6, 12), traj)
    exit_day = _last_program_day(admit + (length - 1) * DAY, weekdays)
    closed = exit_day <= end
    days_on = sorted(weekdays)
    ep = Episode(
        pid=pid,
        admit=admit,
        exit_day=exit_day,
        stop=min(exit_day, end),
        closed=closed,
        kind=kind,
        reason=reason if closed else "",
        outcome=outcome,
        traj=traj,
        weekdays=weekdays,
        aftercare=("yes" if rng.random() < AFTERCARE_P[kind] else "no") if closed else "",
        indiv_wd=rng.choice(days_on),
        fam_wd=rng.choice(days_on),
        med_wd=rng.choice(days_on),
        family=person["adolescent"] or rng.random() < 0.4,
        fam_parity=rng.randint(0, 1),
        medication=rng.random() < 0.5,
        base_p=rng.uniform(0.80, 0.97),
        fade=rng.randint(14, 21),
        baseline=_intake_scores(rng),
        safety_p=0.15 if outcome == "deteriorator" else 0.015,
        pcl=person["track"] == "Trauma" or (person["track"] == "Dual Diagnosis" and rng.random() < 0.5),
        person=person,
        **person,
    )
    ep.days = _program_days(ep)
    return ep


def _program_days(ep):
    days, d = [], ep.admit
    while d <= ep.stop:
        if d.weekday() in ep.weekdays:
            days.append(d)
        d += DAY
    return days


def _readmissions(rng, firsts, end):
    """~3% of people come back at least 45 days after their first discharge (no overlap)."""
    latest = end - 14 * DAY  # leave the second episode some days before `end`
    eligible = [ep for ep in firsts if ep.closed and ep.exit_day + 45 * DAY <= latest]
    chosen = rng.sample(eligible, min(round(0.03 * len(firsts)), len(eligible)))
    second = []
    for ep in sorted(chosen, key=lambda e: e.pid):
        earliest = ep.exit_day + 45 * DAY
        drawn = earliest + rng.randint(0, min(180, (latest - earliest).days)) * DAY
        second.append(_new_episode(rng, ep.pid, ep.person, drawn, end))
    return second


def _build_episodes(rng, participants, end):
    """All episodes in admission order; ids IOP-10001... follow the first admission."""
    start = end - WINDOW_DAYS * DAY
    drawn = sorted(start + rng.randrange(WINDOW_DAYS) * DAY for _ in range(participants))
    firsts = [_new_episode(rng, None, _new_person(rng, d), d, end) for d in drawn]
    firsts.sort(key=lambda e: e.admit)  # admission moves to the person's first program day
    for n, ep in enumerate(firsts):
        ep.pid = f"IOP-{10001 + n}"
    episodes = firsts + _readmissions(rng, firsts, end)
    return sorted(episodes, key=lambda e: (e.admit, e.pid))


# ---------------------------------------------------------------- attendance


def _attend_prob(ep, d):
    """Base probability; for dropouts it falls toward 0.3 over the last 2-3 weeks."""
    if ep.kind != "dropout":
        return ep.base_p
    left = (ep.exit_day - d).days
    if left >= ep.fade:
        return ep.base_p
    return ep.base_p - (ep.base_p - 0.3) * (1 - left / ep.fade)


def _sessions_on(ep, d):
    week, wd = (d - ep.admit).days // 7, d.weekday()
    kinds = ["group"]
    if wd == ep.indiv_wd:
        kinds.append("individual")
    if ep.medication and wd == ep.med_wd and week % 4 == 0:
        kinds.append("medication")
    if ep.family and wd == ep.fam_wd and week % 2 == ep.fam_parity:
        kinds.append("family")
    return kinds


def _present_status(rng, kind, minutes):
    """Attended, with ~4% late and ~3% of groups left early (minutes cut accordingly)."""
    r = rng.random()
    if r < 0.04:
        return "late", minutes - min(rng.randint(10, 30), minutes // 2)
    if r < 0.07 and kind == "group":
        return "left_early", minutes - rng.randint(30, 90)
    return "attended", minutes


def _clinician_for(ep, kind, d):
    if kind == "group":  # facilitators rotate weekly across tracks and weekdays
        return CLINICIANS[(d.toordinal() // 7 + d.weekday() + TRACK_INDEX[ep.track]) % len(CLINICIANS)]
    return PSYCHIATRIST if kind == "medication" else ep.clinician


def _attendance_rows(rng, ep, next_id):
    """One row per scheduled session; a person present or absent for the whole day."""
    rows = []
    for d in ep.days:
        present = rng.random() < _attend_prob(ep, d)
        absent = "excused" if rng.random() < 0.27 else "no_show"
        iso = d.isoformat()
        for kind in _sessions_on(ep, d):
            start, minutes = SESSIONS[kind]
            if rng.random() < 0.01:
                status, minutes = "cancelled", 0  # by the program
            elif not present:
                status, minutes = absent, 0
            else:
                status, minutes = _present_status(rng, kind, minutes)
            group = ("Adolescent " if ep.adolescent else "") + GROUP_NAMES[ep.track] if kind == "group" else ""
            rows.append(
                [
                    ep.pid,
                    iso,
                    start,
                    kind,
                    status,
                    minutes,
                    ep.track,
                    _clinician_for(ep, kind, d),
                    f"S{next_id + len(rows):07d}",
                    group,
                ]
            )
    return rows


# ---------------------------------------------------------------- measures


def _expected(ep, instrument, weeks):
    """The person's noise-free score `weeks` after admission: improvement is a share of the intake
    score; deterioration is in PHQ-9 points scaled to the instrument's range."""
    base, t = ep.baseline[instrument], ep.traj
    if ep.outcome == "deteriorator":
        n, top = INSTRUMENTS[instrument]
        return base + t["rise"] * n * top / 27 * min(weeks / t["peak"], 1)
    if ep.outcome == "delayed_responder":
        share = t["early"] * min(weeks / t["onset"], 1) + (t["drop"] - t["early"]) * _clip(
            (weeks - t["onset"]) / t["span"], 0, 1
        )
    else:  # early responders and non-responders: most of their change comes early
        share = t["drop"] * (1 - math.exp(-weeks / t["tau"]))
    return base * (1 - share)


def _score(rng, ep, instrument, weeks):
    """The expected score plus measurement noise, rounded and clipped to the instrument's range."""
    n, top = INSTRUMENTS[instrument]
    value = _expected(ep, instrument, weeks) + rng.gauss(0, NOISE_SD[instrument])
    return _clip(round(value), 0, n * top)


def _spread(rng, total, slots, n):
    """Random items summing to total: each point goes to a free slot (item max respected)."""
    items = [0] * n
    for i in rng.sample(slots, total):
        items[i] += 1
    return items


def _items(rng, instrument, total, safety_p):
    if instrument != "PHQ-9":
        return _spread(rng, total, SLOTS[instrument], INSTRUMENTS[instrument][0])
    # Item 9 (self-harm) is endorsed only occasionally, unless the total leaves no choice (> 24);
    # those forced rows bring the 1.5% drawn for most people to ~3% of administrations.
    item9 = max(0, total - 24)
    if total > item9 and rng.random() < safety_p:
        item9 = rng.randint(max(1, item9), min(3, total))
    return _spread(rng, total - item9, SLOTS["PHQ-1..8"], 8) + [item9]


def _measure_rows(rng, ep):
    """PHQ-9 and GAD-7 weekly from intake (PCL-5 fortnightly), ~5% of administrations missed."""
    window = [d for d in ep.days if (d - ep.admit).days <= 3]
    if not window:
        return []
    rows, d, k = [], rng.choice(window), 0
    instruments = ["PHQ-9", "GAD-7"] + (["PCL-5"] if ep.pcl else [])
    while d <= ep.stop:
        weeks = (d - ep.admit).days / 7
        for name in instruments:
            if (name == "PCL-5" and k % 2) or rng.random() < 0.05:
                continue
            total = _score(rng, ep, name, weeks)
            items = _items(rng, name, total, ep.safety_p) if rng.random() < 0.90 else []
            rows.append([ep.pid, d.isoformat(), name, total] + items + [""] * (20 - len(items)))
        d, k = d + 7 * DAY, k + 1
    return rows


# The substance-use tracks' measures (the demo's own assumptions, docs/clinical.md): who drinks,
# who uses drugs, and every 28 days from intake AUDIT-C (items), DAST-10 (totals) and the BAM
# (17 items, 0-4 layout; Use = items 4-6, Risk = 1, 2, 3, 8, 11, 15, Protective = 9, 10, 12, 13, 14, 16).
SUBSTANCE_TRACKS = {"Substance Use", "Dual Diagnosis"}
SUBSTANCE_EVERY_DAYS = 28
BAM_RISK, BAM_PROTECTIVE = (1, 2, 3, 8, 11, 15), (9, 10, 12, 13, 14, 16)


def _course(ep, weeks):
    """How much of the intake's severity remains `weeks` in (1 at intake; below 1 is better), from
    the episode's trajectory pattern (the PHQ-9's, as a ratio)."""
    return _expected(ep, "PHQ-9", weeks) / max(ep.baseline["PHQ-9"], 1)


def _substance_rows(rng, ep):
    if ep.track not in SUBSTANCE_TRACKS:
        return []
    alcohol = rng.random() < 0.65
    drugs = not alcohol or rng.random() < 0.45
    audit = [rng.randint(2, 4) if alcohol else rng.randint(0, 1) for _ in range(3)]
    dast = rng.randint(4, 8) if drugs else rng.randint(0, 1)
    use = {
        4: rng.randint(3, 4) if alcohol else 0,
        5: rng.randint(2, 4) if alcohol else 0,
        6: rng.randint(2, 4) if drugs else 0,
    }
    risk = {i: rng.randint(1, 4) for i in BAM_RISK}
    protective = {i: rng.randint(0, 3) for i in BAM_PROTECTIVE}
    rows, d = [], ep.admit
    while d <= ep.stop:
        weeks = (d - ep.admit).days / 7
        left = _clip(_course(ep, weeks) + rng.gauss(0, 0.12), 0, 1.6)  # severity still there
        if rng.random() < 0.05 and d > ep.admit:
            d += SUBSTANCE_EVERY_DAYS * DAY
            continue
        items = [_clip(round(v * left), 0, 4) for v in audit]
        rows.append([ep.pid, d.isoformat(), "AUDIT-C", sum(items)] + items + [""] * 17)
        rows.append([ep.pid, d.isoformat(), "DAST-10", _clip(round(dast * (0.6 + 0.4 * left)), 0, 10)] + [""] * 20)
        # past 30 days: abstinent (no use at all) likelier the more of the intake's severity has gone
        abstinent = d > ep.admit and rng.random() < _clip(1.3 - left, 0, 0.95)
        bam = {i: 0 if abstinent else max(_clip(round(v * left), 0, 4), min(v, 1)) for i, v in use.items()}
        bam |= {i: _clip(round(v * left + rng.gauss(0, 0.4)), 0, 4) for i, v in risk.items()}
        bam |= {
            i: _clip(round(v + 4 * (1 - left) * rng.uniform(0.3, 0.8) + rng.gauss(0, 0.4)), 0, 4)
            for i, v in protective.items()
        }
        bam |= {7: 0, 17: _clip(round(4 * (1 - left)), 0, 4)}
        rows.append([ep.pid, d.isoformat(), "BAM", ""] + [bam[i] for i in range(1, 18)] + [""] * 3)
        d += SUBSTANCE_EVERY_DAYS * DAY
    return rows


# Follow-up surveys after discharge (the demo's own assumptions, docs/clinical.md): who answers one
# at about 30 and at about 90 days, and the share who lose part of their gain by then.
FOLLOW_UP_P = {"complete": 0.55, "dropout": 0.25}
FOLLOW_UP_DAYS = (30, 90)
RELAPSE_P = 0.25


def _follow_up_rows(rng, ep, end, readmitted=None):
    """Totals (no items) of the episode's instruments at about 30 and 90 days after discharge; none
    once the person's next episode (readmitted: its admission) is within its baseline window."""
    if not ep.closed or ep.kind not in FOLLOW_UP_P:
        return []
    relapse = rng.uniform(0.3, 0.8) if rng.random() < RELAPSE_P else 0.0
    weeks = (ep.exit_day - ep.admit).days / 7
    rows = []
    for days in FOLLOW_UP_DAYS:
        if rng.random() >= FOLLOW_UP_P[ep.kind]:
            continue
        d = ep.exit_day + (days + rng.randint(-5, 5)) * DAY
        if d > end or (readmitted and d >= readmitted - 14 * DAY):
            continue
        for name in ["PHQ-9", "GAD-7"] + (["PCL-5"] if ep.pcl else []):
            at_exit = _expected(ep, name, weeks)
            lost = relapse * min(days / FOLLOW_UP_DAYS[-1], 1) * (ep.baseline[name] - at_exit)
            n, top = INSTRUMENTS[name]
            total = _clip(round(at_exit + lost + rng.gauss(0, NOISE_SD[name])), 0, n * top)
            rows.append([ep.pid, d.isoformat(), name, total] + [""] * 20)
    return rows


# ---------------------------------------------------------------- planted data-quality problems


def _bad_date(row):
    row[1] = "2025-02-30"


def _came(row):
    row[4] = "came"


def _attendance_mess(episodes):
    """Attendance problems: {kind: (which rows fit, how to spoil one)}."""
    has_2025 = any(d.year == 2025 for ep in episodes for d in ep.days)
    in_2025 = (lambda r: r[1].startswith("2025-")) if has_2025 else (lambda r: True)
    return {"duplicate": (lambda r: True, None), "bad_date": (in_2025, _bad_date), "came": (lambda r: True, _came)}


def _out_of_range(row):
    row[3:] = [31] + [""] * 20


# Measures problems: a repeated line, and a PHQ-9 total of 31 (out of range, items empty).
MEASURES_MESS = {"duplicate": (lambda r: True, None), "out_of_range": (lambda r: r[2] == "PHQ-9", _out_of_range)}


def _plant(rng, rows, mess, pending, i):
    """Plant each due problem (target episode <= i) on its own row of this episode; a problem
    without a fitting row waits for the next episode, so each lands exactly once."""
    touched = set()
    for kind, target in list(pending.items()):
        fits, spoil = mess[kind]
        pool = [n for n, r in enumerate(rows) if n not in touched and fits(r)] if target <= i else []
        if not pool:
            continue
        n = rng.choice(pool)
        if spoil is None:  # an exact duplicate line right after the original
            rows.insert(n + 1, list(rows[n]))
            touched = {m + (m > n) for m in touched} | {n, n + 1}
        else:
            spoil(rows[n])
            touched.add(n)
        del pending[kind]


def _targets(rng, episodes, kinds):
    """Episodes (with sessions, distinct while there are enough) where each problem is planted."""
    with_days = [i for i, ep in enumerate(episodes) if ep.days] or [0]
    in_2025 = [i for i in with_days if any(d.year == 2025 for d in episodes[i].days)]
    targets = {}
    for kind in kinds:
        pool = in_2025 if kind == "bad_date" and in_2025 else with_days
        targets[kind] = rng.choice([i for i in pool if i not in targets.values()] or pool)
    return targets


# ---------------------------------------------------------------- authorizations


def _payer(seed, ep):
    """The episode's payer and whether it authorizes days or hours (a stream per episode, by name)."""
    rng = random.Random(f"{seed}-payer-{ep.pid}-{ep.admit}")
    return _weighted(rng, [((name, unit), share) for name, share, unit in PAYERS])


def _equity(seed, ep):
    """The person's gender, race and ethnicity (the same in every episode), the episode's referral
    source and diagnosis group: streams by name, so no other value of the demo changes."""
    person = random.Random(f"{seed}-person-{ep.pid}")
    episode = random.Random(f"{seed}-episode-{ep.pid}-{ep.admit}")
    return [
        _weighted(person, GENDERS),
        _weighted(person, RACES),
        _weighted(person, ETHNICITIES),
        _weighted(episode, REFERRALS),
        _weighted(episode, DIAGNOSES[ep.track]),
    ]


def _authorization_rows(ep, serial, payer, unit):
    """Three-week blocks from admission until the episode's last day (or the block holding `end`),
    in program days (the days it meets) or hours (3 h a program day), from the episode's payer."""
    if unit is None:
        return []
    rows, start = [], ep.admit
    while start <= ep.stop:
        end = start + (AUTH_BLOCK_DAYS - 1) * DAY
        days = sum(1 for k in range(AUTH_BLOCK_DAYS) if (start + k * DAY).weekday() in ep.weekdays)
        rows.append(
            [
                ep.pid,
                payer,
                "IOP",
                f"PA{serial + len(rows):06d}",
                _us_date(start),
                _us_date(end),
                days if unit == "days" else "",
                days * 3 if unit == "hours" else "",
            ]
        )
        start = end + DAY
    return rows


# ---------------------------------------------------------------- roster and files


def _roster_row(ep, seed):
    gender, race, ethnicity, referral, diagnosis = _equity(seed, ep)
    return [
        ep.pid,
        _us_date(ep.admit),
        _us_date(ep.exit_day if ep.closed else None),
        ep.reason,
        ep.track,
        "IOP",
        ep.clinician,
        ep.birth_year,
        ep.aftercare,
        _payer(seed, ep)[0],
        referral,
        diagnosis,
        gender,
        race,
        ethnicity,
    ]


def _open_writer(path):
    f = open(path, "w", newline="", encoding="utf-8")
    return f, csv.writer(f, lineterminator="\n")


def write_demo(
    out_dir, participants: int = 300, seed: int = 42, end: datetime.date = datetime.date(2026, 11, 20)
) -> dict[str, pathlib.Path]:
    """Write attendance.csv, measures.csv, roster.csv and authorizations.csv into out_dir (created if
    missing); return {kind: path}."""
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {kind: out / f"{kind}.csv" for kind in ("attendance", "measures", "roster", "authorizations")}
    rng = random.Random(seed)
    episodes = _build_episodes(rng, participants, end)
    # Separate streams so that changing one file's rules leaves the other files unchanged.
    att_rng, meas_rng = random.Random(rng.getrandbits(64)), random.Random(rng.getrandbits(64))
    att_mess = _attendance_mess(episodes)
    att_pending = _targets(rng, episodes, att_mess)
    meas_pending = _targets(rng, episodes, MEASURES_MESS)

    att_file, att = _open_writer(paths["attendance"])
    meas_file, meas = _open_writer(paths["measures"])
    substance_rng = random.Random(f"{seed}-substance-use")  # a stream of its own: the other rows as before
    with att_file, meas_file:
        att.writerow(ATTENDANCE_HEADER)
        meas.writerow(MEASURES_HEADER)
        next_id = 1
        for i, ep in enumerate(episodes):
            rows = _attendance_rows(att_rng, ep, next_id)
            next_id += len(rows)
            _plant(att_rng, rows, att_mess, att_pending, i)
            att.writerows(rows)
            rows = _measure_rows(meas_rng, ep)
            _plant(meas_rng, rows, MEASURES_MESS, meas_pending, i)
            meas.writerows(rows)
            meas.writerows(_substance_rows(substance_rng, ep))
        # follow-up surveys, as a later block of the export and from a stream of their own (seeded by
        # name): the rows above are as they were without them
        follow_rng = random.Random(f"{seed}-follow-up")
        admits = {}
        for ep in episodes:
            admits.setdefault(ep.pid, []).append(ep.admit)
        for ep in episodes:
            later = [a for a in admits[ep.pid] if a > ep.admit]
            meas.writerows(_follow_up_rows(follow_rng, ep, end, min(later) if later else None))

    roster_file, roster = _open_writer(paths["roster"])
    with roster_file:
        roster.writerow(ROSTER_HEADER)
        roster.writerows(_roster_row(ep, seed) for ep in sorted(episodes, key=lambda e: (e.pid, e.admit)))

    # a stream of its own (seeded by name), so that the other files are as they were without it
    auth_rng, rows = random.Random(f"{seed}-authorizations"), []
    for ep in sorted(episodes, key=lambda e: (e.pid, e.admit)):
        rows += _authorization_rows(ep, len(rows) + 1, *_payer(seed, ep))
    if rows:  # one planted problem: an authorization that ends before it starts
        bad = auth_rng.randrange(len(rows))
        rows[bad][5] = _us_date(datetime.date(int(rows[bad][4][-4:]) - 1, 1, 2))
    auth_file, auth = _open_writer(paths["authorizations"])
    with auth_file:
        auth.writerow(AUTH_HEADER)
        auth.writerows(rows)
    return paths
