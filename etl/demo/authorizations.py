"""Payers and the equity fields of each episode, and its authorizations in three-week blocks."""

import random

from etl.demo.parameters import (
    AUTH_BLOCK_DAYS,
    DAY,
    DIAGNOSES,
    ETHNICITIES,
    GENDERS,
    PAYERS,
    RACES,
    REFERRALS,
    _weighted,
    us_date,
)


def payer(seed, ep):
    """The episode's payer and whether it authorizes days or hours (a stream per episode, by name)."""
    rng = random.Random(f"{seed}-payer-{ep.pid}-{ep.admit}")
    return _weighted(rng, [((name, unit), share) for name, share, unit in PAYERS])


def equity(seed, ep):
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


def authorization_rows(ep, serial, payer, unit):
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
                us_date(start),
                us_date(end),
                days if unit == "days" else "",
                days * 3 if unit == "hours" else "",
            ]
        )
        start = end + DAY
    return rows
