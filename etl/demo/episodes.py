"""People and episodes: who is admitted when, on which track and days, with which trajectory pattern
and ending, and who comes back for a second episode."""

from etl.demo.parameters import (
    ADOLESCENT_SHARE_IN_TRACK,
    ADOLESCENT_TRACKS,
    AFTERCARE_P,
    CLINICIANS,
    DAY,
    DAYS_PER_WEEK,
    DROPOUT_P,
    DROPOUT_REASONS,
    DROPOUT_TRACK_FACTOR,
    OUTCOMES,
    TRACKS,
    TRANSFER_P,
    WINDOW_DAYS,
    Episode,
    _weighted,
    clip,
)


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
        phq = clip(round(rng.gauss(16, 4)), 10, 27)
    z = (phq - 15) / 5
    gad = clip(round(12 + 4 * (0.7 * z + 0.71 * rng.gauss(0, 1))), 0, 21)
    pcl = clip(round(45 + 12 * (0.5 * z + 0.87 * rng.gauss(0, 1))), 0, 80)
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


def build_episodes(rng, participants, end):
    """All episodes in admission order; ids IOP-10001... follow the first admission."""
    start = end - WINDOW_DAYS * DAY
    drawn = sorted(start + rng.randrange(WINDOW_DAYS) * DAY for _ in range(participants))
    firsts = [_new_episode(rng, None, _new_person(rng, d), d, end) for d in drawn]
    firsts.sort(key=lambda e: e.admit)  # admission moves to the person's first program day
    for n, ep in enumerate(firsts):
        ep.pid = f"IOP-{10001 + n}"
    episodes = firsts + _readmissions(rng, firsts, end)
    return sorted(episodes, key=lambda e: (e.admit, e.pid))
