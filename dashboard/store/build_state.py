"""Whether the build in place still waits for its second step (etl/derive.py): a load that touched
few participants shows their new rows at once, then rebuilds every mart in the background."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from dashboard.store import db
from dashboard.store.settings import SETTINGS_ONLY


def _read() -> dt.datetime | None:
    try:
        frame = db.query("common/build_state")
    except duckdb.CatalogException:  # built before the two steps existed: one step, finished
        return None
    if frame.empty or pd.isna(frame.iloc[0, 0]):
        return None
    return pd.Timestamp(frame.iloc[0, 0]).to_pydatetime()


def pending_since() -> dt.datetime | None:
    """When the whole-history step was left to the background (UTC), or None: the build is complete."""
    if db.current() is None:  # no participant's data: readable before a page binds its scope
        with db.scoped(SETTINGS_ONLY):
            return pending_since()
    try:
        return db.kept(_read)
    except db.NoData:
        return None
