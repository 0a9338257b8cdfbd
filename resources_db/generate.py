"""Write the bundled Greater Cleveland starter directory as an HSDS 3.0 tabular package.

Usage: `python resources_db/generate.py [OUT_DIR]` (default: `resources_db/cleveland`).

The content lives in `catalog.py`; this script turns it into CSV files and a Frictionless
`datapackage.json`. Ids are UUID5 values of readable keys, coordinates come from `zipcodes`
centroids with a seeded jitter and dates from seeded generators, so every run writes the same bytes.
"""

from __future__ import annotations

import csv
import json
import math
import random
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

import zipcodes
from catalog import (
    COUNTIES,
    LANGUAGE_NAMES,
    LANGUAGE_NOTES,
    ORGANIZATIONS,
    SERVICES,
    SITES,
    TERMS,
    Organization,
    Service,
    Site,
)

DEFAULT_OUT = Path(__file__).resolve().parent / "cleveland"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:referral:resources_db:cleveland")
TAXONOMY_NAME = "Open Eligibility"
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = dict(zip(DAY_CODES, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))
MAX_JITTER_METRES = 1200.0
OLD_VERIFIED = (date(2025, 6, 1), date(2026, 5, 15))
RECENT_VERIFIED = (date(2026, 5, 27), date(2026, 11, 1))
STALE_SHARE = 0.25
AREA_CODES = {
    "Cuyahoga County": ("216", "440"),
    "Lake County": ("440",),
    "Lorain County": ("440",),
    "Summit County": ("330",),
}

COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations": (
        "id", "name", "alternate_name", "description", "email", "website", "tax_status",
        "tax_id", "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id",
    ),
    "services": (
        "id", "organization_id", "program_id", "name", "alternate_name", "description", "url",
        "email", "status", "interpretation_services", "application_process",
        "fees_description", "wait_time", "fees", "accreditations", "eligibility_description",
        "minimum_age", "maximum_age", "assured_date", "assurer_email", "licenses", "alert",
        "last_modified",
    ),
    "locations": (
        "id", "location_type", "url", "organization_id", "name", "alternate_name",
        "description", "transportation", "latitude", "longitude", "external_identifier",
        "external_identifier_type",
    ),
    "service_at_location": ("id", "service_id", "location_id", "description"),
    "addresses": (
        "id", "location_id", "attention", "address_1", "address_2", "city", "region",
        "state_province", "postal_code", "country", "address_type",
    ),
    "phones": (
        "id", "location_id", "service_id", "organization_id", "contact_id",
        "service_at_location_id", "number", "extension", "type", "description",
    ),
    "schedules": (
        "id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to",
        "dtstart", "timezone", "until", "count", "wkst", "freq", "interval", "byday",
        "byweekno", "bymonthday", "byyearday", "description", "opens_at", "closes_at",
        "schedule_link", "attending_type", "notes",
    ),
    "service_areas": ("id", "service_id", "name", "description", "extent", "extent_type", "uri"),
    "languages": ("id", "service_id", "location_id", "phone_id", "name", "code", "note"),
    "required_documents": ("id", "service_id", "document", "uri"),
    "cost_options": (
        "id", "service_id", "valid_from", "valid_to", "option", "currency", "amount",
        "amount_description",
    ),
    "taxonomies": ("id", "name", "description", "uri", "version"),
    "taxonomy_terms": (
        "id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id",
        "term_uri",
    ),
    "attributes": ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"),
}  # fmt: skip

REQUIRED: dict[str, tuple[str, ...]] = {
    "organizations": ("id", "name", "description"),
    "services": ("id", "organization_id", "name", "status"),
    "locations": ("id", "location_type"),
    "service_at_location": ("id", "service_id", "location_id"),
    "addresses": ("id", "address_1", "city", "state_province", "postal_code", "country",
                  "address_type"),
    "phones": ("id", "number"),
    "schedules": ("id",),
    "service_areas": ("id",),
    "languages": ("id",),
    "required_documents": ("id",),
    "cost_options": ("id", "service_id"),
    "taxonomies": ("id", "name", "description"),
    "taxonomy_terms": ("id", "name", "description"),
    "attributes": ("id", "link_id", "taxonomy_term_id", "link_entity"),
}  # fmt: skip

