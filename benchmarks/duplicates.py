"""Duplicate detection speed and precision on the Miami package and its statewide-size copy.

    python benchmarks/duplicates.py [--copies 12] [--runs 5] [--top 15] [--below 10]
        [--names label|stored] [--threshold 85] [--plant-every 10] [--show-missed 5]

Reads ../shared/data/miami-hsds and the package scaled with ../shared/tools/scale_hsds.py (about
50,000 services, made once in the temp directory) with the project's HSDS reader, builds one
candidate per service (name, organization name, first location's address and ZIP, phones of the
service, its location and its service-at-location, url) and per organization (name, website,
its own phones or else its services' most common phone, its locations' most common address),
then prints for each: the time `likely_duplicates` takes (median and p95 over the runs), how many
pairs it finds, the best pairs with names and addresses for a person to judge, and the best pairs
just below the threshold (to see where the line falls).

Recall is measured on planted copies: every 10th Miami service copied with two random edits of
the kinds curators meet (a typo, "The"/", Inc."/"Program" added, words abbreviated, name parts
reordered, phones reformatted, another phone, no phone, ZIP+4); the report counts how many of
those pairs are found and how many other pairs a planted copy joins.

`--names label` (the default) names each Miami service by its location's name when that ends
with the service's name: the export keeps the service's site in `services.name` ("EAST") and
the full "ORGANIZATION - PROGRAM - SITE" label in `locations.name`, so the stored names of two
programs at one site are the same word. `--names stored` uses `services.name` as stored.

The scaled package copies every record verbatim under new ids, so each Miami record there has
eleven exact twins (same name, address, ZIP and phones): its pair count is dominated by them.
So its services are also run "kept apart": each copy's ZIPs and phone area codes made its own,
as in a statewide directory where the same chains appear in every metro under other numbers.
Records with neither address nor phone stay identical across copies there, and pair.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from common import MIAMI, machine, percentile
from search_speed import scaled_package

from referral.curation.duplicates import Candidate, Pair, likely_duplicates
from referral.directory.hsds.reader import read_package
from referral.directory.records import Address, Location, Package, Service


def service_candidates(package: Package, names: str) -> list[Candidate]:
    """One candidate per service of the package."""
    first_location = first_locations(package)
    candidates = []
    for service in package.services.values():
        location, extra_phones = first_location.get(service.id, (None, []))
        address = first_address(location)
        organization = package.organizations.get(service.organization_id)
        phones = [p.number for p in service.phones + extra_phones]
        candidates.append(
            Candidate(
                id=service.id,
                name=service_name(service, location, names),
                organization=organization.name if organization else "",
                address=street_lines(address),
                postal_code=address.postal_code if address else "",
                phones=tuple(phones),
                website=service.url,
            )
        )
    return candidates


def first_locations(package: Package) -> dict[str, tuple[Location, list]]:
    """Each service's first location (by service-at-location order) and the phones there."""
    found: dict[str, tuple[Location, list]] = {}
    for link in package.service_at_locations.values():
        location = package.locations.get(link.location_id)
        if location is not None and link.service_id not in found:
            found[link.service_id] = (location, location.phones + link.phones)
    return found


def first_address(location: Location | None) -> Address | None:
    """A location's first physical address (or its first address of any kind)."""
    if location is None or not location.addresses:
        return None
    physical = [a for a in location.addresses if a.address_type == "physical"]
    return (physical or location.addresses)[0]


def street_lines(address: Address | None) -> str:
    """An address's street lines joined with a comma."""
    if address is None:
        return ""
    return ", ".join(line for line in (address.address_1, address.address_2) if line)


def service_name(service: Service, location: Location | None, names: str) -> str:
    """The name compared for a service (see the module docstring on `--names`)."""
    label = location.name if location else ""
    if names == "label" and len(label) > len(service.name) and label.endswith(service.name):
        return label
    return service.name


def organization_candidates(package: Package, services: list[Candidate]) -> list[Candidate]:
    """One candidate per organization, with its services' most common phone and address."""
    by_org: dict[str, list[Candidate]] = {}
    for candidate, service in zip(services, package.services.values(), strict=True):
        by_org.setdefault(service.organization_id, []).append(candidate)
    candidates = []
    for organization in package.organizations.values():
        own = by_org.get(organization.id, [])
        phones = [p.number for p in organization.phones] or most_common(
            [p for c in own for p in c.phones]
        )
        place = most_common([(c.address, c.postal_code) for c in own if c.address])
        address, postal_code = place[0] if place else ("", "")
        candidates.append(
            Candidate(
                id=organization.id,
                name=organization.name,
                address=address,
                postal_code=postal_code,
                phones=tuple(phones),
                website=organization.website,
            )
        )
    return candidates


