"""The services views are handed: built once per app, swappable in tests."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from referral.search.geo import Geocoder
from referral.search.geocoding import make_geocoder
from referral.search.index import ServiceIndex


@dataclass
class Services:
    """The search index and the optional geocoder of one app."""

    index: ServiceIndex
    geocoder: Geocoder | None


def build_services(app: Flask) -> Services:
    """Open the index and geocoder the app's settings name."""
    settings = app.config["REFERRAL"]
    return Services(
        index=ServiceIndex(settings["INDEX_DIR"]),
        geocoder=make_geocoder(settings["GEOCODER"], settings["GEOCODER_OPTIONS"]),
    )


def services() -> Services:
    """The services of the current app."""
    return current_app.extensions["referral"]
