"""Writing a read HSDS package into the database, and reading the directory back as records.

Imports match records by their source id, so importing the same package again updates in place
and duplicates nothing. Helpers here only add and flush; the caller commits once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, update

from referral.directory import models as m
from referral.directory import records as r
from referral.directory.hsds.identity import hsds_id
from referral.directory.needs import needs_for
from referral.extensions import db
from referral.search.documents import location_timezone

Progress = Callable[[str], None]
CHUNK = 500
CHILD_NAMESPACE = uuid.UUID("8a4f1f5e-3b7b-4d7e-9a55-0c3c0f7f3b21")
# Tables whose records are published under a UUID of their own (see hsds/identity.py).
PUBLISHED = {
    "organizations": "organization",
    "services": "service",
    "locations": "location",
    "service_at_locations": "service_at_location",
    "taxonomy_terms": "taxonomy_term",
}


@dataclass
class ImportSummary:
    """What an import wrote, by record kind, new and updated."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    service_ids: list[str] = field(default_factory=list)


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    """`items` in slices of at most `size`, to keep SQL parameter lists bounded."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def child_id(*parts: object) -> str:
    """A stable id for a child row the package gave none, so re-imports keep it."""
    return str(uuid.uuid5(CHILD_NAMESPACE, "|".join(str(p) for p in parts)))


def save_package(package: r.Package, progress: Progress | None = None) -> ImportSummary:
    """Write every record of `package` into the session (no commit)."""
    say = progress or (lambda _line: None)
    summary = ImportSummary()
    steps = (
        ("taxonomy terms", save_terms),
        ("organizations", save_organizations),
        ("locations", save_locations),
        ("services", save_services),
        ("services at locations", save_service_at_locations),
        ("contacts", save_contacts),
    )
    for label, step in steps:
        say(f"writing {label}")
        step(package, summary)
    db.session.flush()
    summary.service_ids = list(package.services)
    return summary


def replace_children(model: type, owner_column: str, owner_ids: Iterable[str], rows: list[dict]):
    """Delete `model` rows owned by `owner_ids` and insert `rows` in their place."""
    column = getattr(model, owner_column)
    for part in chunks(list(owner_ids)):
        db.session.execute(delete(model).where(column.in_(part)))
    for part in chunks(rows):
        db.session.execute(insert(model), part)


def save_terms(package: r.Package, summary: ImportSummary) -> None:
    """Upsert the package's taxonomy terms."""
    rows = [
        {
            "id": t.id,
            "code": t.code,
            "name": t.name,
            "description": t.description,
            "parent_id": t.parent_id,
            "taxonomy": t.taxonomy,
        }
        for t in package.taxonomy_terms.values()
    ]
    upsert(m.TaxonomyTerm, rows, "taxonomy_terms", summary)


def upsert(model: type, rows: list[dict], kind: str, summary: ImportSummary) -> None:
    """Insert new rows of `model` and update existing ones, matched by id.

    Editable records (those with a version) get version 1 when new and the next version when
    updated, so a curator's pending edit of an older version is refused later.
    """
    kind_of = PUBLISHED.get(model.__tablename__)
    if kind_of:
        rows = [{**row, "hsds_id": hsds_id(kind_of, row["id"])} for row in rows]
    existing: set[str] = set()
    for part in chunks([row["id"] for row in rows]):
        existing.update(db.session.scalars(select(model.id).where(model.id.in_(part))))
    versioned = hasattr(model, "version")
    now = m.utcnow()
    stamp = {"version": 1, "updated_at": now} if versioned else {}
    for part in chunks([{**row, **stamp} for row in rows if row["id"] not in existing]):
        db.session.execute(insert(model), part)
    stale = [row for row in rows if row["id"] in existing]
    for part in chunks(stale):
        if versioned:
            ids = [row["id"] for row in part]
            bump = {"version": model.version + 1, "updated_at": now}
            db.session.execute(update(model).where(model.id.in_(ids)).values(**bump))
        db.session.execute(update(model), part)
    summary.created[kind] = len(rows) - len(stale)
    summary.updated[kind] = len(stale)


