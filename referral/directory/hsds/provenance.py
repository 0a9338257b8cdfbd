"""Original ids carried back in from our own HSDS 3.0 exports.

An export publishes an organization or location whose id is not a UUID under a derived UUID and
keeps the original id beside it: an organization identifier, or the location's external
identifier, of type `source_id`. Reading such a package puts the original ids back, so importing
an export matches the records it came from and exporting again writes the same files. An
identifier counts only when the UUID is the one derived from it.
"""

from __future__ import annotations

from collections.abc import Callable

from referral.directory.hsds.identity import SOURCE_ID, hsds_id
from referral.directory.hsds.rows import Row, Tables, rows_of
from referral.directory.records import Problem

OTHER_IDENTIFIER = "organization identifiers other than the source id are not kept; skipped"

# What `link_entity` names each table's records by, where an attribute's `link_id` points at them.
ENTITIES = {
    "organizations": "organization",
    "services": "service",
    "locations": "location",
    "service_at_location": "service_at_location",
}

# Each table whose records are published under a UUID, with the columns that link to them.
PUBLISHED_LINKS = {
    "organizations": ("organization_id", "parent_organization_id"),
    "services": ("service_id",),
    "locations": ("location_id",),
    "service_at_location": ("service_at_location_id",),
    "taxonomy_terms": ("taxonomy_term_id", "parent_id"),
}

# Given a table and the ids a package gives its records: those that are the published UUIDs of
# records already in the directory, mapped to those records' own ids.
KnownIds = Callable[[str, list[str]], dict[str, str]]


def restore_source_ids(tables: Tables, problems: list[Problem]) -> None:
    """Give organizations and locations back the original ids their published UUIDs stand for."""
    organizations = _organization_ids(tables, problems)
    locations = {
        row.id(): row.text("external_identifier")
        for row in rows_of(tables, "locations")
        if _stands_for(row, "location", "external_identifier", "external_identifier_type")
    }
    _rename(tables, "organizations", ("organization_id", "parent_organization_id"), organizations)
    _rename(tables, "locations", ("location_id",), locations)


def _organization_ids(tables: Tables, problems: list[Problem]) -> dict[str, str]:
    """Published organization UUID → original id, from `source_id` identifiers."""
    found: dict[str, str] = {}
    for row in rows_of(tables, "organization_identifiers"):
        if row.text("identifier_type") != SOURCE_ID:
            problems.append(row.problem("identifier_type", OTHER_IDENTIFIER, "warning"))
        elif hsds_id("organization", row.text("identifier")) == row.id("organization_id"):
            found[row.id("organization_id")] = row.text("identifier")
    return found


def _stands_for(row: Row, kind: str, column: str, type_column: str) -> bool:
    """Whether a row's id is the UUID published for the original id in `column`."""
    original = row.text(column)
    return row.text(type_column) == SOURCE_ID and hsds_id(kind, original) == row.id()


def _rename(tables: Tables, table: str, columns: tuple[str, ...], ids: dict[str, str]) -> None:
    """Replace published ids by original ones: the records' own ids and every link to them."""
    if not ids:
        return
    for row in rows_of(tables, table):
        _replace(row, "id", ids)
    for group in tables.values():
        for each in group:
            for row in each.rows:
                for column in columns:
                    _replace(row, column, ids)
    for row in rows_of(tables, "attributes"):
        if (row.text("link_entity").lower() or "service") == ENTITIES.get(table):
            _replace(row, "link_id", ids)


def _replace(row: Row, column: str, ids: dict[str, str]) -> None:
    """Replace one column's value when it is a published id of `ids`."""
    key = row.table.column(column)
    value = row.values.get(key)
    if isinstance(value, str) and value.strip() in ids:
        row.values[key] = ids[value.strip()]


def adopt_known_ids(tables: Tables, known: KnownIds) -> None:
    """Give records published from this directory back their own ids, so re-import updates them."""
    for table, columns in PUBLISHED_LINKS.items():
        ids = [row.id() for row in rows_of(tables, table) if row.id()]
        _rename(tables, table, columns, known(table, ids) if ids else {})
