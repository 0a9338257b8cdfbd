"""Writing a directory as HSDS 3.0 and reading it back gives the same records."""

from __future__ import annotations

import csv
import json
from datetime import date, time

import pytest

from referral.directory.hsds.identity import hsds_id
from referral.directory.hsds.reader import read_package
from referral.directory.hsds.writer import (
    organization_document,
    package_tables,
    service_document,
    taxonomy_term_document,
    write_csv,
    write_json,
)
from referral.directory.records import (
    Address,
    CostOption,
    Hours,
    Location,
    Organization,
    Package,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from referral.search.hours import Window

RECORDS = ("organizations", "services", "locations", "service_at_locations", "taxonomy_terms")


def _week(*windows: tuple[int, str, str]) -> list[Window]:
    """Windows from (weekday, "HH:MM", "HH:MM") triples, sorted."""
    return sorted(
        Window(day, time.fromisoformat(a), time.fromisoformat(b)) for day, a, b in windows
    )


def full_package() -> Package:
    """A directory with every kind of record the readers produce."""
    package = Package()
    package.taxonomy_terms = {
        "BD": TaxonomyTerm("BD", "Food", code="BD", taxonomy="AIRS"),
        "BD-1800": TaxonomyTerm(
            "BD-1800", "Food Pantries", "BD-1800", "Groceries to take home", "BD", "AIRS"
        ),
        "oe-101": TaxonomyTerm("oe-101", "Emergency Food", taxonomy="Open Eligibility"),
    }
    package.organizations = {
        "o1": Organization(
            "o1",
            "Helping Hands",
            "Food and shelter for families",
            alternate_name="HH",
            email="info@hh.example",
            website="https://hh.example",
            tax_status="501(c)(3)",
            tax_id="12-3456789",
            year_incorporated=1987,
            legal_status="nonprofit",
            phones=[Phone("305-555-0000", id="op1", type="voice")],
        ),
        "o2": Organization("o2", "City Parks", phones=[Phone("305-555-0200", "12", id="op2")]),
    }
    package.services = {"s1": _food_pantry(), "s2": _shelter(), "s3": _parks()}
    package.locations = {"l1": _office(), "l2": _hotline(), "l3": _park()}
    package.service_at_locations = {
        "sl1": ServiceAtLocation(
            "sl1",
            "s1",
            "l1",
            "Pantry at the main office",
            phones=[Phone("305-555-0111", type="text", id="sp1")],
            hours=Hours(_week((2, "10:00", "14:00")), "Wednesdays 10am-2pm"),
        ),
        "sl2": ServiceAtLocation("sl2", "s1", "l2"),
        "sl3": ServiceAtLocation("sl3", "s2", "l1"),
        "sl4": ServiceAtLocation("sl4", "s3", "l3"),
    }
    return package


def _food_pantry() -> Service:
    """A service using every field."""
    return Service(
        "s1",
        "o1",
        "Food Pantry",
        description="Groceries every week.\nBring a bag.",
        alternate_name="Pantry",
        url="https://hh.example/pantry",
        email="pantry@hh.example",
        status="active",
        interpretation_services="Language line available",
        application_process="Walk in",
        fees_description="Free",
        wait_time="None",
        accreditations="Feeding America",
        licenses="Food permit",
        eligibility_description="Residents of Miami-Dade",
        minimum_age=18.0,
        maximum_age=64.5,
        alert="Closed on holidays",
        last_verified=date(2024, 5, 1),
        required_documents=["Photo ID", "Proof of address"],
        cost_options=[
            CostOption("Visit", 0.0, "USD", "No charge", id="c1"),
            CostOption("Delivery", 12.5, "USD", id="c2"),
        ],
        phones=[
            Phone("305-555-0100", "204", "voice", "Intake line", id="p1"),
            Phone("305-555-0199", type="fax", id="p2"),
        ],
        hours=Hours(
            _week(
                (0, "09:00", "12:00"),
                (0, "13:00", "17:00"),
                (1, "09:00", "12:00"),
                (1, "13:00", "17:00"),
                (4, "22:00", "06:00"),
                (5, "00:00", "00:00"),
            ),
            "Mon-Tue 9am-12pm & 1pm-5pm; Fri overnight 10pm-6am; Sat 24 hours",
        ),
        languages=["en", "es", "ht", "ase"],
        service_areas=[
            ServiceArea("postal_code", "33136", "33136", id="a1"),
            ServiceArea("postal_code", "33125", "33125", "Little Havana", id="a2"),
            ServiceArea("county", "FL:Miami-Dade County", "Miami-Dade County, FL", id="a3"),
            ServiceArea("state", "FL", "Florida", id="a4"),
            ServiceArea("nationwide", "", "Nationwide", id="a5"),
        ],
        taxonomy_term_ids=["BD-1800", "oe-101"],
    )


def _shelter() -> Service:
    """A service whose hours are known only as text."""
    return Service(
        "s2",
        "o1",
        "Shelter",
        status="temporarily closed",
        hours=Hours([], "Call for bed availability"),
        taxonomy_term_ids=["BD"],
    )


def _parks() -> Service:
    """A service of another organization, with no hours at all."""
    return Service("s3", "o2", "Summer Camp", languages=["es"])


def _office() -> Location:
    """A physical location with everything a location can have."""
    return Location(
        "l1",
        "Main Office",
        "o1",
        alternate_name="HQ",
        description="Second floor",
        transportation="Metrorail Brickell",
        latitude=25.7616798,
        longitude=-80.1917902,
        addresses=[
            Address("1 Main St", "Miami", "FL", "33136-1234", "Suite 200", id="ad1"),
            Address(
                "PO Box 12",
                "Miami",
                "FL",
                "33101",
                attention="Intake",
                address_type="postal",
                id="ad2",
            ),
        ],
        phones=[Phone("305-555-0101", id="lp1")],
        hours=Hours(_week(*[(day, "08:00", "18:00") for day in range(5)]), "8am-6pm, Mon-Fri"),
        languages=["en", "es"],
        accessibility=["Handicap accessible", "Elevator"],
    )


def _hotline() -> Location:
    """A virtual location without an organization or coordinates."""
    return Location("l2", "Phone line", location_type="virtual")


def _park() -> Location:
    """A second organization's location."""
    return Location("l3", "Riverside Park", "o2", latitude=25.77, longitude=-80.2)


def published(package: Package) -> dict[str, list[dict]]:
    """The tables a package is exported as, each in id order."""
    return {
        name: sorted(rows, key=lambda row: row["id"])
        for name, rows in package_tables(package).items()
    }


def assert_same_records(written: Package, read: Package) -> None:
    """What is read back publishes exactly as what was written; only text-only hours are noted.

    Organizations and locations come back under their original ids, which the export keeps as
    identifiers; other records come back under the UUIDs they were published with.
    """
    assert read.errors == []
    assert [w.detail for w in read.warnings] == ["Call for bed availability"]
    assert published(read) == published(written)
    assert set(read.organizations) == set(written.organizations)
    assert set(read.locations) == set(written.locations)


def test_csv_round_trip(tmp_path):
    """write_csv then read_package gives equal records."""
    package = full_package()
    write_csv(package, tmp_path / "out")
    assert_same_records(package, read_package(tmp_path / "out"))


def test_json_round_trip(tmp_path):
    """write_json then read_package gives equal records."""
    package = full_package()
    write_json(package, tmp_path / "services.json")
    assert_same_records(package, read_package(tmp_path / "services.json"))


def test_service_document_reads_back(tmp_path):
    """The 3.0 JSON reader reads what the API serves for one service."""
    package = full_package()
    path = tmp_path / "one.json"
    path.write_text(json.dumps(service_document(package, "s1")))
    read = read_package(path)
    assert [s.name for s in read.services.values()] == [package.services["s1"].name]
    assert set(read.locations) == {"l1", "l2"}
    assert set(read.organizations) == {"o1"}
    assert service_document(read, next(iter(read.services))) == service_document(package, "s1")


def test_service_document_is_complete():
    """The nested document carries every id and the location of each service_at_location."""
    document = service_document(full_package(), "s1", published=False)
    assert document["id"] == "s1"
    assert document["organization"]["id"] == "o1"
    assert document["organization"]["phones"][0]["organization_id"] == "o1"
    link = document["service_at_locations"][0]
    assert (link["id"], link["location"]["id"]) == ("sl1", "l1")
    assert link["location"]["addresses"][0]["id"] == "ad1"
    assert all(
        item["id"] for key in ("schedules", "languages", "attributes") for item in document[key]
    )
    assert document["languages"][0] == {
        "id": document["languages"][0]["id"],
        "service_id": "s1",
        "name": "English",
        "code": "en",
    }
    assert document["attributes"][0]["taxonomy_term"]["name"] == "Food Pantries"
    assert {(a["extent_type"], a.get("extent", "")) for a in document["service_areas"]} >= {
        ("county", "FL:Miami-Dade County"),
        ("nationwide", ""),
    }


def test_schedules_group_days_sharing_times():
    """Days with the same opening and closing times share one WEEKLY schedule row."""
    schedules = service_document(full_package(), "s1")["schedules"]
    rows = {(s["byday"], s["opens_at"], s["closes_at"]) for s in schedules}
    assert rows == {
        ("MO,TU", "09:00:00", "12:00:00"),
        ("MO,TU", "13:00:00", "17:00:00"),
        ("FR", "22:00:00", "06:00:00"),
        ("SA", "00:00:00", "00:00:00"),
    }
    assert {s["freq"] for s in schedules} == {"WEEKLY"}


def test_ids_derived_for_records_without_them_are_stable():
    """A phone without an id gets the same UUID on every export."""
    package = full_package()
    package.services["s3"].phones.append(Phone("305-555-0300"))
    first = service_document(package, "s3")["phones"][0]["id"]
    assert first == service_document(package, "s3")["phones"][0]["id"]
    assert len(first) == 36


def test_organization_and_term_documents():
    """Organizations list their locations and services; terms name their taxonomy."""
    package = full_package()
    document = organization_document(package, "o2")
    assert [loc["id"] for loc in document["locations"]] == [hsds_id("location", "l3")]
    assert document["services"] == [
        {"id": hsds_id("service", "s3"), "name": "Summer Camp", "status": "active"}
    ]
    term = taxonomy_term_document(package.taxonomy_terms["BD-1800"])
    assert term["parent_id"] == hsds_id("taxonomy_term", "BD")
    assert term["taxonomy_detail"]["name"] == "AIRS"


def test_csv_files_only_with_content_and_described(tmp_path):
    """Only files with rows are written, and datapackage.json lists each with its header."""
    package = full_package()
    for service in package.services.values():
        service.cost_options = []
    write_csv(package, tmp_path)
    assert not (tmp_path / "cost_options.csv").exists()
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        with (tmp_path / resource["path"]).open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert header == [field["name"] for field in resource["schema"]["fields"]]
    assert "cost_options.csv" not in {r["path"] for r in descriptor["resources"]}


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_empty_package_round_trips(tmp_path, kind):
    """An empty directory writes and reads back empty, without problems."""
    target = tmp_path / ("out" if kind == "csv" else "out.json")
    (write_csv if kind == "csv" else write_json)(Package(), target)
    read = read_package(target)
    assert read.services == {}
    assert [p for p in read.problems if p.severity == "error"] == []
