"""Small-cell suppression settings (settings.toml [privacy]): on by default, threshold 10."""
from __future__ import annotations

from dashboard.clinical.settings import load_settings


def small_cell_threshold() -> int:
    """Counts from 1 to this are suppressed; 0 when suppression is off."""
    privacy = load_settings()["privacy"]
    return int(privacy["small_cell_max"]) if privacy["small_cell_suppression"] else 0
