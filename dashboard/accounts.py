"""`python -m dashboard.accounts demo`: demo accounts with random passwords for `make run`.

Writes the users file (bcrypt hashes only) and data/demo-credentials.txt (git-ignored), and
prints the credentials once. Existing files are left alone."""
from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

from dashboard.auth import hash_password

DEMO = {"director": ("director", None), "clinician": ("clinician", "Chen, M."), "quality": ("quality", None),
        "admin": ("admin", None)}


def write_demo_accounts(users: Path, credentials: Path) -> dict[str, str] | None:
    if users.exists():
        return None
    passwords = {name: secrets.token_urlsafe(12) for name in DEMO}
    lines = ["# Demo accounts (bcrypt hashes). Marked demo: refused when IOP_MODE=production.\n"]
    for name, (role, clinician) in DEMO.items():
        lines.append(f'\n[users.{name}]\nrole = "{role}"\nname = "Demo {name}"\ndemo = true\n'
                     f'password_hash = "{hash_password(passwords[name])}"\n'
                     + (f'clinician = "{clinician}"\n' if clinician else ""))
    users.parent.mkdir(parents=True, exist_ok=True)
    users.write_text("".join(lines))
    credentials.write_text("".join(f"{name}: {password}\n" for name, password in passwords.items()))
    credentials.chmod(0o600)
    return passwords


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.accounts")
    parser.add_argument("command", choices=["demo"])
    parser.add_argument("--users", default="data/users.toml")
    parser.add_argument("--credentials", default="data/demo-credentials.txt")
    args = parser.parse_args(argv)
    made = write_demo_accounts(Path(args.users), Path(args.credentials))
    if made is None:
        print(f"{args.users} exists: demo accounts unchanged (passwords in {args.credentials})")
    else:
        print(f"Demo accounts (also in {args.credentials}; shown once):")
        for name, password in made.items():
            print(f"  {name:<10} {password}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
