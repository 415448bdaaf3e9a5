"""A program's configuration folder: its own instruments and settings, read by the loader and the
dashboard alike (IOP_CONFIG, default data/config). Either file may be absent: the shipped
catalogue and settings then stand alone."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

INSTRUMENTS = "instruments.toml"
SETTINGS = "settings.toml"


def config_dir() -> Path:
    return Path(os.environ.get("IOP_CONFIG", "data/config"))


def program_file(name: str) -> Path | None:
    path = config_dir() / name
    return path if path.is_file() else None


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
