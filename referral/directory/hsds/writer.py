"""Writing records as HSDS 3.0: a tabular package (CSV, datapackage.json) or service documents.

Decisions a reader of the output should know:
- Service areas: one `service_areas.csv` row per area, `extent_type` = kind (postal_code, county,
  state, nationwide) and `extent` = value (`33136`, `FL:Miami-Dade County`, `FL`, blank).
- Hours: see `schedules.py` (one row per owner and opening/closing pair, `byday` for the days).
- Languages: one row per language with its ISO `code` and English `name`.
- Ids are UUIDs: the directory's own ids published as in `identity.py`; records without ids get
  UUIDs derived from their owner (see `objects.py`).
- Every file has every column of its table, in the specification's order, and
  `datapackage.json` carries the specification's own field definitions.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

from referral.directory.hsds import objects
from referral.directory.hsds.identity import hsds_id
from referral.directory.hsds.objects import publish
from referral.directory.records import (
    Location,
    Organization,
    Package,
    ServiceAtLocation,
    TaxonomyTerm,
)

SPEC = Path(__file__).with_name("spec") / "datapackage.json"
# The tables this directory writes, in the order of the specification's datapackage.json.
TABLES = (
    "organizations",
    "organization_identifiers",
    "services",
    "attributes",
    "service_at_location",
    "locations",
    "phones",
    "contacts",
    "addresses",
    "schedules",
    "service_areas",
    "required_documents",
    "languages",
    "accessibility",
    "taxonomy_terms",
    "metadata",
    "cost_options",
    "taxonomies",
)
ALWAYS = ("organizations", "services")
FILE_NAMES = {name: f"{name}.csv" for name in TABLES}


@cache
def spec_resources() -> dict[str, dict]:
    """The specification's resource of each table, by file name without `.csv`."""
    descriptor = json.loads(SPEC.read_text(encoding="utf-8"))
    return {resource["path"].removesuffix(".csv"): resource for resource in descriptor["resources"]}


def columns_of(name: str) -> list[str]:
    """Every column of an HSDS 3.0 table, in the order the specification gives them."""
    return [field["name"] for field in spec_resources()[name]["schema"]["fields"]]


