"""A curator's edit of a directory record: every field checked, every problem reported at once.

A patch names HSDS 3.0 fields (`name`, `phones`, `schedules`, …) with their new values; a field
left out stays as it is. The result is either the edited record with the field-by-field changes
for the audit log, or the unchanged record with every problem found, keyed by the path of the
field at fault ("phones[1].number").
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, time
from urllib.parse import urlsplit

import phonenumbers
import pycountry

from referral.directory.hsds.areas import (
    areas_from_extent,
    county_index,
    is_area_kind,
    state_names,
)
from referral.directory.hsds.languages import canonical_code, language_code
from referral.directory.hsds.schedules import BYDAY
from referral.directory.needs import NEED_KEYS
from referral.directory.records import (
    AREA_KINDS,
    SERVICE_STATUSES,
    Address,
    CostOption,
    Hours,
    Location,
    Organization,
    Phone,
    Service,
    ServiceArea,
)
from referral.patients.validation import display_phone, phone, postal_code
from referral.search.geo import zip_place
from referral.search.hours import MIDNIGHT, WEEK, WEEKDAY_NAMES, Window, window_span

PHONE_TYPES = ("voice", "fax", "text", "cell", "video", "pager", "textphone")
ADDRESS_TYPES = ("physical", "postal", "virtual")
IGNORED_FIELDS = ("id", "version", "organization_id")
NAME_LENGTH = 300
OLDEST_AGE = 120
FIRST_YEAR = 1600

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?::\d{1,5})?", re.IGNORECASE)
_CLOCK = re.compile(
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"(?:\s*(?P<half>[ap])\.?\s*m\.?)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FieldChange:
    """One field changed by an edit: its HSDS name and JSON-ready old and new values."""

    field: str
    old: object
    new: object


@dataclass(frozen=True)
class EditContext:
    """What validation needs to know beyond the record."""

    known_term_ids: frozenset[str] = frozenset()
    today: date = field(default_factory=date.today)


@dataclass(frozen=True)
class Edit:
    """The record after a patch, what changed, and every problem found (field path -> message)."""

    record: object
    changes: tuple[FieldChange, ...]
    problems: dict[str, str]
    needs_coordinates: bool = False

    @property
    def ok(self) -> bool:
        """Whether the patch could be applied (no problems)."""
        return not self.problems


@dataclass
class _Check:
    """The problems found so far in one patch, and what checking it needs to know."""

    context: EditContext
    problems: dict[str, str] = field(default_factory=dict)

    def fail(self, path: str, message: str) -> None:
        """Note a problem at `path`, keeping the first one found there."""
        self.problems.setdefault(path, message)


Reader = Callable[[object, str, _Check], object]
Record = Service | Organization | Location


# Editing ---------------------------------------------------------------------------------------


def edit_service(record: Service, patch: dict, context: EditContext | None = None) -> Edit:
    """The service with `patch` applied, or every problem that stops it."""
    check = _Check(context or EditContext())
    values = _read_patch(patch, _SERVICE_FIELDS, check)
    _check_ages(record, values, check)
    return _finish(record, values, check, service_document)


def edit_organization(
    record: Organization, patch: dict, context: EditContext | None = None
) -> Edit:
    """The organization with `patch` applied, or every problem that stops it."""
    check = _Check(context or EditContext())
    values = _read_patch(patch, _ORGANIZATION_FIELDS, check)
    return _finish(record, values, check, organization_document)


def edit_location(record: Location, patch: dict, context: EditContext | None = None) -> Edit:
    """The location with `patch` applied, or every problem that stops it.

    `needs_coordinates` is set when the physical address changed and the patch gave no latitude
    and longitude, so the caller knows to geocode the new address.
    """
    check = _Check(context or EditContext())
    values = _read_patch(patch, _LOCATION_FIELDS, check)
    _check_coordinates(patch, values, check)
    edit = _finish(record, values, check, location_document)
    if not edit.ok or {"latitude", "longitude"} & values.keys():
        return edit
    moved = _physical(location_document(record)) != _physical(location_document(edit.record))
    return replace(edit, needs_coordinates=moved)


def _finish(record: Record, values: dict, check: _Check, document: Callable[..., dict]) -> Edit:
    """The edit: the new record and its changes, or the unchanged record and the problems."""
    if check.problems:
        return Edit(record, (), dict(check.problems))
    after = replace(record, **_attributes(record, values))
    return Edit(after, _changes(document(record), document(after)), {})


def _attributes(record: Record, values: dict) -> dict:
    """Record attributes from patch values: `need_keys` and the hours fields have other names."""
    attributes = {
        key: value
        for key, value in values.items()
        if key not in ("schedules", "hours_text", "need_keys")
    }
    if "need_keys" in values:
        attributes["curated_needs"] = values["need_keys"]
    if "schedules" in values or "hours_text" in values:
        attributes["hours"] = _hours(record.hours, values)
    return attributes


def _hours(current: Hours, values: dict) -> Hours:
    """New hours; new rows without new text drop the old text, which would otherwise win."""
    windows = values.get("schedules", current.windows)
    if "hours_text" in values:
        text = values["hours_text"]
    elif sorted(windows) != sorted(current.windows):
        text = ""
    else:
        text = current.text
    return Hours(list(windows), text)


def _changes(before: dict, after: dict) -> tuple[FieldChange, ...]:
    """A change for every top-level field whose value differs."""
    return tuple(
        FieldChange(key, before[key], after[key]) for key in before if before[key] != after[key]
    )


def _physical(document: dict) -> list[dict]:
    """The physical addresses of a location document."""
    return [item for item in document["addresses"] if item["address_type"] == "physical"]


# Documents -------------------------------------------------------------------------------------


def service_document(record: Service) -> dict:
    """The editable fields of a service, in the shapes a patch takes."""
    return {
        "name": record.name,
        **{key: getattr(record, key) for key in _SERVICE_TEXTS},
        "url": record.url,
        "email": record.email,
        "status": record.status,
        "minimum_age": record.minimum_age,
        "maximum_age": record.maximum_age,
        "required_documents": list(record.required_documents),
        "hours_text": record.hours.text,
        "schedules": _schedule_items(record.hours),
        "phones": _phone_items(record.phones),
        "languages": list(record.languages),
        "service_areas": [_area_item(area) for area in record.service_areas],
        "cost_options": [_cost_item(option) for option in record.cost_options],
        "taxonomy_term_ids": list(record.taxonomy_term_ids),
        "need_keys": None if record.curated_needs is None else sorted(record.curated_needs),
    }


def organization_document(record: Organization) -> dict:
    """The editable fields of an organization, in the shapes a patch takes."""
    return {
        "name": record.name,
        "alternate_name": record.alternate_name,
        "description": record.description,
        "email": record.email,
        "website": record.website,
        "tax_status": record.tax_status,
        "tax_id": record.tax_id,
        "year_incorporated": record.year_incorporated,
        "legal_status": record.legal_status,
        "phones": _phone_items(record.phones),
    }


def location_document(record: Location) -> dict:
    """The editable fields of a location, in the shapes a patch takes."""
    return {
        "name": record.name,
        "alternate_name": record.alternate_name,
        "description": record.description,
        "transportation": record.transportation,
        "latitude": record.latitude,
        "longitude": record.longitude,
        "addresses": [_address_item(address) for address in record.addresses],
        "phones": _phone_items(record.phones),
        "hours_text": record.hours.text,
        "schedules": _schedule_items(record.hours),
        "languages": list(record.languages),
        "accessibility": list(record.accessibility),
    }


def _phone_items(phones: list[Phone]) -> list[dict]:
    """Phones as patch items."""
    return [
        {"number": p.number, "extension": p.extension, "type": p.type, "description": p.description}
        for p in phones
    ]


def _schedule_items(hours: Hours) -> list[dict]:
    """Weekly windows as patch items, one per window, in week order."""
    return [
        {
            "weekday": w.weekday,
            "opens_at": _clock_text(w.opens),
            "closes_at": _clock_text(w.closes),
        }
        for w in sorted(hours.windows)
    ]


def _clock_text(moment: time) -> str:
    """A time as "09:00" (seconds only when there are some)."""
    text = f"{moment.hour:02d}:{moment.minute:02d}"
    return f"{text}:{moment.second:02d}" if moment.second else text


def _area_item(area: ServiceArea) -> dict:
    """A service area as a patch item."""
    return {
        "kind": area.kind,
        "value": area.value,
        "name": area.name,
        "description": area.description,
    }


def _cost_item(option: CostOption) -> dict:
    """A cost option as a patch item."""
    return {
        "option": option.option,
        "amount": option.amount,
        "currency": option.currency,
        "amount_description": option.amount_description,
    }


def _address_item(address: Address) -> dict:
    """An address as a patch item."""
    return {key: getattr(address, key) for key in _ADDRESS_FIELDS if key != "id"}


# Reading a patch -------------------------------------------------------------------------------


def _read_patch(patch: dict, readers: dict[str, Reader], check: _Check) -> dict:
    """The cleaned value of every field the patch gives; problems go to `check`."""
    if not isinstance(patch, dict):
        check.fail("patch", "The edit must be an object of field names and new values.")
        return {}
    values: dict = {}
    for key, raw in patch.items():
        if key in IGNORED_FIELDS:
            continue
        if key not in readers:
            check.fail(key, f"Unknown field “{key}” (editable fields: {', '.join(readers)}).")
            continue
        try:
            values[key] = readers[key](raw, key, check)
        except ValueError as exc:
            check.fail(key, str(exc))
    return values


def _fields(
    item: object, path: str, check: _Check, readers: dict[str, Reader], noun: str
) -> dict | None:
    """The cleaned fields of one list item, or None when any of them has a problem."""
    if not isinstance(item, dict):
        check.fail(path, f"Each {noun} must be an object with the fields {', '.join(readers)}.")
        return None
    unknown = [key for key in item if key not in readers]
    for key in unknown:
        check.fail(f"{path}.{key}", f"Unknown field “{key}” ({noun} fields: {', '.join(readers)}).")
    values: dict = {}
    for key, reader in readers.items():
        try:
            values[key] = reader(item.get(key), f"{path}.{key}", check)
        except ValueError as exc:
            check.fail(f"{path}.{key}", str(exc))
    return values if len(values) == len(readers) and not unknown else None


def _scalar(read: Callable[[object], object]) -> Reader:
    """A reader for a value that needs nothing but itself."""
    return lambda raw, _path, _check: read(raw)


def _items(raw: object) -> list:
    """A list value; null counts as an empty list."""
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raise ValueError("Give a list here (an empty list removes every entry).")
    return list(raw)


def _attempt(read: Reader, raw: object, path: str, check: _Check) -> object:
    """`read` applied to one list item; None (and a problem) when the item is wrong."""
    try:
        return read(raw, path, check)
    except ValueError as exc:
        check.fail(path, str(exc))
        return None


def _list(read_item: Reader, unique: bool = False) -> Reader:
    """A reader for a list whose items `read_item` reads, at paths such as `phones[2]`."""

    def read(raw: object, path: str, check: _Check) -> list:
        found = [
            _attempt(read_item, item, f"{path}[{n}]", check) for n, item in enumerate(_items(raw))
        ]
        values = [value for value in found if value is not None]
        return list(dict.fromkeys(values)) if unique else values

    return read


# Text, numbers, addresses on the web -----------------------------------------------------------


def _text(raw: object) -> str:
    """Trimmed text; null is empty."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValueError("This must be text.")
    return raw.strip()