def save_organizations(package: r.Package, summary: ImportSummary) -> None:
    """Upsert organizations and replace their own phones."""
    orgs = list(package.organizations.values())
    rows = [organization_row(o) for o in orgs]
    upsert(m.Organization, rows, "organizations", summary)
    phones = [
        phone_row(p, i, "organization_id", o.id) for o in orgs for i, p in enumerate(o.phones)
    ]
    replace_children(m.Phone, "organization_id", [o.id for o in orgs], phones)


def organization_row(o: r.Organization) -> dict:
    """The organizations table row for a record."""
    return {
        "id": o.id,
        "name": o.name,
        "alternate_name": o.alternate_name,
        "description": o.description,
        "email": o.email,
        "website": o.website,
        "tax_status": o.tax_status,
        "tax_id": o.tax_id,
        "year_incorporated": o.year_incorporated,
        "legal_status": o.legal_status,
        "rebuilt": o.rebuilt,
    }


def phone_row(p: r.Phone, position: int, owner_column: str, owner_id: str) -> dict:
    """The phones table row for a phone of one owner."""
    return {
        "id": p.id or child_id("phone", owner_column, owner_id, position),
        "service_id": None,
        "location_id": None,
        "organization_id": None,
        "service_at_location_id": None,
        owner_column: owner_id,
        "position": position,
        "number": p.number,
        "extension": p.extension,
        "type": p.type,
        "description": p.description,
    }


def schedule_rows(hours: r.Hours, owner_column: str, owner_id: str) -> list[dict]:
    """The schedules table rows for an owner's weekly windows."""
    rows = []
    for position, w in enumerate(sorted(set(hours.windows))):
        row = {"service_id": None, "location_id": None, "service_at_location_id": None}
        row.update({owner_column: owner_id, "position": position, "weekday": w.weekday})
        row.update({"opens_at": w.opens, "closes_at": w.closes})
        rows.append(row)
    return rows


def language_rows(codes: list[str], owner_column: str, owner_id: str) -> list[dict]:
    """The languages table rows for an owner's language codes."""
    other = "location_id" if owner_column == "service_id" else "service_id"
    return [
        {owner_column: owner_id, other: None, "position": i, "code": code}
        for i, code in enumerate(dict.fromkeys(codes))
    ]


def save_locations(package: r.Package, summary: ImportSummary) -> None:
    """Upsert locations and replace their addresses, phones, hours and languages."""
    locs = list(package.locations.values())
    upsert(m.Location, [location_row(loc) for loc in locs], "locations", summary)
    ids = [loc.id for loc in locs]
    addresses = [address_row(a, i, loc.id) for loc in locs for i, a in enumerate(loc.addresses)]
    replace_children(m.Address, "location_id", ids, addresses)
    phones = [phone_row(p, i, "location_id", x.id) for x in locs for i, p in enumerate(x.phones)]
    replace_children(m.Phone, "location_id", ids, phones)
    hours = [row for loc in locs for row in schedule_rows(loc.hours, "location_id", loc.id)]
    replace_children(m.Schedule, "location_id", ids, hours)
    langs = [row for loc in locs for row in language_rows(loc.languages, "location_id", loc.id)]
    replace_children(m.Language, "location_id", ids, langs)


def location_row(loc: r.Location) -> dict:
    """The locations table row for a record, with the time zone its ZIP code lies in."""
    return {
        "id": loc.id,
        "organization_id": loc.organization_id,
        "name": loc.name,
        "alternate_name": loc.alternate_name,
        "description": loc.description,
        "transportation": loc.transportation,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "location_type": loc.location_type,
        "timezone": location_timezone(loc),
        "hours_text": loc.hours.text,
        "accessibility": list(loc.accessibility),
    }


