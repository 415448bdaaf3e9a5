"""The release auditor: what a reader of everything a release shows can work out about each hidden
count, solved as linear programmes (HiGHS), the way statistical offices audit tables (tau-Argus'
interval audit; ResDAC's CMS cell size suppression policy: no count from 1 to 10 shown or derivable).

The reader's knowledge is stated as linear constraints on one unknown per hidden cell (reader.py).
For each hidden count the auditor computes the smallest and the largest value those constraints
allow. A count from 1 to the threshold (marked or never shown) is protected when that interval is at
least `width` wide ([privacy] protection_width; the reader cannot tell it from its neighbours); a
count hidden to protect others must not be pinned (width 1), so that no hidden count is known exactly. One that is not is exposed; `protect`
then hides more shown counts beside it (complementary suppression: the smallest group count with
room to move first, the whole program's last) and audits again until none is exposed. Hiding a count
only loosens the reader's constraints, so a count found protected stays so.

The reader is modelled as a linear programme (the relaxation of the integer one): intervals of
integer counts are at most as wide, and for sums of one-way and two-way tables the same.

Every solution found is used to settle all the bounds it already reaches, so most cells need no
solve of their own."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from dashboard.privacy.cells import COMPLEMENTARY, WITHHELD, CellSet
from dashboard.privacy.policy import protection_width
from dashboard.privacy.reader import INF, SWEEPS, TOLERANCE, Part, System, Unsolved, models
from dashboard.views.filters import WHOLE


@dataclass
class Verdict:
    """What the auditor found and did for one release, kept with it."""

    cells: int = 0  # counts in the release (shown, hidden and never shown but derivable)
    hidden: int = 0  # marked hidden ("<11" or "suppressed")
    small: int = 0  # counts from 1 to the threshold, hidden or never shown: each audited
    added: int = 0  # hidden by the auditor because the line-by-line pass left a small count exposed
    exposed: int = 0  # small counts still exposed after protection (0 for a release that may be published)
    solves: int = 0  # linear programmes solved
    level: int = 0  # the protection width audited against
    seconds: float = 0.0
    narrowest: list = field(default_factory=list)  # (key, true value, low, high) of those still exposed

    def summary(self) -> str:
        """For the administrator and the notes: the figures."""
        state = "every one protected" if not self.exposed else f"{self.exposed:,} still exposed"
        return (
            f"{self.small:,} small counts audited against all {self.cells:,} counts of the release jointly "
            f"(linear programming, HiGHS): {state}; {self.added:,} more counts hidden to protect them"
        )

    def public(self, what: str = "this quarter") -> str:
        """For the release's readers: what the audit guarantees, without figures about hidden counts."""
        if self.exposed:
            return "some hidden counts could be narrowed; do not share this release"
        return (
            f"no hidden count can be narrowed to fewer than {self.level + 1} possible values from everything "
            f"{what} shows, taken together"
        )


def _audit_part(part: Part, need: dict) -> dict:
    """The cells of one part whose interval is narrower than they need: key -> (low, high). `need`:
    key -> the width its interval must have. Every solution found widens what is known of every cell
    it holds, so a cell already wide enough across the solutions so far is not solved for."""
    keys = sorted(need, key=str)  # neighbours in a table one after the other
    at = np.array([part.index[k] for k in keys])
    width = np.array([need[k] for k in keys])
    low, high = np.full(len(keys), INF), np.full(len(keys), -INF)
    rng = np.random.default_rng(0)
    for _ in range(SWEEPS):  # solutions pushing every cell at once, each up or down at random
        x = part.pushed(rng.choice((-1.0, 1.0), size=len(part.keys)))
        if x is not None:
            np.minimum(low, x[at], out=low)
            np.maximum(high, x[at], out=high)
    unsolved = np.zeros(len(keys), dtype=bool)
    for i, k in enumerate(keys):
        for sense in (1, -1):
            if high[i] - low[i] >= width[i] - TOLERANCE:
                break
            try:
                x = part.extreme(k, sense)
            except Unsolved:  # its interval cannot be shown wide enough: counted as exposed
                unsolved[i] = True
                break
            if x is None:  # unbounded above: wide whatever its low side
                high[i] = INF
                continue
            np.minimum(low, x[at], out=low)
            np.maximum(high, x[at], out=high)
    narrow = (high - low < width - TOLERANCE) | unsolved
    return {keys[i]: (low[i], high[i]) for i in np.flatnonzero(narrow)}


def needs(cells: CellSet, marks: dict, threshold: int, width: int) -> dict:
    """How wide each hidden cell's interval must be: `width` for a count from 1 to the threshold
    (hidden or never shown); 1 (not pinned) for one hidden as complementary."""
    out = {k: float(width) for k in marks if 1 <= cells.values[k] <= threshold}
    out.update({k: 1.0 for k, m in marks.items() if m == COMPLEMENTARY})
    return out


def audit(cells: CellSet, marks: dict, threshold: int, width: int, verdict: Verdict | None = None, only=None) -> dict:
    """Every hidden count whose interval, against everything the release shows, is narrower than it
    needs (`needs`): key -> (lowest, highest) value the release allows. `only`: audit just these."""
    verdict = verdict or Verdict()
    system = System(cells, marks, threshold)
    need = needs(cells, marks, threshold, width)
    if only is not None:
        need = {k: v for k, v in need.items() if k in only}
    exposed = {}
    for part in models(system, need):
        exposed.update(_audit_part(part, {k: need[k] for k in part.keys if k in need}))
        verdict.solves += part.solves
    return exposed


