"""Rows that hang off services, locations and organizations: phones, addresses, hours, languages…"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from referral.directory.hsds import values
from referral.directory.hsds.areas import (
    AreaReading,
    areas_from_extent,
    is_area_kind,
    parse_area_text,
    read_area_text,
)
from referral.directory.hsds.languages import canonical_code, split_languages, unidentified
from referral.directory.hsds.rows import Row, Tables, rows_of, unique_rows
from referral.directory.hsds.schedules import hours_from_regular, hours_from_schedules
from referral.directory.records import (
    Address,
    Contact,
    CostOption,
    Hours,
    Location,
    Organization,
    Package,
    Phone,
    Problem,
    Service,
    ServiceAtLocation,
)

# Link columns in the order that decides a row's owner when several are filled.
LINKS = (
    ("contact_id", "contacts", "a contact"),
    ("service_id", "services", "a service"),
    ("service_at_location_id", "service_at_locations", "a service at a location"),
    ("location_id", "locations", "a location"),
    ("organization_id", "organizations", "an organization"),
)
PHONE_OWNERS = (
    "contact_id",
    "service_id",
    "service_at_location_id",
    "location_id",
    "organization_id",
)
CONTACT_OWNERS = ("service_id", "service_at_location_id", "location_id", "organization_id")
HOURS_OWNERS = ("service_id", "service_at_location_id", "location_id")
NOT_LINKED = "row is not linked to any record; skipped"
PHONE_ONLY = "row belongs to a phone, which keeps no such rows; skipped"
GEOMETRY = ("geojson", "topojson", "kml", "wkt")
LANGUAGE_AS_NOTE = "language could not be identified; kept with the interpretation notes"
LANGUAGE_SKIPPED = "language could not be identified; skipped"
AREA_UNREAD = "service area could not be read; skipped"
AREA_AMBIGUOUS = "service area names a city found in more than one state; skipped"
AREA_IN_PART = "part of the service area could not be read; the rest was kept"
# HSDS 1.x tables whose ids no other row links to and the directory does not keep: Miami's
# languages.csv, for one, repeats the service id on each of a service's languages. In a 3.0
# package every id must be unique.
LEGACY_FILES = {
    "physical_addresses.csv",
    "postal_addresses.csv",
    "regular_schedules.csv",
    "services_at_location.csv",
    "services_taxonomy.csv",
    "taxonomy.csv",
    "accessibility_for_disabilities.csv",
}
UNLINKED_IDS = {
    "languages",
    "eligibility",
    "accessibility",
    "required_documents",
    "regular_schedules",
    "service_taxonomy",
}

Owner = Organization | Service | Location | ServiceAtLocation | Contact
HoursOwner = Service | Location | ServiceAtLocation
Adder = Callable[[Row, Any], list[Problem]]  # the owner's type follows the link columns given


def link_children(tables: Tables, package: Package) -> None:
    """Attach every linked row of `tables` to its record in `package`."""
    for row in checked_rows(tables, "contacts", package):
        _attach(row, package, CONTACT_OWNERS, lambda r, record: _contact(r, record, package))
    for row in checked_rows(tables, "phones", package):
        _attach(row, package, PHONE_OWNERS, _phone)
    for row in checked_rows(tables, "addresses", package):
        _attach(row, package, ("location_id",), _address)
    _read_hours(tables, package)
    for row in checked_rows(tables, "languages", package):
        _attach(row, package, ("service_id", "location_id"), _language)
    for row in checked_rows(tables, "eligibility", package):
        _attach(row, package, ("service_id",), _eligibility)
    for row in checked_rows(tables, "accessibility", package):
        _attach(row, package, ("location_id",), _accessibility)
    for row in checked_rows(tables, "required_documents", package):
        _attach(row, package, ("service_id",), _document)
    for row in checked_rows(tables, "cost_options", package):
        _attach(row, package, ("service_id",), _cost_option)
    _read_areas(tables, package)
    _read_taxonomy_links(tables, package)


def checked_rows(tables: Tables, name: str, package: Package) -> Iterator[Row]:
    """The rows of a child table whose ids are not repeated (ids may be left blank).

    Each row with an id is remembered, so that later checks of that id can point at it.
    """
    linked = name not in UNLINKED_IDS or not _older_than_30(tables)
    for row in unique_rows(rows_of(tables, name), package.problems, blank_ok=True, linked=linked):
        if linked and row.id():
            package.origins[(name, row.id())] = row
        yield row


def _older_than_30(tables: Tables) -> bool:
    """Whether the package uses HSDS 1.x/2.x file names (whose link tables reuse ids freely)."""
    return any(table.file in LEGACY_FILES for group in tables.values() for table in group)


def owner(row: Row, package: Package, columns: Iterable[str]) -> tuple[Owner | None, list[Problem]]:
    """The record a row belongs to: the first filled link column in LINKS order.

    Every filled link must lead to a record in the package; a row with none is skipped.
    """
    wanted = [link for link in LINKS if link[0] in columns]
    filled = [
        (column, row.id(column), table, what) for column, table, what in wanted if row.id(column)
    ]
    problems = [
        row.problem(column, f"links to {what} that is not in the package", detail=key)
        for column, key, table, what in filled
        if key not in getattr(package, table)
    ]
    if problems:
        return None, problems
    if not filled:
        return None, [row.problem(wanted[0][0], NOT_LINKED, "warning")]
    _, key, table, _ = filled[0]
    return getattr(package, table)[key], []


def _attach(row: Row, package: Package, columns: Iterable[str], add: Adder) -> None:
    """Find a row's owner and let `add` put the row's content on it."""
    if _phone_only(row, columns):
        package.problems.append(row.problem("phone_id", PHONE_ONLY, "warning", row.id("phone_id")))
        return
    record, problems = owner(row, package, columns)
    package.problems.extend(problems)
    if record is not None:
        package.problems.extend(add(row, record))


def _phone_only(row: Row, columns: Iterable[str]) -> bool:
    """Whether a row (a language, say) belongs only to a phone, which keeps no such rows."""
    linked = any(row.id(column) for column in columns)
    return not linked and bool(row.id("phone_id"))


def _contact(row: Row, record: Owner, package: Package) -> list[Problem]:
    """Add a contact; a 1.x contact's phone (`phone_number`, `phone_areacode`) becomes its phone."""
    contact = Contact(
        id=row.id(),
        name=row.text("name"),
        title=row.text("title"),
        department=row.text("department"),
        email=row.text("email"),
    )
    number = " ".join(
        part for part in (row.text("phone_areacode"), row.text("phone_number")) if part
    )
    if number:
        contact.phones.append(Phone(number, extension=row.text("phone_extension")))
    if not (contact.id or contact.name or contact.title or contact.email or contact.phones):
        return [
            row.problem(
                "name", "contact has no id, name, title, email or phone; skipped", "warning"
            )
        ]
    record.contacts.append(contact)
    if contact.id:
        package.contacts[contact.id] = contact
    return []


