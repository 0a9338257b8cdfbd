"""Writing records as HSDS 3.0: a tabular package (CSV, datapackage.json) or service documents.

Decisions a reader of the output should know:
- Service areas: one `service_areas.csv` row per area, `extent_type` = kind (postal_code, county,
  state, nationwide) and `extent` = value (`33136`, `FL:Miami-Dade County`, `FL`, blank).
- Hours: see `schedules.py` (one row per owner and opening/closing pair, `byday` for the days).
- Languages: one row per language with its ISO `code` and English `name`.
- Records without ids get stable UUIDs derived from their owner (see `objects.py`).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from referral.directory.hsds import objects
from referral.directory.records import (
    Location,
    Organization,
    Package,
    ServiceAtLocation,
    TaxonomyTerm,
)

# HSDS 3.0 tabular files: columns in specification order, `*` marking required ones.
COLUMNS = {
    "organizations": (
        "id* name* alternate_name description* email website tax_status tax_id year_incorporated "
        "legal_status logo uri parent_organization_id"
    ),
    "services": (
        "id* organization_id* program_id name* alternate_name description url email status* "
        "interpretation_services application_process fees_description wait_time fees "
        "accreditations eligibility_description minimum_age maximum_age assured_date "
        "assurer_email licenses alert last_modified"
    ),
    "attributes": "id* link_id* taxonomy_term_id* link_type link_entity* value",
    "service_at_location": "id* service_id* location_id* description",
    "locations": (
        "id* location_type* url organization_id name alternate_name description transportation "
        "latitude longitude external_identifier external_identifier_type"
    ),
    "phones": (
        "id* location_id service_id organization_id contact_id service_at_location_id number* "
        "extension type description"
    ),
    "addresses": (
        "id* location_id attention address_1* address_2 city* region state_province* "
        "postal_code* country* address_type*"
    ),
    "schedules": (
        "id* service_id location_id service_at_location_id valid_from valid_to dtstart timezone "
        "until count wkst freq interval byday byweekno bymonthday byyearday description opens_at "
        "closes_at schedule_link attending_type notes"
    ),
    "service_areas": "id* service_id name description extent extent_type uri",
    "required_documents": "id* service_id document uri",
    "languages": "id* service_id location_id phone_id name code note",
    "accessibility": "id* location_id description details url",
    "taxonomy_terms": (
        "id* code name* description* parent_id taxonomy language taxonomy_id term_uri"
    ),
    "taxonomies": "id* name* description* uri version",
    "cost_options": "id* service_id* valid_from valid_to option currency amount amount_description",
    "metadata": (
        "id* resource_id* resource_type* last_action_date* last_action_type* field_name* "
        "previous_value* replacement_value* updated_by*"
    ),
}
FILE_NAMES = {name: f"{name}.csv" for name in COLUMNS}
ALWAYS = ("organizations", "services")
NUMBERS = {"latitude", "longitude", "minimum_age", "maximum_age", "amount"}
TYPES = {"year_incorporated": "integer", "assured_date": "date"}


def write_csv(package: Package, folder: Path) -> None:
    """Write `package` as an HSDS 3.0 tabular package into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    for name, rows in package_tables(package).items():
        if rows or name in ALWAYS:
            columns = _columns(name, rows)
            _write_rows(folder / FILE_NAMES[name], columns, rows)
            resources.append(_resource(name, columns))
    descriptor = {"profile": "tabular-data-package", "name": "hsds", "resources": resources}
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2) + "\n", "utf-8")


def write_json(package: Package, path: Path) -> None:
    """Write every service of `package` as a JSON list of HSDS 3.0 service documents."""
    links = _links_by_service(package)
    history: dict[str, list[dict]] = {}
    for entry in package.metadata:
        if entry["resource_type"] == "service":
            history.setdefault(entry["resource_id"], []).append(entry)
    documents = [
        {**_service_document(package, sid, links.get(sid, [])), "metadata": history.get(sid, [])}
        for sid in package.services
    ]
    Path(path).write_text(json.dumps(documents, indent=2, ensure_ascii=False) + "\n", "utf-8")


def service_document(package: Package, service_id: str) -> dict:
    """The fully nested HSDS 3.0 document of one service."""
    links = [
        link for link in package.service_at_locations.values() if link.service_id == service_id
    ]
    return _service_document(package, service_id, links)


def _service_document(package: Package, service_id: str, links: list[ServiceAtLocation]) -> dict:
    """A service document, given the service's links to locations."""
    service = package.services[service_id]
    organization = package.organizations.get(service.organization_id)
    return {
        **objects.service_fields(service),
        "organization": _organization_object(organization) if organization else None,
        "service_at_locations": [_service_at_location_object(package, link) for link in links],
        **objects.service_lists(service, package),
    }