FIELD_TYPES = {
    "latitude": {"type": "number"},
    "longitude": {"type": "number"},
    "minimum_age": {"type": "number"},
    "maximum_age": {"type": "number"},
    "amount": {"type": "number"},
    "year_incorporated": {"type": "integer"},
    "count": {"type": "integer"},
    "interval": {"type": "integer"},
    "assured_date": {"type": "date"},
    "valid_from": {"type": "date"},
    "valid_to": {"type": "date"},
    "dtstart": {"type": "date"},
    "until": {"type": "date"},
    "last_modified": {"type": "datetime"},
    "opens_at": {"type": "time", "format": "%H:%M"},
    "closes_at": {"type": "time", "format": "%H:%M"},
    "email": {"type": "string", "format": "email"},
    "website": {"type": "string", "format": "uri"},
}

FOREIGN_KEYS = {
    "organization_id": "organizations",
    "parent_organization_id": "organizations",
    "service_id": "services",
    "location_id": "locations",
    "service_at_location_id": "service_at_location",
    "phone_id": "phones",
    "taxonomy_id": "taxonomies",
    "parent_id": "taxonomy_terms",
    "taxonomy_term_id": "taxonomy_terms",
}

UUID_COLUMNS = {"id", "link_id", "contact_id", "program_id", *FOREIGN_KEYS}

Row = dict[str, str]


