"""The planted data-quality problems: each exactly once in attendance.csv and measures.csv, so the
loader's checks have something to find."""


def _bad_date(row):
    row[1] = "2025-02-30"


def _came(row):
    row[4] = "came"


def attendance_mess(episodes):
    """Attendance problems: {kind: (which rows fit, how to spoil one)}."""
    has_2025 = any(d.year == 2025 for ep in episodes for d in ep.days)
    in_2025 = (lambda r: r[1].startswith("2025-")) if has_2025 else (lambda r: True)
    return {"duplicate": (lambda r: True, None), "bad_date": (in_2025, _bad_date), "came": (lambda r: True, _came)}


def _out_of_range(row):
    row[3:] = [31] + [""] * 20


# Measures problems: a repeated line, and a PHQ-9 total of 31 (out of range, items empty).
MEASURES_MESS = {"duplicate": (lambda r: True, None), "out_of_range": (lambda r: r[2] == "PHQ-9", _out_of_range)}


def plant(rng, rows, mess, pending, i):
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


def targets(rng, episodes, kinds):
    """Episodes (with sessions, distinct while there are enough) where each problem is planted."""
    with_days = [i for i, ep in enumerate(episodes) if ep.days] or [0]
    in_2025 = [i for i in with_days if any(d.year == 2025 for d in episodes[i].days)]
    targets = {}
    for kind in kinds:
        pool = in_2025 if kind == "bad_date" and in_2025 else with_days
        targets[kind] = rng.choice([i for i in pool if i not in targets.values()] or pool)
    return targets
