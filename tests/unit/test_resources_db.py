"""The bundled starter directory is a complete, consistent HSDS 3.0 package."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import uuid
from collections import defaultdict
from datetime import date
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "resources_db" / "cleveland"
GENERATOR = ROOT / "resources_db" / "generate.py"

COLUMNS = {
    "organizations": "id* name* alternate_name description* email website tax_status tax_id"
    " year_incorporated legal_status logo uri parent_organization_id",
    "services": "id* organization_id* program_id name* alternate_name description url email"
    " status* interpretation_services application_process fees_description wait_time fees"
    " accreditations eligibility_description minimum_age maximum_age assured_date assurer_email"
    " licenses alert last_modified",
    "locations": "id* location_type* url organization_id name alternate_name description"
    " transportation latitude longitude external_identifier external_identifier_type",
    "service_at_location": "id* service_id* location_id* description",
    "addresses": "id* location_id attention address_1* address_2 city* region state_province*"
    " postal_code* country* address_type*",
    "phones": "id* location_id service_id organization_id contact_id service_at_location_id"
    " number* extension type description",
    "schedules": "id* service_id location_id service_at_location_id valid_from valid_to dtstart"
    " timezone until count wkst freq interval byday byweekno bymonthday byyearday description"
    " opens_at closes_at schedule_link attending_type notes",
    "service_areas": "id* service_id name description extent extent_type uri",
    "languages": "id* service_id location_id phone_id name code note",
    "required_documents": "id* service_id document uri",
    "cost_options": "id* service_id* valid_from valid_to option currency amount amount_description",
    "taxonomies": "id* name* description* uri version",
    "taxonomy_terms": "id* code name* description* parent_id taxonomy language taxonomy_id"
    " term_uri",
    "attributes": "id* link_id* taxonomy_term_id* link_type link_entity* value",
}

FOREIGN_KEYS = [
    ("organizations", "parent_organization_id", "organizations"),
    ("services", "organization_id", "organizations"),
    ("locations", "organization_id", "organizations"),
    ("service_at_location", "service_id", "services"),
    ("service_at_location", "location_id", "locations"),
    ("addresses", "location_id", "locations"),
    ("phones", "location_id", "locations"),
    ("phones", "service_id", "services"),
    ("phones", "organization_id", "organizations"),
    ("phones", "service_at_location_id", "service_at_location"),
    ("schedules", "service_id", "services"),
    ("schedules", "location_id", "locations"),
    ("schedules", "service_at_location_id", "service_at_location"),
    ("service_areas", "service_id", "services"),
    ("languages", "service_id", "services"),
    ("languages", "location_id", "locations"),
    ("languages", "phone_id", "phones"),
    ("required_documents", "service_id", "services"),
    ("cost_options", "service_id", "services"),
    ("taxonomy_terms", "parent_id", "taxonomy_terms"),
    ("taxonomy_terms", "taxonomy_id", "taxonomies"),
    ("attributes", "link_id", "services"),
    ("attributes", "taxonomy_term_id", "taxonomy_terms"),
]

NEEDS = {
    "food": {
        "Food Pantry",
        "Mobile Food Pantry",
        "Meals",
        "Senior Meals",
        "Home-Delivered Meals",
        "Emergency Food",
        "SNAP Application Help",
        "WIC Nutrition Program",
        "Nutrition Education",
    },
    "housing": {
        "Emergency Shelter",
        "Overnight Shelter",
        "Rent Assistance",
        "Help Pay for Housing",
        "Eviction Prevention",
        "Help Find Housing",
        "Housing Counseling",
        "Home Repairs",
    },
    "transportation": {
        "Transportation",
        "Transportation for Healthcare",
        "Medicaid Transportation",
        "Senior Transportation",
        "Bus Passes",
        "Help Pay for Car Repairs",
        "Bicycles",
    },
    "utilities": {
        "Help Pay for Utilities",
        "Electric and Gas Bill Help",
        "Winter Heating Crisis Help",
        "Water Bill Help",
        "Phone and Internet Help",
        "Furnace Repair",
    },
    "financial": {
        "Emergency Cash",
        "Government Benefits",
        "Tax Preparation",
        "Financial Education",
    },
    "safety": {
        "Immediate Safety",
        "Help Escape Violence",
        "Court Advocacy",
        "Crisis Hotline",
        "Domestic Violence Shelter",
    },
    "employment": {"Help Find Work", "Job Training"},
    "legal": {"Advocacy & Legal Aid", "Eviction Defense", "Immigration Help", "Record Sealing"},
    "goods": {"Clothing", "Baby Supplies", "Home Goods", "Personal Care"},
    "childcare": {"Child Care", "After School Care", "Help Pay for Child Care"},
}
MINIMUM_PER_NEED = {
    "food": 25,
    "housing": 20,
    "transportation": 12,
    "utilities": 12,
    "financial": 15,
    "safety": 8,
}
TOP_LEVEL = {
    "Emergency",
    "Food",
    "Housing",
    "Goods",
    "Transit",
    "Health",
    "Money",
    "Care",
    "Education",
    "Work",
    "Legal",
}
LANGUAGES = {
    "en": "English",
    "es": "Spanish",
    "ar": "Arabic",
    "uk": "Ukrainian",
    "so": "Somali",
    "ne": "Nepali",
    "ru": "Russian",
    "zh": "Chinese",
    "vi": "Vietnamese",
}
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
LATITUDES = (40.9, 41.9)
LONGITUDES = (-82.4, -81.0)
FICTIONAL_NUMBER = re.compile(r"(216|440|330)-555-01\d\d")
TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
STALE_BEFORE = date(2026, 5, 5)


@cache
def table(name: str) -> list[dict[str, str]]:
    """Read one CSV file of the package as a list of rows."""
    with (PACKAGE / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def ids(name: str) -> set[str]:
    """Return the ids of a table."""
    return {row["id"] for row in table(name)}


def by_service(name: str) -> dict[str, list[dict[str, str]]]:
    """Group the rows of a table by their `service_id`."""
    groups = defaultdict(list)
    for row in table(name):
        groups[row["service_id"]].append(row)
    return groups


def terms_of_services() -> dict[str, set[str]]:
    """Return the taxonomy term names linked to each service id."""
    names = {row["id"]: row["name"] for row in table("taxonomy_terms")}
    linked = defaultdict(set)
    for row in table("attributes"):
        linked[row["link_id"]].add(names[row["taxonomy_term_id"]])
    return linked


def schedule_owners() -> dict[str, list[dict[str, str]]]:
    """Group schedule rows by the service they apply to, through any of the three links."""
    site_services = {row["id"]: row["service_id"] for row in table("service_at_location")}
    owners = defaultdict(list)
    for row in table("schedules"):
        if row["service_id"]:
            owners[row["service_id"]].append(row)
        elif row["service_at_location_id"]:
            owners[site_services[row["service_at_location_id"]]].append(row)
    return owners


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_every_file_has_exactly_the_hsds_columns_in_order(name: str) -> None:
    """Each CSV file's header is the HSDS 3.0 column list, in the specification's order."""
    with (PACKAGE / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == [column.rstrip("*") for column in COLUMNS[name].split()]


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_required_columns_are_filled(name: str) -> None:
    """Every column marked required by HSDS 3.0 has a value in every row."""
    required = [column.rstrip("*") for column in COLUMNS[name].split() if column.endswith("*")]
    missing = [(i, c) for i, row in enumerate(table(name)) for c in required if not row[c]]
    assert missing == []


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_ids_are_unique_uuids(name: str) -> None:
    """Ids are UUIDs and no two rows of a table share one."""
    values = [row["id"] for row in table(name)]
    assert len(values) == len(set(values))
    assert all(str(uuid.UUID(value)) == value for value in values)


@pytest.mark.parametrize(("name", "column", "target"), FOREIGN_KEYS)
def test_foreign_keys_resolve(name: str, column: str, target: str) -> None:
    """Every filled foreign key points at an existing row."""
    dangling = {row[column] for row in table(name) if row[column]} - ids(target)
    assert dangling == set()


def test_attributes_link_services_only() -> None:
    """Taxonomy terms are attached to services, as HSDS 3.0 attributes with an empty value."""
    assert {row["link_entity"] for row in table("attributes")} == {"service"}
    assert all(row["value"] == "" and row["link_type"] == "" for row in table("attributes"))


@pytest.mark.parametrize(
    ("name", "links"),
    [
        ("phones", ("location_id", "service_id", "organization_id", "service_at_location_id")),
        ("schedules", ("service_id", "location_id", "service_at_location_id")),
    ],
)
def test_phones_and_schedules_belong_to_exactly_one_owner(name: str, links: tuple) -> None:
    """A phone or schedule row fills exactly one of its owner links, so it is never ambiguous."""
    assert all(sum(bool(row[link]) for link in links) == 1 for row in table(name))


def test_about_150_services_from_about_60_organizations() -> None:
    """The directory holds between 140 and 170 services from 50 to 70 organizations."""
    assert 140 <= len(table("services")) <= 170
    assert 50 <= len(table("organizations")) <= 70
    assert {row["organization_id"] for row in table("services")} == ids("organizations")


def test_every_service_has_a_location_or_a_service_area() -> None:
    """A service is found either at a place or by the area it serves."""
    placed = {row["service_id"] for row in table("service_at_location")}
    served = {row["service_id"] for row in table("service_areas")}
    assert ids("services") <= placed | served


def test_some_services_have_no_location_and_a_few_serve_the_nation() -> None:
    """Hotlines and phone programs have no location; two or three are nationwide."""
    placed = {row["service_id"] for row in table("service_at_location")}
    assert 6 <= len(ids("services") - placed) <= 12
    nationwide = {
        r["service_id"] for r in table("service_areas") if r["extent_type"] == "nationwide"
    }
    assert 2 <= len(nationwide) <= 3


def test_some_services_are_offered_at_several_locations() -> None:
    """A few services run at two or three sites, some with different hours at each."""
    sites = by_service("service_at_location")
    assert sum(1 for rows in sites.values() if len(rows) >= 2) >= 4
    assert max(len(rows) for rows in sites.values()) == 3
    assert any(row["service_at_location_id"] for row in table("schedules"))


def test_every_location_is_a_physical_place_in_the_cleveland_area() -> None:
    """Locations have coordinates inside the Greater Cleveland box and one physical address."""
    for row in table("locations"):
        assert row["location_type"] == "physical"
        assert LATITUDES[0] <= float(row["latitude"]) <= LATITUDES[1]
        assert LONGITUDES[0] <= float(row["longitude"]) <= LONGITUDES[1]
    addressed = [row["location_id"] for row in table("addresses")]
    assert sorted(addressed) == sorted(ids("locations"))


def test_addresses_are_ohio_physical_addresses() -> None:
    """Addresses are physical, in Ohio, US, with a five-digit ZIP code in the 440-443 range."""
    for row in table("addresses"):
        assert (row["address_type"], row["state_province"], row["country"]) == (
            "physical",
            "OH",
            "US",
        )
        assert re.fullmatch(r"44[0-3]\d\d", row["postal_code"])
        assert re.match(r"\d+ \S", row["address_1"])


def test_phone_numbers_are_in_the_fictional_range() -> None:
    """Every number is 555-0100 to 555-0199, a range set aside for fiction."""
    numbers = [row["number"] for row in table("phones")]
    assert [n for n in numbers if not FICTIONAL_NUMBER.fullmatch(n)] == []
    assert {row["type"] for row in table("phones")} <= {"voice", "text", "fax"}


def test_every_organization_has_a_phone_number() -> None:
    """Callers can always reach an organization."""
    assert {row["organization_id"] for row in table("phones") if row["organization_id"]} == ids(
        "organizations"
    )


@pytest.mark.parametrize("need", sorted(NEEDS))
def test_each_need_is_represented_by_taxonomy_terms(need: str) -> None:
    """Each referral need has services tagged with one of its Open Eligibility terms."""
    tagged = [sid for sid, names in terms_of_services().items() if names & NEEDS[need]]
    assert len(tagged) >= MINIMUM_PER_NEED.get(need, 3)


def test_every_service_has_a_taxonomy_term() -> None:
    """A service without a term could not be found by category."""
    assert set(terms_of_services()) == ids("services")


def test_taxonomy_is_open_eligibility_with_its_eleven_categories() -> None:
    """One taxonomy, Open Eligibility; its top-level terms are the eleven categories."""
    assert [(r["name"], r["uri"]) for r in table("taxonomies")] == [
        ("Open Eligibility", "https://openeligibility.org")
    ]
    terms = table("taxonomy_terms")
    assert {row["name"] for row in terms if not row["parent_id"]} == TOP_LEVEL
    assert {row["taxonomy"] for row in terms} == {"Open Eligibility"}
    assert len({row["code"] for row in terms}) == len(terms)


def test_schedules_are_weekly_windows_in_local_time() -> None:
    """Schedules are WEEKLY rules with RFC 5545 days, HH:MM times, no time zone and a summary."""
    for row in table("schedules"):
        assert row["freq"] == "WEEKLY"
        assert set(row["byday"].split(",")) <= set(DAYS)
        assert TIME.fullmatch(row["opens_at"]) and TIME.fullmatch(row["closes_at"])
        assert row["timezone"] == ""
        assert row["description"]


def test_overnight_round_the_clock_and_weekend_hours_exist() -> None:
    """The directory has overnight shelters, 24/7 lines and weekend hours."""
    rows = table("schedules")
    every_day = ",".join(DAYS)
    overnight = [r for r in rows if r["closes_at"] < r["opens_at"] and r["byday"] == every_day]
    always = [r for r in rows if r["opens_at"] == r["closes_at"] == "00:00"]
    weekend = [r for r in rows if set(r["byday"].split(",")) <= {"SA", "SU"}]
    assert len(overnight) >= 2
    assert len(always) >= 5 and all(r["byday"] == every_day for r in always)
    assert len(weekend) >= 3


def test_some_services_open_twice_on_the_same_day() -> None:
    """A pantry open 10:00-12:00 and 17:00-19:00 has two windows on one day."""
    split_days = 0
    for rows in schedule_owners().values():
        per_day = defaultdict(int)
        for row in rows:
            for day in row["byday"].split(","):
                per_day[day] += 1
        split_days += any(count >= 2 for count in per_day.values())
    assert split_days >= 2


def test_services_without_hours_tell_people_to_call() -> None:
    """About ten services have no schedule anywhere; each says to call for hours."""
    services = {row["id"]: row for row in table("services")}
    scheduled = set(schedule_owners())
    located = defaultdict(set)
    for row in table("service_at_location"):
        located[row["service_id"]].add(row["location_id"])
    building_hours = {row["location_id"] for row in table("schedules") if row["location_id"]}
    hourless = [sid for sid in services if sid not in scheduled]
    assert 8 <= len(hourless) <= 12
    for sid in hourless:
        assert "call for hours" in services[sid]["application_process"].lower()
        assert not located[sid] & building_hours


def test_service_areas_use_the_four_extent_types() -> None:
    """Areas are ZIP code lists, `OH:<name> County`, `OH` or nationwide with no extent."""
    patterns = {
        "postal_code": r"44\d{3}( 44\d{3})*",
        "county": r"OH:(Cuyahoga|Lake|Lorain|Summit) County",
        "state": r"OH",
        "nationwide": r"",
    }
    for row in table("service_areas"):
        assert re.fullmatch(patterns[row["extent_type"]], row["extent"]), row
        assert row["name"]
    assert {row["extent_type"] for row in table("service_areas")} == set(patterns)


def test_languages_are_iso_639_1_codes_with_english_names() -> None:
    """Every service lists its languages; codes are ISO 639-1 and names are English."""
    for row in table("languages"):
        assert LANGUAGES[row["code"]] == row["name"]
    spoken = by_service("languages")
    assert set(spoken) == ids("services")
    spanish = [sid for sid, rows in spoken.items() if any(r["code"] == "es" for r in rows)]
    assert len(spanish) >= 40
    assert {row["code"] for row in table("languages")} == set(LANGUAGES)


def test_service_status_and_verification_dates() -> None:
    """Most services are active, one or two temporarily closed; some were verified long ago."""
    services = table("services")
    statuses = [row["status"] for row in services]
    assert set(statuses) <= {"active", "inactive", "defunct", "temporarily closed"}
    assert 1 <= statuses.count("temporarily closed") <= 2
    assured = [date.fromisoformat(row["assured_date"]) for row in services]
    assert all(date(2025, 6, 1) <= day <= date(2026, 11, 1) for day in assured)
    assert sum(day < STALE_BEFORE for day in assured) >= 10


def test_ages_fit_the_service() -> None:
    """Senior meals start at 60, youth services end at 24, and minimums never exceed maximums."""
    terms = terms_of_services()
    for row in table("services"):
        low = float(row["minimum_age"]) if row["minimum_age"] else 0
        high = float(row["maximum_age"]) if row["maximum_age"] else 200
        assert low <= high
        if "Senior Meals" in terms[row["id"]]:
            assert low == 60
    assert any(row["maximum_age"] == "24" for row in table("services"))


def test_free_services_have_a_zero_cost_option() -> None:
    """A service described as free has a `Free` cost option of 0 US dollars."""
    costs = by_service("cost_options")
    for row in table("services"):
        assert row["fees_description"]
        if row["fees_description"].startswith("Free"):
            assert ("Free", "0", "USD") in {
                (c["option"], c["amount"], c["currency"]) for c in costs[row["id"]]
            }


def test_required_documents_are_listed() -> None:
    """Many services say which documents to bring."""
    assert len(by_service("required_documents")) >= 60
    assert all(row["document"] for row in table("required_documents"))


def test_datapackage_describes_every_file() -> None:
    """datapackage.json lists each CSV file with its name, path and fields in header order."""
    descriptor = json.loads((PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    assert set(resources) == set(COLUMNS)
    assert {path.name for path in PACKAGE.glob("*.csv")} == {f"{name}.csv" for name in COLUMNS}
    for name, resource in resources.items():
        assert resource["path"] == f"{name}.csv"
        fields = [field["name"] for field in resource["schema"]["fields"]]
        assert fields == [column.rstrip("*") for column in COLUMNS[name].split()]


def test_files_are_utf8_with_unix_line_endings() -> None:
    """Files decode as UTF-8 and use `\\n` line endings."""
    for path in PACKAGE.iterdir():
        data = path.read_bytes()
        data.decode("utf-8")
        assert b"\r" not in data, path.name


def test_regenerating_reproduces_the_committed_files(tmp_path: Path) -> None:
    """Running generate.py again writes the same files, byte for byte."""
    subprocess.run([sys.executable, str(GENERATOR), str(tmp_path)], check=True, capture_output=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in PACKAGE.iterdir())
    for path in PACKAGE.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name
