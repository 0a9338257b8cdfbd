"""HSDS 3.0 JSON service documents flattened into the same tables a tabular package gives."""

from __future__ import annotations

import json
from collections.abc import Callable

from referral.directory.hsds.rows import Row, Table, Tables
from referral.directory.records import Problem

# For each nested list: the table it fills and the link column its parent gives each item.
SERVICE_LISTS = {
    "phones": ("phones", "service_id"),
    "schedules": ("schedules", "service_id"),
    "languages": ("languages", "service_id"),
    "service_areas": ("service_areas", "service_id"),
    "required_documents": ("required_documents", "service_id"),
    "cost_options": ("cost_options", "service_id"),
    "attributes": ("attributes", "link_id"),
    "contacts": ("contacts", "service_id"),
}
LOCATION_LISTS = {
    "addresses": ("addresses", "location_id"),
    "phones": ("phones", "location_id"),
    "schedules": ("schedules", "location_id"),
    "languages": ("languages", "location_id"),
    "accessibility": ("accessibility", "location_id"),
    "contacts": ("contacts", "location_id"),
}
SAL_LISTS = {
    "phones": ("phones", "service_at_location_id"),
    "schedules": ("schedules", "service_at_location_id"),
    "contacts": ("contacts", "service_at_location_id"),
}
ORGANIZATION_LISTS = {
    "phones": ("phones", "organization_id"),
    "contacts": ("contacts", "organization_id"),
    "organization_identifiers": ("organization_identifiers", "organization_id"),
}
CONTACT_LISTS = {"phones": ("phones", "contact_id")}


def read_documents(
    file: str, data: bytes, progress: Callable[[str], None]
) -> tuple[Tables, list[Problem]]:
    """The tables held by a JSON file of service documents (a list, a page or one service)."""
    try:
        loaded = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        return {}, [Problem(file, None, "", "text is not valid UTF-8", detail=str(error))]
    except ValueError as error:
        return {}, [Problem(file, None, "", "the file is not valid JSON", detail=str(error))]
    services = _service_list(loaded)
    if services is None:
        message = "the file holds no HSDS service documents"
        return {}, [Problem(file, None, "", message)]
    flattener = _Flattener(file)
    for index, document in enumerate(services):
        flattener.service(document, index)
    progress(f"{file}: {len(services):,} services")
    return flattener.tables(), flattener.problems


def _service_list(loaded: object) -> list | None:
    """The service documents in a loaded JSON value, or None when it holds none."""
    if isinstance(loaded, dict) and isinstance(loaded.get("contents"), list):
        return loaded["contents"]
    if isinstance(loaded, dict) and "id" in loaded and "name" in loaded:
        return [loaded]
    return loaded if isinstance(loaded, list) else None


class _Flattener:
    """Collects the rows of nested documents into tables, each row remembering its JSON path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.by_name: dict[str, Table] = {}
        self.seen: set[tuple[str, str]] = set()
        self.problems: list[Problem] = []
        self.number = 0

    def tables(self) -> Tables:
        """The tables filled so far."""
        return {name: [table] for name, table in self.by_name.items()}

    def service(self, document: object, index: int) -> None:
        """Flatten one service document."""
        self.number = index + 1
        path = f"services[{index}]"
        if not isinstance(document, dict):
            self.problems.append(Problem(self.file, self.number, path, "not a JSON object"))
            return
        organization = document.get("organization")
        links = {"organization_id": _id_of(organization)} if _id_of(organization) else {}
        self.add("services", document, path, links, override=False)
        service_id = _id_of(document)
        if isinstance(organization, dict):
            self.organization(organization, f"{path}.organization")
        self.lists(document, path, SERVICE_LISTS, service_id)
        self.attribute_terms(document, path)
        for position, item in enumerate(_list(document.get("service_at_locations"))):
            self.service_at_location(item, f"{path}.service_at_locations[{position}]", service_id)

    def organization(self, organization: dict, path: str) -> None:
        """Flatten an organization the first time its id is met."""
        if self.first("organizations", organization):
            self.add("organizations", organization, path)
            self.lists(organization, path, ORGANIZATION_LISTS, _id_of(organization))

    def service_at_location(self, item: object, path: str, service_id: str) -> None:
        """Flatten one service_at_location and the location it nests."""
        if not isinstance(item, dict):
            return
        location = item.get("location")
        links = {"service_id": service_id}
        if _id_of(location):
            links["location_id"] = _id_of(location)
        self.add("service_at_location", item, path, links)
        self.lists(item, path, SAL_LISTS, _id_of(item))
        if isinstance(location, dict) and self.first("locations", location):
            self.add("locations", location, f"{path}.location")
            self.lists(location, f"{path}.location", LOCATION_LISTS, _id_of(location))

    def attribute_terms(self, document: dict, path: str) -> None:
        """Flatten the taxonomy terms that attributes nest, once per term id."""
        for position, attribute in enumerate(_list(document.get("attributes"))):
            term = attribute.get("taxonomy_term") if isinstance(attribute, dict) else None
            if isinstance(term, dict) and self.first("taxonomy_terms", term):
                where = f"{path}.attributes[{position}].taxonomy_term"
                self.add("taxonomy_terms", term, where, _taxonomy_name(term), override=False)

    def lists(
        self, parent: dict, path: str, lists: dict[str, tuple[str, str]], parent_id: str
    ) -> None:
        """Flatten the nested lists of one object, linking each item to its parent."""
        for key, (table, link) in lists.items():
            for position, item in enumerate(_list(parent.get(key))):
                if isinstance(item, dict):
                    links = {link: parent_id}
                    if table == "attributes":
                        links |= _attribute_links(item)
                    where = f"{path}.{key}[{position}]"
                    self.add(table, item, where, links)
                    if table == "contacts":
                        self.lists(item, where, CONTACT_LISTS, _id_of(item))

    def first(self, table: str, item: dict) -> bool:
        """Whether an organization, location or term id is met for the first time."""
        key = (table, _id_of(item))
        if key[1] and key in self.seen:
            return False
        self.seen.add(key)
        return True

    def add(
        self, name: str, item: dict, path: str, links: dict | None = None, override: bool = True
    ) -> None:
        """Add one object as a row; `links` fill (or, with `override`, replace) link columns."""
        table = self.by_name.setdefault(name, Table(self.file))
        values = {key: value for key, value in item.items() if not isinstance(value, (dict, list))}
        for key, value in (links or {}).items():
            if override or not values.get(key):
                values[key] = value
        for key in values:
            if key not in table.columns:
                table.columns.append(key)
        table.rows.append(Row(table, values, self.number, path))


def _attribute_links(attribute: dict) -> dict[str, str]:
    """The term id an attribute takes from its nested taxonomy_term, and its entity."""
    links = {"link_entity": attribute.get("link_entity") or "service"}
    term_id = _id_of(attribute.get("taxonomy_term"))
    if term_id and not attribute.get("taxonomy_term_id"):
        links["taxonomy_term_id"] = term_id
    return links


def _taxonomy_name(term: dict) -> dict[str, str]:
    """The taxonomy name a term's nested `taxonomy_detail` gives, when it has one."""
    detail = term.get("taxonomy_detail")
    name = detail.get("name") if isinstance(detail, dict) else None
    return {"taxonomy": str(name)} if name else {}


def _id_of(item: object) -> str:
    """The id of a JSON object, or blank."""
    value = item.get("id") if isinstance(item, dict) else None
    return "" if value is None else str(value).strip()


def _list(value: object) -> list:
    """A JSON list, or an empty one when the value is anything else."""
    return value if isinstance(value, list) else []