def _line(raw: object) -> str:
    """Text that must not be blank (an entry of a list)."""
    value = _text(raw)
    if not value:
        raise ValueError("This entry is blank. Fill it in or remove it.")
    return value


def _name(raw: object) -> str:
    """A name of at most 300 characters, possibly blank."""
    value = _text(raw)
    if len(value) > NAME_LENGTH:
        raise ValueError(f"This name is too long ({len(value)} characters; at most {NAME_LENGTH}).")
    return value


def _required_name(raw: object) -> str:
    """A non-blank name of at most 300 characters."""
    value = _name(raw)
    if not value:
        raise ValueError("Enter a name; it cannot be blank.")
    return value


def _url(raw: object) -> str:
    """An http(s) address or a bare domain ("example.org/food"), trimmed, or empty."""
    value = _text(raw)
    if not value:
        return value
    parts = urlsplit(value if "://" in value else f"http://{value}")
    if parts.scheme not in ("http", "https") or not _HOST.fullmatch(parts.netloc) or " " in value:
        raise ValueError(f"“{value}” is not a web address. Write it like https://example.org.")
    return value


def _email(raw: object) -> str:
    """An email address, or empty."""
    value = _text(raw)
    if value and not EMAIL.fullmatch(value):
        raise ValueError(f"“{value}” is not an email address. Write it like name@example.org.")
    return value


