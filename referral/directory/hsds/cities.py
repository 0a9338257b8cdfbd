"""City and town names in service areas ("Hialeah", "City of Homestead", "Cleveland Heights, OH")
turned into the ZIP codes of that place, from the US ZIP code records of the `zipcodes` package.

A ZIP code belongs to a place when the place is its postal city or one of the other names the
Postal Service accepts for it (44118 is "Cleveland", and also "Cleveland Heights").
"""

from __future__ import annotations

import re
from functools import cache

import zipcodes

# Words around a place name that are not part of it: "City of Homestead", "Hialeah residents".
_BEFORE = re.compile(
    r"^(?:(?:residents|people|families|those)\s+(?:of|in|from)\s+|serv(?:es|ing)\s+|all of\s+"
    r"|the\s+|within\s+|in\s+)*(?:(?:city|town|village|township|borough)\s+of\s+)?",
    re.IGNORECASE,
)
_AFTER = re.compile(
    r"(?:\s+(?:residents|area|areas|only|city limits|and surrounding areas))+$", re.IGNORECASE
)
_ABBREVIATIONS = (("st", "saint"), ("ste", "sainte"), ("ft", "fort"), ("mt", "mount"))
ZIP_KINDS = ("STANDARD",)


def city_codes(name: str, state: str = "", default_state: str = "") -> tuple[str, list[str]]:
    """(label, ZIP codes) of the city `name`: in `state` when given, else in `default_state`,
    else in the one state that has such a city. No codes when none or several states match."""
    found = _lookup(name)
    if state:
        return found.get(state, ("", []))
    chosen = default_state if default_state in found else ""
    chosen = chosen or (next(iter(found)) if len(found) == 1 else "")
    return found.get(chosen, ("", []))


def city_states(name: str) -> list[str]:
    """The states that have a city or town of this name."""
    return sorted(_lookup(name))


def _lookup(name: str) -> dict[str, tuple[str, list[str]]]:
    """{state: (label, ZIP codes)} of a place name, tried as written and without extra words."""
    for key in dict.fromkeys((city_key(name), city_key(_AFTER.sub("", _BEFORE.sub("", name))))):
        if key in city_index():
            return city_index()[key]
    return {}


def city_key(name: str) -> str:
    """A place name as the index keys it: lower case, no dots or hyphens, "St" spelled "saint"."""
    words = re.sub(r"[.\-’']", " ", name.lower()).split()
    return " ".join(dict(_ABBREVIATIONS).get(word, word) for word in words)


@cache
def city_index() -> dict[str, dict[str, tuple[str, list[str]]]]:
    """Every postal city name and accepted alternative, to {state: (label, ZIP codes)}.

    Residential (standard) ZIP codes are kept; a place that has none keeps all of its codes.
    """
    codes: dict[tuple[str, str], dict[str, list[str]]] = {}
    names: dict[str, str] = {}
    for record in zipcodes.list_all():
        state = record.get("state") or ""
        for city in [record.get("city") or "", *(record.get("acceptable_cities") or [])]:
            if city and state:
                key = city_key(city)
                names.setdefault(key, city)
                kinds = codes.setdefault((key, state), {})
                kinds.setdefault(record["zip_code_type"], []).append(record["zip_code"])
    return _by_name(codes, names)


def _by_name(
    codes: dict[tuple[str, str], dict[str, list[str]]], names: dict[str, str]
) -> dict[str, dict[str, tuple[str, list[str]]]]:
    """The index keyed by name, then state, each with its label and chosen ZIP codes."""
    index: dict[str, dict[str, tuple[str, list[str]]]] = {}
    for (key, state), kinds in codes.items():
        chosen = [code for kind in ZIP_KINDS for code in kinds.get(kind, [])]
        chosen = chosen or sorted(code for found in kinds.values() for code in found)
        index.setdefault(key, {})[state] = (f"{names[key]}, {state}", sorted(set(chosen)))
    return index
