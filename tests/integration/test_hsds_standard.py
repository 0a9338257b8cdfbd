"""HSDS 3.0 output checked by the standard's own tools, and exports that round-trip exactly.

The JSON export and every /hsds/ response validate with `jsonschema` against the
specification's JSON schemas (tests/hsds_schemas, source in SOURCE.md), formats included; the
tabular export validates with frictionless against the datapackage.json it carries.
Exporting, importing the export into an empty database and exporting again gives the same files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.conftest import MIAMI, dispose, load_directory, make_app

SCHEMAS = Path(__file__).resolve().parents[1] / "hsds_schemas"
SPEC_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


def _registry() -> Registry:
    """Every vendored schema, under its file name and the address the OpenAPI document uses."""
    resources = []
    for path in [*SCHEMAS.glob("*.json"), *SCHEMAS.glob("compiled/*.json")]:
        name = path.relative_to(SCHEMAS).as_posix()
        resource = Resource.from_contents(json.loads(path.read_text()), DRAFT202012)
        resources += [(name, resource), (SPEC_URL + name, resource)]
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validator(name: str) -> Draft202012Validator:
    """A validator of the specification's schema `name` (e.g. "service.json"), formats checked."""
    schema = {"$ref": name}
    return Draft202012Validator(schema, registry=REGISTRY, format_checker=FormatChecker())


def page_validator(item: str) -> Draft202012Validator:
    """A validator of an HSDS API page whose contents are objects of schema `item`."""
    openapi = json.loads((SCHEMAS / "openapi.json").read_text())
    schema = {
        **openapi["components"]["schemas"]["Page"],
        "required": ["total_items", "total_pages", "page_number", "size", "contents"],
        "properties": {
            **openapi["components"]["schemas"]["Page"]["properties"],
            "contents": {"type": "array", "items": {"$ref": item}},
        },
    }
    return Draft202012Validator(schema, registry=REGISTRY, format_checker=FormatChecker())


def problems(check: Draft202012Validator, document: object, limit: int = 5) -> list[str]:
    """The first few ways `document` breaks the schema, as path: message."""
    found = []
    for error in check.iter_errors(document):
        found.append(f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message[:200]}")
        if len(found) >= limit:
            break
    return found


def export(app, target: Path, fmt: str) -> dict[str, bytes]:
    """Export the directory of `app` and return the files written, by name."""
    result = app.test_cli_runner().invoke(args=["export", str(target), "--format", fmt])
    assert result.exit_code == 0, result.output
    if target.is_dir():
        return {path.name: path.read_bytes() for path in sorted(target.iterdir())}
    return {target.name: target.read_bytes()}


def backend_of(app) -> str:
    """The database backend an app runs on."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def target(root: Path, fmt: str) -> Path:
    """Where an export of `fmt` goes under `root`: a folder of CSV files, or one JSON file."""
    root.mkdir(parents=True, exist_ok=True)
    return root / ("directory.json" if fmt == "hsds-json" else "csv")


def assert_round_trip(app, tmp_path: Path, fmt: str) -> None:
    """Export, import into an empty database, export again: the files are the same."""
    first = export(app, target(tmp_path / "first", fmt), fmt)
    other = make_app(backend_of(app), tmp_path / "other")
    try:
        load_directory(other, target(tmp_path / "first", fmt))
        second = export(other, target(tmp_path / "second", fmt), fmt)
    finally:
        dispose(other)
    assert sorted(first) == sorted(second)
    changed = [file for file in first if first[file] != second[file]]
    assert changed == [], f"files that changed on the round trip: {changed}"


@pytest.mark.parametrize("fmt", ["hsds-csv", "hsds-json"])
def test_the_starter_directory_round_trips_exactly(bundled_app, tmp_path, fmt):
    """Export → import into an empty database → export gives the same files."""
    assert_round_trip(bundled_app, tmp_path, fmt)


def test_every_exported_service_document_validates(bundled_app, tmp_path):
    """Each document of the JSON export is a valid HSDS 3.0 service, formats included."""
    export(bundled_app, tmp_path / "d.json", "hsds-json")
    documents = json.loads((tmp_path / "d.json").read_text())
    check = validator("service.json")
    assert documents
    for document in documents:
        assert problems(check, document) == [], document["id"]


def test_the_tabular_export_validates_against_its_datapackage(bundled_app, tmp_path):
    """frictionless finds nothing wrong with the CSV export and its datapackage.json."""
    from frictionless import Package

    export(bundled_app, tmp_path / "out", "hsds-csv")
    report = Package(str(tmp_path / "out" / "datapackage.json")).validate()
    errors = [f"{e.type}: {e.message}"[:200] for task in report.tasks for e in task.errors]
    assert report.valid, errors[:10]


def test_the_tabular_export_uses_the_specifications_own_tables(bundled_app, tmp_path):
    """Each file has every column its table has in the specification, in the same order."""
    export(bundled_app, tmp_path / "out", "hsds-csv")
    spec = json.loads(
        (
            Path(__file__).resolve().parents[2] / "referral/directory/hsds/spec/datapackage.json"
        ).read_text()
    )
    columns = {r["path"]: [f["name"] for f in r["schema"]["fields"]] for r in spec["resources"]}
    descriptor = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        header = (tmp_path / "out" / resource["path"]).read_text().splitlines()[0].split(",")
        assert header == columns[resource["path"]], resource["path"]


HSDS_PAGES = [
    ("/hsds/services", "service.json"),
    ("/hsds/services?minimal=1", "compiled/service_list.json"),
    ("/hsds/organizations", "organization.json"),
    ("/hsds/service_at_locations", "service_at_location.json"),
    ("/hsds/service_at_locations?postcode=44113&proximity=8000", "service_at_location.json"),
    ("/hsds/taxonomies", "taxonomy.json"),
    ("/hsds/taxonomy_terms", "taxonomy_term.json"),
]


@pytest.mark.parametrize(("path", "schema"), HSDS_PAGES, ids=[p for p, _ in HSDS_PAGES])
def test_every_hsds_api_page_validates(bundled_app, path, schema):
    """Pages of the HSDS API are valid HSDS 3.0, every object in them too."""
    client = bundled_app.test_client()
    joiner = "&" if "?" in path else "?"
    page = client.get(f"{path}{joiner}per_page=200").get_json()
    assert page["contents"]
    assert problems(page_validator(schema), page) == []


def test_every_hsds_api_record_validates_and_is_found_by_its_published_id(bundled_app):
    """Records fetched one by one, by the ids the lists publish, are valid HSDS 3.0."""
    client = bundled_app.test_client()
    for kind, schema in (
        ("services", "service.json"),
        ("organizations", "organization.json"),
        ("service_at_locations", "service_at_location.json"),
        ("taxonomies", "taxonomy.json"),
        ("taxonomy_terms", "taxonomy_term.json"),
    ):
        listed = client.get(f"/hsds/{kind}?per_page=3").get_json()["contents"]
        for item in listed:
            response = client.get(f"/hsds/{kind}/{item['id']}")
            assert response.status_code == 200, (kind, item["id"])
            document = response.get_json()
            assert document["id"] == item["id"]
            assert problems(validator(schema), document) == [], (kind, item["id"])


@pytest.fixture(scope="module")
def miami_app(tmp_path_factory):
    """Miami's 1.x package loaded on SQLite."""
    app = make_app("sqlite", tmp_path_factory.mktemp("miami"))
    load_directory(app, MIAMI)
    yield app
    dispose(app)


