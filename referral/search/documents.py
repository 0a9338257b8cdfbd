"""Turning directory records into search documents: one per service at a location.

A service offered at three places gives three documents; a service with no location (a hotline,
a county-wide program) gives one document with no point, found through its service areas.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from referral.capacity.rules import Capacity
from referral.directory import records as r
from referral.directory.needs import NEED_LABELS, needs_for
from referral.search.geo import area_key, zip_place
from referral.search.hours import Window

HIDDEN_STATUSES = {"inactive", "defunct"}
FREE_RE = re.compile(r"\b(free|no (cost|charge|fee)s?|gratis|sin costo)\b", re.I)


@dataclass
class SearchDocument:
    """What the index holds for one service at one location."""

    doc_id: str
    service_id: str
    location_id: str
    name: str
    organization: str
    description: str
    taxonomy: list[str]
    needs: list[str]
    areas: list[str]
    languages: list[str]
    latitude: float | None
    longitude: float | None
    payload: dict = field(default_factory=dict)

    def need_words(self) -> str:
        """The need labels in every language, so "comida" or "housing" reach the right services."""
        return " ".join(label for need in self.needs for label in NEED_LABELS[need].values())


def documents(package: r.Package) -> Iterator[SearchDocument]:
    """Every search document of the package's active-or-listed services."""
    links: dict[str, list[r.ServiceAtLocation]] = {}
    for sal in package.service_at_locations.values():
        links.setdefault(sal.service_id, []).append(sal)
    for service in package.services.values():
        if service.status in HIDDEN_STATUSES:
            continue
        sals = [x for x in links.get(service.id, []) if x.location_id in package.locations]
        if not sals:
            yield document(package, service, None, None)
        for sal in sals:
            yield document(package, service, sal, package.locations[sal.location_id])


def document(
    package: r.Package,
    service: r.Service,
    sal: r.ServiceAtLocation | None,
    location: r.Location | None,
) -> SearchDocument:
    """The search document of one service at one location (or at none)."""
    org = package.organizations.get(service.organization_id)
    terms = [
        package.taxonomy_terms[t] for t in service.taxonomy_term_ids if t in package.taxonomy_terms
    ]
    needs = needs_for([(t.code, t.name) for t in terms], f"{service.name}\n{service.description}")
    languages = list(dict.fromkeys(service.languages + (location.languages if location else [])))
    hours = effective_hours(service, sal, location)
    return SearchDocument(
        doc_id=sal.id if sal else f"service:{service.id}",
        service_id=service.id,
        location_id=location.id if location else "",
        name=service.name,
        organization=org.name if org else "",
        description=service.description,
        taxonomy=[t.name for t in terms],
        needs=needs,
        areas=[area_key(a.kind, a.value) for a in service.service_areas],
        languages=languages,
        latitude=location.latitude if location else None,
        longitude=location.longitude if location else None,
        payload=payload(service, org, location, sal, terms, needs, languages, hours),
    )


def effective_hours(
    service: r.Service, sal: r.ServiceAtLocation | None, location: r.Location | None
) -> r.Hours:
    """The most particular known hours: at this location, then the service's, then the place's."""
    for hours in (sal.hours if sal else None, service.hours, location.hours if location else None):
        if hours is not None and hours.known:
            return hours
    return r.Hours()


def payload(service, org, location, sal, terms, needs, languages, hours) -> dict:
    """Everything a result row shows, stored with the document so results need no database."""
    address = first_physical_address(location)
    phones = [p.number for p in (sal.phones if sal else [])]
    phones += [p.number for p in service.phones]
    phones += [p.number for p in (location.phones if location else [])]
    phones += [p.number for p in (org.phones if org else [])]
    return {
        "service_name": service.name,
        "organization_name": org.name if org else "",
        "description": service.description,
        "status": service.status,
        "address": address,
        "phones": list(dict.fromkeys(phones)),
        "categories": needs,
        "taxonomy": [t.name for t in terms],
        "languages": languages,
        "last_verified": service.last_verified.isoformat() if service.last_verified else None,
        "hours": [
            [w.weekday, w.opens.strftime("%H:%M"), w.closes.strftime("%H:%M")]
            for w in hours.windows
        ],
        "timezone": location_timezone(location) if location else "",
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "free": is_free(service),
        "capacity": capacity_payload(service.capacity),
    }


def capacity_payload(capacity: Capacity | None) -> dict | None:
    """The capacity as set (status and last day), judged against the day of each search."""
    if capacity is None:
        return None
    return {
        "status": capacity.status,
        "until": capacity.until.isoformat() if capacity.until else None,
    }


def location_timezone(location: r.Location) -> str:
    """The IANA time zone of a location, from the ZIP code of its address ('' if unknown)."""
    for address in location.addresses:
        place = zip_place(address.postal_code)
        if place and place.timezone:
            return place.timezone
    return ""


def first_physical_address(location: r.Location | None) -> dict | None:
    """The location's street address as the API shows it, or None."""
    if location is None or not location.addresses:
        return None
    physical = [a for a in location.addresses if a.address_type == "physical"]
    a = (physical or location.addresses)[0]
    return {
        "address_1": a.address_1,
        "address_2": a.address_2,
        "city": a.city,
        "state_province": a.state_province,
        "postal_code": a.postal_code,
    }


def is_free(service: r.Service) -> bool:
    """Whether the service costs nothing, by its cost options or its fees text."""
    if any(c.amount == 0 for c in service.cost_options if c.amount is not None):
        return True
    return bool(FREE_RE.search(service.fees_description or ""))


def windows_from_payload(rows: list[list]) -> list[Window]:
    """The weekly windows stored in a document payload."""
    from datetime import time

    return [
        Window(day, time.fromisoformat(opens), time.fromisoformat(closes))
        for day, opens, closes in rows
    ]
