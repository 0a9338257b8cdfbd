"""Canonical tables turned into records: organizations, services, locations and their links."""

from __future__ import annotations

from collections.abc import Iterator

from referral.directory.hsds import values
from referral.directory.hsds.children import link_children
from referral.directory.hsds.rows import BLANK, Row, Tables, rows_of, unique_rows
from referral.directory.records import (
    Location,
    Organization,
    Package,
    Problem,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)


def build_package(tables: Tables, package: Package) -> None:
    """Fill `package` from canonical tables, adding every problem found."""
    read_taxonomy(tables, package)
    package.organizations = {
        o.id: o for o in _records(tables, "organizations", package, organization)
    }
    package.services = {s.id: s for s in _records(tables, "services", package, service)}
    package.locations = {loc.id: loc for loc in _records(tables, "locations", package, location)}
    read_service_at_locations(tables, package)
    rebuild_organizations(tables, package)
    settle_location_organizations(tables, package)
    link_children(tables, package)


def _records(tables: Tables, name: str, package: Package, make) -> Iterator:
    """The records of one table, skipping rows whose id is blank or already used."""
    for row in unique_rows(rows_of(tables, name), package.problems):
        record, problems = make(row)
        package.problems.extend(problems)
        if record is not None:
            yield record


def _required(row: Row, *columns: str) -> list[Problem]:
    """Errors for required columns left blank in `row`."""
    return [row.problem(column, BLANK) for column in columns if not row.text(column)]


def organization(row: Row) -> tuple[Organization | None, list[Problem]]:
    """An organization from its row."""
    problems = _required(row, "name")
    founded, found = values.year(row, "year_incorporated")
    record = Organization(
        id=row.id(),
        name=row.text("name"),
        description=row.text("description"),
        alternate_name=row.text("alternate_name"),
        email=row.text("email"),
        website=row.text("website"),
        tax_status=row.text("tax_status"),
        tax_id=row.text("tax_id"),
        year_incorporated=founded,
        legal_status=row.text("legal_status"),
    )
    return (None if problems else record), problems + found


def service(row: Row) -> tuple[Service | None, list[Problem]]:
    """A service from its row."""
    problems = _required(row, "name", "organization_id")
    status, found = values.status(row)
    minimum, found_min = values.age(row, "minimum_age")
    maximum, found_max = values.age(row, "maximum_age")
    verified, found_date = values.day(row, "assured_date")
    record = Service(
        id=row.id(),
        organization_id=row.id("organization_id"),
        name=row.text("name"),
        status=status,
        minimum_age=minimum,
        maximum_age=maximum,
        last_verified=verified,
    )
    for column in SERVICE_TEXT:
        setattr(record, column, row.text(column))
    return (None if problems else record), problems + found + found_min + found_max + found_date


SERVICE_TEXT = (
    "description",
    "alternate_name",
    "url",
    "email",
    "interpretation_services",
    "application_process",
    "fees_description",
    "wait_time",
    "accreditations",
    "licenses",
    "eligibility_description",
    "alert",
)


def location(row: Row) -> tuple[Location | None, list[Problem]]:
    """A location from its row; unusable coordinates are dropped with a warning."""
    point, problems = values.coordinates(row)
    record = Location(
        id=row.id(),
        name=row.text("name"),
        organization_id=row.id("organization_id") or None,
        alternate_name=row.text("alternate_name"),
        description=row.text("description"),
        transportation=row.text("transportation"),
        latitude=point[0] if point else None,
        longitude=point[1] if point else None,
        location_type=row.text("location_type").lower() or "physical",
    )
    return record, problems


def read_service_at_locations(tables: Tables, package: Package) -> None:
    """Links between services and locations; both ends must be in the package."""
    rows = unique_rows(rows_of(tables, "service_at_location"), package.problems, blank_ok=True)
    for row in rows:
        service_id, location_id = row.id("service_id"), row.id("location_id")
        problems = _link_problem(row, "service_id", package.services, "a service")
        problems += _link_problem(row, "location_id", package.locations, "a location")
        package.problems.extend(problems)
        if not problems:
            key = row.id() or f"{service_id}@{location_id}"
            package.service_at_locations[key] = ServiceAtLocation(
                key, service_id, location_id, row.text("description")
            )


