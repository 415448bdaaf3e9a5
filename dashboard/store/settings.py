"""The settings at run time: those the build in place used (its `settings` table), never the files
in the configuration folder, which may have changed since (a change reaches the dashboard with the
next load or `python -m etl rebuild`). Queries read the same table with setting_number() and the
like (clinical/setup/definitions.sql)."""

from __future__ import annotations

from clinical.settings import Settings, load_settings
from dashboard.store import db


def _stored() -> Settings:
    rows = db.query("common/settings")[["section", "key", "number", "text", "list"]]
    return Settings.from_table(rows.astype(object).where(rows.notna(), None).itertuples(index=False, name=None))


# A widget's callback (a Save button) runs before its page binds the signed-in scope; settings are no
# participant's data, so such a caller reads them through a scope that sees no participant.
SETTINGS_ONLY = db.ReadScope(clinician="\x00settings only")


def stored() -> Settings:
    """The stored settings, made once per database file. Before the first load there is no build:
    the shipped settings then stand (nothing is shown that they could govern)."""
    if db.current() is None:
        with db.scoped(SETTINGS_ONLY):
            return stored()
    try:
        return db.kept(_stored)
    except db.NoData:
        return Settings(load_settings(shipped_only=True))
