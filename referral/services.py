"""The services views are handed: built once per app, swappable in tests."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass

from flask import Flask, current_app

from referral.curation.concepts import ConceptCache
from referral.search.geo import Geocoder
from referral.search.geocoding import make_geocoder
from referral.search.index import ServiceIndex


@dataclass
class Services:
    """The search index, the concept table and the optional geocoder of one app."""

    index: ServiceIndex
    geocoder: Geocoder | None
    concepts: ConceptCache


def build_services(app: Flask) -> Services:
    """Open the index and geocoder the app's settings name; a served app reads the index
    into memory in the background, so its first search is as quick as the rest."""
    settings = app.config["REFERRAL"]
    built = Services(
        index=ServiceIndex(settings["INDEX_DIR"]),
        geocoder=make_geocoder(settings["GEOCODER"], settings["GEOCODER_OPTIONS"]),
        concepts=ConceptCache(),
    )
    if settings["WARM_INDEX"] and not app.testing:
        threading.Thread(target=warm_quietly, args=(built.index,), daemon=True).start()
    return built


def warm_quietly(index: ServiceIndex) -> None:
    """Read the index into memory, leaving any problem for the first search to report."""
    with contextlib.suppress(Exception):
        index.warm()


def services() -> Services:
    """The services of the current app."""
    return current_app.extensions["referral"]
