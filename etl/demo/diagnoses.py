"""Each person's date of birth, and the problem list: each episode's ICD-10 codes, consistent with its
roster diagnosis group. Both come from streams of their own (seeded by name): no other value of the
demo changes."""

import datetime
import random

from etl.demo.parameters import (
    ANXIETY_WITH_DEPRESSION,
    DAY,
    DEPRESSIVE_CODES,
    EXCLUDING,
    ICD10_NAMES,
    RESOLVED_P,
    SUBSTANCE_CODES,
    TRAUMA_CODES,
    _weighted,
    us_date,
)

SUBSTANCE = {code for code, _ in SUBSTANCE_CODES}


def _day_in(year, d):
    """d's month and day in `year` (29 February: the 28th in a common year)."""
    try:
        return datetime.date(year, d.month, d.day)
    except ValueError:
        return datetime.date(year, 2, 28)


def birth_dates(seed, episodes):
    """pid -> a date of birth in the person's birth year. When the birth year alone makes the person 18
    in an admission's year, the birthday is on or before that day of the year, so the exact age gives
    the age group the birth year gave."""
    people = {}
    for ep in episodes:
        people.setdefault(ep.pid, []).append(ep)
    out = {}
    for pid, eps in people.items():
        year = eps[0].birth_year
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        for ep in eps:
            if ep.admit.year - year == 18:
                last = min(last, _day_in(year, ep.admit))
        rng = random.Random(f"{seed}-birth-date-{pid}")
        out[pid] = first + rng.randrange((last - first).days + 1) * DAY
    return out


def _codes(rng, group):
    """The episode's codes for its roster diagnosis group, the main one first."""
    if group == "Depressive disorders":
        return [_weighted(rng, DEPRESSIVE_CODES)]
    if group == "Anxiety disorders":
        return ["F41.1"] + (["F32.1"] if rng.random() < ANXIETY_WITH_DEPRESSION else [])
    if group == "Trauma- and stressor-related disorders":
        return [_weighted(rng, TRAUMA_CODES)]
    if group == "Substance use disorders":
        return [_weighted(rng, SUBSTANCE_CODES)]
    return [_weighted(rng, SUBSTANCE_CODES), rng.choice(["F33.1", "F41.1"])]  # co-occurring


def episode_diagnoses(rng, ep, group, end):
    """[(code, noted, resolved or None)] for one episode: noted up to 400 days before admission or on
    it; a completed episode's mental-health codes resolved after discharge now and then."""
    out = []
    for code in _codes(rng, group):
        noted = ep.admit if rng.random() < 0.35 else ep.admit - rng.randint(1, 400) * DAY
        resolved = None
        if ep.closed and ep.kind == "complete" and code not in SUBSTANCE and rng.random() < RESOLVED_P:
            resolved = min(end, ep.exit_day + rng.randint(0, 90) * DAY)
        out.append((code, noted, resolved))
    return out


def excluding(rng, depressive):
    """{(pid, admit): [(code, noted, None)]}: each excluding diagnosis on its share of the depressive
    episodes (at least one, so the demo always shows it), noted 30-900 days before admission."""
    out = {}
    for codes, share in EXCLUDING:
        for ep in rng.sample(depressive, min(len(depressive), max(1, round(share * len(depressive))))):
            out.setdefault((ep.pid, ep.admit), []).append(
                (rng.choice(codes), ep.admit - rng.randint(30, 900) * DAY, None)
            )
    return out


def diagnosis_rows(seed, episodes, groups, end):
    """The problem-list rows of every person (MRN, code, problem, noted, resolved), with two planted
    problems: an ICD-9 code (296.32) and a row resolved before it was noted. groups: each episode's
    roster diagnosis group, by (pid, admit)."""
    rng, entries, active, keys = random.Random(f"{seed}-diagnoses"), [], set(), set()
    ordered = sorted(episodes, key=lambda e: (e.pid, e.admit))
    extra = excluding(rng, [ep for ep in ordered if groups[ep.pid, ep.admit] == "Depressive disorders"])
    for ep in ordered:
        found = episode_diagnoses(rng, ep, groups[ep.pid, ep.admit], end) + extra.get((ep.pid, ep.admit), [])
        for code, noted, resolved in found:
            # a readmission's problem still on the list is not listed again (nor twice on one day)
            if (ep.pid, code) in active or (ep.pid, code, noted) in keys:
                continue
            keys.add((ep.pid, code, noted))
            if resolved is None:
                active.add((ep.pid, code))
            entries.append([ep.pid, code, ICD10_NAMES[code], noted, resolved])
    entries.sort(key=lambda r: (r[0], r[3], r[1]))
    if len(entries) >= 2:
        recurrent = [i for i, r in enumerate(entries) if r[1] == "F33.1"] or list(range(len(entries)))
        icd9 = rng.choice(recurrent)
        entries[icd9][1] = "296.32"  # the same diagnosis in ICD-9-CM, from an older system
        backwards = rng.choice([i for i in range(len(entries)) if i != icd9])
        entries[backwards][4] = entries[backwards][3] - rng.randint(1, 60) * DAY
    return [[pid, code, name, us_date(noted), us_date(resolved)] for pid, code, name, noted, resolved in entries]
