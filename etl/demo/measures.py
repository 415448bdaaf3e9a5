"""Each episode's scores: PHQ-9, GAD-7 and PCL-5 along its trajectory with measurement noise, the
substance-use measures of the substance tracks, and follow-up surveys after discharge."""

import math

from etl.demo.parameters import DAY, INSTRUMENTS, NOISE_SD, SLOTS, clip


def _expected(ep, instrument, weeks):
    """The person's noise-free score `weeks` after admission: improvement is a share of the intake
    score; deterioration is in PHQ-9 points scaled to the instrument's range."""
    base, t = ep.baseline[instrument], ep.traj
    if ep.outcome == "deteriorator":
        n, top = INSTRUMENTS[instrument]
        return base + t["rise"] * n * top / 27 * min(weeks / t["peak"], 1)
    if ep.outcome == "delayed_responder":
        share = t["early"] * min(weeks / t["onset"], 1) + (t["drop"] - t["early"]) * clip(
            (weeks - t["onset"]) / t["span"], 0, 1
        )
    else:  # early responders and non-responders: most of their change comes early
        share = t["drop"] * (1 - math.exp(-weeks / t["tau"]))
    return base * (1 - share)


def _score(rng, ep, instrument, weeks):
    """The expected score plus measurement noise, rounded and clipped to the instrument's range."""
    n, top = INSTRUMENTS[instrument]
    value = _expected(ep, instrument, weeks) + rng.gauss(0, NOISE_SD[instrument])
    return clip(round(value), 0, n * top)


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


def measure_rows(rng, ep):
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


def substance_rows(rng, ep):
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
        left = clip(_course(ep, weeks) + rng.gauss(0, 0.12), 0, 1.6)  # severity still there
        if rng.random() < 0.05 and d > ep.admit:
            d += SUBSTANCE_EVERY_DAYS * DAY
            continue
        items = [clip(round(v * left), 0, 4) for v in audit]
        rows.append([ep.pid, d.isoformat(), "AUDIT-C", sum(items)] + items + [""] * 17)
        rows.append([ep.pid, d.isoformat(), "DAST-10", clip(round(dast * (0.6 + 0.4 * left)), 0, 10)] + [""] * 20)
        # past 30 days: abstinent (no use at all) likelier the more of the intake's severity has gone
        abstinent = d > ep.admit and rng.random() < clip(1.3 - left, 0, 0.95)
        bam = {i: 0 if abstinent else max(clip(round(v * left), 0, 4), min(v, 1)) for i, v in use.items()}
        bam |= {i: clip(round(v * left + rng.gauss(0, 0.4)), 0, 4) for i, v in risk.items()}
        bam |= {
            i: clip(round(v + 4 * (1 - left) * rng.uniform(0.3, 0.8) + rng.gauss(0, 0.4)), 0, 4)
            for i, v in protective.items()
        }
        bam |= {7: 0, 17: clip(round(4 * (1 - left)), 0, 4)}
        rows.append([ep.pid, d.isoformat(), "BAM", ""] + [bam[i] for i in range(1, 18)] + [""] * 3)
        d += SUBSTANCE_EVERY_DAYS * DAY
    return rows


# Follow-up surveys after discharge (the demo's own assumptions, docs/clinical.md): who answers one
# at about 30 and at about 90 days, and the share who lose part of their gain by then.
FOLLOW_UP_P = {"complete": 0.55, "dropout": 0.25}
FOLLOW_UP_DAYS = (30, 90)
RELAPSE_P = 0.25


def follow_up_rows(rng, ep, end, readmitted=None):
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
            total = clip(round(at_exit + lost + rng.gauss(0, NOISE_SD[name])), 0, n * top)
            rows.append([ep.pid, d.isoformat(), name, total] + [""] * 20)
    return rows
