"""The Data page's one source: load history, rejected rows and data-quality findings, and loading
uploaded exports. Uploads go through the loader's own command (`python -m etl load --json`) in a
separate process: the dashboard does not import the loader, and a large file's memory is the
loader's, not every signed-in user's."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard import db

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class LoadResult:
    """One file's outcome, as `python -m etl load --json` reports it."""
    path: Path
    status: str
    kind: str | None = None
    message: str = ""
    counts: dict = field(default_factory=dict)
    reasons: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    build_notes: list = field(default_factory=list)


KINDS = ("attendance", "measures", "roster")


def load_uploads(files: list[tuple[str, bytes]], kind: str | None = None, timeout: float = 3600) -> list[LoadResult]:
    """Write the uploads to a private temporary folder and load them into the dashboard's database;
    kind (one of KINDS) when the administrator says what the files are, else each is recognised by its header."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, content in files:
            path = Path(tmp) / Path(name).name
            path.write_bytes(content)
            paths.append(str(path))
        chosen = ["--kind", kind] if kind in KINDS else []
        run = subprocess.run([sys.executable, "-m", "etl", "load", *paths, "--db", str(db.db_path()), "--json", *chosen],
                             cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=os.environ.copy())
    try:
        rows = json.loads(run.stdout)
    except json.JSONDecodeError:
        # the loader itself failed: one line for the page, nothing else (its stderr stays in the server log)
        return [LoadResult(Path(name), "failed", message=f"{Path(name).name}: the loader stopped (exit {run.returncode}); "
                           "nothing was loaded from this upload") for name, _ in files]
    out = []
    for r in rows:
        counts = {k: r.get(k, 0) for k in ("read", "loaded", "updated", "rejected", "duplicate")}
        out.append(LoadResult(Path(r["file"]), r["status"], r.get("kind"), r.get("message", ""), counts,
                              [tuple(x) for x in r.get("reasons", [])], r.get("notes", []), r.get("build_notes", [])))
    return out


def history() -> dict[str, pd.DataFrame]:
    return db.queries(loads=("data/loads", {}), quality=("data/quality", {}), findings=("data/quality_rows", {}))


def rejects(search: str | None) -> pd.DataFrame:
    return db.query("data/rejects", search=search)