def _link_problem(row: Row, column: str, records: dict, what: str) -> list[Problem]:
    """An error when a required link is blank or points to an id found nowhere."""
    key = row.id(column)
    if not key:
        return [row.problem(column, BLANK)]
    if key not in records:
        return [row.problem(column, f"links to {what} that is not in the package", detail=key)]
    return []


TERM_TWICE = "taxonomy term id is used by an earlier row for another term; the first is kept"


def read_taxonomy(tables: Tables, package: Package) -> None:
    """Taxonomy terms. A parent the package does not hold is kept as a link: a service document
    nests only the terms its service is filed under, and the parent may already be known.

    A term id given to two terms keeps the first, with a warning: vocabularies are shared
    reference lists that real exports get wrong (Miami names AIRS code `J` twice), and refusing
    the whole directory for a mislabelled code would help nobody.
    """
    taxonomies = unique_rows(rows_of(tables, "taxonomies"), package.problems)
    names = {row.id(): row.text("name") for row in taxonomies}
    terms = unique_rows(rows_of(tables, "taxonomy_terms"), package.problems, keep_first=TERM_TWICE)
    for row in terms:
        if not row.text("name"):
            package.problems.append(row.problem("name", BLANK))
        else:
            package.taxonomy_terms[row.id()] = _term(row, names)


def _term(row: Row, taxonomy_names: dict[str, str]) -> TaxonomyTerm:
    """A taxonomy term from its row (HSDS 1.x `taxonomy.csv` ids double as codes)."""
    is_1x = row.table.file == "taxonomy.csv"
    return TaxonomyTerm(
        id=row.id(),
        name=row.text("name"),
        code=row.text("code") or (row.id() if is_1x else ""),
        description=row.text("description"),
        parent_id=row.id("parent_id") or None,
        taxonomy=row.text("taxonomy") or taxonomy_names.get(row.id("taxonomy_id"), ""),
    )


def rebuild_organizations(tables: Tables, package: Package) -> None:
    """Give services whose organization row is missing an organization rebuilt from the package."""
    rows = {row.id(): row for row in rows_of(tables, "services")}
    message = "organization is not in the package; kept under one rebuilt from the package"
    for record in package.services.values():
        found = package.organizations.get(record.organization_id)
        if found and not found.rebuilt:
            continue
        if found is None:
            package.organizations[record.organization_id] = _rebuild(package, record)
        row = rows[record.id]
        package.problems.append(
            row.problem("organization_id", message, "warning", record.organization_id)
        )


def _rebuild(package: Package, record: Service) -> Organization:
    """An organization named by the location filed under its id, else by a service, else its id."""
    key = record.organization_id
    named = [loc for loc in package.locations.values() if loc.organization_id == key and loc.name]
    named.sort(key=lambda loc: loc.id != key)
    if named:
        return Organization(key, named[0].name, named[0].description, rebuilt=True)
    same = package.services.get(key)
    if same:
        return Organization(key, same.name, same.description, rebuilt=True)
    return Organization(key, f"Organization {key}", rebuilt=True)


def settle_location_organizations(tables: Tables, package: Package) -> None:
    """Point locations whose organization is missing at the organization of their services."""
    rows = {row.id(): row for row in rows_of(tables, "locations")}
    owners: dict[str, set[str]] = {}
    for link in package.service_at_locations.values():
        owners.setdefault(link.location_id, set()).add(
            package.services[link.service_id].organization_id
        )
    for record in package.locations.values():
        missing = record.organization_id
        if missing and missing not in package.organizations:
            found = owners.get(record.id, set())
            record.organization_id = next(iter(found)) if len(found) == 1 else None
            message = MOVED if record.organization_id else ORPHANED
            package.problems.append(
                rows[record.id].problem("organization_id", message, "warning", missing)
            )


MOVED = "location's organization is not in the package; set to its services' organization"
ORPHANED = "location's organization is not in the package; left without one"