def most_common(values: list) -> list:
    """The most common of values, as a list of one (empty when there are none)."""
    return [Counter(values).most_common(1)[0][0]] if values else []


def timed(
    candidates: list[Candidate], runs: int, threshold: float
) -> tuple[list[float], list[Pair]]:
    """Seconds of each run of `likely_duplicates`, and the pairs of the last run."""
    seconds = []
    pairs: list[Pair] = []
    for _ in range(runs):
        start = time.perf_counter()
        pairs = likely_duplicates(candidates, threshold=threshold)
        seconds.append(time.perf_counter() - start)
    return seconds, pairs


def report(
    label: str, candidates: list[Candidate], args: argparse.Namespace, top: int
) -> list[Pair]:
    """Print the timing, the pair count and the best pairs of one set of candidates."""
    runs = args.runs
    seconds, pairs = timed(candidates, runs, args.threshold)
    print(
        f"{label}: {len(candidates):,} records, {len(pairs):,} pairs; "
        f"median {statistics.median(seconds):.2f} s, p95 {percentile(seconds, 95):.2f} s "
        f"(n={runs})",
        flush=True,
    )
    print(f"  by score: {score_bands(pairs)}")
    if top:
        show(pairs[:top], {c.id: c for c in candidates})
    if top and args.below:
        near = likely_duplicates(candidates, threshold=args.threshold - 15)
        below = [p for p in near if p.score < args.threshold][: args.below]
        print(f"  best {len(below)} below the threshold:")
        show(below, {c.id: c for c in candidates})
    return pairs


