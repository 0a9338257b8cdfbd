"""Importing and exporting HSDS through the command line: all or nothing, idempotent, round trip."""

import csv
import json

from sqlalchemy import func, select

from referral.directory import models as m
from referral.directory.hsds.identity import hsds_id
from referral.directory.snapshot import read_directory
from referral.extensions import db
from referral.services import services
from tests.conftest import BUNDLED, load_directory


def write_package(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        with open(folder / name, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerows(rows)
    return folder


def small_package(folder, **overrides):
    files = {
        "organizations.csv": [
            ["id", "name", "description"],
            ["o1", "Eastside Helpers", "Neighbours helping."],
        ],
        "services.csv": [
            ["id", "organization_id", "name", "description", "status"],
            ["s1", "o1", "Eastside Food Pantry", "Groceries every week.", "active"],
            ["s2", "o1", "Eastside Rent Help", "Help with rent when money is short.", "active"],
        ],
        "locations.csv": [
            ["id", "organization_id", "name", "latitude", "longitude"],
            ["l1", "o1", "Eastside Hall", "41.50", "-81.60"],
        ],
        "services_at_location.csv": [
            ["id", "service_id", "location_id"],
            ["sl1", "s1", "l1"],
            ["sl2", "s2", "l1"],
        ],
        "physical_addresses.csv": [
            ["id", "location_id", "address_1", "city", "state_province", "postal_code", "country"],
            ["a1", "l1", "1 Euclid Ave", "Cleveland", "OH", "44106", "US"],
        ],
        "phones.csv": [["id", "service_id", "number"], ["p1", "s1", "216-555-0100"]],
    }
    files.update(overrides)
    return write_package(folder, files)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_prints_counts_and_makes_services_searchable(app, runner, tmp_path):
    result = runner.invoke(args=["import", str(small_package(tmp_path / "pkg"))])
    assert result.exit_code == 0, result.output
    assert "services: 2 (2 new, 0 updated)" in result.output
    body = app.test_client().get("/api/v1/search?q=pantry&near=44106").get_json()
    assert [r["service_id"] for r in body["results"]][:1] == ["s1"]


def test_reimporting_the_same_package_updates_in_place(app, runner, tmp_path):
    package = small_package(tmp_path / "pkg")
    runner.invoke(args=["import", str(package)])
    result = runner.invoke(args=["import", str(package)])
    assert result.exit_code == 0 and "services: 2 (0 new, 2 updated)" in result.output
    with app.app_context():
        assert count(m.Service) == 2 and count(m.Phone) == 1 and count(m.ServiceAtLocation) == 2
    assert services_in_index(app) == 2


def services_in_index(app):
    with app.app_context():
        return services().index.doc_count()


def test_dry_run_reports_and_writes_nothing(app, runner, tmp_path):
    result = runner.invoke(args=["import", "--dry-run", str(small_package(tmp_path / "pkg"))])
    assert result.exit_code == 0, result.output
    assert "Would import" in result.output and "nothing was written" in result.output
    with app.app_context():
        assert count(m.Service) == 0


def test_a_bad_row_stops_the_whole_import_and_is_named(app, runner, tmp_path):
    package = small_package(
        tmp_path / "pkg",
        **{
            "phones.csv": [
                ["id", "service_id", "number"],
                ["p1", "s1", "216-555-0100"],
                ["p2", "s9", "216-555-0101"],
            ]
        },
    )
    result = runner.invoke(args=["import", str(package)])
    assert result.exit_code != 0
    assert "phones.csv:3: service_id:" in result.output
    assert "nothing was imported" in result.output
    with app.app_context():
        assert count(m.Service) == 0 and count(m.Organization) == 0


def test_duplicate_service_ids_are_errors(app, runner, tmp_path):
    rows = [["id", "organization_id", "name"], ["s1", "o1", "A"], ["s1", "o1", "B"]]
    result = runner.invoke(
        args=["import", str(small_package(tmp_path / "pkg", **{"services.csv": rows}))]
    )
    assert result.exit_code != 0 and "services.csv:3: id:" in result.output


def test_a_missing_required_file_is_an_error(app, runner, tmp_path):
    package = small_package(tmp_path / "pkg")
    (package / "services.csv").unlink()
    result = runner.invoke(args=["import", str(package)])
    assert result.exit_code != 0 and "services.csv" in result.output


def test_text_that_is_not_utf8_is_an_error(app, runner, tmp_path):
    package = small_package(tmp_path / "pkg")
    (package / "organizations.csv").write_bytes(
        "id,name,description\no1,Caf\xe9 Helpers,x\n".encode("latin-1")
    )
    result = runner.invoke(args=["import", str(package)])
    assert result.exit_code != 0 and "organizations.csv:2" in result.output


def test_warnings_are_listed_and_the_import_goes_on(app, runner, tmp_path):
    locations = [
        ["id", "organization_id", "name", "latitude", "longitude"],
        ["l1", "o1", "Hall", "141.5", "-81.6"],
    ]
    result = runner.invoke(
        args=["import", str(small_package(tmp_path / "pkg", **{"locations.csv": locations}))]
    )
    assert result.exit_code == 0, result.output
    assert "warnings" in result.output and "latitude" in result.output
    with app.app_context():
        assert db.session.get(m.Location, "l1").latitude is None


def test_export_then_import_into_an_empty_database_gives_the_same_directory(app, tmp_path):
    from tests.conftest import dispose, make_app

    load_directory(app, BUNDLED)
    with app.app_context():
        original = read_directory()
    for fmt, target in (("hsds-csv", tmp_path / "out"), ("hsds-json", tmp_path / "out.json")):
        result = app.test_cli_runner().invoke(args=["export", str(target), "--format", fmt])
        assert result.exit_code == 0, result.output
        backend = (
            "sqlite" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "postgresql"
        )
        other = make_app(backend, tmp_path / fmt)
        try:
            load_directory(other, target)
            with other.app_context():
                copy = read_directory()
            assert_same_directory(original, copy)
        finally:
            dispose(other)


def assert_same_directory(a, b):
    assert set(a.services) == set(b.services)
    assert set(a.locations) == set(b.locations)
    assert set(a.service_at_locations) == set(b.service_at_locations)
    for sid, service in a.services.items():
        twin = b.services[sid]
        assert (service.name, service.description, service.status) == (
            twin.name,
            twin.description,
            twin.status,
        )
        assert [p.number for p in service.phones] == [p.number for p in twin.phones]
        assert service.hours.windows == twin.hours.windows
        assert sorted(service.taxonomy_term_ids) == sorted(twin.taxonomy_term_ids)
        assert sorted(service.languages) == sorted(twin.languages)
        assert [(x.kind, x.value) for x in service.service_areas] == [
            (x.kind, x.value) for x in twin.service_areas
        ]
    for lid, location in a.locations.items():
        twin = b.locations[lid]
        assert (location.latitude, location.longitude) == (twin.latitude, twin.longitude)
        assert [x.address_1 for x in location.addresses] == [x.address_1 for x in twin.addresses]
        assert [p.number for p in location.phones] == [p.number for p in twin.phones]
        assert location.hours.windows == twin.hours.windows
    for xid, sal in a.service_at_locations.items():
        assert sal.hours.windows == b.service_at_locations[xid].hours.windows


def test_export_json_is_a_list_of_service_documents(app, runner, tmp_path):
    load_directory(app, small_package(tmp_path / "pkg"))
    result = runner.invoke(args=["export", str(tmp_path / "d.json"), "--format", "hsds-json"])
    assert result.exit_code == 0
    docs = json.loads((tmp_path / "d.json").read_text())
    assert {d["id"] for d in docs} == {hsds_id("service", "s1"), hsds_id("service", "s2")}


def test_a_small_import_into_a_full_index_updates_just_those_services(app, runner, tmp_path):
    load_directory(app, BUNDLED)
    before = services_in_index(app)
    package = small_package(tmp_path / "pkg")
    assert runner.invoke(args=["import", str(package)]).exit_code == 0
    assert services_in_index(app) == before + 2
    renamed = [
        ["id", "organization_id", "name", "description", "status"],
        ["s1", "o1", "Eastside Grocery Cupboard", "Groceries every week.", "active"],
        ["s2", "o1", "Eastside Rent Help", "Help with rent when money is short.", "active"],
    ]
    result = runner.invoke(
        args=["import", str(small_package(tmp_path / "v2", **{"services.csv": renamed}))]
    )
    assert "updating the search index for 2 services" in result.output
    client = app.test_client()
    assert (
        client.get("/api/v1/search?q=cupboard&near=44106").get_json()["results"][0]["service_id"]
        == "s1"
    )
    assert services_in_index(app) == before + 2
