"""Which database file is in place: the one version key every cache of the dashboard files its
values under. A load or a rebuild writes a copy and swaps it in (etl/database.py), so the file at
the path changes inode, mtime or size; its write-ahead log is part of what was read."""

from __future__ import annotations

from pathlib import Path


def file_version(path: Path) -> tuple | None:
    """The file at `path` now (None when there is none): equal for two reads only if no load or
    rebuild replaced it in between."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    try:
        wal = path.with_name(path.name + ".wal").stat()
        wal_version = (wal.st_mtime_ns, wal.st_size)
    except FileNotFoundError:
        wal_version = None
    return (str(path), st.st_ino, st.st_mtime_ns, st.st_size, wal_version)
