"""Places and distances: ZIP codes offline, `lat,lon`, and addresses through a geopy geocoder."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import zipcodes
from geopy.distance import EARTH_RADIUS as EARTH_RADIUS_KM
from geopy.distance import great_circle

KM_PER_MILE = 1.609344
ZIP_RE = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")
LATLON_RE = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
Geocoder = Callable[[str], "Place | None"]


class PlaceError(ValueError):
    """A `near` value that names no place we can find; the message says what to try."""


@dataclass(frozen=True)
class Place:
    """A point people search near, with the ZIP, county and state it lies in when known."""

    latitude: float
    longitude: float
    label: str
    postal_code: str = ""
    county: str = ""
    state: str = ""
    timezone: str = ""

    def area_keys(self) -> list[str]:
        """The service-area keys that cover this place (see `area_key`)."""
        keys = ["nationwide"]
        if self.state:
            keys.append(area_key("state", self.state))
        if self.state and self.county:
            keys.append(area_key("county", f"{self.state}:{self.county}"))
        if self.postal_code:
            keys.append(area_key("postal_code", self.postal_code))
        return keys


def area_key(kind: str, value: str = "") -> str:
    """A token naming a service area: `postal_code:33136`, `county:fl:miami-dade`, `nationwide`."""
    if kind == "nationwide":
        return "nationwide"
    if kind == "county":
        state, _, county = value.partition(":")
        county = re.sub(r"\s+(county|parish|borough)$", "", county.strip(), flags=re.I)
        value = f"{state.strip()}:{county}"
    return f"{kind}:{re.sub(r'[^a-z0-9:]+', '-', value.strip().lower())}"


@lru_cache(maxsize=65536)
def zip_entry(code: str) -> dict | None:
    """The `zipcodes` entry of a 5-digit ZIP with coordinates (looked up once per ZIP)."""
    found = [z for z in zipcodes.matching(code) if z.get("lat") and z.get("long")]
    return found[0] if found else None


def zip_place(code: str) -> Place | None:
    """The centre of a US ZIP code (ZIP+4 accepted), or None when there is no such ZIP."""
    match = ZIP_RE.match(code or "")
    entry = zip_entry(match.group(1)) if match else None
    return place_from_zip(entry, entry["zip_code"]) if entry else None


def place_from_zip(entry: dict, label: str) -> Place:
    """A Place from one `zipcodes` entry."""
    return Place(
        latitude=float(entry["lat"]),
        longitude=float(entry["long"]),
        label=label,
        postal_code=entry["zip_code"],
        county=entry.get("county") or "",
        state=entry.get("state") or "",
        timezone=entry.get("timezone") or "",
    )


@lru_cache(maxsize=4096)
def nearest_zip(latitude: float, longitude: float) -> dict | None:
    """The ZIP code whose centre is nearest the point, within about 75 miles."""
    for radius in (10, 75):
        found = zipcodes.filter_by_coordinates(latitude, longitude, radius)
        if found:
            return min(found, key=lambda z: rough_distance(latitude, longitude, z))
    return None


def rough_distance(latitude: float, longitude: float, z: dict) -> float:
    """A squared planar distance, good enough to rank nearby ZIP centres."""
    dlat = float(z["lat"]) - latitude
    dlon = (float(z["long"]) - longitude) * math.cos(math.radians(latitude))
    return dlat * dlat + dlon * dlon


def point_place(latitude: float, longitude: float) -> Place:
    """A Place for a point, carrying the ZIP, county and state of the nearest ZIP centre."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise PlaceError("Latitude must be between -90 and 90 and longitude between -180 and 180.")
    label = f"{latitude:.5f},{longitude:.5f}"
    entry = nearest_zip(round(latitude, 3), round(longitude, 3))
    if entry is None:
        return Place(latitude, longitude, label)
    zip_area = place_from_zip(entry, label)
    return Place(latitude, longitude, label, *place_tail(zip_area))


def place_tail(place: Place) -> tuple[str, str, str, str]:
    """The postal code, county, state and time zone of a place."""
    return place.postal_code, place.county, place.state, place.timezone


def parse_near(text: str, geocoder: Geocoder | None = None) -> Place:
    """Read `near`: a 5-digit ZIP, `lat,lon`, or a street address when a geocoder is configured."""
    text = (text or "").strip()
    if ZIP_RE.match(text):
        place = zip_place(text)
        if place is None:
            raise PlaceError(f"{text} is not a US ZIP code we know. Check the digits.")
        return place
    if match := LATLON_RE.match(text):
        return point_place(float(match.group(1)), float(match.group(2)))
    if re.fullmatch(r"\d+", text):
        raise PlaceError(f"{text} is not a ZIP code: a ZIP code has 5 digits.")
    return geocode(text, geocoder)


def geocode(text: str, geocoder: Geocoder | None) -> Place:
    """Resolve a street address with the configured geocoder."""
    if geocoder is None:
        raise PlaceError(
            "Searching near a street address needs a geocoder, and none is set up. "
            "Enter a 5-digit ZIP code or latitude,longitude instead."
        )
    place = geocoder(text)
    if place is None:
        raise PlaceError(f"No place was found for “{text}”. Check the address or enter a ZIP code.")
    return place


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in miles between two (latitude, longitude) points."""
    return great_circle(a, b).miles


def bounding_box(place: Place, radius_miles: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box holding every point within the radius."""
    dlat = radius_miles / 69.0
    dlon = radius_miles / max(69.0 * math.cos(math.radians(place.latitude)), 0.01)
    return (
        place.latitude - dlat,
        place.latitude + dlat,
        place.longitude - dlon,
        place.longitude + dlon,
    )


# Map squares for the index: fine ones of 0.2° (about 14 by 11 miles at US latitudes) and
# coarse ones of 1°. A search covers its radius with whichever size needs few squares.
CELL_SIZES = (("c1", 0.2), ("c2", 1.0))
MAX_CELLS = 36


def cell_keys(latitude: float, longitude: float) -> list[str]:
    """The map squares (one per size) a point lies in."""
    return [cell(name, size, latitude, longitude) for name, size in CELL_SIZES]


def cell(name: str, size: float, latitude: float, longitude: float) -> str:
    """The key of the square of `size` degrees holding the point."""
    return f"{name}:{math.floor(latitude / size)}:{math.floor(longitude / size)}"


def cells_covering(place: Place, radius_miles: float) -> list[str]:
    """Keys of the squares that together cover every point within the radius of the place."""
    low_lat, high_lat, low_lon, high_lon = bounding_box(place, radius_miles)
    for name, size in CELL_SIZES:
        rows = range(math.floor(low_lat / size), math.floor(high_lat / size) + 1)
        cols = range(math.floor(low_lon / size), math.floor(high_lon / size) + 1)
        if len(rows) * len(cols) <= MAX_CELLS or name == CELL_SIZES[-1][0]:
            return [f"{name}:{r}:{c}" for r in rows for c in cols]
    return []


EARTH_RADIUS_MILES = EARTH_RADIUS_KM / KM_PER_MILE
