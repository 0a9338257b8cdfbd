"""Reading HSDS packages: every problem reported where it is, real-world mess cleaned up."""

from __future__ import annotations

import json
import zipfile
from datetime import time
from pathlib import Path

import pytest

from referral.directory.hsds.areas import AreaReading, parse_area_text, read_area_text
from referral.directory.hsds.cleaning import clean_text
from referral.directory.hsds.languages import language_code, split_languages
from referral.directory.hsds.reader import read_package
from referral.directory.records import Package, ServiceArea
from referral.search.hours import Window

# A small, valid HSDS 1.x package; tests change one file at a time.
BASE_1X = {
    "organizations.csv": "id,name,description\no1,Helping Hands,Food and shelter\n",
    "services.csv": (
        "id,organization_id,name,description,status,fees\n"
        "s1,o1,Food Pantry,Groceries weekly,active,Free\n"
        "s2,o1,Shelter,Beds for the night,,\n"
    ),
    "locations.csv": (
        "id,organization_id,name,latitude,longitude\n"
        "l1,o1,Main Office,25.77,-80.19\n"
        "l2,o1,Annex,,\n"
    ),
    "services_at_location.csv": "id,service_id,location_id,description\nsl1,s1,l1,\nsl2,s2,l2,\n",
    "phones.csv": "id,service_id,location_id,number\np1,s1,,305-555-0100\np2,,l1,305-555-0101\n",
    "physical_addresses.csv": (
        "id,location_id,address_1,city,state_province,postal_code,country\n"
        "a1,l1,1 Main St,Miami,FL ,33136-1234,   \n"
    ),
    "regular_schedules.csv": (
        "id,service_id,location_id,service_at_location_id,weekday,opens_at,closes_at,original_text\n"
        ',s1,,,Monday,9:00am,5:00pm,"9:00am-5:00pm, Mon-Fri"\n'
    ),
    "languages.csv": "id,service_id,location_id,language\ns1,s1,l1,English\ns1,s1,l1,Spanish\n",
    "taxonomy.csv": "id,name,parent_id,vocabulary\nBD,Food,,AIRS\nBD-1800,Food Pantries,BD,AIRS\n",
    "services_taxonomy.csv": "id,service_id,taxonomy_id\nt1,s1,BD-1800\n",
}

# The same directory in HSDS 3.0 file names.
BASE_30 = {
    "organizations.csv": "id,name,description\no1,Helping Hands,Food and shelter\n",
    "services.csv": (
        "id,organization_id,name,status,minimum_age,assured_date\n"
        "s1,o1,Food Pantry,active,18,2024-05-01\n"
    ),
    "locations.csv": "id,location_type,organization_id,name\nl1,physical,o1,Main Office\n",
    "service_at_location.csv": "id,service_id,location_id\nsl1,s1,l1\n",
    "addresses.csv": (
        "id,location_id,address_1,city,state_province,postal_code,country,address_type\n"
        "a1,l1,1 Main St,Miami,FL,33136,US,physical\n"
    ),
    "schedules.csv": (
        "id,service_id,freq,byday,opens_at,closes_at,description\n"
        'h1,s1,WEEKLY,"MO,TU",09:00,17:00,Mon-Tue 9-5\n'
    ),
    "taxonomy_terms.csv": "id,code,name,description,taxonomy\nt1,BD,Food,,AIRS\n",
    "attributes.csv": "id,link_id,link_entity,taxonomy_term_id\nat1,s1,service,t1\n",
    "languages.csv": "id,service_id,code,name\nlg1,s1,es,Spanish\n",
    "service_areas.csv": (
        "id,service_id,name,extent,extent_type\n"
        "sa1,s1,Two ZIPs,44102 44113,postal_code\n"
        "sa2,s1,,OH:Cuyahoga County,county\n"
        "sa3,s1,,OH,state\n"
        "sa4,s1,,,nationwide\n"
        'sa5,s1,"Miami-Dade, Monroe and Collier counties",,\n'
    ),
    "cost_options.csv": "id,service_id,option,amount,currency\nc1,s1,Visit,25,usd\n",
    "required_documents.csv": "id,service_id,document\nd1,s1,Photo ID\n",
}


def make_package(folder: Path, base: dict[str, str], **changes: str | bytes | None) -> Path:
    """Write a package into `folder`: `base` with files changed (None removes one)."""
    files = {**base, **{name.replace("__", "."): text for name, text in changes.items()}}
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if content is None:
            continue
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / name).write_bytes(data)
    return folder


def messages(package: Package, severity: str = "error") -> list[str]:
    """The problems of a package as people read them."""
    return [str(p) for p in package.problems if p.severity == severity]


def read(tmp_path: Path, base: dict[str, str] = BASE_1X, **changes: str | bytes | None) -> Package:
    """Read a package built from `base` with some files changed."""
    return read_package(make_package(tmp_path / "package", base, **changes))