def _phone(row: Row, record: Owner) -> list[Problem]:
    """Add a phone number, kept exactly as written."""
    number = row.text("number")
    if not number:
        return [row.problem("number", "phone number is blank; skipped", "warning")]
    record.phones.append(
        Phone(
            number=number,
            extension=row.text("extension"),
            type=row.text("type"),
            description=row.text("description"),
            id=row.id() or None,
        )
    )
    return []


def _address(row: Row, record: Location) -> list[Problem]:
    """Add an address; a blank country is the United States."""
    lines = [row.text("address_2"), row.text("address_3"), row.text("address_4")]
    address = Address(
        address_1=row.text("address_1"),
        city=row.text("city"),
        state_province=row.text("state_province"),
        postal_code=row.text("postal_code"),
        address_2="\n".join(line for line in lines if line),
        region=row.text("region"),
        country=row.text("country") or "US",
        attention=row.text("attention"),
        address_type=row.text("address_type").lower() or "physical",
        id=row.id() or None,
    )
    if address.address_1 or address.city or address.postal_code:
        record.addresses.append(address)
    return []


def _language(row: Row, record: Service | Location) -> list[Problem]:
    """Add the languages a row names; notes such as "Language line available" go to the service,
    and a name no language code is found for is kept there too, with a warning."""
    codes, notes = _row_languages(row)
    record.languages.extend(c for c in codes if c not in record.languages)
    if isinstance(record, Service):
        record.interpretation_services = _append_lines(record.interpretation_services, notes)
    column = "name" if row.text("name") else "code"
    noted = isinstance(record, Service) and column == "name"
    message = LANGUAGE_AS_NOTE if noted else LANGUAGE_SKIPPED
    return [row.problem(column, message, "warning", name) for name in _unknown(row, codes, notes)]


