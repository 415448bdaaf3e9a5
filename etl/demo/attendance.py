"""Each episode's sessions: its program days, who attends which session, and how an ending thins it."""

from etl.demo.parameters import CLINICIANS, GROUP_NAMES, PSYCHIATRIST, SESSIONS, SITES, TRACK_INDEX


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


def attendance_rows(rng, ep, next_id):
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
                    SITES[ep.clinician],
                ]
            )
    return rows
