"""Single counts and rates under small-cell suppression (ResDAC CMS Cell Size Suppression Policy):
no count from 1 to the threshold may be shown, nor be derivable; zero may be shown. Counts that add
up to a total shown elsewhere are suppressed together in cells.py; the threshold is the program's
setting (privacy.policy.threshold)."""

from __future__ import annotations

import pandas as pd


def _missing(n) -> bool:
    return n is None or (not isinstance(n, str) and bool(pd.isna(n)))


def is_small(n, threshold: int) -> bool:
    """True for a count from 1 to threshold, which must not be shown. 0 and missing values are not small."""
    return not _missing(n) and 1 <= n <= threshold


def safe_percent(numerator, denominator, threshold: int, digits: int = 0) -> str | None:
    """'37 %' (rounded to digits), or None when the numerator, the denominator or their difference
    is 1..threshold, or the denominator is 0 or missing: a rate on a small count (or on a small
    remainder: 35 of 40 reveals 5) would let the count be recovered (ResDAC CMS Cell Size
    Suppression Policy)."""
    if _missing(numerator) or _missing(denominator) or denominator == 0:
        return None
    if (
        is_small(numerator, threshold)
        or is_small(denominator, threshold)
        or is_small(denominator - numerator, threshold)
    ):
        return None
    return f"{100 * numerator / denominator:.{digits}f} %"
