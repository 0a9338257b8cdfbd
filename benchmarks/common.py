"""Shared pieces of the benchmarks: a loaded instance, a production server, percentiles."""

from __future__ import annotations

import csv
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MIAMI = SHARED / "data" / "miami-hsds"
DEV_QUERIES = SHARED / "reference" / "dev-queries.json"
BIN = Path(sys.executable).parent


def machine() -> str:
    """A one-line description of the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        cpu = model
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary(label: str, millis: list[float]) -> str:
    """`label: median X ms, p95 Y ms (n=N)`."""
    return (
        f"{label}: median {statistics.median(millis):.1f} ms, "
        f"p95 {percentile(millis, 95):.1f} ms (n={len(millis)})"
    )


def cli(instance: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the `referral` command against an instance folder."""
    environ = {**os.environ, "REFERRAL_INSTANCE_PATH": str(instance), **(env or {})}
    return subprocess.run(
        [str(BIN / "referral"), *args], env=environ, capture_output=True, text=True, check=True
    )


def loaded_instance(folder: Path, package: Path) -> Path:
    """An instance folder with `package` imported (re-used when it is already there)."""
    marker = folder / "loaded.txt"
    if marker.exists() and marker.read_text() == str(package):
        cli(folder, "init")
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("referral.db", "config.json"):
        (folder / name).unlink(missing_ok=True)
    cli(folder, "init")
    cli(folder, "import", str(package))
    marker.write_text(str(package))
    return folder


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def production_server(instance: Path, workers: int = 2):
    """gunicorn serving the app on 127.0.0.1, stopped on exit."""
    if not (BIN / "gunicorn").exists():
        raise SystemExit(f"gunicorn is not installed beside {BIN}: pip install -e '.[server]'")
    port = free_port()
    env = {**os.environ, "REFERRAL_INSTANCE_PATH": str(instance)}
    command = [
        str(BIN / "gunicorn"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "referral:create_app()",
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until_up(base: str, seconds: float = 60) -> None:
    """Poll the server until it answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/hsds/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def get_json(url: str) -> dict:
    """GET a URL and parse its JSON body."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def read_csv(path: Path) -> list[dict]:
    """Rows of a CSV file (bad bytes replaced)."""
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        return list(csv.DictReader(f))


def bench_app(database_url: str, prefix: str):
    """An app on `database_url` (a SQLite file in a new temporary folder when empty) with its
    index in that folder, for the in-process benchmarks; and its database URL."""
    from referral import create_app

    folder = Path(tempfile.mkdtemp(prefix=prefix))
    url = database_url or f"sqlite:///{folder / 'bench.db'}"
    settings = {
        "SECRET_KEY": "bench",
        "DATABASE_URL": url,
        "INDEX_DIR": str(folder / "index"),
        "ENV": "testing",
        "TESTING": True,
        "WARM_INDEX": False,
    }
    return create_app(settings), url