# --- valid packages ---------------------------------------------------------------------------


def test_valid_1x_package_reads_without_problems(tmp_path):
    """A clean 1.x package gives every record and no problem."""
    package = read(tmp_path)
    assert package.problems == []
    assert set(package.services) == {"s1", "s2"}
    service = package.services["s1"]
    assert service.fees_description == "Free"
    assert service.languages == ["en", "es"]
    assert service.taxonomy_term_ids == ["BD-1800"]
    assert [p.number for p in service.phones] == ["305-555-0100"]
    assert [p.number for p in package.locations["l1"].phones] == ["305-555-0101"]
    term = package.taxonomy_terms["BD-1800"]
    assert (term.code, term.parent_id, term.taxonomy) == ("BD-1800", "BD", "AIRS")


def test_valid_30_package_reads_without_problems(tmp_path):
    """A clean 3.0 package maps languages, areas, costs, documents and dates."""
    package = read(tmp_path, BASE_30)
    assert package.problems == []
    service = package.services["s1"]
    assert service.minimum_age == 18
    assert str(service.last_verified) == "2024-05-01"
    assert service.languages == ["es"]
    assert service.taxonomy_term_ids == ["t1"]
    assert service.required_documents == ["Photo ID"]
    assert (service.cost_options[0].amount, service.cost_options[0].currency) == (25.0, "USD")
    assert service.hours.windows == [
        Window(0, time(9), time(17)),
        Window(1, time(9), time(17)),
    ]
    kinds = [(a.kind, a.value) for a in service.service_areas]
    assert kinds[:5] == [
        ("postal_code", "44102"),
        ("postal_code", "44113"),
        ("county", "OH:Cuyahoga County"),
        ("state", "OH"),
        ("nationwide", ""),
    ]
    assert kinds[5:] == [
        ("county", "FL:Miami-Dade County"),
        ("county", "FL:Monroe County"),
        ("county", "FL:Collier County"),
    ]


def test_progress_reports_each_file(tmp_path):
    """Progress lines name each file with its row count."""
    lines: list[str] = []
    read_package(make_package(tmp_path / "p", BASE_1X), progress=lines.append)
    assert "services.csv: 2 rows" in lines


def test_zip_with_files_in_a_subfolder(tmp_path):
    """A zip holding the package one folder down reads like the folder itself."""
    archive = tmp_path / "package.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for name, text in BASE_1X.items():
            handle.writestr(f"export-2019/{name}", text)
    package = read_package(archive)
    assert package.problems == []
    assert set(package.services) == {"s1", "s2"}


def test_missing_path_is_an_error_not_an_exception(tmp_path):
    """A path that does not exist is reported, not raised."""
    package = read_package(tmp_path / "nowhere")
    assert messages(package) == ["nowhere: the package was not found"]


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("services.csv", "services.csv: required file is missing"),
        ("organizations.csv", "organizations.csv: required file is missing"),
    ],
)
def test_required_file_missing(tmp_path, file, expected):
    """A tabular package needs services.csv and organizations.csv."""
    package = read(tmp_path, **{file.replace(".", "__"): None})
    assert expected in messages(package)


@pytest.mark.parametrize(
    ("file", "header", "column"),
    [
        ("organizations.csv", "id,description\no1,x\n", "name"),
        ("organizations.csv", "name\nHelping Hands\n", "id"),
        ("services.csv", "id,name\ns1,Food\n", "organization_id"),
        ("locations.csv", "name\nMain\n", "id"),
        ("services_at_location.csv", "id,service_id\nsl1,s1\n", "location_id"),
        ("phones.csv", "id,service_id\np1,s1\n", "number"),
    ],
)
def test_required_column_missing(tmp_path, file, header, column):
    """A file without a required column is an error on its header row."""
    package = read(tmp_path, **{file.replace(".", "__"): header})
    assert f"{file}:1: {column}: required column is missing" in messages(package)


def test_unparseable_csv_reports_the_row(tmp_path):
    """A stray quote makes the row unreadable; the error names that row."""
    text = 'id,name,description\no1,Helping Hands,ok\no2,"Bad" quote,x\n'
    package = read(tmp_path, organizations__csv=text)
    assert any(
        m.startswith("organizations.csv:3: the file cannot be read as CSV")
        for m in messages(package)
    )


