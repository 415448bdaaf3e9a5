"""Files Streamlit serves at /media/<id> (downloads, chart images) go only to the signed-in session
whose tab made them. Streamlit itself serves any file to whoever has its address, and leaves a
download built on click unmapped to any session: these wrappers record the tab that made each file
(dashboard/access/media_owners.py), and the gate refuses any other session's fetch."""

from __future__ import annotations

from streamlit.runtime.media_file_manager import MediaFileManager, _get_session_id

from dashboard.access import media_owners

PREFIX = "/media/"


def file_id(path: str) -> str:
    """'/media/<id>.pdf' -> '<id>'."""
    return path[len(PREFIX) :].split("/")[0].split(".")[0]


def _recorded(url: str, tab: str | None) -> str:
    if url:
        media_owners.made(file_id(url if url.startswith(PREFIX) else PREFIX + url.rsplit(PREFIX, 1)[-1]), tab)
    return url


def install() -> None:
    """Wrap the media manager once: each file made is recorded with the tab that made it."""
    if getattr(MediaFileManager, "_iop_bound", False):
        return
    add, execute_deferred = MediaFileManager.add, MediaFileManager.execute_deferred

    def add_recorded(self, *args, **kwargs):
        return _recorded(add(self, *args, **kwargs), _get_session_id())

    def execute_recorded(self, deferred_id: str) -> str:
        with self._lock:
            entry = self._deferred_callables.get(deferred_id)
        return _recorded(execute_deferred(self, deferred_id), entry["session_id"] if entry else None)

    MediaFileManager.add = add_recorded
    MediaFileManager.execute_deferred = execute_recorded
    MediaFileManager._iop_bound = True