def address_row(a: r.Address, position: int, location_id: str) -> dict:
    """The addresses table row for one address of a location."""
    return {
        "id": a.id or child_id("address", location_id, position),
        "location_id": location_id,
        "position": position,
        "address_type": a.address_type,
        "attention": a.attention,
        "address_1": a.address_1,
        "address_2": a.address_2,
        "city": a.city,
        "region": a.region,
        "state_province": a.state_province,
        "postal_code": a.postal_code,
        "country": a.country,
    }


def save_services(package: r.Package, summary: ImportSummary) -> None:
    """Upsert services and replace everything they own, including their need keys."""
    services = list(package.services.values())
    rows = [service_row(s) for s in services]
    upsert(m.Service, rows, "services", summary)
    ids = [s.id for s in services]
    phones = [phone_row(p, i, "service_id", s.id) for s in services for i, p in enumerate(s.phones)]
    replace_children(m.Phone, "service_id", ids, phones)
    hours = [row for s in services for row in schedule_rows(s.hours, "service_id", s.id)]
    replace_children(m.Schedule, "service_id", ids, hours)
    langs = [row for s in services for row in language_rows(s.languages, "service_id", s.id)]
    replace_children(m.Language, "service_id", ids, langs)
    replace_children(m.ServiceArea, "service_id", ids, area_rows(services))
    replace_children(m.CostOption, "service_id", ids, cost_rows(services))
    replace_children(m.ServiceTaxonomy, "service_id", ids, taxonomy_rows(services))
    replace_children(m.ServiceNeed, "service_id", ids, need_rows(services, package))


def service_row(s: r.Service) -> dict:
    """The services table row for a record."""
    return {
        "id": s.id,
        "organization_id": s.organization_id,
        "name": s.name,
        "alternate_name": s.alternate_name,
        "description": s.description,
        "url": s.url,
        "email": s.email,
        "status": s.status,
        "interpretation_services": s.interpretation_services,
        "application_process": s.application_process,
        "fees_description": s.fees_description,
        "wait_time": s.wait_time,
        "accreditations": s.accreditations,
        "licenses": s.licenses,
        "eligibility_description": s.eligibility_description,
        "minimum_age": s.minimum_age,
        "maximum_age": s.maximum_age,
        "alert": s.alert,
        "last_verified": s.last_verified,
        "hours_text": s.hours.text,
        "required_documents": list(s.required_documents),
        "curated_needs": list(s.curated_needs) if s.curated_needs is not None else None,
    }


def area_rows(services: list[r.Service]) -> list[dict]:
    """The service_areas rows of `services`."""
    return [
        {
            "id": a.id or child_id("area", s.id, i),
            "service_id": s.id,
            "position": i,
            "kind": a.kind,
            "value": a.value,
            "name": a.name,
            "description": a.description,
        }
        for s in services
        for i, a in enumerate(s.service_areas)
    ]


def cost_rows(services: list[r.Service]) -> list[dict]:
    """The cost_options rows of `services`."""
    return [
        {
            "id": c.id or child_id("cost", s.id, i),
            "service_id": s.id,
            "position": i,
            "option": c.option,
            "amount": c.amount,
            "currency": c.currency,
            "amount_description": c.amount_description,
        }
        for s in services
        for i, c in enumerate(s.cost_options)
    ]


def taxonomy_rows(services: list[r.Service]) -> list[dict]:
    """The service_taxonomy link rows of `services`."""
    return [
        {"service_id": s.id, "term_id": term_id, "position": i}
        for s in services
        for i, term_id in enumerate(dict.fromkeys(s.taxonomy_term_ids))
    ]


def need_rows(services: list[r.Service], package: r.Package) -> list[dict]:
    """The service_needs rows of `services`: a curator's choice, else derived from their terms
    and text."""
    terms = known_terms(package)
    rows = []
    for s in services:
        pairs = [terms[t] for t in s.taxonomy_term_ids if t in terms]
        needs = s.curated_needs
        if needs is None:
            needs = needs_for(pairs, f"{s.name}\n{s.description}")
        rows += [{"service_id": s.id, "need": need} for need in dict.fromkeys(needs)]
    return rows


