"""`python -m dashboard COMMAND ...`: the dashboard's commands (dashboard/commands/).

accounts   add, reset, disable, enable or list who may sign in; demo accounts
extract    a de-identified, suppressed copy of the quality release for a quality team's own SQL
state      back up or restore the application-state store (accounts, reviews, audit log …)
validate   the not-on-track alert's hit rate on the demo program and two public trials
watch      load the exports dropped in the inbox folder; scheduled state backups (docs/operations.md)
worker     the Data page's load worker (the page starts it; not for people)"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "accounts": "accounts_cli",
    "extract": "extract",
    "state": "state_cli",
    "validate": "validate",
    "watch": "inbox_watch",
    "worker": "load_worker",
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    command = importlib.import_module(f"dashboard.commands.{COMMANDS[argv[0]]}")
    return command.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