def intervals(cells: CellSet, marks: dict, threshold: int, keys) -> dict:
    """The lowest and highest value the release allows for each of these hidden cells, each solved for."""
    wanted, out = set(keys), {}
    for part in models(System(cells, marks, threshold), wanted):
        for k in (k for k in part.keys if k in wanted):
            low, high = part.extreme(k, 1), part.extreme(k, -1)
            out[k] = (low[part.index[k]], INF if high is None else high[part.index[k]])
    return out


def _index(cells: CellSet) -> dict:
    """Each count -> the counts it shares a sum or a chain with."""
    by_key: dict = defaultdict(list)
    for members, total in cells.lines:
        for k in (*members, total):
            by_key[k] += [*members, total]
    for keys in cells.chains:
        for k in keys:
            by_key[k] += keys
    return by_key


def _whole(key) -> bool:
    return key[0] == "ov" or WHOLE in key


def _candidate(cells: CellSet, marks: dict, key, threshold: int, width: int, neighbours: dict):
    """The shown count to hide beside an exposed one: among the non-zero shown counts sharing a sum
    or a chain with it (or, when all of those are hidden, with its hidden neighbours), the smallest
    that leaves room to move (11 or more above the threshold by the width needed, as a hidden count
    of 11 can move only upwards), else the largest."""
    near = {k for k in neighbours.get(key, ()) if k not in marks and cells.values[k] > 0}
    if not near:
        near = {
            k
            for h in neighbours.get(key, ())
            if h in marks
            for k in neighbours.get(h, ())
            if k not in marks and cells.values[k] > 0
        }
    if not near:  # only zeros are left to hide: a withheld zero may be any count, which widens the others
        near = {k for k in neighbours.get(key, ()) if k not in marks}
        near = near or {
            k for h in neighbours.get(key, ()) if h in marks for k in neighbours.get(h, ()) if k not in marks
        }
    if not near:
        return None
    # the whole program's counts (a release's N, the overview) are hidden last: a group's count beside
    # the exposed one protects it as well and costs the reader less
    in_groups = {k for k in near if not _whole(k)}
    near = in_groups or near
    roomy = [k for k in near if cells.values[k] >= threshold + 1 + width]
    if roomy:
        return min(roomy, key=lambda k: (cells.values[k], str(k)))
    return max(near, key=lambda k: (cells.values[k], str(k)))


def protect(cells: CellSet, marks: dict, threshold: int, width: int) -> tuple[dict, Verdict]:
    """The marks with more counts hidden until the audit finds no hidden count narrower than it
    needs, and the verdict. Each round hides one more count beside each exposed one, then audits
    again the ones that were exposed and the ones just hidden: hiding a count only loosens the
    reader's constraints, so an interval wide enough stays so."""
    started = time.perf_counter()
    marks = dict(marks)
    verdict = Verdict(cells=len(cells.values), level=width)
    exposed = audit(cells, marks, threshold, width, verdict) if threshold else {}
    neighbours = _index(cells) if exposed else {}
    while exposed:
        chosen, widened = set(), set()
        for key in sorted(exposed, key=str):
            if c := _candidate(cells, marks, key, threshold, width, neighbours):
                chosen.add(c)
            else:  # nothing shown is left beside it: its small neighbours read "withheld" (any count, 0 too)
                widened |= {k for k in (key, *neighbours.get(key, ())) if marks.get(k, "").startswith("<")}
        if not chosen and not widened:
            break  # nothing left to hide or widen near them: reported as exposed
        for k in chosen:
            value = cells.values[k]
            marks[k] = COMPLEMENTARY if value > threshold else f"<{threshold + 1}" if value else WITHHELD
        for k in widened:
            marks[k] = WITHHELD
        chosen |= widened
        verdict.added += len(chosen)
        exposed = audit(cells, marks, threshold, width, verdict, only={*exposed, *chosen})
    verdict.hidden = sum(1 for m in marks.values() if m)
    verdict.small = sum(1 for k in marks if 1 <= cells.values[k] <= threshold)
    verdict.exposed = len(exposed)
    verdict.narrowest = sorted(
        ((k, cells.values[k], lo, hi) for k, (lo, hi) in exposed.items()), key=lambda r: r[3] - r[2]
    )
    verdict.seconds = time.perf_counter() - started
    return marks, verdict


def suppress(cells: CellSet, threshold: int, width: int | None = None) -> tuple[dict, Verdict]:
    """Every view's and release's marks: the line-by-line pass (CellSet.solve), then the audit and as
    many more hidden counts as it asks for. Threshold 0 (true counts): only never-shown cells."""
    marks = cells.solve(threshold)
    if not threshold:
        return marks, Verdict(cells=len(cells.values))
    width = protection_width() if width is None else width
    key = _fingerprint(cells, marks, threshold, width)
    with _kept_lock:
        kept = _AUDITED.get(key)
    if kept is not None:  # the same counts and sums audited already (a load that changed nothing here)
        return dict(kept[0]), kept[1]
    protected, verdict = protect(cells, marks, threshold, width)
    with _kept_lock:
        _AUDITED[key] = (protected, verdict)
        while len(_AUDITED) > 64:
            _AUDITED.pop(next(iter(_AUDITED)))
    return dict(protected), verdict


_AUDITED: dict[str, tuple[dict, Verdict]] = {}  # fingerprint -> its audit, newest last
_kept_lock = threading.Lock()


def _fingerprint(cells: CellSet, marks: dict, threshold: int, width: int) -> str:
    """The release's counts, sums, chains and first marks, as one hash: what the audit depends on."""
    digest = hashlib.sha256(repr((threshold, width)).encode())
    for part in (sorted(cells.values.items(), key=repr), cells.lines, cells.chains, sorted(marks.items(), key=repr)):
        digest.update(repr(part).encode())
    return digest.hexdigest()