def _status(raw: object) -> str:
    """One of the HSDS service statuses ("temporarily_closed" is read as "temporarily closed")."""
    value = _text(raw).lower().replace("_", " ")
    if value not in SERVICE_STATUSES:
        raise ValueError(f"Choose a status: {_choices(SERVICE_STATUSES)}.")
    return value


def _choices(options: tuple[str, ...]) -> str:
    """Options as "a, b or c"."""
    return f"{', '.join(options[:-1])} or {options[-1]}"


def _number(raw: object) -> float | None:
    """A finite number (numeric text accepted); null or blank is None."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValueError("Enter a number.")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"“{str(raw).strip()}” is not a number.") from None
    if not math.isfinite(value):
        raise ValueError("Enter an ordinary number.")
    return value


def _age(raw: object) -> float | None:
    """An age in years from 0 to 120, or None."""
    value = _number(raw)
    if value is not None and not 0 <= value <= OLDEST_AGE:
        raise ValueError(f"An age is a number of years from 0 to {OLDEST_AGE}.")
    return value


def _check_ages(record: Service, values: dict, check: _Check) -> None:
    """Refuse a minimum age above the maximum age, counting the ages the patch leaves alone."""
    lowest = values.get("minimum_age", record.minimum_age)
    highest = values.get("maximum_age", record.maximum_age)
    if lowest is not None and highest is not None and lowest > highest:
        check.fail(
            "maximum_age",
            f"The maximum age ({highest:g}) is below the minimum age ({lowest:g}). "
            "Correct one of them.",
        )


def _year(raw: object, _path: str, check: _Check) -> int | None:
    """A year of incorporation from 1600 to this year, or None."""
    value = _number(raw)
    last = check.context.today.year
    if value is not None and (not value.is_integer() or not FIRST_YEAR <= value <= last):
        raise ValueError(f"Enter a year from {FIRST_YEAR} to {last}, or leave it blank.")
    return None if value is None else int(value)


def _id(raw: object) -> str | None:
    """An item's own id, kept when the patch gives one."""
    return _text(raw) or None


