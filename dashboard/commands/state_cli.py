"""`python -m dashboard state backup|restore|counts`: the application-state store's backups
(dashboard/store/state_backup.py; what to back up and how often: docs/operations.md).

    backup DEST [--keep N]   a consistent copy while the dashboard runs; DEST a file, or a folder for a
                             stamped file (then --keep deletes all but the newest N there: a cron line)
    restore BACKUP           the backup's contents in place of the live store's; every session is ended
    counts [FILE]            rows per table (the live store, or a backup)

Each backup and restore is written to the audit log under the operating-system user who ran it."""

from __future__ import annotations

import argparse
import getpass
import sys

from dashboard.store import audit, state_backup


def _who() -> str:
    try:
        return f"{getpass.getuser()} (command line)"
    except Exception:
        return "unknown (command line)"


def _print_counts(counts: dict[str, int]) -> None:
    for table, n in counts.items():
        print(f"{table:<22} {n:>9,}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard state", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("backup", help="copy the store while the dashboard runs")
    made.add_argument("dest")
    made.add_argument("--keep", type=int, default=0, help="in a folder: keep the newest N stamped backups")
    back = commands.add_parser("restore", help="replace the store's contents with a backup's")
    back.add_argument("backup")
    seen = commands.add_parser("counts", help="rows per table")
    seen.add_argument("file", nargs="?")
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            path = state_backup.backup(args.dest)
            pruned = state_backup.prune(path.parent, args.keep) if args.keep else []
            audit.record("state_backup", _who(), None, file=path.name, pruned=len(pruned))
            print(f"backed up to {path}" + (f"; {len(pruned)} older backup(s) deleted" if pruned else ""))
        elif args.command == "restore":
            restored = state_backup.restore(args.backup)
            audit.record("state_restored", _who(), None, file=args.backup.rsplit("/", 1)[-1])
            print(f"restored from {args.backup}; every session was ended (sign in again)")
            _print_counts(restored)
        else:
            _print_counts(state_backup.counts(args.file))
    except (state_backup.NotABackup, OSError) as e:
        print(f"python -m dashboard state {args.command}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
