"""A real PostgreSQL server for the tests, from Debian's `postgresql` package (.ci/run installs it):
a new cluster in a temporary folder on a free port of 127.0.0.1, trusted local sign-in, stopped
at the end. As root, the cluster is run by the package's `postgres` user (initdb refuses root)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from tests.servers import free_port


def binaries() -> Path | None:
    """The newest installed server's bin folder (Debian keeps them out of PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


AVAILABLE = binaries() is not None
# CI installs the package: there a missing server is a failure, not a skip
NEEDS_POSTGRES = dict(
    condition=not AVAILABLE and not os.environ.get("CI"), reason="needs Debian's postgresql (CI installs it)"
)


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def server():
    """Yields a function that makes a new empty database and returns its URL."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql")
    folder = Path(tempfile.mkdtemp(prefix="iop-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    subprocess.run(
        _as_owner([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "iop", "--no-sync", "-E", "UTF8"]),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    subprocess.run(
        _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"]),
        check=True,
        capture_output=True,
    )

    def database() -> str:
        import psycopg

        name = f"t{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"postgresql://iop@127.0.0.1:{port}/postgres", autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")
        return f"postgresql://iop@127.0.0.1:{port}/{name}"

    try:
        yield database
    finally:
        subprocess.run(
            _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)