def _links_by_service(package: Package) -> dict[str, list[ServiceAtLocation]]:
    """Each service's links to locations."""
    links: dict[str, list[ServiceAtLocation]] = {}
    for link in package.service_at_locations.values():
        links.setdefault(link.service_id, []).append(link)
    return links


def organization_document(package: Package, organization_id: str) -> dict:
    """An organization with its phones, its locations and a summary of its services."""
    organization = package.organizations[organization_id]
    return {
        **_organization_object(organization),
        "locations": [
            _location_object(location)
            for location in package.locations.values()
            if location.organization_id == organization_id
        ],
        "services": [
            {"id": service.id, "name": service.name, "status": service.status}
            for service in package.services.values()
            if service.organization_id == organization_id
        ],
    }


def taxonomy_term_document(term: TaxonomyTerm) -> dict:
    """A taxonomy term, with its taxonomy named in `taxonomy_detail`."""
    detail = {"id": objects.taxonomy_id(term.taxonomy), "name": term.taxonomy, "description": ""}
    return {
        **objects.taxonomy_term_object(term),
        "taxonomy_detail": detail if term.taxonomy else None,
    }


def _organization_object(organization: Organization) -> dict:
    """An organization's fields and phones."""
    return {**objects.organization_fields(organization), **objects.organization_lists(organization)}


def _location_object(location: Location) -> dict:
    """A location's fields and nested lists."""
    return {**objects.location_fields(location), **objects.location_lists(location)}


def _service_at_location_object(package: Package, link: ServiceAtLocation) -> dict:
    """A service_at_location with its location nested."""
    location = package.locations.get(link.location_id)
    return {
        **objects.service_at_location_fields(link),
        **objects.service_at_location_lists(link),
        "location": _location_object(location) if location else None,
    }


def package_tables(package: Package) -> dict[str, list[dict]]:
    """The rows of every HSDS 3.0 table for `package`."""
    tables: dict[str, list[dict]] = {name: [] for name in COLUMNS}
    for organization in package.organizations.values():
        _add(tables, "organizations", objects.organization_fields(organization))
        _add_lists(tables, objects.organization_lists(organization))
    for service in package.services.values():
        _add(tables, "services", objects.service_fields(service))
        _add_lists(tables, objects.service_lists(service, package))
    for location in package.locations.values():
        _add(tables, "locations", objects.location_fields(location))
        _add_lists(tables, objects.location_lists(location))
    for link in package.service_at_locations.values():
        _add(tables, "service_at_location", objects.service_at_location_fields(link))
        _add_lists(tables, objects.service_at_location_lists(link))
    for term in package.taxonomy_terms.values():
        _add(tables, "taxonomy_terms", objects.taxonomy_term_object(term))
    names = dict.fromkeys(
        term.taxonomy for term in package.taxonomy_terms.values() if term.taxonomy
    )
    for name in names:
        _add(
            tables, "taxonomies", {"id": objects.taxonomy_id(name), "name": name, "description": ""}
        )
    tables["metadata"] = list(package.metadata)
    return tables


def _add(tables: dict[str, list[dict]], name: str, item: dict) -> None:
    """Add one object as a row, without what it nests."""
    tables[name].append({k: v for k, v in item.items() if not isinstance(v, (dict, list))})


def _add_lists(tables: dict[str, list[dict]], lists: dict[str, list[dict]]) -> None:
    """Add the items of nested lists to their tables."""
    for key, items in lists.items():
        for item in items:
            _add(tables, key, item)


def _columns(name: str, rows: list[dict]) -> list[str]:
    """The required columns of a table plus those any row fills."""
    filled = {key for row in rows for key, value in row.items() if value not in (None, "")}
    return [
        column.rstrip("*")
        for column in COLUMNS[name].split()
        if column.endswith("*") or column in filled
    ]


def _write_rows(path: Path, columns: list[str], rows: list[dict]) -> None:
    """Write rows as a UTF-8 CSV file, blank for missing values."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: "" if value is None else value for key, value in row.items()})


def _resource(name: str, columns: list[str]) -> dict:
    """The datapackage.json resource describing one file."""
    fields = [{"name": column, "type": _type(column)} for column in columns]
    return {
        "name": name,
        "path": FILE_NAMES[name],
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": fields, "primaryKey": "id"},
    }


def _type(column: str) -> str:
    """The Table Schema type of a column."""
    return "number" if column in NUMBERS else TYPES.get(column, "string")
