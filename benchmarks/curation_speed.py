"""Curation over HTTP on gunicorn: edit latency, how soon an edit is searchable, verification,
and the stale, duplicates and flags queues, on the Miami package (or the scaled one). The
duplicates queue is worked out on the first look after the directory changes and kept until it
changes again, so its first look and later ones are shown apart.

    python benchmarks/curation_speed.py [--package PATH] [--edits 30]

Each edit renames a service to a unique made-up word through PATCH /api/v1/services/{id}, then
polls /api/v1/search for that word until the service comes back: the time from sending the edit
to the first search that finds it is "searchable after". It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BIN,
    MIAMI,
    cli,
    get_json,
    loaded_instance,
    machine,
    production_server,
    summary,
)

TMP = Path(tempfile.gettempdir())


def call(method: str, url: str, token: str, body: dict | None = None) -> tuple[dict, float]:
    """One API call with a bearer token: the JSON answer and the milliseconds it took."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.loads(response.read())
    return answer, (time.perf_counter() - started) * 1000


def curator_token(instance: Path) -> str:
    """A curator's API token (the curator is made on first use)."""
    subprocess.run(
        [str(BIN / "referral"), "users", "create", "bench-curator", "--role", "curator"],
        input="correct horse battery\ncorrect horse battery\n",
        env={**os.environ, "REFERRAL_INSTANCE_PATH": str(instance)},
        capture_output=True,
        text=True,
        check=False,
    )
    return cli(instance, "users", "token", "bench-curator").stdout.strip().splitlines()[-1]


def edits(base: str, token: str, ids: list[str]) -> tuple[list[float], list[float]]:
    """PATCH latency and edit-to-searchable time for each service id."""
    latencies, searchable = [], []
    for service_id in ids:
        current, _ = call("GET", f"{base}/api/v1/services/{service_id}", token)
        word = "zq" + "".join(random.choices(string.ascii_lowercase, k=8))
        sent = time.perf_counter()
        _, took = call(
            "PATCH",
            f"{base}/api/v1/services/{service_id}",
            token,
            {"name": f"{current['name']} {word}", "version": current["version"]},
        )
        latencies.append(took)
        while True:
            found = get_json(f"{base}/api/v1/search?q={word}")["results"]
            if any(r["service_id"] == service_id for r in found):
                searchable.append((time.perf_counter() - sent) * 1000)
                break
            if time.perf_counter() - sent > 30:
                searchable.append(float("inf"))
                break
    return latencies, searchable


def timed(method: str, url: str, token: str, rounds: int, body: dict | None = None) -> list[float]:
    """Milliseconds of repeated calls."""
    return [call(method, url, token, body)[1] for _ in range(rounds)]


def main() -> None:
    """Load the package, serve it, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, default=MIAMI)
    parser.add_argument("--instance", type=Path, default=TMP / "referral-bench-curation")
    parser.add_argument("--edits", type=int, default=30)
    args = parser.parse_args()
    print(machine(), flush=True)
    print(f"loading {args.package} …", flush=True)
    instance = loaded_instance(args.instance, args.package)
    token = curator_token(instance)
    with production_server(instance) as base:
        stale, _ = call("GET", f"{base}/api/v1/curation/stale?days=0&limit=1000", token)
        ids = [row["id"] for row in stale["results"]]
        random.seed(7)
        chosen = random.sample(ids, min(args.edits, len(ids)))
        print(f"{stale['total']:,} services not verified today; editing {len(chosen)}", flush=True)
        latencies, searchable = edits(base, token, chosen)
        print(summary("PATCH /api/v1/services/{id}", latencies), flush=True)
        print(summary("edit to searchable", searchable), flush=True)
        verify = [call("POST", f"{base}/api/v1/services/{i}/verify", token)[1] for i in chosen[:20]]
        print(summary("POST …/verify", verify), flush=True)
        print(
            summary(
                "GET /api/v1/curation/stale",
                timed("GET", f"{base}/api/v1/curation/stale", token, 10),
            )
        )
        print(
            summary(
                "GET /api/v1/curation/flags",
                timed("GET", f"{base}/api/v1/curation/flags", token, 10),
            )
        )
        duplicates = timed("GET", f"{base}/api/v1/curation/duplicates", token, 3)
        print(f"GET /api/v1/curation/duplicates: first {duplicates[0]:.0f} ms", flush=True)
        print(summary("  then, unchanged directory", duplicates[1:]), flush=True)


if __name__ == "__main__":
    main()
