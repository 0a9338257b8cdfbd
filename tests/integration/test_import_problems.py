"""Every table of a package, fed a repeated id or a link to nothing: reported, never raised.

Each case goes through the command line, as a dry run and as an import: the problem is printed
as FILE:ROW: field: message, the exit status is non-zero and nothing is written.
"""

import pytest
from sqlalchemy import func, select

from referral.directory import models as m
from referral.extensions import db
from tests.unit.test_hsds_reader import BASE_1X, BASE_30, make_package

ADDRESS_30 = "id,location_id,address_1,city,state_province,postal_code,country,address_type\n"
SCHEDULE_30 = "id,service_id,freq,byday,opens_at,closes_at\n"

# (file, its whole text with row 3 reusing row 2's id for something else)
REPEATED_30 = [
    ("organizations.csv", "id,name,description\no1,Helping Hands,Food\no1,Other,x\n"),
    ("services.csv", "id,organization_id,name,status\ns1,o1,Food Pantry,active\ns1,o1,B,active\n"),
    (
        "locations.csv",
        "id,location_type,organization_id,name\nl1,physical,o1,A\nl1,physical,o1,B\n",
    ),
    ("service_at_location.csv", "id,service_id,location_id,description\nsl1,s1,l1,\nsl1,s1,l1,B\n"),
    (
        "addresses.csv",
        ADDRESS_30 + "a1,l1,1 Main St,Miami,FL,33136,US,physical\n"
        "a1,l1,2 Main St,Miami,FL,33136,US,physical\n",
    ),
    ("phones.csv", "id,service_id,number\np1,s1,305-555-0100\np1,s1,305-555-0101\n"),
    ("schedules.csv", SCHEDULE_30 + "h1,s1,WEEKLY,MO,09:00,17:00\nh1,s1,WEEKLY,TU,09:00,17:00\n"),
    ("taxonomies.csv", "id,name,description\nx1,AIRS,\nx1,Other,\n"),
    (
        "attributes.csv",
        "id,link_id,link_entity,taxonomy_term_id,value\nat1,s1,service,t1,\nat1,s1,service,t1,x\n",
    ),
    ("languages.csv", "id,service_id,code,name\nlg1,s1,es,Spanish\nlg1,s1,fr,French\n"),
    (
        "service_areas.csv",
        "id,service_id,extent,extent_type\nsa1,s1,44102,postal_code\nsa1,s1,44113,postal_code\n",
    ),
    ("cost_options.csv", "id,service_id,option,amount\nc1,s1,Visit,25\nc1,s1,Visit,30\n"),
    ("required_documents.csv", "id,service_id,document\nd1,s1,Photo ID\nd1,s1,Lease\n"),
    ("accessibility.csv", "id,location_id,description\nac1,l1,Ramp\nac1,l1,Lift\n"),
    ("contacts.csv", "id,service_id,name\nct1,s1,Ana Diaz\nct1,s1,Bo Chen\n"),
]
REPEATED_1X = [
    ("phones.csv", "id,service_id,number\np1,s1,305-555-0100\np1,s1,305-555-0101\n"),
    (
        "physical_addresses.csv",
        "id,location_id,address_1,city\na1,l1,1 Main St,Miami\na1,l1,2 Main St,Miami\n",
    ),
    ("services_at_location.csv", "id,service_id,location_id,description\nsl1,s1,l1,\nsl1,s2,l1,\n"),
    ("contacts.csv", "id,service_id,name\nct1,s1,Ana Diaz\nct1,s1,Bo Chen\n"),
]
# HSDS 1.x link tables whose ids nothing refers to: Miami repeats the service id on each row.
REUSED_1X = [
    ("languages.csv", "id,service_id,language\ns1,s1,English\ns1,s1,Spanish\n"),
    ("eligibility.csv", "id,service_id,eligibility\ns1,s1,Adults\ns1,s1,Veterans\n"),
    (
        "regular_schedules.csv",
        "id,service_id,weekday,opens_at,closes_at\nr,s1,1,9am,5pm\nr,s1,2,9am,5pm\n",
    ),
    ("services_taxonomy.csv", "id,service_id,taxonomy_id\nt1,s1,BD\nt1,s1,BD-1800\n"),
    (
        "accessibility_for_disabilities.csv",
        "id,location_id,accessibility\nx,l1,Ramp\nx,l1,Lift\n",
    ),
]
# (file, text whose row 2 links to an id no row of the package has, the column named)
DANGLING_30 = [
    ("service_at_location.csv", "id,service_id,location_id\nsl1,s9,l1\n", "service_id"),
    ("service_at_location.csv", "id,service_id,location_id\nsl1,s1,l9\n", "location_id"),
    ("addresses.csv", ADDRESS_30 + "a1,l9,1 Main St,Miami,FL,33136,US,physical\n", "location_id"),
    ("phones.csv", "id,service_id,number\np1,s9,305-555-0100\n", "service_id"),
    ("phones.csv", "id,location_id,number\np1,l9,305-555-0100\n", "location_id"),
    ("phones.csv", "id,organization_id,number\np1,o9,305-555-0100\n", "organization_id"),
    (
        "phones.csv",
        "id,service_at_location_id,number\np1,sl9,305-555-0100\n",
        "service_at_location_id",
    ),
    ("schedules.csv", SCHEDULE_30 + "h1,s9,WEEKLY,MO,09:00,17:00\n", "service_id"),
    ("attributes.csv", "id,link_id,link_entity,taxonomy_term_id\nat1,s9,service,t1\n", "link_id"),
    (
        "attributes.csv",
        "id,link_id,link_entity,taxonomy_term_id\nat1,s1,service,t9\n",
        "taxonomy_term_id",
    ),
    ("languages.csv", "id,service_id,code,name\nlg1,s9,es,Spanish\n", "service_id"),
    (
        "service_areas.csv",
        "id,service_id,extent,extent_type\nsa1,s9,44102,postal_code\n",
        "service_id",
    ),
    ("cost_options.csv", "id,service_id,option,amount\nc1,s9,Visit,25\n", "service_id"),
    ("required_documents.csv", "id,service_id,document\nd1,s9,Photo ID\n", "service_id"),
    ("accessibility.csv", "id,location_id,description\nac1,l9,Ramp\n", "location_id"),
    ("contacts.csv", "id,service_id,name\nct1,s9,Ana Diaz\n", "service_id"),
]


