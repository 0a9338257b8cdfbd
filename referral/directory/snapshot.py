"""Reading the directory back out of the database as HSDS records (for export and the HSDS API)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select

from referral.capacity.models import ServiceCapacity, capacity_record
from referral.capacity.rules import Capacity
from referral.directory import models as m
from referral.directory import records as r
from referral.directory.store import chunks
from referral.extensions import db
from referral.search.hours import Window


def read_directory(service_ids: Iterable[str] | None = None) -> r.Package:
    """The whole directory, or just the named services and what they link to, as a Package."""
    whole = service_ids is None
    wanted = None if whole else sorted(set(service_ids))
    services = by_id(fetch(m.Service, "id", wanted))
    sals = by_id(fetch(m.ServiceAtLocation, "service_id", wanted))
    locations = by_id(fetch(m.Location, "id", None if whole else {x.location_id for x in sals}))
    org_ids = {s.organization_id for s in services} | {
        loc.organization_id for loc in locations if loc.organization_id
    }
    orgs = by_id(fetch(m.Organization, "id", None if whole else org_ids))
    owned = OwnedRows.load(services, locations, sals, orgs, whole)
    terms = with_ancestors(fetch(m.TaxonomyTerm, "id", None if whole else owned.term_set()))
    package = r.Package(source="database")
    package.taxonomy_terms = {t.id: term_record(t) for t in terms}
    package.organizations = {o.id: organization_record(o, owned) for o in orgs}
    package.locations = {loc.id: location_record(loc, owned) for loc in locations}
    package.services = {s.id: service_record(s, owned) for s in services}
    package.service_at_locations = {x.id: sal_record(x, owned) for x in sals}
    return package


def with_ancestors(terms: list) -> list:
    """Terms with every term above them, so the hierarchy survives an export."""
    found = {t.id: t for t in terms}
    wanted = {t.parent_id for t in terms if t.parent_id} - set(found)
    while wanted:
        parents = fetch(m.TaxonomyTerm, "id", wanted)
        found.update({t.id: t for t in parents})
        wanted = {t.parent_id for t in parents if t.parent_id} - set(found)
    return by_id(list(found.values()))


def by_id(rows: list) -> list:
    """Rows in id order, so exports and documents come out the same every time."""
    return sorted(rows, key=lambda row: row.id)


def fetch(model: type, column: str, ids: Iterable[str] | None) -> list:
    """Rows (plain tuples, not ORM objects) of `model` whose `column` is in `ids`, or every row
    with that column set when `ids` is None; in position order where rows have one."""
    table = model.__table__
    key = table.c[column]
    if ids is None:
        rows = list(db.session.execute(select(table).where(key.is_not(None))))
    else:
        rows = []
        for part in chunks(sorted(i for i in ids if i)):
            rows.extend(db.session.execute(select(table).where(key.in_(part))))
    if "position" in table.c:
        rows.sort(key=lambda row: row.position)
    return rows


class OwnedRows:
    """The child rows (phones, hours, languages, …) of a set of records, grouped by owner."""

    def __init__(self) -> None:
        self.phones: dict[tuple[str, str], list[m.Phone]] = defaultdict(list)
        self.windows: dict[tuple[str, str], list[Window]] = defaultdict(list)
        self.languages: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.addresses: dict[str, list[m.Address]] = defaultdict(list)
        self.areas: dict[str, list[m.ServiceArea]] = defaultdict(list)
        self.costs: dict[str, list[m.CostOption]] = defaultdict(list)
        self.links: list[m.ServiceTaxonomy] = []
        self.contacts: dict[tuple[str, str], list[r.Contact]] = defaultdict(list)
        self.term_ids: dict[str, list[str]] = defaultdict(list)
        self.capacities: dict[str, Capacity] = {}

    @classmethod
    def load(cls, services, locations, sals, orgs, whole: bool = False) -> OwnedRows:
        """Fetch every child row of the given records (of all records when `whole`)."""
        owned = cls()
        owners = {
            "service_id": None if whole else [s.id for s in services],
            "location_id": None if whole else [loc.id for loc in locations],
            "service_at_location_id": None if whole else [x.id for x in sals],
            "organization_id": None if whole else [o.id for o in orgs],
        }
        for column, ids in owners.items():
            owned.load_phones(column, ids)
            owned.load_contacts(column, ids)
            if column != "organization_id":
                owned.load_windows(column, ids)
            if column in {"service_id", "location_id"}:
                owned.load_languages(column, ids)
        owned.load_service_rows(owners["service_id"])
        for a in fetch(m.Address, "location_id", owners["location_id"]):
            owned.addresses[a.location_id].append(a)
        return owned

    def load_phones(self, column: str, ids: list[str] | None) -> None:
        """Group the phones owned through `column`."""
        for p in fetch(m.Phone, column, ids):
            self.phones[column, getattr(p, column)].append(p)

    def load_contacts(self, column: str, ids: list[str] | None) -> None:
        """Group the contacts owned through `column`, with their phones."""
        for c in fetch(m.Contact, column, ids):
            phones = [r.Phone(**{"number": "", **p}) for p in c.phones or []]
            contact = r.Contact(c.id, c.name, c.title, c.department, c.email, phones)
            self.contacts[column, getattr(c, column)].append(contact)

    def load_windows(self, column: str, ids: list[str] | None) -> None:
        """Group the weekly windows owned through `column`."""
        for s in fetch(m.Schedule, column, ids):
            self.windows[column, getattr(s, column)].append(
                Window(s.weekday, s.opens_at, s.closes_at)
            )

    def load_languages(self, column: str, ids: list[str] | None) -> None:
        """Group the language codes owned through `column`."""
        for lang in fetch(m.Language, column, ids):
            self.languages[column, getattr(lang, column)].append(lang.code)

    def load_service_rows(self, ids: list[str] | None) -> None:
        """Group service areas, cost options, taxonomy links and capacities by service."""
        for a in fetch(m.ServiceArea, "service_id", ids):
            self.areas[a.service_id].append(a)
        for c in fetch(m.CostOption, "service_id", ids):
            self.costs[c.service_id].append(c)
        self.links = fetch(m.ServiceTaxonomy, "service_id", ids)
        for link in self.links:
            self.term_ids[link.service_id].append(link.term_id)
        for row in fetch(ServiceCapacity, "service_id", ids):
            self.capacities[row.service_id] = capacity_record(row)

    def term_set(self) -> set[str]:
        """The ids of the terms the loaded services are filed under."""
        return {link.term_id for link in self.links}

    def phone_records(self, column: str, owner_id: str) -> list[r.Phone]:
        """The phones of one owner as records."""
        return [
            r.Phone(p.number, p.extension, p.type, p.description, p.id)
            for p in self.phones.get((column, owner_id), [])
        ]

    def hours(self, column: str, owner_id: str, text: str) -> r.Hours:
        """The hours of one owner as a record."""
        return r.Hours(sorted(self.windows.get((column, owner_id), [])), text or "")


def term_record(t: m.TaxonomyTerm) -> r.TaxonomyTerm:
    """A taxonomy term row as a record."""
    return r.TaxonomyTerm(t.id, t.name, t.code, t.description, t.parent_id, t.taxonomy)


def organization_record(o: m.Organization, owned: OwnedRows) -> r.Organization:
    """An organization row as a record."""
    return r.Organization(
        id=o.id,
        name=o.name,
        description=o.description,
        alternate_name=o.alternate_name,
        email=o.email,
        website=o.website,
        tax_status=o.tax_status,
        tax_id=o.tax_id,
        year_incorporated=o.year_incorporated,
        legal_status=o.legal_status,
        phones=owned.phone_records("organization_id", o.id),
        contacts=owned.contacts.get(("organization_id", o.id), []),
        rebuilt=o.rebuilt,
    )


def location_record(loc: m.Location, owned: OwnedRows) -> r.Location:
    """A location row as a record."""
    return r.Location(
        id=loc.id,
        name=loc.name,
        organization_id=loc.organization_id,
        alternate_name=loc.alternate_name,
        description=loc.description,
        transportation=loc.transportation,
        latitude=loc.latitude,
        longitude=loc.longitude,
        location_type=loc.location_type,
        addresses=[address_record(a) for a in owned.addresses.get(loc.id, [])],
        phones=owned.phone_records("location_id", loc.id),
        hours=owned.hours("location_id", loc.id, loc.hours_text),
        languages=owned.languages.get(("location_id", loc.id), []),
        accessibility=list(loc.accessibility or []),
        contacts=owned.contacts.get(("location_id", loc.id), []),
    )


def address_record(a: m.Address) -> r.Address:
    """An address row as a record."""
    return r.Address(
        address_1=a.address_1,
        city=a.city,
        state_province=a.state_province,
        postal_code=a.postal_code,
        address_2=a.address_2,
        region=a.region,
        country=a.country,
        attention=a.attention,
        address_type=a.address_type,
        id=a.id,
    )


def service_record(s: m.Service, owned: OwnedRows) -> r.Service:
    """A service row, with everything it owns, as a record."""
    return r.Service(
        id=s.id,
        organization_id=s.organization_id,
        name=s.name,
        description=s.description,
        alternate_name=s.alternate_name,
        url=s.url,
        email=s.email,
        status=s.status,
        interpretation_services=s.interpretation_services,
        application_process=s.application_process,
        fees_description=s.fees_description,
        wait_time=s.wait_time,
        accreditations=s.accreditations,
        licenses=s.licenses,
        eligibility_description=s.eligibility_description,
        minimum_age=s.minimum_age,
        maximum_age=s.maximum_age,
        alert=s.alert,
        last_verified=s.last_verified,
        required_documents=list(s.required_documents or []),
        cost_options=[
            r.CostOption(c.option, c.amount, c.currency, c.amount_description, c.id)
            for c in owned.costs.get(s.id, [])
        ],
        phones=owned.phone_records("service_id", s.id),
        hours=owned.hours("service_id", s.id, s.hours_text),
        languages=owned.languages.get(("service_id", s.id), []),
        service_areas=[
            r.ServiceArea(a.kind, a.value, a.name, a.description, a.id)
            for a in owned.areas.get(s.id, [])
        ],
        taxonomy_term_ids=list(owned.term_ids.get(s.id, [])),
        curated_needs=list(s.curated_needs) if s.curated_needs is not None else None,
        contacts=owned.contacts.get(("service_id", s.id), []),
        capacity=owned.capacities.get(s.id),
    )


def sal_record(x: m.ServiceAtLocation, owned: OwnedRows) -> r.ServiceAtLocation:
    """A service-at-location row as a record."""
    return r.ServiceAtLocation(
        id=x.id,
        service_id=x.service_id,
        location_id=x.location_id,
        description=x.description,
        phones=owned.phone_records("service_at_location_id", x.id),
        hours=owned.hours("service_at_location_id", x.id, x.hours_text),
        contacts=owned.contacts.get(("service_at_location_id", x.id), []),
    )