@pytest.mark.parametrize(
    ("file", "text"),
    [
        ("organizations.csv", "id,name\no1,A\no1,B\n"),
        ("services.csv", "id,organization_id,name\ns1,o1,A\ns2,o1,B\ns1,o1,C\n"),
        ("locations.csv", "id,name\nl1,A\nl2,B\nl1,C\n"),
        (
            "services_at_location.csv",
            "id,service_id,location_id\nsl1,s1,l1\nsl2,s2,l2\nsl1,s2,l1\n",
        ),
        ("phones.csv", "id,service_id,number\np1,s1,1\np2,s1,2\np1,s2,3\n"),
        ("physical_addresses.csv", "id,location_id,address_1\na1,l1,x\na2,l2,y\na1,l2,z\n"),
    ],
)
def test_duplicate_ids_are_errors(tmp_path, file, text):
    """Ids must be unique in the files whose rows other rows link to."""
    package = read(tmp_path, **{file.replace(".", "__"): text})
    row = text.strip().count("\n") + 1
    assert any(
        m.startswith(f"{file}:{row}: id: id is used by an earlier row") for m in messages(package)
    )


def test_duplicate_schedule_ids_are_errors_in_30(tmp_path):
    """3.0 schedules have ids of their own, which must be unique."""
    text = "id,service_id,byday,opens_at,closes_at\nh1,s1,MO,09:00,17:00\nh1,s1,TU,09:00,17:00\n"
    package = read(tmp_path, BASE_30, schedules__csv=text)
    assert "schedules.csv:3: id: id is used by an earlier row (h1, first used at row 2)" in (
        messages(package)
    )


def test_blank_and_repeated_ids_of_link_tables_are_fine(tmp_path):
    """1.x child rows may leave ids blank or reuse a service id (as Miami's languages do)."""
    package = read(tmp_path)
    assert messages(package) == []
    assert package.services["s1"].languages == ["en", "es"]


def test_text_that_is_not_utf8_is_an_error_at_its_row(tmp_path):
    """Undeclared Latin-1 text is reported at the row and column where decoding fails."""
    text = "id,organization_id,name,description\ns1,o1,Food,ok\ns2,o1,Shelter,Ni\xf1os\n"
    package = read(tmp_path, services__csv=text.encode("latin-1"))
    assert any(
        m.startswith("services.csv:3: description: text is not valid UTF-8")
        for m in messages(package)
    )


def test_declared_encoding_is_used(tmp_path):
    """The same Latin-1 file reads correctly once datapackage.json declares its encoding."""
    text = "id,organization_id,name,description\ns1,o1,Food,ok\ns2,o1,Shelter,Ni\xf1os\n"
    descriptor = {"resources": [{"path": "services.csv", "encoding": "latin-1"}]}
    package = read(
        tmp_path,
        services__csv=text.encode("latin-1"),
        datapackage__json=json.dumps(descriptor),
    )
    assert messages(package) == []
    assert package.services["s2"].description == "Niños"


@pytest.mark.parametrize(
    ("file", "text", "where", "what"),
    [
        (
            "phones.csv",
            "id,service_id,number\np1,s9,305-555-0100\n",
            "phones.csv:2: service_id",
            "a service (s9)",
        ),
        (
            "regular_schedules.csv",
            "service_id,weekday,opens_at,closes_at\ns9,Monday,9:00am,5:00pm\n",
            "regular_schedules.csv:2: service_id",
            "a service (s9)",
        ),
        (
            "physical_addresses.csv",
            "id,location_id,address_1\na1,l9,1 Main St\n",
            "physical_addresses.csv:2: location_id",
            "a location (l9)",
        ),
        (
            "languages.csv",
            "id,service_id,language\nx,s9,English\n",
            "languages.csv:2: service_id",
            "a service (s9)",
        ),
        (
            "service_area.csv",
            "id,service_id,service_area\nx,s9,Miami-Dade County\n",
            "service_area.csv:2: service_id",
            "a service (s9)",
        ),
        (
            "required_documents.csv",
            "id,service_id,document\nx,s9,Photo ID\n",
            "required_documents.csv:2: service_id",
            "a service (s9)",
        ),
        (
            "accessibility_for_disabilities.csv",
            "id,location_id,accessibility\nx,l9,Ramp\n",
            "accessibility_for_disabilities.csv:2: location_id",
            "a location (l9)",
        ),
        (
            "services_taxonomy.csv",
            "id,service_id,taxonomy_id\nx,s9,BD\n",
            "services_taxonomy.csv:2: service_id",
            "a service (s9)",
        ),
        (
            "services_taxonomy.csv",
            "id,service_id,taxonomy_id\nx,s1,ZZ-9\n",
            "services_taxonomy.csv:2: taxonomy_id",
            "a taxonomy term (ZZ-9)",
        ),
        (
            "services_at_location.csv",
            "id,service_id,location_id\nsl1,s1,l1\nsl2,s9,l1\n",
            "services_at_location.csv:3: service_id",
            "a service (s9)",
        ),
        (
            "services_at_location.csv",
            "id,service_id,location_id\nsl1,s1,l9\n",
            "services_at_location.csv:2: location_id",
            "a location (l9)",
        ),
        (
            "phones.csv",
            "id,service_at_location_id,number\np1,sl9,305-555-0100\n",
            "phones.csv:2: service_at_location_id",
            "a service at a location (sl9)",
        ),
    ],
)
def test_links_to_ids_found_nowhere_are_errors(tmp_path, file, text, where, what):
    """A row that links to a record that is not in the package has nowhere to go."""
    package = read(tmp_path, **{file.replace(".", "__"): text})
    kind, key = what.rsplit(" ", 1)
    assert f"{where}: links to {kind} that is not in the package {key}" in messages(package)


