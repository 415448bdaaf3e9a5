"""Whose each file Streamlit serves at /media/<id> is: the signed-in session (token digest) of the
browser tab (Streamlit session) that made it. The page run binds its Streamlit session to its
signed-in session (dashboard/ui/session.py); the web server records which Streamlit session made
each file (dashboard/web/media.py) and serves a file only to the signed-in session that made it."""

from __future__ import annotations

import threading
from collections import OrderedDict

KEPT = 20_000  # the newest tabs and files remembered; an older file is refused, as an unknown one is

_lock = threading.Lock()
_tab_owner: OrderedDict[str, str] = OrderedDict()  # Streamlit session id -> session token digest
_file_owners: OrderedDict[str, set[str]] = OrderedDict()  # media file id -> token digests that made it


def _keep(mapping: OrderedDict, key, value) -> None:
    mapping[key] = value
    mapping.move_to_end(key)
    while len(mapping) > KEPT:
        mapping.popitem(last=False)


def bind(tab: str, token_digest: str) -> None:
    """This browser tab acts for this signed-in session (each page run says so again)."""
    with _lock:
        _keep(_tab_owner, tab, token_digest)


def made(file_id: str, tab: str | None) -> None:
    """The tab made this file (a download built on click, or any file a page run added)."""
    with _lock:
        owner = _tab_owner.get(tab) if tab else None
        if owner is not None:
            _keep(_file_owners, file_id, _file_owners.get(file_id, set()) | {owner})


def may_fetch(file_id: str, token_digest: str) -> bool:
    with _lock:
        return token_digest in _file_owners.get(file_id, ())
