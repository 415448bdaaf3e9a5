"""Primary and complementary small-cell suppression over a set of named cells and the sums that
link them (ResDAC CMS Cell Size Suppression Policy: no count from 1 to 10 shown or derivable).

A view registers every count it shows as a cell (the same key wherever the same count appears, in
any table or chart of the release) and every sum a reader can check as a line: members that add up
to a total. Counts that are never shown but follow from shown ones (admitted minus those with a
baseline) are registered as hidden cells. Then, until nothing changes, in each line:
- a hidden cell must not be the only hidden one, when its exact value matters (it is 1-10, or it
  appears in another line where it protects a small cell);
- with the total shown, the hidden members must not add up to 1-10;
otherwise the smallest non-zero shown member is hidden too (or the total, when only zeros are left).
And in each chain (counts that can only shrink, a funnel's steps), a hidden step must not sit between
shown steps of the same value, which would give it away (admitted 51, eligible hidden, index event
51): the shown step below is hidden too.
Primary cells read "<11"; complementary ones read "suppressed", since they are not small."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable

COMPLEMENTARY = "suppressed"  # hidden only so that a small count cannot be worked out; it is 11 or more
# a zero hidden by the release auditor when nothing else beside a small count is left to hide (a group's
# small counts under a small whole): it may be any count, 0 included
WITHHELD = "withheld"


class CellSet:
    def __init__(self) -> None:
        self.values: dict[Hashable, float] = {}
        self.never_shown: set[Hashable] = set()
        self.lines: list[tuple[tuple[Hashable, ...], Hashable]] = []
        self.chains: list[tuple[Hashable, ...]] = []
        self._seen: set[tuple[frozenset, Hashable]] = set()

    def add(self, key: Hashable, value: float, shown: bool = True) -> Hashable:
        """Register a count (again: it must be the same count)."""
        value = float(value)
        if key in self.values and self.values[key] != value:
            raise ValueError(f"cell {key!r} registered as {self.values[key]:g} and as {value:g}")
        self.values[key] = value
        if not shown:
            self.never_shown.add(key)
        return key

    def line(self, members: Iterable[Hashable], total: Hashable) -> None:
        """The members add up to the total."""
        members = tuple(members)
        missing = [k for k in (*members, total) if k not in self.values]
        if missing:
            raise KeyError(f"cells not registered: {missing}")
        if sum(self.values[k] for k in members) != self.values[total]:
            raise ValueError(f"{members!r} do not add up to {total!r}")
        # the same sum registered again (the whole program's row, by each grouping) is one line: counted
        # twice, a count in it would look used elsewhere and be protected for nothing
        if (frozenset(members), total) not in self._seen:
            self._seen.add((frozenset(members), total))
            self.lines.append((members, total))

    def chain(self, keys: Iterable[Hashable]) -> None:
        """Each count is at most the one before (each step of a funnel is a subset of the one above)."""
        keys = tuple(keys)
        if keys in self.chains:
            return
        values = [self.values[k] for k in keys]
        if any(b > a for a, b in zip(values, values[1:])):
            raise ValueError(f"{keys!r} is not a chain of shrinking counts")
        self.chains.append(keys)

    def solve(self, threshold: int) -> dict[Hashable, str]:
        """The mark of each hidden cell ("<11", "suppressed", or "" for a cell never shown);
        shown cells are not in the result. Threshold 0: only never-shown cells are hidden."""
        primary = {k for k, v in self.values.items() if threshold and 1 <= v <= threshold}
        hidden = primary | self.never_shown
        if threshold:
            uses = Counter(k for members, total in self.lines for k in (*members, total))
            changed = True
            while changed:
                changed = False
                for members, total in self.lines:
                    if self._protect(members, total, hidden, primary, uses, threshold):
                        changed = True
                for keys in self.chains:
                    if self._bounded(keys, hidden):
                        changed = True
        small = f"<{threshold + 1}"
        return {k: ("" if k in self.never_shown else small if k in primary else COMPLEMENTARY) for k in hidden}

    def _bounded(self, keys: tuple, hidden: set) -> bool:
        """Hide the shown step below a hidden one whose shown bounds are equal (or the one above,
        when the one below is zero or absent)."""
        for i, key in enumerate(keys):
            if key not in hidden or not self.values[key]:
                continue
            above = next((k for k in reversed(keys[:i]) if k not in hidden), None)
            below = next((k for k in keys[i + 1 :] if k not in hidden), None)
            upper = self.values[above] if above is not None else None
            lower = self.values[below] if below is not None else 0
            if upper is not None and upper == lower:
                hidden.add(below if below is not None and self.values[below] > 0 else above)
                return True
        return False

    def _protect(self, members, total, hidden, primary, uses, threshold) -> bool:
        cells = (*members, total)
        in_line = [k for k in cells if k in hidden]
        if not in_line:
            return False
        exposed = len(in_line) == 1 and (in_line[0] in primary or uses[in_line[0]] > 1)
        hidden_sum = sum(self.values[k] for k in members if k in hidden)
        if not exposed and not (total not in hidden and 1 <= hidden_sum <= threshold):
            return False
        # zeros are known exactly, so hiding one protects nothing: only non-zero cells help
        candidates = [k for k in members if k not in hidden and self.values[k] > 0]
        if candidates:
            hidden.add(min(candidates, key=lambda k: (self.values[k], str(k))))
            return True
        if total not in hidden and self.values[total] > 0:
            hidden.add(total)
            return True
        return False