def known_terms(package: r.Package) -> dict[str, tuple[str, str]]:
    """(code, name) of every term the package or the database knows, by id."""
    found = {t.id: (t.code, t.name) for t in package.taxonomy_terms.values()}
    wanted = {t for s in package.services.values() for t in s.taxonomy_term_ids} - set(found)
    for part in chunks(sorted(wanted)):
        rows = db.session.execute(
            select(m.TaxonomyTerm.id, m.TaxonomyTerm.code, m.TaxonomyTerm.name).where(
                m.TaxonomyTerm.id.in_(part)
            )
        )
        found.update({row.id: (row.code, row.name) for row in rows})
    return found


def save_service_at_locations(package: r.Package, summary: ImportSummary) -> None:
    """Upsert the service–location links with their own phones and hours."""
    sals = list(package.service_at_locations.values())
    rows = [
        {
            "id": x.id,
            "service_id": x.service_id,
            "location_id": x.location_id,
            "description": x.description,
            "hours_text": x.hours.text,
        }
        for x in sals
    ]
    drop_vanished_links(package)
    upsert(m.ServiceAtLocation, rows, "service_at_locations", summary)
    ids = [x.id for x in sals]
    column = "service_at_location_id"
    phones = [phone_row(p, i, column, x.id) for x in sals for i, p in enumerate(x.phones)]
    replace_children(m.Phone, column, ids, phones)
    hours = [row for x in sals for row in schedule_rows(x.hours, column, x.id)]
    replace_children(m.Schedule, column, ids, hours)


# Owner columns of phones and contacts, with the package's records each names.
CONTACT_OWNERS = (
    ("organization_id", "organizations"),
    ("service_id", "services"),
    ("location_id", "locations"),
    ("service_at_location_id", "service_at_locations"),
)


def save_contacts(package: r.Package, summary: ImportSummary) -> None:
    """Replace the contacts of every record of the package, with their phones."""
    rows = []
    for column, kind in CONTACT_OWNERS:
        owners = getattr(package, kind)
        for record in owners.values():
            rows += contact_rows(record.contacts, column, record.id)
        for part in chunks(list(owners)):
            db.session.execute(delete(m.Contact).where(getattr(m.Contact, column).in_(part)))
    for part in chunks(rows):
        db.session.execute(insert(m.Contact), part)
    summary.created["contacts"] = len(rows)


def contact_rows(contacts: list[r.Contact], owner_column: str, owner_id: str) -> list[dict]:
    """The contacts table rows of one owner's contacts."""
    owners = dict.fromkeys(column for column, _ in CONTACT_OWNERS)
    return [
        {
            **owners,
            owner_column: owner_id,
            "id": c.id or child_id("contact", owner_column, owner_id, position),
            "position": position,
            "name": c.name,
            "title": c.title,
            "department": c.department,
            "email": c.email,
            "phones": [phone_json(p) for p in c.phones],
        }
        for position, c in enumerate(contacts)
    ]


def phone_json(p: r.Phone) -> dict:
    """A contact's phone as it is kept with the contact."""
    fields = ("id", "number", "extension", "type", "description")
    return {name: getattr(p, name) for name in fields if getattr(p, name)}


def drop_vanished_links(package: r.Package) -> None:
    """Remove links of the package's services to locations the package no longer names."""
    keep = set(package.service_at_locations)
    for part in chunks(list(package.services)):
        ids = db.session.scalars(
            select(m.ServiceAtLocation.id).where(m.ServiceAtLocation.service_id.in_(part))
        )
        gone = [x for x in ids if x not in keep]
        if gone:
            db.session.execute(delete(m.Phone).where(m.Phone.service_at_location_id.in_(gone)))
            db.session.execute(
                delete(m.Schedule).where(m.Schedule.service_at_location_id.in_(gone))
            )
            db.session.execute(delete(m.ServiceAtLocation).where(m.ServiceAtLocation.id.in_(gone)))