def _unknown(row: Row, codes: list[str], notes: list[str]) -> list[str]:
    """What a row names that is no language we know: a name, or a code ISO 639 does not have."""
    if row.text("name") or codes:
        return unidentified(notes)
    return [row.text("code")] if row.text("code") else []


def _row_languages(row: Row) -> tuple[list[str], list[str]]:
    """The codes and notes of a row: its ISO `code` when it is one, else what its name says."""
    code = canonical_code(row.text("code")) if row.text("code") else None
    return ([code], []) if code else split_languages(row.text("name"))


def _eligibility(row: Row, record: Service) -> list[Problem]:
    """Add a 1.x eligibility text to the service's eligibility description."""
    record.eligibility_description = _append_lines(
        record.eligibility_description, [row.text("eligibility")]
    )
    return []


def _accessibility(row: Row, record: Location) -> list[Problem]:
    """Add an accessibility note ("Handicap accessible") to the location."""
    text, details = row.text("description"), row.text("details")
    note = f"{text}: {details}" if text and details else text or details
    if note and note not in record.accessibility:
        record.accessibility.append(note)
    return []


def _document(row: Row, record: Service) -> list[Problem]:
    """Add a required document."""
    document = row.text("document")
    if document and document not in record.required_documents:
        record.required_documents.append(document)
    return []


def _cost_option(row: Row, record: Service) -> list[Problem]:
    """Add a price of the service."""
    amount, problems = values.number(row, "amount", "amount is not a number; left blank")
    record.cost_options.append(
        CostOption(
            option=row.text("option"),
            amount=amount,
            currency=row.text("currency").upper() or "USD",
            amount_description=row.text("amount_description"),
            id=row.id() or None,
        )
    )
    return problems


def _append_lines(text: str, additions: Iterable[str]) -> str:
    """`text` with each new, non-blank addition on a line of its own."""
    lines = text.split("\n") if text else []
    lines += [line for line in additions if line and line not in lines]
    return "\n".join(lines)


def _read_hours(tables: Tables, package: Package) -> None:
    """Turn each owner's schedule rows (3.0, then 1.x) into that owner's hours."""
    _set_hours(package, checked_rows(tables, "schedules", package), hours_from_schedules)
    _set_hours(package, checked_rows(tables, "regular_schedules", package), hours_from_regular)


def _set_hours(
    package: Package, rows: Iterable[Row], read: Callable[[list[Row]], tuple[Hours, list[Problem]]]
) -> None:
    """Group rows by owner and give each owner the hours `read` makes of its rows."""
    groups: dict[int, tuple[HoursOwner, list[Row]]] = {}
    for row in rows:
        record, problems = owner(row, package, HOURS_OWNERS)
        package.problems.extend(problems)
        if record is not None and not isinstance(record, Organization):
            groups.setdefault(id(record), (record, []))[1].append(row)
    for record, group in groups.values():
        hours, problems = read(group)
        package.problems.extend(problems)
        _merge_hours(record, hours)


