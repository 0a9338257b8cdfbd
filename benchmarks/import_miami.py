"""Time `referral import` of the Miami HSDS package into a fresh database (SQLite, and PostgreSQL
when REFERRAL_TEST_DATABASE_URL is set), index build included.

    python benchmarks/import_miami.py [PACKAGE]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from common import MIAMI, cli, machine


def timed_import(package: Path, env: dict) -> float:
    """Seconds for one import into a fresh instance."""
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder)
        cli(instance, "init", env=env)
        start = time.perf_counter()
        cli(instance, "import", str(package), env=env)
        return time.perf_counter() - start


def main() -> None:
    package = Path(sys.argv[1]) if len(sys.argv) > 1 else MIAMI
    print(f"machine: {machine()}")
    print(f"package: {package}")
    backends = ["sqlite"]
    if os.environ.get("REFERRAL_TEST_DATABASE_URL"):
        backends.append("postgresql")
    for name in backends:
        times = []
        for _ in range(3):
            with database(name) as env:
                times.append(timed_import(package, env))
        times.sort()
        runs = ", ".join(f"{t:.1f}" for t in times)
        print(f"import on {name}: median {times[1]:.1f} s (runs: {runs})", flush=True)


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
