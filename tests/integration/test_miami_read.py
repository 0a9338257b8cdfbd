"""Reading the real Open211 Miami HSDS 1.x package."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import time
from pathlib import Path

import pytest

from referral.directory.hsds.reader import read_package
from referral.directory.records import Package
from referral.search.hours import Window

MIAMI = Path(__file__).resolve().parents[3] / "shared/data/miami-hsds"
REBUILT = "organization is not in the package; kept under one rebuilt from the package"

pytestmark = [
    pytest.mark.miami,
    pytest.mark.skipif(not MIAMI.is_dir(), reason="the Miami HSDS package is not in ../shared"),
]


@pytest.fixture(scope="module")
def miami() -> Package:
    """The Miami package, read once for every test here."""
    return read_package(MIAMI)


def raw_rows(name: str) -> list[dict[str, str]]:
    """The rows of one Miami file exactly as written."""
    with (MIAMI / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_reads_without_errors(miami):
    """The real package has warnings but nothing that stops an import."""
    assert miami.errors == []


def test_keeps_nearly_every_service(miami):
    """At least 99% of the 4,089 services are kept."""
    assert len(miami.services) >= 0.99 * 4089


def test_every_service_keeps_its_coordinates(miami):
    """A service whose location has coordinates in the source still has them."""
    located = {
        row["id"]: (float(row["latitude"]), float(row["longitude"]))
        for row in raw_rows("locations.csv")
        if row["latitude"].strip() and row["longitude"].strip()
    }
    checked = 0
    for row in raw_rows("services_at_location.csv"):
        if row["location_id"] in located:
            link = miami.service_at_locations[row["id"]]
            location = miami.locations[link.location_id]
            assert link.service_id == row["service_id"]
            assert (location.latitude, location.longitude) == located[row["location_id"]]
            checked += 1
    assert checked == len(located) >= 2000


def test_services_of_missing_organizations_are_kept_under_rebuilt_ones(miami):
    """The 447 services whose organization row is missing keep a rebuilt organization."""
    rebuilt = [s for s in miami.services.values() if miami.organizations[s.organization_id].rebuilt]
    assert len(rebuilt) == 447
    assert Counter(w.message for w in miami.warnings)[REBUILT] == 447
    accion = miami.organizations["6253"]
    assert (accion.name, accion.rebuilt) == ("M-DC CAHS - ACCION COMMUNITY RESOURCE CENTER", True)


def test_schedule_rows_contradicting_their_text_take_the_text(miami):
    """Service 164's rows say Saturday 7am-7pm; its text says weekdays 7-7 and Saturday 8-5."""
    rows = [r for r in raw_rows("regular_schedules.csv") if r["service_id"] == "164"]
    assert [(r["weekday"], r["opens_at"], r["closes_at"]) for r in rows] == [
        ("Saturday", "7:00am", "7:00pm")
    ]
    hours = miami.services["164"].hours
    assert hours.text == "7:00am-7:00pm, Mon-Fri;\n8:00am-5:00pm, Sat"
    assert hours.windows == [Window(day, time(7), time(19)) for day in range(5)] + [
        Window(5, time(8), time(17))
    ]


def test_most_services_with_schedules_have_known_hours(miami, record_property):
    """Nearly all of the 2,597 services with schedule rows end with readable weekly hours."""
    known = sum(1 for service in miami.services.values() if service.hours.known)
    record_property("services_with_known_hours", known)
    print(f"Miami services with known hours: {known:,} of {len(miami.services):,}")
    assert known >= 2550


def test_text_is_cleaned(miami):
    """Padding, tags and broken characters of the export are gone."""
    address = miami.locations["136"].addresses[0]
    assert (address.state_province, address.country) == ("FL", "US")
    assert "###" not in miami.services["136"].description
    assert not any("GÇ" in s.description for s in miami.services.values())
    assert miami.services["136"].languages == ["en", "es", "ht"]
