"""Precision and latency of search over HTTP (gunicorn) on the Miami package.

Precision follows ../shared/reference/dev-queries.json: a result is relevant when its service
carries a taxonomy code starting with one of the query's `relevant` prefixes and its location lies
within `radius_miles` of the ZIP code's centre; precision is measured among the first
min(10, relevant services in range) results.

    python benchmarks/search_quality.py [--queries FILE ...] [--rounds 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

from common import (
    DEV_QUERIES,
    MIAMI,
    get_json,
    loaded_instance,
    machine,
    production_server,
    read_csv,
    summary,
)

from referral.search.geo import area_key, miles_between, zip_place

OWN_QUERIES = [Path(__file__).with_name(f"queries-{name}.json") for name in ("miami", "cleveland")]
BUNDLED = Path(__file__).resolve().parents[1] / "resources_db" / "cleveland"


def relevance_table(package: Path):
    """Taxonomy codes and coordinates of every service in the package."""
    codes = defaultdict(set)
    for row in read_csv(package / "services_taxonomy.csv"):
        codes[row["service_id"].strip()].add(row["taxonomy_id"].strip())
    points = {}
    locations = {row["id"].strip(): row for row in read_csv(package / "locations.csv")}
    for row in read_csv(package / "services_at_location.csv"):
        loc = locations.get(row["location_id"].strip())
        if loc and loc["latitude"].strip() and loc["longitude"].strip():
            points.setdefault(row["service_id"].strip(), []).append(
                (float(loc["latitude"]), float(loc["longitude"]))
            )
    return codes, points


def hsds3_relevance_table(package: Path):
    """Term codes, coordinates and covered areas of every service of an HSDS 3.0 package."""
    terms = {row["id"]: row["code"] for row in read_csv(package / "taxonomy_terms.csv")}
    codes = defaultdict(set)
    for row in read_csv(package / "attributes.csv"):
        if row["link_entity"] == "service" and row["taxonomy_term_id"] in terms:
            codes[row["link_id"]].add(terms[row["taxonomy_term_id"]])
    locations = {row["id"]: row for row in read_csv(package / "locations.csv")}
    points = {}
    for row in read_csv(package / "service_at_location.csv"):
        loc = locations.get(row["location_id"])
        if loc and loc["latitude"] and loc["longitude"]:
            points.setdefault(row["service_id"], []).append(
                (float(loc["latitude"]), float(loc["longitude"]))
            )
    areas = defaultdict(set)
    for row in read_csv(package / "service_areas.csv"):
        for value in (
            row["extent"].split() if row["extent_type"] == "postal_code" else [row["extent"]]
        ):
            areas[row["service_id"]].add(area_key(row["extent_type"], value))
    return codes, points, areas


def relevant_services(query: dict, codes, points, areas=None) -> set[str]:
    """The services the query should find, by the definition above."""
    centre = zip_place(query["near"])
    origin = (centre.latitude, centre.longitude)
    covering = set(centre.area_keys())
    found = set()
    for service, service_codes in codes.items():
        if not any(c.startswith(tuple(query["relevant"])) for c in service_codes):
            continue
        if any(
            miles_between(origin, p) <= query["radius_miles"] for p in points.get(service, [])
        ) or (areas and areas.get(service, set()) & covering):
            found.add(service)
    return found


def search_url(base: str, query: dict, limit: int) -> str:
    """The API URL of one query."""
    params = {
        "q": query["q"],
        "near": query["near"],
        "radius": query["radius_miles"],
        "limit": limit,
    }
    return f"{base}/api/v1/search?{urllib.parse.urlencode(params)}"


def precision(base: str, query: dict, relevant: set[str]) -> tuple[float, int, list[str]]:
    """(precision at k, k, service ids returned) for one query, counting each service once."""
    k = min(10, len(relevant))
    if k == 0:
        return float("nan"), 0, []
    body = get_json(search_url(base, query, 3 * k))
    ids = list(dict.fromkeys(r["service_id"] for r in body["results"]))[:k]
    return sum(1 for i in ids if i in relevant) / k, k, ids


def latencies(base: str, queries: list[dict], rounds: int) -> list[float]:
    """Milliseconds per request over `rounds` passes of every query."""
    millis = []
    for _ in range(rounds):
        for query in queries:
            start = time.perf_counter()
            get_json(search_url(base, query, 20))
            millis.append((time.perf_counter() - start) * 1000)
    return millis


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", nargs="*", type=Path, default=[DEV_QUERIES, *OWN_QUERIES])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--instance", type=Path, default=Path(tempfile.gettempdir()) / "referral-bench-miami"
    )
    args = parser.parse_args()
    print(f"machine: {machine()}")
    instance = loaded_instance(args.instance, MIAMI)
    tables = {"miami": (*relevance_table(MIAMI), None), "cleveland": hsds3_relevance_table(BUNDLED)}
    with production_server(instance) as base:
        get_json(search_url(base, {"q": "warm up", "near": "33136", "radius_miles": 10}, 5))
        for path in args.queries:
            if not path.exists():
                continue
            document = json.loads(path.read_text())
            table = tables["cleveland" if "cleveland" in document["dataset"] else "miami"]
            report_precision(base, path, document["queries"], table)
            millis = latencies(base, document["queries"], args.rounds)
            print(summary(f"latency over HTTP ({path.name})", millis))


def report_precision(base, path, queries, table) -> None:
    """Print precision per query and the mean over the set."""
    print(f"\n{path.name}")
    scores = []
    for query in queries:
        relevant = relevant_services(query, *table)
        p, k, _ = precision(base, query, relevant)
        if k:
            scores.append(p)
        print(f"  {query['id']:>4}  {query['q']!r:40} k={k:<2} precision={p:.2f}")
    print(f"  mean precision: {statistics.mean(scores):.3f} over {len(scores)} queries")


if __name__ == "__main__":
    main()