@pytest.mark.parametrize("fmt", ["hsds-csv", "hsds-json"])
@pytest.mark.miami
@pytest.mark.skipif(not MIAMI.is_dir(), reason="the Miami HSDS package is not in ../shared")
def test_miami_round_trips_exactly(miami_app, tmp_path, fmt):
    """Miami's 1.x ids become UUIDs once; from then on its export is the same every time."""
    assert_round_trip(miami_app, tmp_path, fmt)


@pytest.mark.miami
@pytest.mark.skipif(not MIAMI.is_dir(), reason="the Miami HSDS package is not in ../shared")
def test_miamis_export_validates(miami_app, tmp_path):
    """Every service of Miami's export is valid HSDS 3.0, and so is its tabular export."""
    from frictionless import Package

    export(miami_app, tmp_path / "d.json", "hsds-json")
    check = validator("service.json")
    invalid = [
        (document["id"], found)
        for document in json.loads((tmp_path / "d.json").read_text())
        if (found := problems(check, document, 2))
    ]
    assert invalid[:5] == []
    export(miami_app, tmp_path / "out", "hsds-csv")
    report = Package(str(tmp_path / "out" / "datapackage.json")).validate()
    errors = [f"{e.type}: {e.message}"[:200] for task in report.tasks for e in task.errors]
    assert report.valid, errors[:10]


def test_a_1x_export_keeps_original_ids_and_re_import_matches_them(app, tmp_path):
    """Organizations and locations keep their 1.x ids as identifiers; importing the export
    again into the same directory updates those records instead of adding new ones."""
    from tests.unit.test_hsds_reader import BASE_1X, make_package

    load_directory(app, make_package(tmp_path / "pkg", BASE_1X))
    export(app, tmp_path / "out", "hsds-csv")
    identifiers = (tmp_path / "out" / "organization_identifiers.csv").read_text()
    assert ",o1" in identifiers and "source_id" in identifiers
    assert "source_id" in (tmp_path / "out" / "locations.csv").read_text()
    report = load_directory(app, tmp_path / "out")
    assert report.summary.created["organizations"] == 0
    assert report.summary.created["locations"] == 0


@pytest.mark.parametrize("fmt", ["hsds-csv", "hsds-json"])
def test_re_importing_a_1x_export_updates_every_record_in_place(app, tmp_path, fmt):
    """Services, their locations and taxonomy terms published under derived UUIDs are matched
    back to the records they were published from: nothing is added, nothing renamed."""
    from sqlalchemy import func, select

    from referral.directory import models as m
    from referral.extensions import db
    from tests.unit.test_hsds_reader import BASE_1X, make_package

    load_directory(app, make_package(tmp_path / "pkg", BASE_1X))
    kinds = (m.Organization, m.Service, m.Location, m.ServiceAtLocation, m.TaxonomyTerm)

    def ids() -> dict[str, list[str]]:
        with app.app_context():
            return {k.__tablename__: sorted(db.session.scalars(select(k.id))) for k in kinds}

    before = ids()
    target = tmp_path / ("d.json" if fmt == "hsds-json" else "out")
    export(app, target, fmt)
    load_directory(app, target)
    assert ids() == before
    with app.app_context():
        assert db.session.scalar(select(func.count(m.ServiceTaxonomy.service_id))) > 0
