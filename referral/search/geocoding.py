"""Street addresses to places, through any geocoder geopy supports (configured, never required)."""

from __future__ import annotations

from geopy.exc import GeopyError
from geopy.geocoders import get_geocoder_for_service

from referral.search.geo import Geocoder, Place, PlaceError, place_tail, point_place


def make_geocoder(service: str, options: dict) -> Geocoder | None:
    """A function from address text to Place using geopy's `service`, or None when unset."""
    if not service:
        return None
    geocoder = get_geocoder_for_service(service)(**options)

    def resolve(text: str) -> Place | None:
        try:
            found = geocoder.geocode(text, exactly_one=True, timeout=5)
        except GeopyError as exc:
            raise PlaceError(
                "The address could not be looked up right now. Enter a ZIP code instead."
            ) from exc
        if found is None:
            return None
        place = point_place(found.latitude, found.longitude)
        return Place(place.latitude, place.longitude, text, *place_tail(place))

    return resolve