def test_30_attribute_to_unknown_term_is_an_error(tmp_path):
    """3.0 attributes linking a service to a term that is not in the package are errors."""
    text = "id,link_id,link_entity,taxonomy_term_id\nat1,s1,service,t9\n"
    package = read(tmp_path, BASE_30, attributes__csv=text)
    where = "attributes.csv:2: taxonomy_term_id"
    assert f"{where}: links to a taxonomy term that is not in the package (t9)" in messages(package)


# --- warnings ---------------------------------------------------------------------------------


def test_missing_organization_is_rebuilt_from_its_location(tmp_path):
    """Services whose organization row is missing stay, under an organization rebuilt and marked."""
    services = "id,organization_id,name\ns1,o1,Food Pantry\ns2,o7,Tutoring\ns3,o7,Summer Camp\n"
    locations = (
        "id,organization_id,name\nl1,o1,Main Office\nl2,o1,Annex\n"
        "o7,o7,CITY OF HOPE - YOUTH PROGRAMS\n"
    )
    package = read(tmp_path, services__csv=services, locations__csv=locations)
    assert messages(package) == []
    rebuilt = package.organizations["o7"]
    assert (rebuilt.name, rebuilt.rebuilt) == ("CITY OF HOPE - YOUTH PROGRAMS", True)
    assert package.services["s2"].organization_id == "o7"
    warnings = [
        w for w in messages(package, "warning") if "organization is not in the package" in w
    ]
    assert len(warnings) == 2
    assert warnings[0].startswith("services.csv:3: organization_id:")


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        ("95.0", "-80.1", "coordinates are out of range; dropped"),
        ("north", "-80.1", "coordinates are not numbers; dropped"),
        ("0", "0", "coordinates are (0, 0); dropped"),
    ],
)
def test_unusable_coordinates_are_dropped_with_a_warning(tmp_path, latitude, longitude, message):
    """Coordinates that cannot be a place are dropped, and the location kept."""
    text = (
        "id,organization_id,name,latitude,longitude\n"
        f"l1,o1,Main,{latitude},{longitude}\nl2,o1,Annex,,\n"
    )
    package = read(tmp_path, locations__csv=text)
    assert package.locations["l1"].latitude is None
    assert f"locations.csv:2: latitude: {message} ({latitude}, {longitude})" in messages(
        package, "warning"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Dismissal Bell - 6:00pm", "opening hours could not be read; kept as text"),
        ("By appointment only", "hours are by appointment or vary; kept as text"),
        ("Call for hours", "hours are by appointment or vary; kept as text"),
        ("9:00 AM – 5:00 PM", "opening hours give times but no days; kept as text"),
    ],
)
def test_hours_without_windows_keep_their_text_with_a_warning_of_their_kind(
    tmp_path, text, message
):
    """Hours that give no window are unknown, the text kept, and the warning says why."""
    rows = f"service_id,weekday,opens_at,closes_at,original_text\ns1,,,,{text}\n"
    package = read(tmp_path, regular_schedules__csv=rows)
    hours = package.services["s1"].hours
    assert (hours.windows, hours.text) == ([], text)
    assert messages(package, "warning") == [f"regular_schedules.csv:2: {message} ({text})"]


def test_hours_read_in_part_keep_the_windows_and_name_the_rest(tmp_path):
    """When one clause of several cannot be read, the others give windows and it is named."""
    rows = (
        "service_id,weekday,opens_at,closes_at,original_text\n"
        's1,,,,"Mon-Fri 9-5\\nEvery 3rd Sat 10-2"\n'
    )
    package = read(tmp_path, regular_schedules__csv=rows)
    assert package.services["s1"].hours.windows == [
        Window(day, time(9), time(17)) for day in range(5)
    ]
    assert messages(package, "warning") == [
        "regular_schedules.csv:2: part of the opening hours could not be read; the rest was "
        "read, the text kept (Every 3rd Sat 10-2)"
    ]


