"""`python -m dashboard accounts add|reset|disable|enable|sites|list|demo`: manage who may sign in.

Passwords are asked for at a prompt (or read from standard input with --password-stdin), never
taken on the command line; every change is written to the audit log under the operating-system
user who ran the command. The accounts live in the application-state store (IOP_STATE)."""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from pathlib import Path

from dashboard.access import accounts
from dashboard.access.pages import ROLES
from dashboard.access.passwords import WeakPassword, check_strength
from dashboard.store.app_state import private_file, where

DEMO = {  # name: (role, clinician, sites)
    "director": ("director", None, None),
    "clinician": ("clinician", "Chen, M.", None),
    "quality": ("quality", None, None),
    "admin": ("admin", None, None),
    "northside": ("director", None, ("Northside",)),  # the demo's second site has its own director too
}


def _actor() -> accounts.Actor:
    try:
        who = getpass.getuser()
    except Exception:
        who = "unknown"
    return accounts.Actor(f"{who} (command line)", None)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("Again: "):
        raise accounts.AccountError("the two passwords differ")
    return first


def write_demo_accounts(credentials: Path) -> dict[str, str] | None:
    """Demo accounts with random passwords (marked demo: refused when IOP_MODE=production);
    None when they exist already."""
    if any(_exists(name) for name in DEMO):
        return None
    made = {name: secrets.token_urlsafe(12) for name in DEMO}
    for name, (role, clinician, sites) in DEMO.items():
        accounts.add(
            name,
            role,
            accounts.Actor("make run (demo accounts)", None),
            f"Demo {name}",
            clinician,
            made[name],
            demo=True,
            sites=sites,
        )
    private_file(credentials)
    credentials.write_text("".join(f"{name}: {password}\n" for name, password in made.items()))
    return made


def _exists(name: str) -> bool:
    return name.lower() in {u.lower() for u in accounts.listing()["user_name"]}


def main(argv=None) -> int:
    os.umask(0o077)
    parser = argparse.ArgumentParser(prog="python -m dashboard accounts", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add an account")
    add.add_argument("user")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--name", default="", help="the name shown in the dashboard")
    add.add_argument("--clinician", help="for role clinician: the clinician's name as the exports spell it")
    add.add_argument("--sso", action="store_true", help="an organisation account: signs in through OIDC, no password")
    add.add_argument(
        "--site", action="append", help="for role director: a site they see (repeat for several; none: every site)"
    )
    sites = commands.add_parser("sites", help="the sites a director sees")
    sites.add_argument("user")
    which = sites.add_mutually_exclusive_group(required=True)
    which.add_argument("--site", action="append", help="a site (repeat for several), as the exports spell it")
    which.add_argument("--all", action="store_true", help="every site (the whole organisation)")
    for name in ("reset", "disable", "enable"):
        commands.add_parser(
            name, help=f"{name} an account's password" if name == "reset" else f"{name} an account"
        ).add_argument("user")
    commands.add_parser("list", help="list the accounts")
    demo = commands.add_parser("demo", help="the demo accounts for `make run` (once)")
    demo.add_argument("--credentials", default="data/demo-credentials.txt")
    for sub in (add, commands.choices["reset"]):
        sub.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except (accounts.AccountError, WeakPassword) as e:
        print(f"Not done: {e}.", file=sys.stderr)
        return 2


def _run(args) -> int:
    actor = _actor()
    if args.command == "add":
        password = None if args.sso else _password(args.password_stdin)
        if password is not None:
            check_strength(password)
        accounts.add(args.user, args.role, actor, args.name, args.clinician, password, sites=args.site)
        print(f"Added {args.user} ({args.role}{', organisation sign-in' if args.sso else ''}).")
    elif args.command == "sites":
        accounts.change(args.user, actor, sites=None if args.all else args.site)
        print(f"{args.user} now sees " + ("every site." if args.all else f"{', '.join(sorted(set(args.site)))}."))
    elif args.command == "reset":
        password = _password(args.password_stdin)
        accounts.reset_password(args.user, password, actor)
        print(f"Password reset for {args.user}; their open sessions have ended.")
    elif args.command in ("disable", "enable"):
        accounts.set_disabled(args.user, args.command == "disable", actor)
        print(
            f"{args.user} {args.command}d" + ("; their open sessions have ended." if args.command == "disable" else ".")
        )
    elif args.command == "list":
        table = accounts.listing().drop(columns=["created_at"])
        print(f"{len(table)} account(s) in {where()}")
        if len(table):
            print(table.to_string(index=False))
    elif args.command == "demo":
        made = write_demo_accounts(Path(args.credentials))
        if made is None:
            print(f"Demo accounts exist already in {where()} (passwords in {args.credentials}).")
        else:
            print(f"Demo accounts (also in {args.credentials}; shown once):")
            for name, password in made.items():
                print(f"  {name:<10} {password}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
