"""Where uploads wait for the loader worker: a private folder beside the application-state store
(`<store>-uploads/`, which git ignores with the store: `data/app_state.sqlite-uploads/` by default),
folders 0700 and files 0600, each job's files in a folder of its own, deleted when the job ends."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from dashboard.store import app_state


def uploads_root() -> Path:
    """Beside the store and named after it, so `.gitignore`'s `data/app_state.sqlite*` covers it."""
    path = app_state.state_path()
    return path.with_name(path.name + "-uploads")


def private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def private_root() -> Path:
    root = private_dir(uploads_root())
    ignore = root / ".gitignore"  # in case the store is moved somewhere git does not already ignore
    if not ignore.exists():
        write_private(ignore, b"*\n")
    return root


def write_private(path: Path, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(content)


def copy_private(source: Path, path: Path) -> None:
    """A copy of `source` at `path`, created 0600 (a large export is streamed, not read whole)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f, open(source, "rb") as src:
        shutil.copyfileobj(src, f, 1 << 20)


def safe_name(name: str) -> str:
    name = Path(str(name).replace("\\", "/")).name.strip()
    return name if name and not name.startswith(".") else f"upload{name}"


def stored_files(folder: Path) -> list[Path]:
    """The job's files, in the order they were uploaded (each in a numbered folder of its own, so two
    uploads with one name both keep it)."""
    slots = sorted((p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))
    return [f for slot in slots for f in sorted(slot.iterdir()) if f.is_file()]


def remove_folder(folder: Path | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
