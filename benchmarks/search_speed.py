"""Search speed at statewide size, and an ohana-api-style PostgreSQL search on the same data.

    python benchmarks/search_speed.py [--copies 12] [--rounds 10] [--skip-postgres]

Builds ../shared/data/miami-hsds scaled with ../shared/tools/scale_hsds.py (about 50,000
services), imports it once into an instance folder in the temp directory (re-used on later
runs), then prints:
- the full index build (`referral reindex`);
- search through the Python API with `near` and `radius` (median, p95);
- search over HTTP on gunicorn (median, p95) and each worker's memory after warm-up;
- how long an edited service takes to become searchable, and autocomplete latency;
- the same queries as an ohana-api-style PostgreSQL search (weighted tsvector, plainto_tsquery,
  ts_rank, radius filter, returning the fields a result row shows) when
  REFERRAL_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

from common import (
    DEV_QUERIES,
    MIAMI,
    SHARED,
    cli,
    get_json,
    loaded_instance,
    machine,
    production_server,
    summary,
)

OWN_QUERIES = Path(__file__).with_name("queries-miami.json")
TMP = Path(tempfile.gettempdir())


def queries() -> list[dict]:
    """The Miami-area queries of the dev set and the held-out set."""
    found = []
    for path in (DEV_QUERIES, OWN_QUERIES):
        if path.exists():
            found += json.loads(path.read_text())["queries"]
    return found


def scaled_package(copies: int) -> Path:
    """The Miami package grown to `copies` metro areas (made once)."""
    target = TMP / f"referral-hsds-x{copies}"
    if not (target / "services.csv").exists():
        tool = SHARED / "tools" / "scale_hsds.py"
        subprocess.run(
            [sys.executable, str(tool), str(MIAMI), str(target), "--copies", str(copies)],
            check=True,
        )
    return target


def time_reindex(instance: Path) -> float:
    """Seconds for `referral reindex`."""
    start = time.perf_counter()
    cli(instance, "reindex")
    return time.perf_counter() - start


def python_api(instance: Path, cases: list[dict], rounds: int) -> tuple[list[float], float]:
    """Search latencies through the Python API, and seconds until an edit is searchable."""
    os.environ["REFERRAL_INSTANCE_PATH"] = str(instance)
    from referral import create_app
    from referral.search.engine import SearchRequest, search
    from referral.search.geo import parse_near
    from referral.services import services

    app = create_app({"WARM_INDEX": False})
    with app.app_context():
        index = services().index
        index.warm()
        requests = [
            SearchRequest(q=c["q"], place=parse_near(c["near"]), radius_miles=c["radius_miles"])
            for c in cases
        ]
        for request in requests:
            search(index, request)
        millis = []
        for _ in range(rounds):
            for request in requests:
                start = time.perf_counter()
                search(index, request)
                millis.append((time.perf_counter() - start) * 1000)
        edit = edit_to_searchable(index, SearchRequest, search, parse_near)
        print(summary("autocomplete, Python API", autocomplete(index, rounds)), flush=True)
        return millis, edit


AUTOCOMPLETE = ["fo", "food p", "shel", "comi", "luz", "fod pan", "light b", "rent", "tran", "diap"]


def autocomplete(index, rounds: int) -> list[float]:
    """Latencies of autocomplete suggestions over some typed prefixes."""
    from referral.search.understanding import default_concepts

    index.suggester(default_concepts())
    millis = []
    for _ in range(rounds):
        for typed in AUTOCOMPLETE:
            start = time.perf_counter()
            index.suggester(default_concepts()).suggest(typed)
            millis.append((time.perf_counter() - start) * 1000)
    return millis


def edit_to_searchable(index, request_type, search, parse_near) -> float:
    """Rename one service in the database, reindex it, and time until a search finds it."""
    from sqlalchemy import select

    from referral.directory.indexing import reindex_services
    from referral.directory.models import Service
    from referral.extensions import db

    service = db.session.scalars(select(Service).where(Service.id == "1")).first()
    word = "Zq" + uuid.uuid4().hex[:8]
    start = time.perf_counter()
    service.name = f"{service.name} {word}"
    db.session.commit()
    reindex_services(index, [service.id])
    request = request_type(q=word, place=parse_near("33136"), radius_miles=100)
    while not any(r.meta.service_id == service.id for r in search(index, request).results):
        time.sleep(0.01)
    return time.perf_counter() - start


def http(instance: Path, cases: list[dict], rounds: int) -> tuple[list[float], list[int]]:
    """Latencies over HTTP on gunicorn (two workers) and each worker's resident memory (MB)."""
    with production_server(instance, workers=2) as base:
        urls = [
            f"{base}/api/v1/search?"
            + urllib.parse.urlencode({"q": c["q"], "near": c["near"], "radius": c["radius_miles"]})
            for c in cases
        ]
        wait_until_warm(urls[0])
        millis = []
        for _ in range(rounds):
            for url in urls:
                start = time.perf_counter()
                get_json(url)
                millis.append((time.perf_counter() - start) * 1000)
        return millis, worker_memory()


def wait_until_warm(url: str, seconds: float = 120) -> None:
    """Wait until both workers have read the index (answers come back quickly)."""
    deadline = time.monotonic() + seconds
    fast = 0
    while fast < 10 and time.monotonic() < deadline:
        start = time.perf_counter()
        get_json(url)
        fast = fast + 1 if time.perf_counter() - start < 0.05 else 0