def service_count() -> int:
    """How many services the database holds."""
    return db.session.scalar(select(func.count()).select_from(m.Service))


def import_both_ways(app, runner, folder):
    """Run a dry run and an import of `folder`; both results, and the services written."""
    dry = runner.invoke(args=["import", str(folder), "--dry-run"])
    real = runner.invoke(args=["import", str(folder)])
    with app.app_context():
        return dry, real, service_count()


def refuses(app, runner, folder, expected: str) -> None:
    """The package is refused with `expected` printed, in a dry run and an import alike."""
    dry, real, written = import_both_ways(app, runner, folder)
    for result in (dry, real):
        assert result.exit_code == 1, result.output
        assert expected in result.output
        assert "Traceback" not in result.output
        assert "nothing was imported" in result.output
    assert written == 0


@pytest.mark.parametrize(("file", "text"), REPEATED_30, ids=[c[0] for c in REPEATED_30])
def test_a_repeated_id_in_any_30_table_is_an_error(app, runner, tmp_path, file, text):
    """Two different rows with one id stop the import at the later row."""
    folder = make_package(tmp_path / "pkg", BASE_30, **{file.replace(".", "__"): text})
    refuses(app, runner, folder, f"{file}:3: id: id is used by an earlier row")


@pytest.mark.parametrize(("file", "text"), REPEATED_1X, ids=[c[0] for c in REPEATED_1X])
def test_a_repeated_id_in_a_1x_table_others_link_to_is_an_error(app, runner, tmp_path, file, text):
    """In HSDS 1.x too, ids of rows that are kept or linked to must be unique."""
    folder = make_package(tmp_path / "pkg", BASE_1X, **{file.replace(".", "__"): text})
    refuses(app, runner, folder, f"{file}:3: id: id is used by an earlier row")


@pytest.mark.parametrize(("file", "text"), REUSED_1X, ids=[c[0] for c in REUSED_1X])
def test_a_reused_id_in_a_1x_link_table_reads_every_row(app, runner, tmp_path, file, text):
    """A 1.x link table's ids point at nothing, so a reused one loses no row."""
    folder = make_package(tmp_path / "pkg", BASE_1X, **{file.replace(".", "__"): text})
    dry, real, written = import_both_ways(app, runner, folder)
    assert dry.exit_code == 0, dry.output
    assert real.exit_code == 0, real.output
    assert written == 2