def score_bands(pairs: list[Pair]) -> str:
    """How many pairs fall in each band of five points."""
    bands = Counter(min(95, int(p.score // 5 * 5)) for p in pairs)
    return ", ".join(f"{band}+: {bands[band]}" for band in sorted(bands, reverse=True))


def show(pairs: list[Pair], by_id: dict[str, Candidate]) -> None:
    """Print pairs with each side's name, organization, address and phones."""
    for pair in pairs:
        print(f"  {pair.score:5.1f}  [{', '.join(pair.matches)}]")
        print(describe(by_id[pair.left_id]))
        print(describe(by_id[pair.right_id]))


def describe(side: Candidate) -> str:
    """One line about a candidate: id, name (organization) | address ZIP | phones | website."""
    where = f"{side.address} {side.postal_code}".strip()
    owner = f" ({side.organization})" if side.organization else ""
    return (
        f"{side.id:>17}  {side.name}{owner} | {where} | {', '.join(side.phones)} | {side.website}"
    )


def kept_apart(candidates: list[Candidate]) -> list[Candidate]:
    """Candidates of the scaled package with each copy's streets, ZIPs and area codes its own."""
    return [apart(c, copy_of(c.id)) for c in candidates]


def apart(candidate: Candidate, copy: str) -> Candidate:
    """A candidate moved to its copy's own streets, ZIPs ("07xxx") and area codes ("907")."""
    if not copy:
        return candidate
    prefix = f"{int(copy):02d}"
    address = f"{prefix}{candidate.address}" if candidate.address else ""
    postal_code = prefix + candidate.postal_code[2:] if candidate.postal_code else ""
    phones = tuple(
        re.sub(r"\d{3}(?=\D*\d{3}\D*\d{4}\b)", f"9{prefix}", p, count=1) for p in candidate.phones
    )
    return replace(candidate, address=address, postal_code=postal_code, phones=phones)


def planted(candidates: list[Candidate], every: int, seed: int = 7) -> tuple[list, set]:
    """The candidates plus an edited copy of every `every`-th one, and the planted pairs."""
    rng = random.Random(seed)
    copies, truth = [], set()
    for original in candidates[::every]:
        copy = replace(original, id=f"planted-{original.id}")
        for edit in rng.sample(EDITS, 2):
            copy = edit(copy, rng)
        copies.append(copy)
        truth.add(frozenset((original.id, copy.id)))
    return candidates + copies, truth


def typo(candidate: Candidate, rng: random.Random) -> Candidate:
    """Two neighbouring letters of one long word of the name swapped."""
    words = candidate.name.split()
    long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long:
        return candidate
    i = rng.choice(long)
    j = rng.randrange(1, len(words[i]) - 2)
    word = words[i]
    words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return replace(candidate, name=" ".join(words))


def decorate(candidate: Candidate, rng: random.Random) -> Candidate:
    """The name with "The", ", Inc." or "Program" added."""
    name = rng.choice(["The {}", "{}, Inc.", "{} Program"]).format(candidate.name)
    return replace(candidate, name=name)


def abbreviate(candidate: Candidate, rng: random.Random) -> Candidate:
    """Words of the name and street written short ("Center" -> "Ctr.", "Street" -> "St.")."""
    name = re.sub(r"(?i)\bcenter\b", "Ctr.", candidate.name).replace(" AND ", " & ")
    address = candidate.address
    for long, short in (("Street", "St."), ("Avenue", "Ave"), ("North", "N."), ("Suite", "#")):
        address = re.sub(rf"(?i)\b{long}\b", short, address)
    return replace(candidate, name=name, address=address)


def reorder(candidate: Candidate, rng: random.Random) -> Candidate:
    """The name's last " - " part moved first, or the name in title case."""
    parts = candidate.name.split(" - ")
    name = " - ".join([parts[-1], *parts[:-1]]) if len(parts) > 1 else candidate.name.title()
    return replace(candidate, name=name)


def reformat_phone(candidate: Candidate, rng: random.Random) -> Candidate:
    """Phones written "(305) 555-1234"."""
    phones = tuple(re.sub(r"^(\d{3})-(\d{3})-(\d{4})", r"(\1) \2-\3", p) for p in candidate.phones)
    return replace(candidate, phones=phones)


def new_phone(candidate: Candidate, rng: random.Random) -> Candidate:
    """Another phone number (a new line at the same place)."""
    return replace(candidate, phones=(f"305-9{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}",))


def no_phone(candidate: Candidate, rng: random.Random) -> Candidate:
    """No phone at all."""
    return replace(candidate, phones=())


def zip_plus_four(candidate: Candidate, rng: random.Random) -> Candidate:
    """The ZIP with four more digits."""
    code = (
        f"{candidate.postal_code[:5]}-{rng.randrange(1000, 9999)}" if candidate.postal_code else ""
    )
    return replace(candidate, postal_code=code)


EDITS = (typo, decorate, abbreviate, reorder, reformat_phone, new_phone, no_phone, zip_plus_four)


def report_planted(candidates: list[Candidate], args: argparse.Namespace) -> None:
    """Print how many planted copies are found, and what else the queue holds."""
    seeded, truth = planted(candidates, args.plant_every)
    pairs = likely_duplicates(seeded, threshold=args.threshold)
    found = {frozenset((p.left_id, p.right_id)) for p in pairs}
    hits = truth & found
    stray = [
        p
        for p in pairs
        if "planted-" in p.left_id + p.right_id and frozenset((p.left_id, p.right_id)) not in truth
    ]
    print(
        f"planted copies (every {args.plant_every}th service, two random edits each): "
        f"{len(hits)} of {len(truth)} found; {len(stray)} other pairs with a planted copy",
        flush=True,
    )
    by_id = {c.id: c for c in seeded}
    show(stray[:3], by_id)
    for pair in sorted(truth - found, key=sorted)[: args.show_missed]:
        print("  missed:")
        for side in sorted(pair):
            print(describe(by_id[side]))


def within_copy(pairs: list[Pair]) -> int:
    """How many pairs join two records of the same copy of the scaled package."""
    return sum(copy_of(p.left_id) == copy_of(p.right_id) for p in pairs)


def copy_of(record_id: str) -> str:
    """The copy a scaled record belongs to ("" for copy 0, the original)."""
    head, _, rest = record_id.partition("-")
    return head if rest and head.isdigit() else ""


def run(package_path: Path, label: str, args: argparse.Namespace, top: int) -> None:
    """Read one package and report on its services and organizations."""
    start = time.perf_counter()
    package = read_package(package_path)
    services = service_candidates(package, args.names)
    organizations = organization_candidates(package, services)
    print(f"{label}: read and built candidates in {time.perf_counter() - start:.1f} s", flush=True)
    pairs = report(f"{label} services", services, args, top)
    if label == "Miami":
        report_planted(services, args)
        if args.names == "label":
            stored = likely_duplicates(service_candidates(package, "stored"), args.threshold)
            print(f"  with services.name as stored: {len(stored):,} pairs ({score_bands(stored)})")
    else:
        print(f"  pairs within one copy: {within_copy(pairs):,}")
        apart_pairs = report(f"{label} services, copies kept apart", kept_apart(services), args, 0)
        print(f"  pairs within one copy: {within_copy(apart_pairs):,}")
    org_pairs = report(f"{label} organizations", organizations, args, top)
    if label != "Miami":
        print(f"  pairs within one copy: {within_copy(org_pairs):,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--below", type=int, default=10)
    parser.add_argument("--names", choices=("label", "stored"), default="label")
    parser.add_argument("--threshold", type=float, default=85.0)
    parser.add_argument("--plant-every", type=int, default=10)
    parser.add_argument("--show-missed", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    run(MIAMI, "Miami", args, args.top)
    run(scaled_package(args.copies), f"x{args.copies}", args, 0)


if __name__ == "__main__":
    main()