def test_hours_in_common_us_formats_give_windows_and_no_warning(tmp_path):
    """ "M-F 9am-5pm", "Tu/Th 1-4" and the like are read, with nothing to warn about."""
    rows = 'id,service_id,description\nh1,s1,"M-F 9am-5pm; Sat 10-2"\nh2,s1,Tu/Th 1-4\n'
    package = read(tmp_path, BASE_30, schedules__csv=rows)
    assert package.problems == []
    windows = package.services["s1"].hours.windows
    assert Window(5, time(10), time(14)) in windows
    assert Window(3, time(13), time(16)) in windows


def test_30_schedule_with_times_but_no_days_keeps_them_as_text(tmp_path):
    """A 3.0 row with opening times but no `byday` invents no days: its times become text."""
    rows = "id,service_id,opens_at,closes_at\nh1,s1,09:00,17:00\n"
    package = read(tmp_path, BASE_30, schedules__csv=rows)
    hours = package.services["s1"].hours
    assert (hours.windows, hours.text) == ([], "09:00–17:00")
    assert messages(package, "warning") == [
        "schedules.csv:2: opening hours give times but no days; kept as text (09:00–17:00)"
    ]


def test_30_schedule_with_times_but_no_days_reads_its_description(tmp_path):
    """A 3.0 row with times but no `byday` takes its days from its description."""
    rows = 'id,service_id,opens_at,closes_at,description\nh1,s1,09:00,17:00,"Mon-Fri 9-5"\n'
    package = read(tmp_path, BASE_30, schedules__csv=rows)
    assert package.problems == []
    assert package.services["s1"].hours.windows == [
        Window(day, time(9), time(17)) for day in range(5)
    ]


def test_rows_without_any_link_are_skipped(tmp_path):
    """Eligibility rows with no service id (as in Miami) are skipped with a warning."""
    text = "id,service_id,eligibility\n,,Adults over 18\n,s1,Residents of Miami-Dade\n"
    package = read(tmp_path, eligibility__csv=text)
    assert "eligibility.csv:2: service_id: row is not linked to any record; skipped" in messages(
        package, "warning"
    )
    assert package.services["s1"].eligibility_description == "Residents of Miami-Dade"


def test_files_named_in_datapackage_but_absent_are_warnings(tmp_path):
    """datapackage.json naming a file that is not there is worth a warning, nothing more."""
    descriptor = {"resources": [{"path": "services.csv"}, {"path": "funding.csv"}]}
    package = read(tmp_path, datapackage__json=json.dumps(descriptor))
    assert messages(package, "warning") == [
        "funding.csv: file named in datapackage.json is not in the package"
    ]


def test_a_term_id_given_to_two_terms_keeps_the_first_with_a_warning(tmp_path):
    """A term id that names two different terms keeps the first, and says so."""
    text = (
        "id,name,parent_id,vocabulary\n"
        "BD,Food,,AIRS\nBD,Groceries,,AIRS\nBD-1800,Pantries,BD,AIRS\n"
    )
    package = read(tmp_path, taxonomy__csv=text)
    assert messages(package) == []
    assert package.taxonomy_terms["BD"].name == "Food"
    assert (
        "taxonomy.csv:3: id: taxonomy term id is used by an earlier row for another term; "
        "the first is kept (BD, first used at row 2)"
    ) in messages(package, "warning")


def test_a_row_that_only_repeats_an_earlier_one_is_skipped_with_a_warning(tmp_path):
    """Miami repeats some terms with fewer columns filled: nothing is lost, so it only warns."""
    text = (
        "id,name,parent_id,vocabulary,taxonomy_facet\n"
        "BD,Food,,AIRS,Service\nBD,Food,,AIRS,\nBD-1800,Pantries,BD,AIRS,\n"
    )
    package = read(tmp_path, taxonomy__csv=text)
    assert messages(package) == []
    assert package.taxonomy_terms["BD"].name == "Food"
    assert messages(package, "warning") == [
        "taxonomy.csv:3: id: row repeats an earlier row with the same id; skipped "
        "(BD, first used at row 2)"
    ]


def test_unknown_status_is_active_with_a_warning(tmp_path):
    """A status outside HSDS reads as active; a blank one is active silently."""
    text = "id,organization_id,name,status\ns1,o1,Food,open\ns2,o1,Shelter,\n"
    package = read(tmp_path, services__csv=text)
    assert package.services["s1"].status == "active"
    assert package.services["s2"].status == "active"
    assert messages(package, "warning") == [
        "services.csv:2: status: status is not an HSDS service status; active assumed (open)"
    ]


def test_unreadable_age_is_a_warning(tmp_path):
    """An age that is not a number is left blank, with a warning."""
    text = "id,organization_id,name,status,minimum_age\ns1,o1,Food,active,adults\n"
    package = read(tmp_path, BASE_30, services__csv=text)
    assert package.services["s1"].minimum_age is None
    assert "services.csv:2: minimum_age: age could not be read; left blank (adults)" in messages(
        package, "warning"
    )