@pytest.mark.parametrize(
    ("file", "text", "column"), DANGLING_30, ids=[f"{c[0]}-{c[2]}" for c in DANGLING_30]
)
def test_a_link_to_nothing_in_any_table_is_an_error(app, runner, tmp_path, file, text, column):
    """A row that names a record the package does not hold stops the import at that row."""
    folder = make_package(tmp_path / "pkg", BASE_30, **{file.replace(".", "__"): text})
    refuses(app, runner, folder, f"{file}:2: {column}: links to")


@pytest.mark.parametrize(
    ("base", "file", "text"),
    [
        (
            BASE_30,
            "taxonomy_terms.csv",
            "id,code,name,taxonomy\nt1,BD,Food,AIRS\nt1,BF,Rent,AIRS\n",
        ),
        (
            BASE_1X,
            "taxonomy.csv",
            "id,name,vocabulary\nBD,Food,AIRS\nBD,Rent,AIRS\nBD-1800,Pantries,AIRS\n",
        ),
    ],
    ids=["taxonomy_terms.csv", "taxonomy.csv"],
)
def test_a_term_id_given_twice_keeps_the_first_and_says_so(app, runner, tmp_path, base, file, text):
    """Vocabulary terms are reference lists: a repeated code keeps its first term, with a word."""
    folder = make_package(tmp_path / "pkg", base, **{file.replace(".", "__"): text})
    result = runner.invoke(args=["import", str(folder)])
    assert result.exit_code == 0, result.output
    assert "the first is kept" in result.output


def test_an_id_another_record_of_the_directory_holds_is_an_error(app, runner, tmp_path):
    """A phone id already given to a phone of a record outside the package is refused."""
    phones = "id,service_id,number\np1,s1,305-555-0100\n"
    first = make_package(tmp_path / "first", BASE_30, phones__csv=phones)
    assert runner.invoke(args=["import", str(first)]).exit_code == 0
    other = {
        "organizations.csv": "id,name,description\no2,Other Hands,Help\n",
        "services.csv": "id,organization_id,name,status\ns2,o2,Rent Help,active\n",
        "phones.csv": "id,service_id,number\np1,s2,305-555-0199\n",
    }
    folder = make_package(tmp_path / "second", other)
    result = runner.invoke(args=["import", str(folder)])
    assert result.exit_code == 1, result.output
    assert "phones.csv:2: id: id is already used in the directory" in result.output
    with app.app_context():
        assert service_count() == 1


def test_importing_before_the_database_is_set_up_says_what_to_run(tmp_path):
    """A database with no tables yet gets the command to run, not a traceback."""
    from click.testing import CliRunner

    from referral import create_app
    from referral.cli import main

    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path}/new.db"}
    )
    folder = make_package(tmp_path / "pkg", BASE_30)
    result = CliRunner().invoke(main, ["import", str(folder)], obj=_script_info(app))
    assert result.exit_code != 0
    assert "referral init --empty" in result.output
    assert "Traceback" not in result.output


def _script_info(app):
    """Click's Flask script info handing the command `app`."""
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


def test_warnings_are_summarized_by_kind_with_three_examples(app, runner, tmp_path):
    """Five blank phone numbers are one line with three examples; --verbose lists all five."""
    phones = "id,service_id,number\n" + "".join(f"p{n},s1,\n" for n in range(5))
    folder = make_package(tmp_path / "pkg", BASE_30, phones__csv=phones)
    result = runner.invoke(args=["import", str(folder), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "5 × phones.csv: number: phone number is blank; skipped" in result.output
    assert result.output.count("e.g. phones.csv:") == 3
    verbose = runner.invoke(args=["import", str(folder), "--dry-run", "--verbose"])
    assert verbose.output.count("warning: phones.csv:") == 5


def test_json_warnings_of_one_kind_are_one_group(tmp_path):
    """The same loss in many service documents is counted once, positions aside."""
    from referral.directory.importing import ImportReport
    from referral.directory.records import Problem

    report = ImportReport("services.json", True)
    report.warnings = [
        Problem("services.json", n, f"services[{n}].phones[0].number", "blank", "warning")
        for n in range(40)
    ]
    assert report.warning_counts() == [("services.json", "services[].phones[].number", "blank", 40)]