def write_csv(package: Package, folder: Path) -> None:
    """Write `package` as an HSDS 3.0 tabular package into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        name: rows for name, rows in package_tables(package).items() if rows or name in ALWAYS
    }
    for name, rows in tables.items():
        _write_rows(folder / FILE_NAMES[name], columns_of(name), rows)
    resources = [_resource(name, set(tables)) for name in tables]
    descriptor = {
        "profile": "tabular-data-package",
        "name": "human_services_data",
        "version": "3.0.0",
        "resources": resources,
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2) + "\n", "utf-8")


def write_json(package: Package, path: Path) -> None:
    """Write every service of `package` as a JSON list of HSDS 3.0 service documents."""
    links = _links_by_service(package)
    history: dict[str, list[dict]] = {}
    for entry in package.metadata:
        if entry["resource_type"] == "service":
            history.setdefault(entry["resource_id"], []).append(entry)
    documents = [
        publish(
            {**_service_fields(package, sid, links.get(sid, [])), "metadata": history.get(sid, [])},
            "service",
        )
        for sid in published_order(package.services, "service")
    ]
    Path(path).write_text(json.dumps(documents, indent=2, ensure_ascii=False) + "\n", "utf-8")


def service_document(package: Package, service_id: str, published: bool = True) -> dict:
    """The fully nested HSDS 3.0 document of one service, ids published as UUIDs or not."""
    links = [
        link for link in package.service_at_locations.values() if link.service_id == service_id
    ]
    document = _service_fields(package, service_id, links)
    return publish(document, "service") if published else document


def _service_fields(package: Package, service_id: str, links: list[ServiceAtLocation]) -> dict:
    """A service document with the directory's ids, given the service's links to locations."""
    service = package.services[service_id]
    organization = package.organizations.get(service.organization_id)
    nested = {"organization": _organization_object(organization)} if organization else {}
    return {
        **objects.service_fields(service),
        **nested,
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
    document = {
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
    return publish(document, "organization")


def taxonomy_term_document(term: TaxonomyTerm) -> dict:
    """A taxonomy term, with its taxonomy named in `taxonomy_detail` when it has one."""
    detail = {"taxonomy_detail": objects.taxonomy_object(term.taxonomy)} if term.taxonomy else {}
    return publish({**objects.taxonomy_term_object(term), **detail}, "taxonomy_term")


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
        **({"location": _location_object(location)} if location else {}),
    }


def published_order(records: dict, kind: str) -> list[str]:
    """The ids of `records` in the order of the ids they are published under, so that an
    export and the export of its import list everything in the same order."""
    return sorted(records, key=lambda key: hsds_id(kind, key) or "")


def in_order(records: dict, kind: str) -> list:
    """The records themselves, in published order."""
    return [records[key] for key in published_order(records, kind)]


def package_tables(package: Package) -> dict[str, list[dict]]:
    """The rows of every HSDS 3.0 table for `package`, ids published as UUIDs."""
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    for organization in in_order(package.organizations, "organization"):
        _add(tables, "organizations", objects.organization_fields(organization))
        _add_lists(tables, objects.organization_lists(organization))
    for service in in_order(package.services, "service"):
        _add(tables, "services", objects.service_fields(service))
        _add_lists(tables, objects.service_lists(service, package))
    for location in in_order(package.locations, "location"):
        _add(tables, "locations", objects.location_fields(location))
        _add_lists(tables, objects.location_lists(location))
    for link in in_order(package.service_at_locations, "service_at_location"):
        _add(tables, "service_at_location", objects.service_at_location_fields(link))
        _add_lists(tables, objects.service_at_location_lists(link))
    for term in in_order(package.taxonomy_terms, "taxonomy_term"):
        _add(tables, "taxonomy_terms", objects.taxonomy_term_object(term))
    names = dict.fromkeys(
        term.taxonomy for term in package.taxonomy_terms.values() if term.taxonomy
    )
    for name in names:
        _add(tables, "taxonomies", objects.taxonomy_object(name))
    for entry in package.metadata:
        _add(tables, "metadata", entry)
    return tables


TABLE_OF = {"service_at_locations": "service_at_location"}
KIND_OF = {name: name.removesuffix("s") for name in TABLES} | {
    "addresses": "address",
    "accessibility": "accessibility",
    "metadata": "metadata",
    "taxonomies": "taxonomy",
    "service_at_location": "service_at_location",
}


def _add(tables: dict[str, list[dict]], name: str, item: dict) -> None:
    """Add one object as a published row, without what it nests; nested phones go too."""
    row = publish({k: v for k, v in item.items() if not isinstance(v, (dict, list))}, KIND_OF[name])
    tables[name].append(row)
    if name == "contacts":
        _add_lists(tables, {"phones": item.get("phones", [])})


def _add_lists(tables: dict[str, list[dict]], lists: dict[str, list[dict]]) -> None:
    """Add the items of nested lists to their tables."""
    for key, items in lists.items():
        for item in items:
            _add(tables, TABLE_OF.get(key, key), item)


def _write_rows(path: Path, columns: list[str], rows: list[dict]) -> None:
    """Write rows as a UTF-8 CSV file, blank for missing values."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: "" if value is None else value for key, value in row.items()})


def _resource(name: str, written: set[str]) -> dict:
    """The specification's resource of one file, as this export fills it.

    Its field definitions are the specification's own. Required text columns without a format
    may be empty (an organization with no description), so for them an empty value is a value,
    not a missing one; foreign keys to tables this export does not write are left out.
    """
    spec = spec_resources()[name]
    fields = [_field(field) for field in spec["schema"]["fields"]]
    keys = [
        key
        for key in spec["schema"].get("foreignKeys", [])
        if key["reference"]["resource"] in {spec_resources()[t]["name"] for t in written}
    ]
    schema = {"fields": fields, "primaryKey": spec["schema"].get("primaryKey", "id")}
    return {
        "name": spec["name"],
        "path": FILE_NAMES[name],
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema | ({"foreignKeys": keys} if keys else {}),
    }


def _field(field: dict) -> dict:
    """A specification field as Table Schema reads it, blank allowed where it is required."""
    found = {k: field[k] for k in ("name", "type", "format", "title", "constraints") if k in field}
    constraints = found.get("constraints", {})
    if constraints.get("required") and field.get("type") == "string" and "format" not in field:
        found["missingValues"] = []
    return found
