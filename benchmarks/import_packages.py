"""Time `referral import` and count what it could not keep, for Miami and a 50,000-service package.

Each run imports into a fresh, empty database (`referral init --empty`), search index included;
the figures are the median and p95 of the runs. The losses are the import summary's kinds of
warning with their counts. Last, the package's own HSDS 3.0 export is imported back into the same
directory, which must add nothing.

    python benchmarks/import_packages.py [--runs 5] [--large-runs 3] [--skip-large] [PACKAGE]

PostgreSQL is measured too when REFERRAL_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from common import MIAMI, SHARED, cli, machine, percentile

SCALER = SHARED / "tools" / "scale_hsds.py"
LOSS = re.compile(r"^\s+([\d,]+) × (.+)$")
CREATED = re.compile(r"^\s+([a-z ]+): [\d,]+ \(([\d,]+) new")


def main() -> None:
    options = parse_arguments()
    print(f"machine: {machine()}", flush=True)
    packages = [options.package]
    with tempfile.TemporaryDirectory() as folder:
        if not options.skip_large and options.package == MIAMI:
            packages.append(scaled(Path(folder) / "hsds-50k"))
        for package in packages:
            runs = options.runs if package == options.package else options.large_runs
            measure(package, runs)


def parse_arguments() -> argparse.Namespace:
    """The command's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", nargs="?", type=Path, default=MIAMI)
    parser.add_argument("--runs", type=int, default=5, help="imports of PACKAGE")
    parser.add_argument("--large-runs", type=int, default=3, help="imports of the 50k package")
    parser.add_argument("--skip-large", action="store_true", help="only PACKAGE")
    return parser.parse_args()


def scaled(target: Path) -> Path:
    """Miami grown to about 50,000 services by the shared scaling tool."""
    print(f"building {target.name} from Miami with {SCALER.name} ...", flush=True)
    command = [sys.executable, str(SCALER), str(MIAMI), str(target), "--copies", "12"]
    subprocess.run(command, check=True, capture_output=True)
    return target


def measure(package: Path, runs: int) -> None:
    """Print import times and losses of `package` on each database backend."""
    print(f"\npackage: {package.name}", flush=True)
    for backend in backends():
        seconds, output = [], ""
        for run in range(runs):
            with database(backend) as env, tempfile.TemporaryDirectory() as folder:
                took, output = timed_import(package, Path(folder), env)
                seconds.append(took)
                print(f"  {backend} run {run + 1}/{runs}: {took:.1f} s", flush=True)
                if run == runs - 1:
                    print_round_trip(Path(folder), env)
        print(
            f"import on {backend}: median {statistics.median(seconds):.1f} s, "
            f"p95 {percentile(seconds, 95):.1f} s (n={runs})",
            flush=True,
        )
    print_losses(output)


def backends() -> list[str]:
    """SQLite, and PostgreSQL when the test server is named."""
    return ["sqlite", "postgresql"] if os.environ.get("REFERRAL_TEST_DATABASE_URL") else ["sqlite"]


def timed_import(package: Path, instance: Path, env: dict) -> tuple[float, str]:
    """Seconds for one import into the empty directory of `instance`, and what it printed."""
    cli(instance, "init", "--empty", env=env)
    start = time.perf_counter()
    done = cli(instance, "import", str(package), env=env)
    return time.perf_counter() - start, done.stdout + done.stderr


def print_losses(output: str) -> None:
    """The kinds of warning the import summarized, with their counts."""
    found = [(int(m[1].replace(",", "")), m[2]) for m in map(LOSS.match, output.splitlines()) if m]
    print(f"  warnings: {sum(n for n, _ in found):,} in {len(found)} kinds")
    for count, kind in found:
        print(f"  {count:>8,} × {kind}")


def print_round_trip(instance: Path, env: dict) -> None:
    """Import the directory's own export back into it and say how many records that added."""
    export = instance / "export"
    cli(instance, "export", str(export), "--format", "hsds-csv", env=env)
    done = cli(instance, "import", str(export), env=env)
    lines = done.stdout.splitlines()
    added = sum(int(m[2].replace(",", "")) for m in map(CREATED.match, lines) if m)
    print(f"  re-import of its own HSDS 3.0 export: {added} records added", flush=True)


@contextmanager
def database(backend: str):
    """Settings for an empty database: SQLite in the instance, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        yield {}
        return
    import sqlalchemy

    url = os.environ["REFERRAL_TEST_DATABASE_URL"]
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(f"CREATE SCHEMA {schema}"))
    joiner = "&" if "?" in url else "?"
    try:
        yield {"REFERRAL_DATABASE_URL": f"{url}{joiner}options=-csearch_path%3D{schema}"}
    finally:
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


if __name__ == "__main__":
    main()