def make_id(kind: str, key: str) -> str:
    """Return the stable UUID of the record of `kind` named by `key`."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}/{key}"))


def zip_info(postal_code: str) -> dict:
    """Return the `zipcodes` record of a ZIP code, or raise if it is unknown."""
    matches = zipcodes.matching(postal_code)
    if not matches:
        raise ValueError(f"unknown ZIP code {postal_code}")
    return matches[0]


def area_code(postal_code: str) -> str:
    """Return the telephone area code a number at this ZIP code would have."""
    info = zip_info(postal_code)
    preferred = AREA_CODES[info["county"]]
    return next((code for code in preferred if code in info["area_codes"]), preferred[0])


def jittered_point(site: Site) -> tuple[float, float]:
    """Return a point within `MAX_JITTER_METRES` of the site's ZIP centroid, the same every run."""
    info = zip_info(site.postal_code)
    rng = random.Random(f"site/{site.key}")
    distance = MAX_JITTER_METRES * math.sqrt(rng.random())
    bearing = rng.uniform(0.0, 2.0 * math.pi)
    lat, lon = float(info["lat"]), float(info["long"])
    dlat = distance * math.cos(bearing) / 111_320.0
    dlon = distance * math.sin(bearing) / (111_320.0 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def verified_on(service: Service) -> date:
    """Return the date the service was last verified; about a quarter are over 180 days old."""
    rng = random.Random(f"assured/{service.key}")
    start, end = OLD_VERIFIED if rng.random() < STALE_SHARE else RECENT_VERIFIED
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def expand_days(spec: str) -> tuple[str, ...]:
    """Expand `DAILY`, a range `MO-FR` or a list `TU,TH` into RFC 5545 day codes."""
    if spec == "DAILY":
        return DAY_CODES
    if "-" in spec:
        first, last = spec.split("-")
        return DAY_CODES[DAY_CODES.index(first) : DAY_CODES.index(last) + 1]
    days = tuple(spec.split(","))
    if not set(days) <= set(DAY_CODES):
        raise ValueError(f"unknown day in {spec!r}")
    return days


def parse_hours(spec: str) -> list[tuple[tuple[str, ...], str, str]]:
    """Parse `"MO-FR 09:00-17:00; SA 10:00-12:00"` into (days, opens, closes) windows."""
    windows = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        days, times = part.split()
        opens, closes = times.split("-")
        windows.append((expand_days(days), opens, closes))
    return windows


def describe_time(value: str) -> str:
    """Format `17:30` as `5:30pm` and `09:00` as `9am`."""
    hour, minute = (int(p) for p in value.split(":"))
    suffix = "am" if hour < 12 else "pm"
    shown = hour % 12 or 12
    return f"{shown}{suffix}" if minute == 0 else f"{shown}:{minute:02d}{suffix}"


def describe_days(days: tuple[str, ...]) -> str:
    """Format day codes as `Every day`, `Mon–Fri` or `Tue, Thu`."""
    if len(days) == 7:
        return "Every day"
    indexes = [DAY_CODES.index(d) for d in days]
    if len(days) >= 3 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{DAY_NAMES[days[0]]}–{DAY_NAMES[days[-1]]}"
    return ", ".join(DAY_NAMES[d] for d in days)


def describe_window(days: tuple[str, ...], opens: str, closes: str) -> str:
    """Return the human summary of one weekly window, e.g. `Mon–Fri 9am–5pm`."""
    if opens == closes == "00:00":
        return "Open 24 hours" + (", every day" if len(days) == 7 else f" {describe_days(days)}")
    overnight = " (overnight)" if closes < opens else ""
    return f"{describe_days(days)} {describe_time(opens)}–{describe_time(closes)}{overnight}"


def describe_area(spec: str) -> tuple[str, str, str]:
    """Return (name, extent, extent_type) of an area spec such as `county:Cuyahoga`."""
    kind, _, value = spec.partition(":")
    if kind == "zip":
        codes = value.split()
        return f"ZIP codes {', '.join(codes)}", " ".join(codes), "postal_code"
    if kind == "county":
        return f"{value} County, OH", f"OH:{value} County", "county"
    if kind == "state":
        return "Ohio", value, "state"
    if kind == "nation":
        return "United States", "", "nationwide"
    raise ValueError(f"unknown area {spec!r}")


def format_amount(amount: float | None) -> str:
    """Format a price without trailing zeros for whole dollars."""
    if amount is None:
        return ""
    return str(int(amount)) if amount == int(amount) else f"{amount:.2f}"


def cost_options(service: Service) -> tuple[tuple[str, float | None, str], ...]:
    """Return the service's cost options, derived from its fee text when not given."""
    if service.cost:
        return service.cost
    if service.fees.startswith("Free"):
        return (("Free", 0.0, ""),)
    if service.fees.startswith("Sliding scale"):
        return (("Sliding scale", None, service.fees),)
    raise ValueError(f"{service.key}: give cost options for fees {service.fees!r}")


class PhoneBook:
    """Hands out unused fictional numbers (555-0100 to 555-0199) per area code."""

    def __init__(self) -> None:
        self._free: dict[str, list[int]] = {}

    def take(self, area: str) -> str:
        """Return the next unused number in `area`."""
        if area not in self._free:
            pool = list(range(100, 200))
            random.Random(f"phones/{area}").shuffle(pool)
            self._free[area] = pool
        if not self._free[area]:
            raise ValueError(f"no fictional numbers left in area code {area}")
        return f"{area}-555-{self._free[area].pop():04d}"


class PackageBuilder:
    """Collects the rows of every HSDS table from the catalog."""

    def __init__(self) -> None:
        self.tables: dict[str, list[Row]] = {name: [] for name in COLUMNS}
        self.phone_book = PhoneBook()
        self.org_numbers: dict[str, str] = {}
        self.org_area: dict[str, str] = {}
        self.sites = {site.key: site for site in SITES}
        self.organizations = {org.key: org for org in ORGANIZATIONS}

    def add(self, table: str, **values: object) -> Row:
        """Append a row to `table`, with every column present and values as text."""
        row = {column: "" for column in COLUMNS[table]}
        for column, value in values.items():
            if column not in row:
                raise KeyError(f"{table} has no column {column}")
            row[column] = "" if value is None else str(value)
        self.tables[table].append(row)
        return row

    def add_phone(self, number: str, kind: str = "voice", **values: object) -> None:
        """Add a phone row owned by an organization, location or service."""
        owner = next(f"{k}/{v}" for k, v in values.items() if k.endswith("_id") and v)
        key = f"{owner}/{number}/{kind}/{values.get('extension', '')}"
        self.add("phones", id=make_id("phone", key), number=number, type=kind, **values)

    def build(self) -> dict[str, list[Row]]:
        """Build every table and return them by name."""
        self.add_taxonomy()
        for org in ORGANIZATIONS:
            self.add_organization(org)
        for site in SITES:
            self.add_site(site)
        for service in SERVICES:
            self.add_service(service)
        return self.tables

    def add_taxonomy(self) -> None:
        """Add the Open Eligibility taxonomy and its terms."""
        taxonomy_id = make_id("taxonomy", "open-eligibility")
        self.add(
            "taxonomies",
            id=taxonomy_id,
            name=TAXONOMY_NAME,
            description="An open taxonomy of human services and the situations of the people"
            " they serve, organized in eleven top-level categories.",
            uri="https://openeligibility.org",
        )
        for term in TERMS:
            self.add(
                "taxonomy_terms",
                id=make_id("term", term.code),
                code=term.code,
                name=term.name,
                description=term.description,
                parent_id=make_id("term", term.parent) if term.parent else "",
                taxonomy=TAXONOMY_NAME,
                language="en",
                taxonomy_id=taxonomy_id,
            )

    def add_organization(self, org: Organization) -> None:
        """Add an organization with its main number and, for some, a fax number."""
        org_id = make_id("organization", org.key)
        self.add(
            "organizations",
            id=org_id,
            name=org.name,
            description=org.description,
            email=f"info@{org.key}.example.org",
            website=f"https://{org.key}.example.org",
            tax_status="501(c)(3)",
            year_incorporated=org.year,
            legal_status=org.legal_status,
            parent_organization_id=make_id("organization", org.parent) if org.parent else "",
        )
        first_site = next((s for s in SITES if s.org == org.key), None)
        area = area_code(first_site.postal_code) if first_site else "216"
        self.org_area[org.key] = area
        self.org_numbers[org.key] = self.phone_book.take(area)
        self.add_phone(self.org_numbers[org.key], organization_id=org_id, description="Main office")
        if org.fax:
            self.add_phone(self.phone_book.take(area), "fax", organization_id=org_id)

    def add_site(self, site: Site) -> None:
        """Add a physical location with its address, coordinates, phone and building hours."""
        location_id = make_id("location", site.key)
        latitude, longitude = jittered_point(site)
        self.add(
            "locations",
            id=location_id,
            location_type="physical",
            organization_id=make_id("organization", site.org),
            name=site.name,
            description=site.description,
            transportation=site.transportation,
            latitude=f"{latitude:.6f}",
            longitude=f"{longitude:.6f}",
        )
        self.add_address(site, location_id)
        if site.phone:
            number = self.phone_book.take(area_code(site.postal_code))
            self.add_phone(number, location_id=location_id, description="Front desk")
        self.add_schedules(f"location/{site.key}", site.hours, location_id=location_id)

    def add_address(self, site: Site, location_id: str) -> None:
        """Add the physical address of a site, with city and county from its ZIP code."""
        info = zip_info(site.postal_code)
        self.add(
            "addresses",
            id=make_id("address", site.key),
            location_id=location_id,
            address_1=site.street,
            address_2=site.address_2,
            city=info["city"],
            region=info["county"],
            state_province=info["state"],
            postal_code=site.postal_code,
            country="US",
            address_type="physical",
        )

    def add_schedules(
        self, owner: str, hours: str, attending: str = "", notes: str = "", **link: str
    ) -> None:
        """Add one weekly schedule row per window of `hours`, linked to one owner."""
        for index, (days, opens, closes) in enumerate(parse_hours(hours)):
            self.add(
                "schedules",
                id=make_id("schedule", f"{owner}/{index}"),
                freq="WEEKLY",
                byday=",".join(days),
                opens_at=opens,
                closes_at=closes,
                description=describe_window(days, opens, closes),
                attending_type=attending,
                notes=notes,
                **link,
            )

    def add_service(self, service: Service) -> None:
        """Add a service and everything attached to it."""
        service_id = make_id("service", service.key)
        verified = verified_on(service)
        self.add(
            "services",
            id=service_id,
            organization_id=make_id("organization", service.org),
            name=service.name,
            description=service.description,
            status=service.status,
            interpretation_services=service.interpretation,
            application_process=service.application,
            fees_description=service.fees,
            wait_time=service.wait_time,
            eligibility_description=service.eligibility,
            minimum_age=service.min_age,
            maximum_age=service.max_age,
            assured_date=verified.isoformat(),
            licenses=service.licenses,
            alert=service.alert,
            last_modified=f"{verified.isoformat()}T14:00:00Z",
        )
        self.add_service_sites(service, service_id)
        self.add_schedules(
            f"service/{service.key}",
            service.hours,
            service.attending,
            service_id=service_id,
            notes=service.schedule_note,
        )
        self.add_service_details(service, service_id)
        self.add_service_phones(service, service_id)

    def add_service_sites(self, service: Service, service_id: str) -> None:
        """Link the service to its sites, with hours particular to each site."""
        notes = dict(service.site_notes)
        hours = dict(service.site_hours)
        for site_key in service.sites:
            link_id = make_id("service_at_location", f"{service.key}/{site_key}")
            self.add(
                "service_at_location",
                id=link_id,
                service_id=service_id,
                location_id=make_id("location", site_key),
                description=notes.get(site_key, ""),
            )
            self.add_schedules(
                f"service_at_location/{service.key}/{site_key}",
                hours.get(site_key, ""),
                service.attending,
                service_at_location_id=link_id,
                notes=service.schedule_note,
            )

    def add_service_details(self, service: Service, service_id: str) -> None:
        """Add the service's areas, languages, documents, costs and taxonomy terms."""
        for index, spec in enumerate(service.areas):
            name, extent, extent_type = describe_area(spec)
            self.add(
                "service_areas",
                id=make_id("service_area", f"{service.key}/{index}"),
                service_id=service_id,
                name=name,
                extent=extent,
                extent_type=extent_type,
            )
        for code in service.languages:
            self.add(
                "languages",
                id=make_id("language", f"{service.key}/{code}"),
                service_id=service_id,
                name=LANGUAGE_NAMES[code],
                code=code,
                note=LANGUAGE_NOTES.get(code, ""),
            )
        for index, document in enumerate(service.documents):
            self.add(
                "required_documents",
                id=make_id("required_document", f"{service.key}/{index}"),
                service_id=service_id,
                document=document,
            )
        self.add_costs(service, service_id)
        for code in service.terms:
            self.add(
                "attributes",
                id=make_id("attribute", f"{service.key}/{code}"),
                link_id=service_id,
                taxonomy_term_id=make_id("term", code),
                link_entity="service",
            )

    def add_costs(self, service: Service, service_id: str) -> None:
        """Add the service's cost options in US dollars."""
        for index, (option, amount, note) in enumerate(cost_options(service)):
            self.add(
                "cost_options",
                id=make_id("cost_option", f"{service.key}/{index}"),
                service_id=service_id,
                option=option,
                currency="USD",
                amount=format_amount(amount),
                amount_description=note,
            )

    def add_service_phones(self, service: Service, service_id: str) -> None:
        """Add the service's own line, or the organization's number with an extension."""
        if not service.line:
            return
        always_open = service.hours == "DAILY 00:00-00:00"
        if service.line == "own":
            area = area_code(self.sites[service.sites[0]].postal_code) if service.sites else "216"
            number = self.phone_book.take(area)
            label = "Answered 24 hours a day" if always_open else "Direct line"
            self.add_phone(number, service_id=service_id, description=label)
        else:
            number = self.org_numbers[service.org]
            extension = service.line.removeprefix("ext:")
            self.add_phone(number, service_id=service_id, extension=extension)
        if service.text_line:
            label = "Text this number any time" if always_open else "Text messages"
            self.add_phone(number, "text", service_id=service_id, description=label)


def check_catalog() -> list[str]:
    """Return every problem in the catalog: unknown references, places and missing notes."""
    problems = []
    orgs = {org.key for org in ORGANIZATIONS}
    sites = {site.key: site for site in SITES}
    terms = {term.code for term in TERMS}
    for org in ORGANIZATIONS:
        if org.parent and org.parent not in orgs:
            problems.append(f"organization {org.key}: unknown parent {org.parent}")
    for site in SITES:
        if site.org not in orgs:
            problems.append(f"site {site.key}: unknown organization {site.org}")
        if zip_info(site.postal_code)["county"].removesuffix(" County") not in COUNTIES:
            problems.append(f"site {site.key}: ZIP code {site.postal_code} is outside the area")
    for service in SERVICES:
        problems.extend(check_service(service, orgs, sites, terms))
    keys = [service.key for service in SERVICES]
    problems.extend(f"service {key}: defined twice" for key in set(keys) if keys.count(key) > 1)
    return problems


def check_service(service: Service, orgs: set[str], sites: dict, terms: set[str]) -> list[str]:
    """Return the problems of one service."""
    where = f"service {service.key}"
    problems = [f"{where}: unknown organization {service.org}"] if service.org not in orgs else []
    problems += [f"{where}: unknown site {s}" for s in service.sites if s not in sites]
    problems += [f"{where}: unknown term {t}" for t in service.terms if t not in terms]
    problems += [f"{where}: unknown language {c}" for c in service.languages
                 if c not in LANGUAGE_NAMES]  # fmt: skip
    if not service.sites and not service.areas:
        problems.append(f"{where}: needs a site or a service area")
    hourless = not service.hours and not service.site_hours
    if hourless and "call for hours" not in service.application.lower():
        problems.append(f"{where}: without hours, the application process must say to call")
    return problems


def field_schema(table: str, column: str) -> dict:
    """Return the Frictionless field descriptor of one column."""
    field: dict = {"name": column, "type": "string"}
    if column in UUID_COLUMNS:
        field["format"] = "uuid"
    field.update(FIELD_TYPES.get(column, {}))
    if column in REQUIRED[table]:
        field["constraints"] = {"required": True}
    return field


def foreign_keys(table: str) -> list[dict]:
    """Return the Frictionless foreign keys of a table (an empty resource means itself)."""
    keys = []
    for column in COLUMNS[table]:
        target = FOREIGN_KEYS.get(column)
        if target:
            resource = "" if target == table else target
            keys.append({"fields": column, "reference": {"resource": resource, "fields": "id"}})
    return keys


def datapackage() -> dict:
    """Return the Frictionless data package descriptor of the directory."""
    resources = []
    for table, columns in COLUMNS.items():
        schema: dict = {"fields": [field_schema(table, column) for column in columns]}
        schema["primaryKey"] = "id"
        schema["foreignKeys"] = foreign_keys(table)
        resources.append(
            {
                "name": table,
                "path": f"{table}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    return {
        "name": "greater-cleveland-starter-directory",
        "title": "Greater Cleveland starter directory (fictional)",
        "description": "A starter directory of fictional social services in Greater Cleveland,"
        " Ohio, in Open Referral HSDS 3.0 tabular form. Organizations, people, phone numbers and"
        " addresses are invented.",
        "profile": "tabular-data-package",
        "keywords": ["Open Referral", "HSDS 3.0", "Cleveland", "social services"],
        "licenses": [
            {
                "name": "CC0-1.0",
                "title": "Creative Commons Zero v1.0 Universal",
                "path": "https://creativecommons.org/publicdomain/zero/1.0/",
            }
        ],
        "resources": resources,
    }


def write_package(tables: dict[str, list[Row]], out_dir: Path) -> None:
    """Write each table as `<name>.csv` and the descriptor as `datapackage.json`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        with (out_dir / f"{table}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS[table], lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    text = json.dumps(datapackage(), indent=2, ensure_ascii=False) + "\n"
    (out_dir / "datapackage.json").write_text(text, encoding="utf-8", newline="\n")


def main(argv: list[str] | None = None) -> int:
    """Check the catalog, then write the package to the folder given (or the default)."""
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else DEFAULT_OUT
    problems = check_catalog()
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    tables = PackageBuilder().build()
    write_package(tables, out_dir)
    counts = ", ".join(f"{len(rows)} {table}" for table, rows in tables.items())
    print(f"Wrote {out_dir}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