# --- cleaning ---------------------------------------------------------------------------------


def test_padding_escapes_tags_and_mojibake_are_cleaned(tmp_path):
    """Values lose padding, internal tags and literal \\n; broken characters are repaired."""
    services = (
        "id,organization_id,name,description\n"
        's1,o1,Food,"The AttorneyGÇÖs office.\\n\\n###MON###\\n###COL###"\n'
        "s2,o1,Shelter,Informaci+¦n en Espa+¦ol\n"
    )
    package = read(tmp_path, services__csv=services)
    assert package.services["s1"].description == "The Attorney’s office."
    assert package.services["s2"].description == "Información en Español"
    address = package.locations["l1"].addresses[0]
    assert (address.state_province, address.postal_code, address.country) == (
        "FL",
        "33136-1234",
        "US",
    )


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("FL ", "FL"),
        ("   ", ""),
        ("Line one\\nLine two", "Line one\nLine two"),
        ("Helping people.\\n\\n###MON###", "Helping people."),
        ("Florida GÇô Miami", "Florida – Miami"),
        ("caf├⌐", "café"),
        ("cafÃ©", "café"),
    ],
)
def test_clean_text(raw, clean):
    """Text cleaning handles the mess found in real exports."""
    assert clean_text(raw) == clean


# --- languages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("English", "en"),
        ("Spanish", "es"),
        ("Creole", "ht"),
        ("Haitian Creole", "ht"),
        ("Spanish (limited)", "es"),
        ("Espa+¦ol", "es"),
        ("ASL", "ase"),
        ("American Sign Language", "ase"),
        ("Greek", "el"),
        ("Sindhi", "sd"),
        ("Language line available", None),
        ("Interpreters available upon request", None),
    ],
)
def test_language_code(name, code):
    """Language names map to ISO 639-1 codes (639-3 when there is none); notes map to None."""
    assert language_code(name) == code


def test_split_languages_separates_notes():
    """A value naming languages and services gives both."""
    assert split_languages("English and Spanish") == (["en", "es"], [])
    assert split_languages("Spanish\\n\\nInterpreter available as needed") == (
        ["es"],
        ["Interpreter available as needed"],
    )


def test_language_notes_go_to_interpretation_services(tmp_path):
    """Notes that are not languages are kept, once each, in interpretation_services."""
    text = (
        "id,service_id,language\n"
        "x,s1,English\nx,s1,Language line available\nx,s1,Language line available\n"
        "x,s1,Interpreters available upon request\n"
    )
    package = read(tmp_path, languages__csv=text)
    service = package.services["s1"]
    assert service.languages == ["en"]
    assert service.interpretation_services == (
        "Language line available\nInterpreters available upon request"
    )


def test_a_language_no_code_is_found_for_is_kept_and_warned_about(tmp_path):
    """A name that is no language we know stays in the service's notes, with a warning."""
    text = "id,service_id,language\nx,s1,English\nx,s1,Elvish\nx,s1,Language line available\n"
    package = read(tmp_path, languages__csv=text)
    service = package.services["s1"]
    assert service.languages == ["en"]
    assert "Elvish" in service.interpretation_services
    assert messages(package, "warning") == [
        "languages.csv:3: language: language could not be identified; "
        "kept with the interpretation notes (Elvish)"
    ]


def test_30_language_codes_are_read_in_any_iso_form(tmp_path):
    """A 3.0 `code` of "spa" or "es-MX" is Spanish; a code ISO 639 lacks falls back on the name,
    and with no name is warned about."""
    text = (
        "id,service_id,code,name\n"
        "lg1,s1,spa,\nlg2,s1,yue,Cantonese\nlg3,s1,zz,Mandarin\nlg4,s1,qq,\n"
    )
    package = read(tmp_path, BASE_30, languages__csv=text)
    assert package.services["s1"].languages == ["es", "yue", "cmn"]
    assert messages(package, "warning") == [
        "languages.csv:5: code: language could not be identified; skipped (qq)"
    ]


# --- service areas ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "areas"),
    [
        ("Miami-Dade County", [("county", "FL:Miami-Dade County")]),
        (
            "Miami-Dade, Monroe and Collier counties",
            [
                ("county", "FL:Miami-Dade County"),
                ("county", "FL:Monroe County"),
                ("county", "FL:Collier County"),
            ],
        ),
        ("Florida", [("state", "FL")]),
        ("Nationwide", [("nationwide", "")]),
        ("United States", [("nationwide", "")]),
        ("33125, 33126", [("postal_code", "33125"), ("postal_code", "33126")]),
        ("Miami-Dade County, Florida", [("county", "FL:Miami-Dade County")]),
        ("Miami-Dade", [("county", "FL:Miami-Dade County")]),
        ("Key West, FL", [("postal_code", "33040")]),
    ],
)
def test_parse_area_text(text, areas):
    """Free-text service areas become ZIP codes, cities, counties, states or the whole nation."""
    assert [(a.kind, a.value) for a in parse_area_text(text, "FL")] == areas


