"""The files of a tabular HSDS package (1.x, 2.x or 3.0 names) read into canonical tables."""

from __future__ import annotations

from collections.abc import Callable

from referral.directory.hsds.rows import Table, Tables
from referral.directory.hsds.sources import Source, read_descriptor, read_table
from referral.directory.records import Problem

# Canonical table → the files that may hold it, with the 1.x column names read as 3.0 ones
# and the values a file implies (`physical_addresses.csv` holds physical addresses).
FILES: dict[str, list[tuple[str, dict[str, str], dict[str, str]]]] = {
    "organizations": [("organizations.csv", {"website": "url"}, {})],
    "services": [("services.csv", {"fees_description": "fees"}, {})],
    "locations": [("locations.csv", {}, {})],
    "service_at_location": [
        ("service_at_location.csv", {}, {}),
        ("services_at_location.csv", {}, {}),
    ],
    "phones": [("phones.csv", {}, {})],
    "addresses": [
        ("addresses.csv", {}, {}),
        ("physical_addresses.csv", {}, {"address_type": "physical"}),
        ("postal_addresses.csv", {}, {"address_type": "postal"}),
    ],
    "schedules": [("schedules.csv", {}, {})],
    "regular_schedules": [("regular_schedules.csv", {}, {})],
    "taxonomy_terms": [
        ("taxonomy_terms.csv", {}, {}),
        ("taxonomy.csv", {"taxonomy": "vocabulary"}, {}),
    ],
    "taxonomies": [("taxonomies.csv", {}, {})],
    "attributes": [("attributes.csv", {}, {})],
    "service_taxonomy": [
        ("services_taxonomy.csv", {"taxonomy_term_id": "taxonomy_id"}, {}),
        ("service_taxonomy.csv", {"taxonomy_term_id": "taxonomy_id"}, {}),
    ],
    "languages": [("languages.csv", {"name": "language"}, {})],
    "eligibility": [("eligibility.csv", {}, {})],
    "accessibility": [
        ("accessibility.csv", {}, {}),
        ("accessibility_for_disabilities.csv", {"description": "accessibility"}, {}),
    ],
    "service_areas": [
        ("service_areas.csv", {"name": "service_area"}, {}),
        ("service_area.csv", {"name": "service_area"}, {}),
    ],
    "required_documents": [("required_documents.csv", {}, {})],
    "cost_options": [("cost_options.csv", {}, {})],
    "contacts": [("contacts.csv", {}, {})],
    "organization_identifiers": [("organization_identifiers.csv", {}, {})],
}

REQUIRED_FILES = ("organizations", "services")
REQUIRED_COLUMNS = {
    "organizations": ("id", "name"),
    "services": ("id", "name", "organization_id"),
    "locations": ("id",),
    "service_at_location": ("service_id", "location_id"),
    "phones": ("number",),
    "taxonomy_terms": ("id", "name"),
    "attributes": ("link_id", "taxonomy_term_id"),
    "service_taxonomy": ("service_id", "taxonomy_term_id"),
    "eligibility": ("eligibility",),
    "required_documents": ("document",),
}


def read_tables(source: Source, progress: Callable[[str], None]) -> tuple[Tables, list[Problem]]:
    """Every known file of the package as canonical tables, with the problems found reading them."""
    declared, problems = read_descriptor(source)
    tables: Tables = {}
    for name, files in FILES.items():
        for file, aliases, defaults in files:
            if file in source.files:
                table, found = _read_one(source, file, declared.get(file, {}))
                table.aliases = _aliases(table, aliases)
                table.defaults = defaults
                progress(f"{file}: {len(table.rows):,} rows")
                tables.setdefault(name, []).append(table)
                problems += found + _missing_columns(name, table)
    problems += _missing_files(tables)
    return tables, problems


def _read_one(source: Source, file: str, resource: dict) -> tuple[Table, list[Problem]]:
    """One file decoded with the encoding its datapackage.json resource declares."""
    encoding = resource.get("encoding") if isinstance(resource, dict) else None
    return read_table(file, source.read(file), encoding if isinstance(encoding, str) else None)


def _aliases(table: Table, aliases: dict[str, str]) -> dict[str, str]:
    """The 1.x column names this file actually uses for 3.0 columns it lacks."""
    return {new: old for new, old in aliases.items() if new not in table.columns}


def _missing_columns(name: str, table: Table) -> list[Problem]:
    """Errors for required columns the file does not have."""
    missing = [c for c in REQUIRED_COLUMNS.get(name, ()) if not table.has(c)]
    if name == "languages" and not (table.has("name") or table.has("code")):
        missing.append("name")
    return [Problem(table.file, 1, table.column(c), "required column is missing") for c in missing]


def _missing_files(tables: Tables) -> list[Problem]:
    """Errors for required files the package does not have."""
    return [
        Problem(FILES[name][0][0], None, "", "required file is missing")
        for name in REQUIRED_FILES
        if name not in tables
    ]