def worker_memory() -> list[int]:
    """Resident memory (MB) of each gunicorn worker of this process's server."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            cmdline = (status.parent / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if (
            "gunicorn" in cmdline
            and "referral:create_app" in cmdline
            and f"PPid:\t{os.getpid()}" not in text
        ):
            rss = next(line for line in text.splitlines() if line.startswith("VmRSS"))
            sizes.append(int(rss.split()[1]) // 1024)
    return sorted(sizes)


def postgres_baseline(package: Path, cases: list[dict], rounds: int) -> list[float] | None:
    """The same searches as an ohana-api-style PostgreSQL query, after importing into PostgreSQL."""
    url = os.environ.get("REFERRAL_TEST_DATABASE_URL")
    if not url:
        return None
    import psycopg

    schema = "bench_ohana_rows"
    with psycopg.connect(url, autocommit=True) as conn:
        ready = conn.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema = %s AND table_name = 'ohana_search'",
            (schema,),
        ).fetchone()[0]
        if not ready:
            load_postgres(conn, url, schema, package)
        conn.execute(f"SET search_path TO {schema}")
        return time_postgres(conn, cases, rounds)


def load_postgres(conn, url: str, schema: str, package: Path) -> None:
    """Import the package into a PostgreSQL schema and build the ohana-style search table."""
    conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    conn.execute(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in url else "?"
    env = {"REFERRAL_DATABASE_URL": f"{url}{joiner}options=-csearch_path%3D{schema}"}
    instance = TMP / "referral-bench-pg-instance"
    instance.mkdir(exist_ok=True)
    print("  importing into PostgreSQL (once)...", flush=True)
    cli(instance, "init", env=env)
    cli(instance, "import", str(package), env=env)
    conn.execute(f"SET search_path TO {schema}")
    conn.execute(
        """
        CREATE TABLE ohana_search AS
        SELECT s.id AS service_id, l.latitude, l.longitude, s.name, o.name AS organization_name,
               s.description, a.address_1, a.city, a.state_province, a.postal_code,
               (SELECT p.number FROM phones p WHERE p.service_id = s.id LIMIT 1) AS phone,
               setweight(to_tsvector('english', coalesce(s.name, '')), 'A') ||
               setweight(to_tsvector('english', coalesce(o.name, '')), 'B') ||
               setweight(to_tsvector('english', coalesce(s.description, '')), 'C') AS tsv
        FROM services s
        JOIN organizations o ON o.id = s.organization_id
        JOIN service_at_locations sal ON sal.service_id = s.id
        JOIN locations l ON l.id = sal.location_id
        LEFT JOIN addresses a ON a.location_id = l.id AND a.position = 0
        """
    )
    conn.execute("CREATE INDEX ohana_search_tsv ON ohana_search USING gin (tsv)")
    conn.execute("CREATE INDEX ohana_search_point ON ohana_search (latitude, longitude)")
    conn.execute("ANALYZE ohana_search")


OHANA_QUERY = """
SELECT service_id, name, organization_name, description, address_1, city, state_province,
       postal_code, phone, latitude, longitude, ts_rank(tsv, query) AS rank
FROM ohana_search, plainto_tsquery('english', %(q)s) AS query
WHERE tsv @@ query
  AND latitude BETWEEN %(lat_min)s AND %(lat_max)s
  AND longitude BETWEEN %(lon_min)s AND %(lon_max)s
  AND 3958.7613 * 2 * asin(sqrt(
        power(sin(radians(latitude - %(lat)s) / 2), 2) +
        cos(radians(%(lat)s)) * cos(radians(latitude)) *
        power(sin(radians(longitude - %(lon)s) / 2), 2))) <= %(radius)s
ORDER BY rank DESC
LIMIT 20
"""


def time_postgres(conn, cases: list[dict], rounds: int) -> list[float]:
    """Latencies of the ohana-style query for every case."""
    from referral.search.geo import bounding_box, parse_near

    params = []
    for case in cases:
        place = parse_near(case["near"])
        box = bounding_box(place, case["radius_miles"])
        params.append(
            {
                "q": case["q"],
                "lat": place.latitude,
                "lon": place.longitude,
                "radius": case["radius_miles"],
                "lat_min": box[0],
                "lat_max": box[1],
                "lon_min": box[2],
                "lon_max": box[3],
            }
        )
    for p in params:
        conn.execute(OHANA_QUERY, p).fetchall()
    millis = []
    for _ in range(rounds):
        for p in params:
            start = time.perf_counter()
            conn.execute(OHANA_QUERY, p).fetchall()
            millis.append((time.perf_counter() - start) * 1000)
    return millis


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    package = scaled_package(args.copies)
    with open(package / "services.csv", encoding="utf-8") as rows:
        services = sum(1 for _ in rows) - 1
    print(f"package: {package} (~{services:,} services)", flush=True)
    instance = loaded_instance(TMP / f"referral-bench-x{args.copies}", package)
    cases = queries()
    print(f"full index build (referral reindex): {time_reindex(instance):.1f} s", flush=True)
    api, edit = python_api(instance, cases, args.rounds)
    print(summary("search, Python API, near + radius", api), flush=True)
    print(f"edited service searchable after: {edit * 1000:.0f} ms", flush=True)
    over_http, memory = http(instance, cases, args.rounds)
    print(summary("search over HTTP (gunicorn, 2 workers)", over_http))
    print(
        f"gunicorn worker memory after warm-up: {', '.join(f'{m} MB' for m in memory)}", flush=True
    )
    if not args.skip_postgres and (baseline := postgres_baseline(package, cases, args.rounds)):
        print(summary("ohana-style PostgreSQL query (tsvector, ts_rank, radius)", baseline))
        ratio = statistics.median(baseline) / statistics.median(api)
        print(f"  the Python API is {ratio:.1f}x faster at the median")


if __name__ == "__main__":
    main()