# Phones ----------------------------------------------------------------------------------------


def _phone(item: object, path: str, check: _Check) -> Phone | None:
    """A phone; an extension written in the number ("x12") fills a blank extension."""
    values = _fields(item, path, check, _PHONE_FIELDS, "phone")
    if values is None:
        return None
    if not values["extension"]:
        values["extension"] = phonenumbers.parse(item["number"], "US").extension or ""
    return Phone(**values)


def _phone_number(raw: object) -> str:
    """A valid number as people read it: "(216) 555-0100", or "+44 20 …" outside +1."""
    value = _text(raw)
    if not value:
        raise ValueError("Enter the phone number, or remove this phone.")
    number = phonenumbers.parse(phone(value), "US")
    if number.country_code == 1:
        return display_phone(
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _phone_type(raw: object) -> str:
    """An HSDS 3.0 phone type, or empty."""
    value = _text(raw).lower()
    if value and value not in PHONE_TYPES:
        raise ValueError(
            f"“{value}” is not a phone type. Choose {_choices(PHONE_TYPES)}, or leave it blank."
        )
    return value


# Schedules -------------------------------------------------------------------------------------


def _schedules(raw: object, path: str, check: _Check) -> list[Window]:
    """Weekly windows, sorted; windows that overlap each other are refused."""
    groups = [_schedule(item, f"{path}[{n}]", check) or [] for n, item in enumerate(_items(raw))]
    _check_overlaps(groups, path, check)
    return sorted(window for group in groups for window in group)


def _schedule(item: object, path: str, check: _Check) -> list[Window] | None:
    """The windows of one schedule item: its times on each of its days."""
    values = _fields(item, path, check, _SCHEDULE_FIELDS, "schedule")
    if values is None:
        return None
    days = _days(values, path, check)
    opens, closes = values["opens_at"], values["closes_at"]
    if opens == closes != MIDNIGHT:
        check.fail(
            f"{path}.closes_at",
            "It opens and closes at the same time. For a whole day use 00:00 to 00:00.",
        )
        return None
    return [Window(day, opens, closes) for day in days] if days else None


def _days(values: dict, path: str, check: _Check) -> list[int] | None:
    """The days of a schedule item, from `weekday` or from `byday`."""
    weekday, byday = values["weekday"], values["byday"]
    if weekday is not None and byday is not None:
        check.fail(f"{path}.byday", "Give the day either as weekday or as byday, not both.")
        return None
    if weekday is None and byday is None:
        check.fail(f"{path}.byday", "Give the day: byday MO to SU, or weekday 0 (Monday) to 6.")
        return None
    return weekday if weekday is not None else byday


def _weekday(raw: object) -> list[int] | None:
    """A day as a number, 0 for Monday to 6 for Sunday, or None."""
    if raw is None or raw == "":
        return None
    text = str(raw).strip()
    if not text.isdigit() or int(text) > 6:
        raise ValueError(f"“{text}” is not a weekday. Use 0 for Monday through 6 for Sunday.")
    return [int(text)]


def _byday(raw: object) -> list[int] | None:
    """Days as RFC 5545 BYDAY codes ("MO" or "MO,TU,WE"), or None."""
    codes = [code for code in re.split(r"[\s,]+", _text(raw).upper()) if code]
    if not codes:
        return None
    unknown = [code for code in codes if code not in BYDAY]
    if unknown:
        raise ValueError(
            f"“{unknown[0]}” is not a day. Use MO, TU, WE, TH, FR, SA or SU, separated by commas."
        )
    return list(dict.fromkeys(BYDAY.index(code) for code in codes))


def _clock(raw: object) -> time:
    """A time of day: 24-hour "17:30" (seconds allowed, "24:00" is midnight) or "5:30 PM"."""
    value = _text(raw)
    if not value:
        raise ValueError("Enter a time such as 09:00 or 5:30 PM.")
    match = _CLOCK.fullmatch(value)
    found = _clock_time(match) if match else None
    if found is None:
        raise ValueError(f"“{value}” is not a time. Write it as 09:00, 17:30 or 5:30 PM.")
    return found


def _clock_time(match: re.Match[str]) -> time | None:
    """The time the parts of a clock match name, or None when they are out of range."""
    hour, minute, second = (int(match.group(part) or 0) for part in ("hour", "minute", "second"))
    half = (match.group("half") or "").lower()
    if half and not 1 <= hour <= 12:
        return None
    if half:
        hour = hour % 12 + (12 if half == "p" else 0)
    if (hour, minute, second) == (24, 0, 0) and not half:
        return MIDNIGHT
    return time(hour, minute, second) if hour < 24 and minute < 60 and second < 60 else None


def _check_overlaps(groups: list[list[Window]], path: str, check: _Check) -> None:
    """A problem on each schedule item whose window overlaps one of an earlier item."""
    seen: list[tuple[int, Window]] = []
    for index, group in enumerate(groups):
        for window in group:
            other = next((n for n, earlier in seen if _overlap(earlier, window)), None)
            if other is not None:
                day = WEEKDAY_NAMES[window.weekday]
                check.fail(
                    f"{path}[{index}]",
                    f"On {day} this overlaps {path}[{other}]. Join them or correct the times.",
                )
            seen.append((index, window))


def _overlap(first: Window, second: Window) -> bool:
    """Whether two windows are open at a common moment of the week (overnight ones included)."""
    first_start, first_length = window_span(first)
    second_start, second_length = window_span(second)
    return (second_start - first_start) % WEEK < first_length or (
        first_start - second_start
    ) % WEEK < second_length


# Languages, areas, costs, terms and needs ------------------------------------------------------


def _language(raw: object) -> str:
    """An ISO 639-1 code (639-3 when there is none) from a code or an English name.

    Two letters are read as a code ("en", not the En language); a name or alias ("ASL") comes
    before a three-letter code, which is read last ("spa" → "es").
    """
    value = _line(raw)
    code = canonical_code(value) if len(value) == 2 else None
    code = code or language_code(value) or (canonical_code(value) if len(value) == 3 else None)
    if code is None:
        raise ValueError(
            f"“{value}” is not a language we know. Use its English name (Spanish) or code (es)."
        )
    return code


def _service_areas(raw: object, path: str, check: _Check) -> list[ServiceArea]:
    """Service areas, each listed once."""
    areas = [_area(item, f"{path}[{n}]", check) for n, item in enumerate(_items(raw))]
    seen: set[tuple[str, str]] = set()
    for n, area in enumerate(areas):
        if area is not None and (area.kind, area.value) in seen:
            check.fail(f"{path}[{n}]", "This area is already listed. Remove the repeat.")
        if area is not None:
            seen.add((area.kind, area.value))
    return [area for area in areas if area is not None]


def _area(item: object, path: str, check: _Check) -> ServiceArea | None:
    """One service area; its label is made from the value when no name is given."""
    values = _fields(item, path, check, _AREA_FIELDS, "service area")
    if values is None:
        return None
    try:
        value = _area_value(values["kind"], values["value"])
    except ValueError as exc:
        check.fail(f"{path}.value", str(exc))
        return None
    area = areas_from_extent(values["kind"], value, values["name"], values["description"])[0]
    return replace(area, id=values["id"])


def _area_kind(raw: object) -> str:
    """One of the area kinds the directory understands."""
    value = _text(raw).lower()
    if not is_area_kind(value):
        raise ValueError(f"Choose the kind of area: {_choices(AREA_KINDS)}.")
    return value


def _area_value(kind: str, value: str) -> str:
    """The value of an area of `kind`, checked and written the way the directory stores it."""
    if kind == "nationwide":
        if value:
            raise ValueError(
                "A nationwide area has no value. Leave it blank or choose another kind."
            )
        return ""
    if not value:
        raise ValueError(f"Enter the {kind.replace('_', ' ')} this area covers.")
    if kind == "postal_code":
        return postal_code(value)
    if kind == "state":
        return _state_value(value)
    return _county_value(value)


def _state_value(value: str) -> str:
    """A US state code from a code or a state name."""
    code = _state_code(value)
    if code is None:
        raise ValueError(f"“{value}” is not a US state. Use its two-letter code, such as OH.")
    return code


def _state_code(value: str) -> str | None:
    """The two-letter code of a US state or territory given by code or name, or None."""
    upper = value.strip().upper()
    if upper in state_names():
        return upper
    return next((code for code, name in state_names().items() if name.upper() == upper), None)


def _county_value(value: str) -> str:
    """A county as "OH:Cuyahoga County", with the county named as the ZIP code database names it."""
    state, colon, county = value.partition(":")
    code = _state_code(state) if colon else None
    if code is None:
        raise ValueError(
            f"“{value}” is not a county. Write the state code, a colon and the county, "
            "such as OH:Cuyahoga County."
        )
    official = county_index().get(county.strip().lower(), {}).get(code)
    if official is None:
        raise ValueError(f"There is no county “{county.strip()}” in {code}. Check the spelling.")
    return f"{code}:{official}"


def _cost_option(item: object, path: str, check: _Check) -> CostOption | None:
    """One cost option; one that says nothing is refused."""
    values = _fields(item, path, check, _COST_FIELDS, "cost option")
    if values is None:
        return None
    if not (values["option"] or values["amount"] is not None or values["amount_description"]):
        check.fail(path, "This cost option is empty. Describe the cost or remove it.")
        return None
    return CostOption(**values)


def _amount(raw: object) -> float | None:
    """A price of zero or more, or None."""
    value = _number(raw)
    if value is not None and value < 0:
        raise ValueError("An amount cannot be negative. Use 0 for free.")
    return value


def _currency(raw: object) -> str:
    """An ISO 4217 currency code; blank is USD."""
    value = _text(raw).upper() or "USD"
    if len(value) != 3 or pycountry.currencies.get(alpha_3=value) is None:
        raise ValueError(f"“{value}” is not a currency code. Use three letters such as USD.")
    return value


def _term_ids(raw: object, _path: str, check: _Check) -> list[str]:
    """Taxonomy term ids, each once, all of them terms the directory knows."""
    ids = list(dict.fromkeys(str(item).strip() for item in _items(raw) if str(item).strip()))
    unknown = [term for term in ids if term not in check.context.known_term_ids]
    if unknown:
        raise ValueError(
            f"These taxonomy terms are not in the directory: {', '.join(unknown)}. "
            "Choose terms from the taxonomy."
        )
    return ids


def _need_keys(raw: object) -> list[str] | None:
    """The curator's need keys, sorted; null hands the needs back to automatic derivation."""
    if raw is None:
        return None
    keys = sorted({str(item).strip().lower() for item in _items(raw) if str(item).strip()})
    unknown = [key for key in keys if key not in NEED_KEYS]
    if unknown:
        raise ValueError(
            f"Unknown needs: {', '.join(unknown)}. Choose from {', '.join(NEED_KEYS)}, "
            "or null to derive the needs automatically."
        )
    return keys


# Locations -------------------------------------------------------------------------------------


def _latitude(raw: object) -> float | None:
    """A latitude from -90 to 90, or None."""
    value = _number(raw)
    if value is not None and not -90 <= value <= 90:
        raise ValueError("A latitude is between -90 and 90.")
    return value


def _longitude(raw: object) -> float | None:
    """A longitude from -180 to 180, or None."""
    value = _number(raw)
    if value is not None and not -180 <= value <= 180:
        raise ValueError("A longitude is between -180 and 180.")
    return value


def _check_coordinates(patch: dict, values: dict, check: _Check) -> None:
    """Latitude and longitude come together: both numbers, or both null to clear them."""
    if not isinstance(patch, dict) or ("latitude" not in patch and "longitude" not in patch):
        return
    for key, other in (("latitude", "longitude"), ("longitude", "latitude")):
        if key not in patch:
            check.fail(key, f"Give the {key} together with the {other}.")
    if "latitude" in values and "longitude" in values:
        cleared = (values["latitude"] is None, values["longitude"] is None)
        if cleared[0] != cleared[1]:
            check.fail("latitude", "Give both coordinates, or set both to null to clear them.")
        elif values["latitude"] == values["longitude"] == 0:
            check.fail("latitude", "0, 0 is in the ocean. Give the real coordinates or clear both.")


def _address(item: object, path: str, check: _Check) -> Address | None:
    """One address; a US address needs a US state and a real ZIP code in that state."""
    values = _fields(item, path, check, _ADDRESS_FIELDS, "address")
    if values is None:
        return None
    if values["country"] == "US" and not _check_us_address(values, path, check):
        return None
    return Address(**values)


def _check_us_address(values: dict, path: str, check: _Check) -> bool:
    """Check and normalize the state and ZIP code of a US address; False when one is wrong."""
    state = _state_code(values["state_province"])
    if state is None:
        check.fail(f"{path}.state_province", "Enter the state as a two-letter code, such as OH.")
    else:
        values["state_province"] = state
    zip_ok = _check_zip(values["postal_code"], f"{path}.postal_code", check)
    return state is not None and zip_ok and _check_zip_state(values, path, check)


def _check_zip(code: str, path: str, check: _Check) -> bool:
    """Whether `code` is a real US ZIP code (ZIP+4 accepted); a problem when it is not."""
    try:
        _required(postal_code, "ZIP code")(code)
    except ValueError as exc:
        check.fail(path, str(exc))
        return False
    return True


def _check_zip_state(values: dict, path: str, check: _Check) -> bool:
    """Whether the ZIP code lies in the address's state; a problem when it does not."""
    place = zip_place(values["postal_code"])
    if place is None or not place.state or place.state == values["state_province"]:
        return True
    check.fail(
        f"{path}.postal_code",
        f"{values['postal_code']} is in {place.state}, not {values['state_province']}. "
        "Check the ZIP code and the state.",
    )
    return False


def _country(raw: object) -> str:
    """A two-letter country code; blank is US."""
    value = _text(raw).upper() or "US"
    if len(value) != 2 or pycountry.countries.get(alpha_2=value) is None:
        raise ValueError(f"“{value}” is not a country code. Use two letters such as US.")
    return value


def _address_type(raw: object) -> str:
    """physical, postal or virtual; blank is physical."""
    value = _text(raw).lower() or "physical"
    if value not in ADDRESS_TYPES:
        raise ValueError(f"Choose the kind of address: {_choices(ADDRESS_TYPES)}.")
    return value


def _required(read: Callable[[object], str], what: str) -> Callable[[object], str]:
    """`read`, refusing a blank value with "Enter the `what`"."""

    def checked(raw: object) -> str:
        value = read(raw)
        if not value:
            raise ValueError(f"Enter the {what}; it cannot be blank.")
        return value

    return checked


# The fields of each kind of record and list item -----------------------------------------------

_SERVICE_TEXTS = (
    "alternate_name",
    "description",
    "interpretation_services",
    "application_process",
    "fees_description",
    "wait_time",
    "accreditations",
    "licenses",
    "eligibility_description",
    "alert",
)

_PHONE_FIELDS: dict[str, Reader] = {
    "number": _scalar(_phone_number),
    "extension": _scalar(_text),
    "type": _scalar(_phone_type),
    "description": _scalar(_text),
    "id": _scalar(_id),
}

_SCHEDULE_FIELDS: dict[str, Reader] = {
    "weekday": _scalar(_weekday),
    "byday": _scalar(_byday),
    "opens_at": _scalar(_clock),
    "closes_at": _scalar(_clock),
}

_AREA_FIELDS: dict[str, Reader] = {
    "kind": _scalar(_area_kind),
    "value": _scalar(_text),
    "name": _scalar(_text),
    "description": _scalar(_text),
    "id": _scalar(_id),
}

_COST_FIELDS: dict[str, Reader] = {
    "option": _scalar(_text),
    "amount": _scalar(_amount),
    "currency": _scalar(_currency),
    "amount_description": _scalar(_text),
    "id": _scalar(_id),
}

_ADDRESS_FIELDS: dict[str, Reader] = {
    "address_1": _scalar(_required(_text, "street address")),
    "address_2": _scalar(_text),
    "city": _scalar(_required(_text, "city")),
    "state_province": _scalar(_text),
    "postal_code": _scalar(_text),
    "country": _scalar(_country),
    "address_type": _scalar(_address_type),
    "attention": _scalar(_text),
    "region": _scalar(_text),
    "id": _scalar(_id),
}

_SERVICE_FIELDS: dict[str, Reader] = {
    "name": _scalar(_required_name),
    **{key: _scalar(_text) for key in _SERVICE_TEXTS},
    "url": _scalar(_url),
    "email": _scalar(_email),
    "status": _scalar(_status),
    "minimum_age": _scalar(_age),
    "maximum_age": _scalar(_age),
    "required_documents": _list(_scalar(_line)),
    "hours_text": _scalar(_text),
    "schedules": _schedules,
    "phones": _list(_phone),
    "languages": _list(_scalar(_language), unique=True),
    "service_areas": _service_areas,
    "cost_options": _list(_cost_option),
    "taxonomy_term_ids": _term_ids,
    "need_keys": _scalar(_need_keys),
}

_ORGANIZATION_FIELDS: dict[str, Reader] = {
    "name": _scalar(_required_name),
    "alternate_name": _scalar(_text),
    "description": _scalar(_text),
    "email": _scalar(_email),
    "website": _scalar(_url),
    "tax_status": _scalar(_text),
    "tax_id": _scalar(_text),
    "year_incorporated": _year,
    "legal_status": _scalar(_text),
    "phones": _list(_phone),
}

_LOCATION_FIELDS: dict[str, Reader] = {
    "name": _scalar(_name),
    "alternate_name": _scalar(_text),
    "description": _scalar(_text),
    "transportation": _scalar(_text),
    "latitude": _scalar(_latitude),
    "longitude": _scalar(_longitude),
    "addresses": _list(_address),
    "phones": _list(_phone),
    "hours_text": _scalar(_text),
    "schedules": _schedules,
    "languages": _list(_scalar(_language), unique=True),
    "accessibility": _list(_scalar(_line)),
}
