#!/usr/bin/env python3
"""Quick start: `python3 dev.py start` runs the app; `python3 dev.py test` runs every test.

It needs only Python 3.11+: it makes a virtual environment in `.venv`, installs the project into
it when `pyproject.toml` changes, and runs the `referral` command or pytest from there.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
EXTRAS = {"start": "server", "test": "test"}


def main(argv: list[str]) -> int:
    """Run `start` (init and serve) or `test` (pytest), passing further arguments on."""
    if sys.version_info < (3, 11):  # noqa: UP036  (this script may be run by an older Python)
        print("Python 3.11 or newer is needed.", file=sys.stderr)
        return 2
    if not argv or argv[0] not in EXTRAS:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_environment(EXTRAS[command])
    os.chdir(ROOT)
    if command == "start":
        return start(rest)
    return run([str(BIN / "python"), "-m", "pytest", *rest])


def ensure_environment(extra: str) -> None:
    """Create `.venv` and install the project with `extra` unless that is already done."""
    if not (BIN / "python").exists():
        print("making a virtual environment in .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extra}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"installing the project and its [{extra}] dependencies", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    check(run([*pip, "-e", f".[{extra}]"]))
    stamp.write_text(digest)


def start(rest: list[str]) -> int:
    """Set up the database and directory, then serve the app."""
    referral = str(BIN / "referral")
    check(run([referral, "init"]))
    return run([referral, "serve", *rest])


def run(command: list[str]) -> int:
    """Run a command in the foreground and return its exit status."""
    try:
        return subprocess.call(command, cwd=ROOT)
    except KeyboardInterrupt:
        return 130


def check(status: int) -> None:
    """Stop here when a set-up step failed."""
    if status != 0:
        sys.exit(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