def _merge_hours(record: HoursOwner, hours: Hours) -> None:
    """Set (or add to) a record's hours."""
    if not record.hours.windows and not record.hours.text:
        record.hours = hours
        return
    record.hours.windows = sorted(set(record.hours.windows) | set(hours.windows))
    record.hours.text = _append_lines(record.hours.text, [hours.text])


def _read_areas(tables: Tables, package: Package) -> None:
    """Service areas, from 3.0 extents or from the text of their name and description."""
    state = default_state(package)
    for row in checked_rows(tables, "service_areas", package):
        _attach(row, package, ("service_id",), lambda r, record: _area(r, record, state))


def default_state(package: Package) -> str:
    """The state most of the package's addresses are in ("FL"), or blank."""
    states = Counter(
        address.state_province.upper()
        for location in package.locations.values()
        for address in location.addresses
        if len(address.state_province) == 2
    )
    return states.most_common(1)[0][0] if states else ""


def _area(row: Row, record: Service, state: str) -> list[Problem]:
    """Add the areas one row describes; a warning for what cannot be read."""
    kind, description = row.text("extent_type").lower(), row.text("description")
    if is_area_kind(kind):
        reading = AreaReading(
            areas_from_extent(kind, row.text("extent"), row.text("name"), description)
        )
    else:
        reading = _area_text(row, kind, state)
        for area in reading.areas:
            area.description = description
    if len(reading.areas) == 1:
        reading.areas[0].id = row.id() or None
    record.service_areas.extend(reading.areas)
    return _area_problems(row, reading)


def _area_text(row: Row, kind: str, state: str) -> AreaReading:
    """The areas of a row read from its name, naming what it could not place; else those of its
    description or text extent, whose other words are not place names to report."""
    named = read_area_text(row.text("name"), state)
    if named.areas:
        return named
    texts = [row.text("description")] + ([row.text("extent")] if kind not in GEOMETRY else [])
    found = next((areas for text in texts if (areas := parse_area_text(text, state))), [])
    return AreaReading(found) if found else named


def _area_problems(row: Row, reading: AreaReading) -> list[Problem]:
    """A warning naming what a service area row says that could not be placed."""
    names = "; ".join(reading.unknown + reading.ambiguous)
    if reading.areas:
        return [row.problem("name", AREA_IN_PART, "warning", names)] if names else []
    whole = row.text("name") or row.text("description") or row.text("extent")[:80]
    only_ambiguous = reading.ambiguous and not reading.unknown
    return [
        row.problem("name", AREA_AMBIGUOUS if only_ambiguous else AREA_UNREAD, "warning", whole)
    ]


def _read_taxonomy_links(tables: Tables, package: Package) -> None:
    """Taxonomy terms of services, from 3.0 attributes or 1.x services_taxonomy."""
    for row in checked_rows(tables, "attributes", package):
        if row.text("link_entity").lower() in ("", "service"):
            _link_term(row, package, "link_id")
    for row in checked_rows(tables, "service_taxonomy", package):
        _link_term(row, package, "service_id")


def _link_term(row: Row, package: Package, service_column: str) -> None:
    """Add one taxonomy term to one service; both must be in the package."""
    service_id, term_id = row.id(service_column), row.id("taxonomy_term_id")
    if not service_id or not term_id:
        package.problems.append(row.problem(service_column, NOT_LINKED, "warning"))
        return
    problems = []
    if service_id not in package.services:
        message = "links to a service that is not in the package"
        problems.append(row.problem(service_column, message, detail=service_id))
    if term_id not in package.taxonomy_terms:
        message = "links to a taxonomy term that is not in the package"
        problems.append(row.problem("taxonomy_term_id", message, detail=term_id))
    package.problems.extend(problems)
    if not problems and term_id not in package.services[service_id].taxonomy_term_ids:
        package.services[service_id].taxonomy_term_ids.append(term_id)