def test_area_labels():
    """Areas carry a label people read."""
    assert parse_area_text("Monroe County", "FL") == [
        ServiceArea("county", "FL:Monroe County", "Monroe County, FL")
    ]
    assert parse_area_text("Florida")[0].name == "Florida"


HIALEAH = ["33010", "33012", "33013", "33014", "33015", "33016", "33018"]
MIAMI_BEACH = ["33109", "33139", "33140", "33141", "33154"]
HOMESTEAD = ["33030", "33031", "33032", "33033", "33034", "33035"]
CLEVELAND_HEIGHTS = ["44106", "44112", "44118", "44121"]


@pytest.mark.parametrize(
    ("text", "state", "codes", "label"),
    [
        ("Hialeah", "FL", HIALEAH, "Hialeah, FL"),
        ("HIALEAH", "FL", HIALEAH, "Hialeah, FL"),
        ("Miami Beach, FL", "", MIAMI_BEACH, "Miami Beach, FL"),
        ("Miami Beach FL", "", MIAMI_BEACH, "Miami Beach, FL"),
        ("City of Homestead", "FL", HOMESTEAD, "Homestead, FL"),
        ("Hialeah residents", "FL", HIALEAH, "Hialeah, FL"),
        ("Cleveland Heights", "OH", CLEVELAND_HEIGHTS, "Cleveland Heights, OH"),
        ("Cleveland Heights", "FL", CLEVELAND_HEIGHTS, "Cleveland Heights, OH"),
        ("Florida City", "FL", ["33034"], "Florida City, FL"),
    ],
)
def test_city_names_become_the_zip_codes_of_the_city(text, state, codes, label):
    """A city or town (its postal name or one the Postal Service accepts) gives its ZIP codes,
    in the state written after it, else the directory's state, else the one state that has it."""
    reading = read_area_text(text, state)
    assert [(a.kind, a.value) for a in reading.areas] == [("postal_code", code) for code in codes]
    assert {a.name for a in reading.areas} == {label}
    assert (reading.unknown, reading.ambiguous) == ([], [])


def test_a_city_name_many_states_share_takes_the_directory_state():
    """ "Springfield" is ambiguous on its own and settled by the directory's state."""
    assert read_area_text("Springfield").ambiguous == ["Springfield"]
    assert read_area_text("Springfield").areas == []
    in_ohio = read_area_text("Springfield", "OH").areas
    assert in_ohio and {a.name for a in in_ohio} == {"Springfield, OH"}
    assert read_area_text("Springfield, IL", "OH").areas[0].name == "Springfield, IL"


def test_names_that_are_no_place_are_listed_beside_the_areas_read():
    """An unknown name is listed, and the rest of the text still gives its areas."""
    reading = read_area_text("Hialeah, Narnia and Miami-Dade County", "FL")
    assert [a.value for a in reading.areas] == ["FL:Miami-Dade County", *HIALEAH]
    assert (reading.unknown, reading.ambiguous) == (["Narnia"], [])
    assert read_area_text("Narnia", "FL") == AreaReading([], ["Narnia"], [])


def test_1x_service_area_text_uses_the_package_state(tmp_path):
    """1.x service_area text is read with the state most addresses are in; a city is its ZIPs."""
    text = "id,service_id,service_area\nx1,s1,Monroe County\nx2,s2,Hialeah\nx3,s2,Narnia\n"
    package = read(tmp_path, service_area__csv=text)
    assert [(a.kind, a.value) for a in package.services["s1"].service_areas] == [
        ("county", "FL:Monroe County")
    ]
    assert [a.value for a in package.services["s2"].service_areas] == HIALEAH
    assert messages(package, "warning") == [
        "service_area.csv:4: service_area: service area could not be read; skipped (Narnia)"
    ]


def test_service_area_warnings_tell_ambiguous_and_partly_read_names(tmp_path):
    """A city several states share, and names left over beside readable ones, are warned about."""
    rows = (
        'id,service_id,name,extent,extent_type\nsa1,s1,Springfield,,\nsa2,s1,"Hialeah, Narnia",,\n'
    )
    package = read(tmp_path, BASE_30, service_areas__csv=rows)
    assert [a.value for a in package.services["s1"].service_areas] == HIALEAH
    assert messages(package, "warning") == [
        "service_areas.csv:2: name: service area names a city found in more than one state; "
        "skipped (Springfield)",
        "service_areas.csv:3: name: part of the service area could not be read; the rest was "
        "kept (Narnia)",
    ]


# --- schedules --------------------------------------------------------------------------------


