"""Jacobson & Truax (1991) clinical-significance formulas [23] (docs/sources.md)."""

from __future__ import annotations

import math


def reliable_change_points(sd: float, r: float) -> float:
    """Smallest change that is reliable at 95 %: 1.96 * S_diff, with S_diff = SD * sqrt(2 * (1 - r))."""
    return 1.96 * sd * math.sqrt(2 * (1 - r))


def reliable_change_index(pre: float, post: float, sd: float, r: float) -> float:
    """RC = (post - pre) / S_diff; |RC| > 1.96 is reliable change."""
    return (post - pre) / (sd * math.sqrt(2 * (1 - r)))


def cutoff_c(clinical_mean: float, clinical_sd: float, functional_mean: float, functional_sd: float) -> float:
    """Criterion c: the point between the clinical and functional distributions, weighted by their SDs.
    c = (SD_clin * M_func + SD_func * M_clin) / (SD_clin + SD_func)."""
    return (clinical_sd * functional_mean + functional_sd * clinical_mean) / (clinical_sd + functional_sd)


def cutoff_a(clinical_mean: float, clinical_sd: float) -> float:
    """Criterion a (higher = worse): two SDs below the clinical mean."""
    return clinical_mean - 2 * clinical_sd


def cutoff_b(functional_mean: float, functional_sd: float) -> float:
    """Criterion b (higher = worse): two SDs above the functional mean."""
    return functional_mean + 2 * functional_sd
