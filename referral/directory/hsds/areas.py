"""Service areas: HSDS 3.0 `extent`/`extent_type` and free text such as "Miami-Dade County"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import pycountry
import zipcodes

from referral.directory.hsds.cities import city_codes, city_states
from referral.directory.records import AREA_KINDS, ServiceArea

_NATIONWIDE = re.compile(
    r"\bnation\s*-?\s*wide\b|\bunited states\b|\bu\.\s?s\.(?:\s?a\.)?"
    r"|\busa\b|\ball (?:50 )?states\b|\bcountry\s*-?\s*wide\b|\banywhere in the (?:us|country)\b",
    re.IGNORECASE,
)
_ZIP = re.compile(r"(?<![\d-])(\d{5})(?:-\d{4})?(?!\d)")
_COUNTIES = re.compile(r"\b(?:county|counties|parish|parishes|borough|boroughs)\b", re.IGNORECASE)
_LIST_SPLIT = re.compile(r"\s*(?:,|;|/|&|\band\b|\bor\b|\bplus\b)\s*", re.IGNORECASE)
_STATEWIDE = re.compile(r"\bstate\s*-?\s*wide\b|\bthroughout the state\b", re.IGNORECASE)
_STATE_CODE = re.compile(r",\s*([A-Z]{2})\b")
_COUNTY_SUFFIXES = (" County", " Parish", " Borough", " Census Area", " Municipality")
_PLACE_SPLIT = re.compile(r"\s*(?:[\n();:]|,|/|&|\band\b|\bor\b|\bplus\b)\s*", re.IGNORECASE)
_NOT_PLACES = {"etc", "and more", "more", "others"}
MAX_PLACE_WORDS = 5


@dataclass
class AreaReading:
    """The areas a free-text service area names, and the place names that could not be placed:
    `unknown` ones found nowhere, `ambiguous` ones (city names) found in several states."""

    areas: list[ServiceArea]
    unknown: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)


def parse_area_text(text: str, default_state: str = "") -> list[ServiceArea]:
    """The areas named in free text: ZIP codes, cities and towns, counties, states, or the nation.

    County and city names are checked against the ZIP code database; `default_state` ("FL")
    settles names that several states share and gives "statewide" its state. A city becomes the
    ZIP codes of that city, so that it covers the patients who live there.
    """
    return read_area_text(text, default_state).areas


def read_area_text(text: str, default_state: str = "") -> AreaReading:
    """The areas named in free text (see `parse_area_text`), with the names that named none."""
    if not text or not text.strip():
        return AreaReading([])
    if _NATIONWIDE.search(text):
        return AreaReading([nationwide()])
    states, hints = _states_in(text, default_state)
    county_state = default_state.upper() or next(iter(states + hints), "")
    areas = _postal_areas(text) + _county_areas(text, county_state)
    places = _place_areas(text, areas, default_state.upper() or next(iter(hints), ""))
    areas += places.areas
    covered = {area.value.split(":")[0] for area in areas if area.kind == "county"}
    covered |= {area.name.rsplit(", ", 1)[-1] for area in places.areas}
    areas += [state_area(code) for code in states if code not in covered]
    return AreaReading(_unique(areas), places.unknown, places.ambiguous)


def _place_areas(text: str, found: list[ServiceArea], default_state: str) -> AreaReading:
    """Cities, towns and bare county names in the list items of `text` not already read.

    A place takes the state written after it ("Naples, FL"), else `default_state`.
    """
    places = AreaReading([])
    pieces = [piece.strip(" .*-") for piece in _PLACE_SPLIT.split(text)]
    taken = _county_names(found)
    for index, piece in enumerate(pieces):
        if _could_be_place(piece, taken):
            following = pieces[index + 1] if index + 1 < len(pieces) else ""
            _read_place(places, piece, _state_code(following), default_state)
    return places


def _read_place(places: AreaReading, piece: str, state: str, default_state: str) -> None:
    """Add the ZIP codes of the city `piece` names, or its county, or say it names neither."""
    name, own_state = _trailing_state(piece)
    state = own_state or state
    label, codes = city_codes(name, state, default_state)
    county = _bare_county_area(name, state or default_state)
    if codes:
        places.areas += [ServiceArea("postal_code", code, label) for code in codes]
    elif county:
        places.areas.append(county)
    elif not state and len(city_states(name)) > 1:
        places.ambiguous.append(piece)
    else:
        places.unknown.append(piece)


def _could_be_place(piece: str, taken: set[str]) -> bool:
    """Whether a list item may name a city: a few words, no digits, not a county or state."""
    lower = piece.lower()
    return not (
        not re.search(r"[a-z]", lower)
        or re.search(r"\d", piece)
        or _COUNTIES.search(piece)
        or _STATEWIDE.search(piece)
        or _state_code(piece)
        or lower in taken
        or lower in _NOT_PLACES
        or len(piece.split()) > MAX_PLACE_WORDS
    )


def _state_code(text: str) -> str:
    """The code of the state `text` is ("FL", "Florida", "Fla."), or blank."""
    stripped = text.strip().rstrip(".")
    if stripped.upper() in state_names() and (len(stripped) == 2):
        return stripped.upper()
    codes = {name.lower(): code for code, name in state_names().items()}
    return codes.get(stripped.lower(), "")


def _trailing_state(piece: str) -> tuple[str, str]:
    """A place name and the state written at its end ("Miami Beach FL"), if any."""
    words = piece.split()
    for size in (1, 2):
        if len(words) > size and (code := _state_code(" ".join(words[-size:]))):
            return " ".join(words[:-size]), code
    return piece, ""


def _county_names(areas: list[ServiceArea]) -> set[str]:
    """The county names, with and without "County", of the county areas found, lower case."""
    counties = [area.value.split(":", 1)[-1] for area in areas if area.kind == "county"]
    return {name.lower() for county in counties for name in (county, _bare_county(county))}


def _bare_county_area(name: str, state: str) -> ServiceArea | None:
    """The county a name without "County" names ("Miami-Dade"), in `state` or its only state."""
    states = county_index().get(name.lower(), {})
    chosen = state if state in states else (next(iter(states)) if len(states) == 1 else "")
    return county_area(chosen, states[chosen]) if chosen else None


def areas_from_extent(
    kind: str, extent: str, name: str = "", description: str = ""
) -> list[ServiceArea]:
    """The areas of an HSDS 3.0 row whose `extent_type` is one of our kinds."""
    if kind == "nationwide":
        return [ServiceArea("nationwide", "", name or "Nationwide", description)]
    if kind == "postal_code":
        codes = re.findall(r"[0-9A-Za-z-]+", extent)
        return [ServiceArea(kind, code, name or code, description) for code in codes]
    value = extent.strip()
    return [ServiceArea(kind, value, name or _label(kind, value), description)] if value else []


def is_area_kind(kind: str) -> bool:
    """Whether `kind` is one of the area kinds the directory understands."""
    return kind in AREA_KINDS


def nationwide() -> ServiceArea:
    """The area covering the whole nation."""
    return ServiceArea("nationwide", "", "Nationwide")


def state_area(code: str) -> ServiceArea:
    """The area of a whole state, by its two-letter code."""
    return ServiceArea("state", code, state_names().get(code, code))


def county_area(state: str, county: str) -> ServiceArea:
    """The area of one county ("FL", "Miami-Dade County")."""
    return ServiceArea("county", f"{state}:{county}", f"{county}, {state}")


def _label(kind: str, value: str) -> str:
    """The label people read for an area value."""
    if kind == "state":
        return state_names().get(value, value)
    if kind == "county" and ":" in value:
        state, county = value.split(":", 1)
        return f"{county}, {state}"
    return value


def _postal_areas(text: str) -> list[ServiceArea]:
    """One area per real five-digit ZIP code in `text`."""
    codes = [code for code in _ZIP.findall(text) if zipcodes.is_real(code)]
    return [ServiceArea("postal_code", code, code) for code in codes]


def _county_areas(text: str, default_state: str) -> list[ServiceArea]:
    """Counties named before "county"/"counties" ("Miami-Dade, Monroe and Collier counties").

    A name several states share goes to `default_state`, else to the state of the text's other
    counties.
    """
    candidates = [_county_states(piece) for piece in _county_pieces(text)]
    found = [states for states in candidates if states]
    if not default_state:
        single = [next(iter(states)) for states in found if len(states) == 1]
        default_state = single[0] if single else ""
    areas = []
    for states in found:
        state = default_state if default_state in states else next(iter(states))
        if state == default_state or len(states) == 1:
            areas.append(county_area(state, states[state]))
    return areas


def _county_pieces(text: str) -> list[str]:
    """The list items written before each "county"/"counties" in `text`."""
    pieces: list[str] = []
    start = 0
    for match in _COUNTIES.finditer(text):
        clause = re.split(r"[.:()\n]", text[start : match.start()])[-1]
        pieces += _LIST_SPLIT.split(clause)
        start = match.end()
    return pieces


def _county_states(piece: str) -> dict[str, str]:
    """{state: county} for the county that the last words of `piece` name (empty if none)."""
    words = re.findall(r"[A-Za-z.'’-]+", piece)
    for size in range(min(4, len(words)), 0, -1):
        name = " ".join(words[-size:]).lower().replace("’", "'")
        if name in county_index():
            return county_index()[name]
    return {}


def _states_in(text: str, default_state: str) -> tuple[list[str], list[str]]:
    """State codes `text` names as areas, and those it only uses to place a city or county.

    "Florida", "FL" alone and "statewide" are areas; in "Naples, Florida" or "Naples, FL" the
    state only tells where Naples is.
    """
    stripped = text.strip().rstrip(".")
    if len(stripped) == 2 and stripped.upper() in state_names():
        return [stripped.upper()], []
    areas: list[str] = []
    hints = [code for code in _STATE_CODE.findall(text) if code in state_names()]
    for code, pattern in _state_patterns():
        for match in pattern.finditer(text):
            (hints if _after_place(text[: match.start()]) else areas).append(code)
    if _STATEWIDE.search(text) and default_state:
        areas.append(default_state.upper())
    return areas, hints


def _after_place(before: str) -> bool:
    """Whether `before` ends with "Place, " where the place is not itself a state."""
    match = re.search(r"([A-Z][A-Za-z.'-]*(?: [A-Z][A-Za-z.'-]*)*),\s*$", before)
    return match is not None and match.group(1).lower() not in _state_lower()


@cache
def _state_lower() -> frozenset[str]:
    """State names in lower case."""
    return frozenset(name.lower() for name in state_names().values())


@cache
def _state_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """A pattern per state name, not matching names used in proper nouns ("Florida City")."""
    return [
        (code, re.compile(rf"\b{re.escape(name)}\b(?!\s+(?-i:[A-Z]))(?! city\b)", re.IGNORECASE))
        for code, name in state_names().items()
    ]


@cache
def state_names() -> dict[str, str]:
    """US state and territory names by two-letter code."""
    return {
        sub.code.split("-")[1]: sub.name for sub in pycountry.subdivisions.get(country_code="US")
    }


@cache
def county_index() -> dict[str, dict[str, str]]:
    """County names, lower case with and without "County", to {state: official name}."""
    index: dict[str, dict[str, str]] = {}
    for record in zipcodes.list_all():
        county, state = record.get("county") or "", record.get("state") or ""
        if not county or not state:
            continue
        for key in {county.lower(), _bare_county(county).lower()}:
            index.setdefault(key, {})[state] = county
    return index


def _bare_county(county: str) -> str:
    """A county name without its "County"/"Parish" suffix."""
    for suffix in _COUNTY_SUFFIXES:
        if county.endswith(suffix):
            return county[: -len(suffix)]
    return county


def _unique(areas: list[ServiceArea]) -> list[ServiceArea]:
    """`areas` without repeats, in first-seen order."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for area in areas:
        if (area.kind, area.value) not in seen:
            seen.add((area.kind, area.value))
            unique.append(area)
    return unique
