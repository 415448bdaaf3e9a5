"""The disclosure policy ([privacy] of the settings the build in place used), bound to the role, in
one place.

The care team (director, clinician) sees true counts, marked internal. Small-cell suppression is for
what leaves the program: every view of an external role (quality) and every file prepared for sharing:
for directors a choice on each export, suppressed unless they untick it (a file left unsuppressed
says INTERNAL in its title); always for external roles."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.store.settings import stored

INTERNAL = "INTERNAL: true counts for the care team, not for sharing outside the program"


@dataclass(frozen=True)
class Disclosure:
    threshold: int  # counts from 1 to this are hidden; 0: true counts

    @property
    def suppressed(self) -> bool:
        return self.threshold > 0

    def note(self) -> str:
        """One line for captions and file headers: what the counts are."""
        if not self.suppressed:
            return INTERNAL
        return (
            f"Suppressed for sharing: counts from 1 to {self.threshold} read <{self.threshold + 1}; other counts "
            "that would let them be worked out read 'suppressed' (11 or more) or 'withheld' (any count, 0 too)"
        )


def threshold() -> int:
    """Counts from 1 to this are hidden wherever suppression applies; 0 when a program turns it off."""
    s = stored()
    return s.whole("privacy", "small_cell_max") if s.switch("privacy", "small_cell_suppression") else 0


def protection_width() -> int:
    """How wide the interval of a hidden small count must stay against everything its release shows."""
    return stored().whole("privacy", "protection_width")


def external(role: str) -> bool:
    """Does this role's view leave the program (so that it is always suppressed)?"""
    return role in stored().texts("privacy", "external_roles")


def for_view(role: str) -> Disclosure:
    return Disclosure(threshold() if external(role) else 0)


def for_export(role: str, suppress: bool = True) -> Disclosure:
    return Disclosure(threshold() if external(role) or suppress else 0)