def test_schedules_disagreeing_with_their_text_take_the_text(tmp_path):
    """Machine-parsed 1.x rows that contradict original_text give way to the text's windows."""
    text = (
        "service_id,weekday,opens_at,closes_at,original_text\n"
        's1,Saturday,7:00am,7:00pm,"7:00am-7:00pm, Mon-Fri;\\n8:00am-5:00pm, Sat"\n'
    )
    package = read(tmp_path, regular_schedules__csv=text)
    hours = package.services["s1"].hours
    assert hours.text == "7:00am-7:00pm, Mon-Fri;\n8:00am-5:00pm, Sat"
    assert hours.windows == [Window(day, time(7), time(19)) for day in range(5)] + [
        Window(5, time(8), time(17))
    ]
    assert messages(package, "warning") == []


def test_30_schedule_without_times_reads_its_description(tmp_path):
    """A 3.0 schedule row with only a description is read from that description."""
    text = 'id,service_id,description\nh1,s1,"9:00am-1:00pm, Sat"\n'
    package = read(tmp_path, BASE_30, schedules__csv=text)
    assert package.services["s1"].hours.windows == [Window(5, time(9), time(13))]


def test_30_text_schedule_beside_timed_rows_that_cannot_be_read_is_named(tmp_path):
    """A 3.0 row known only by text adds to the timed rows; when it cannot be read, it is named."""
    rows = (
        "id,service_id,freq,byday,opens_at,closes_at,description\n"
        'h1,s1,WEEKLY,"MO,TU",09:00,17:00,\n'
        "h2,s1,,,,,Every 3rd Saturday 10-2\n"
    )
    package = read(tmp_path, BASE_30, schedules__csv=rows)
    assert len(package.services["s1"].hours.windows) == 2
    assert messages(package, "warning") == [
        "schedules.csv:2: part of the opening hours could not be read; the rest was read, "
        "the text kept (Every 3rd Saturday 10-2)"
    ]


# --- JSON -------------------------------------------------------------------------------------


def _service_json(service_id: str, **extra) -> dict:
    """A minimal 3.0 service document."""
    return {
        "id": service_id,
        "name": f"Service {service_id}",
        "status": "active",
        "organization": {"id": "o1", "name": "Helping Hands", "description": ""},
        "service_at_locations": [
            {
                "id": f"sal-{service_id}",
                "location": {
                    "id": "l1",
                    "location_type": "physical",
                    "name": "Main",
                    "latitude": 25.77,
                    "longitude": -80.19,
                    "addresses": [
                        {
                            "id": "a1",
                            "address_1": "1 Main St",
                            "city": "Miami",
                            "state_province": "FL",
                            "postal_code": "33136",
                            "country": "US",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
        **extra,
    }


@pytest.mark.parametrize("wrap", ["list", "page", "single"])
def test_json_documents_in_any_wrapper(tmp_path, wrap):
    """A list, a page object with contents, or one service document all read."""
    document = _service_json("s1", phones=[{"id": "p1", "number": "305-555-0100"}])
    value = {"list": [document], "page": {"contents": [document]}, "single": document}[wrap]
    path = tmp_path / "services.json"
    path.write_text(json.dumps(value))
    package = read_package(path)
    assert package.problems == []
    assert package.services["s1"].phones[0].number == "305-555-0100"
    assert package.locations["l1"].addresses[0].city == "Miami"
    assert package.service_at_locations["sal-s1"].location_id == "l1"


def test_json_problems_name_the_document_and_path(tmp_path):
    """JSON problems give the service's position as the row and a JSON path as the field."""
    documents = [
        _service_json("s1"),
        _service_json(
            "s2",
            phones=[{"id": "p1", "number": ""}],
            attributes=[{"id": "at1", "taxonomy_term_id": "t9"}],
        ),
        _service_json("s1", name="Another service"),
    ]
    path = tmp_path / "services.json"
    path.write_text(json.dumps(documents))
    package = read_package(path)
    assert messages(package) == [
        "services.json:3: services[2].id: id is used by an earlier row "
        "(s1, first used at services[0])",
        "services.json:2: services[1].attributes[0].taxonomy_term_id: "
        "links to a taxonomy term that is not in the package (t9)",
    ]
    assert messages(package, "warning") == [
        "services.json:3: services[2].service_at_locations[0].id: row repeats an earlier row "
        "with the same id; skipped (sal-s1, first used at services[0].service_at_locations[0])",
        "services.json:2: services[1].phones[0].number: phone number is blank; skipped",
    ]


def test_json_that_cannot_be_parsed_is_an_error(tmp_path):
    """Broken JSON is one error, not an exception."""
    path = tmp_path / "services.json"
    path.write_text("[{")
    assert messages(read_package(path))[0].startswith("services.json: the file is not valid JSON")
