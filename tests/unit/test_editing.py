"""A curator's edit of a service, organization or location: checks, problems and changes."""

import json
from dataclasses import replace
from datetime import date, time

import pytest

from referral.curation.editing import (
    Edit,
    EditContext,
    FieldChange,
    edit_location,
    edit_organization,
    edit_service,
    location_document,
    organization_document,
    service_document,
)
from referral.directory.records import (
    SERVICE_STATUSES,
    Address,
    CostOption,
    Hours,
    Location,
    Organization,
    Phone,
    Service,
    ServiceArea,
)
from referral.search.hours import Window, hours_on

TODAY = date(2026, 11, 22)
CONTEXT = EditContext(known_term_ids=frozenset({"t-food", "t-pantry"}), today=TODAY)
WEEKDAYS_9_TO_5 = [Window(day, time(9), time(17)) for day in range(5)]


def service(**fields) -> Service:
    base = Service(
        id="s1",
        organization_id="o1",
        name="Food Pantry",
        description="Groceries once a month.",
        url="https://pantry.example.org",
        email="help@pantry.example.org",
        minimum_age=18.0,
        required_documents=["Photo ID"],
        cost_options=[CostOption(option="Free", amount=0.0)],
        phones=[Phone("(216) 555-0100", type="voice")],
        hours=Hours(list(WEEKDAYS_9_TO_5), "Mon-Fri 9am-5pm"),
        languages=["en", "es"],
        service_areas=[ServiceArea("county", "OH:Cuyahoga County", "Cuyahoga County, OH")],
        taxonomy_term_ids=["t-food"],
    )
    return replace(base, **fields)


def organization(**fields) -> Organization:
    base = Organization(
        id="o1",
        name="Hunger Network",
        website="hungernetwork.example.org",
        year_incorporated=1985,
        phones=[Phone("(216) 555-0100")],
    )
    return replace(base, **fields)


def location(**fields) -> Location:
    base = Location(
        id="l1",
        name="Main site",
        latitude=41.4993,
        longitude=-81.6944,
        addresses=[Address("1 Main St", "Cleveland", "OH", "44113")],
        hours=Hours(list(WEEKDAYS_9_TO_5), ""),
        languages=["en"],
        accessibility=["Wheelchair ramp"],
    )
    return replace(base, **fields)


def edit(patch: dict, record: Service | None = None) -> Edit:
    return edit_service(record or service(), patch, CONTEXT)


def problems(patch: dict, record: Service | None = None) -> dict[str, str]:
    return edit(patch, record).problems


def changed(result: Edit) -> dict[str, tuple]:
    return {change.field: (change.old, change.new) for change in result.changes}


ADDRESS = {
    "address_1": "2 Oak Ave",
    "city": "Cleveland",
    "state_province": "OH",
    "postal_code": "44113",
}


# Applying a patch and listing the changes --------------------------------------------------------


def test_a_valid_patch_gives_the_new_record_and_only_the_fields_that_changed():
    result = edit({"name": "Westside Food Pantry", "description": "Groceries once a month."})
    assert result.ok and result.problems == {}
    assert result.record.name == "Westside Food Pantry"
    assert result.changes == (FieldChange("name", "Food Pantry", "Westside Food Pantry"),)


def test_a_field_set_to_its_current_value_is_not_a_change():
    result = edit({"name": "  Food Pantry ", "languages": ["English", "Spanish"]})
    assert result.ok and result.changes == ()


def test_fields_left_out_of_the_patch_stay_as_they_were():
    before = service()
    after = edit({"alert": "Closed on holidays"}, before).record
    assert after.alert == "Closed on holidays"
    assert service_document(after) | {"alert": ""} == service_document(before)


def test_the_record_given_is_never_modified():
    before = service()
    edit({"name": "Other", "phones": [], "schedules": [], "need_keys": ["food"]}, before)
    assert before == service()


def test_the_document_of_a_record_applied_as_a_patch_changes_nothing():
    record = service(curated_needs=["housing", "food"], maximum_age=64.0)
    result = edit(service_document(record), record)
    assert result.ok and result.changes == ()
    assert result.record.hours.text == "Mon-Fri 9am-5pm"


def test_changes_are_json_ready_with_floats_and_none_kept():
    result = edit({"minimum_age": None, "maximum_age": 64, "cost_options": []})
    assert changed(result) == {
        "minimum_age": (18.0, None),
        "maximum_age": (None, 64.0),
        "cost_options": (
            [{"option": "Free", "amount": 0.0, "currency": "USD", "amount_description": ""}],
            [],
        ),
    }
    json.dumps([change.__dict__ for change in result.changes])


def test_a_changed_list_is_one_change_with_the_whole_old_and_new_list():
    result = edit({"phones": [{"number": "216-555-0100"}, {"number": "216-555-0199"}]})
    old, new = changed(result)["phones"]
    assert old == [
        {"number": "(216) 555-0100", "extension": "", "type": "voice", "description": ""}
    ]
    assert [phone["number"] for phone in new] == ["(216) 555-0100", "(216) 555-0199"]


def test_problems_leave_the_record_unchanged_and_list_no_changes():
    before = service()
    result = edit_service(before, {"name": "", "description": "New words"}, CONTEXT)
    assert not result.ok
    assert result.record is before and result.changes == ()
    assert set(result.problems) == {"name"}


def test_every_problem_is_reported_together():
    found = problems(
        {
            "name": " ",
            "email": "nobody",
            "status": "open",
            "phones": [{"number": "555"}, {"number": "216-555-0100", "type": "walkie-talkie"}],
            "schedules": [{"byday": "XX", "opens_at": "9", "closes_at": "17:00"}],
            "languages": ["Spanish", "Elvish"],
            "service_areas": [{"kind": "postal_code", "value": "00000"}],
            "taxonomy_term_ids": ["t-unknown"],
            "need_keys": ["wishes"],
            "mystery": 1,
        }
    )
    assert set(found) == {
        "name",
        "email",
        "status",
        "phones[0].number",
        "phones[1].type",
        "schedules[0].byday",
        "schedules[0].opens_at",
        "languages[1]",
        "service_areas[0].value",
        "taxonomy_term_ids",
        "need_keys",
        "mystery",
    }


def test_unknown_fields_are_problems_that_name_the_editable_fields():
    found = problems({"colour": "blue"})
    assert list(found) == ["colour"]
    assert found["colour"].startswith("Unknown field “colour” (editable fields: name, ")
    assert "need_keys" in found["colour"]


def test_id_version_and_organization_id_are_ignored():
    result = edit({"id": "other", "version": 7, "organization_id": "o9", "name": "Renamed"})
    assert result.ok
    assert (result.record.id, result.record.organization_id) == ("s1", "o1")
    assert [change.field for change in result.changes] == ["name"]


def test_a_patch_that_is_not_an_object_is_a_problem():
    assert "patch" in problems(["name", "x"])


def test_the_default_context_knows_no_taxonomy_terms_and_today_is_today():
    context = EditContext()
    assert context.known_term_ids == frozenset() and context.today == date.today()
    assert not edit_service(service(), {"taxonomy_term_ids": ["t-food"]}).ok
    assert edit_service(service(), {"name": "Renamed"}).ok


def test_an_edit_without_problems_is_ok():
    assert Edit(service(), (), {}).ok and not Edit(service(), (), {"name": "x"}).ok


# Service text fields -----------------------------------------------------------------------------


def test_the_service_name_is_required():
    assert "name" in problems({"name": ""})
    assert "name" in problems({"name": None})


def test_the_service_name_is_at_most_300_characters():
    assert edit({"name": "x" * 300}).ok
    assert "at most 300" in problems({"name": "x" * 301})["name"]


def test_text_fields_are_trimmed():
    assert edit({"wait_time": "  2 weeks \n"}).record.wait_time == "2 weeks"


def test_text_fields_refuse_values_that_are_not_text():
    assert "description" in problems({"description": 12})


def test_null_text_clears_the_field():
    assert edit({"alert": None, "description": None}).record.description == ""


@pytest.mark.parametrize(
    "url", ["https://example.org", "http://example.org/food?x=1", "example.org", "www.a-b.org/x"]
)
def test_urls_may_be_http_https_or_a_bare_domain(url):
    assert edit({"url": f"  {url} "}).record.url == url


@pytest.mark.parametrize("url", ["not a url", "ftp://example.org", "example", "mailto:a@b.org"])
def test_other_urls_are_refused(url):
    assert "not a web address" in problems({"url": url})["url"]


def test_a_blank_url_clears_it():
    assert edit({"url": ""}).record.url == ""


def test_email_must_be_an_address():
    assert edit({"email": " intake@example.org "}).record.email == "intake@example.org"
    assert "not an email address" in problems({"email": "intake@example"})["email"]
    assert edit({"email": ""}).ok


@pytest.mark.parametrize("status", SERVICE_STATUSES)
def test_each_hsds_service_status_is_accepted(status):
    assert edit({"status": status.upper()}).record.status == status


def test_the_statuses_are_active_inactive_defunct_and_temporarily_closed():
    assert SERVICE_STATUSES == ("active", "inactive", "defunct", "temporarily closed")


def test_a_status_written_with_an_underscore_is_accepted():
    assert edit({"status": "temporarily_closed"}).record.status == "temporarily closed"


@pytest.mark.parametrize("status", ["open", "", None])
def test_other_statuses_are_refused(status):
    assert "temporarily closed" in problems({"status": status})["status"]


# Ages --------------------------------------------------------------------------------------------


def test_ages_are_numbers_from_0_to_120():
    assert edit({"minimum_age": 0, "maximum_age": 120}).ok
    assert set(problems({"minimum_age": -1, "maximum_age": 121})) == {
        "minimum_age",
        "maximum_age",
    }


def test_an_age_may_be_given_as_numeric_text():
    assert edit({"maximum_age": "64"}).record.maximum_age == 64.0


def test_an_age_that_is_not_a_number_is_refused():
    assert "not a number" in problems({"minimum_age": "eighteen"})["minimum_age"]
    assert "minimum_age" in problems({"minimum_age": True})


def test_a_null_age_clears_it():
    assert edit({"minimum_age": None}).record.minimum_age is None


def test_the_minimum_age_may_not_exceed_the_maximum_age():
    assert "maximum_age" in problems({"minimum_age": 30, "maximum_age": 20})


def test_the_age_check_counts_the_age_the_patch_leaves_alone():
    assert "maximum_age" in problems({"maximum_age": 10})
    assert edit({"maximum_age": 18}).ok


# Required documents ------------------------------------------------------------------------------


def test_required_documents_are_a_list_of_non_blank_strings():
    result = edit({"required_documents": [" Photo ID ", "Proof of address"]})
    assert result.record.required_documents == ["Photo ID", "Proof of address"]
    assert "required_documents[1]" in problems({"required_documents": ["Photo ID", "  "]})


def test_a_list_field_given_something_other_than_a_list_is_refused():
    assert "list" in problems({"required_documents": "Photo ID"})["required_documents"]


def test_a_null_list_empties_it():
    assert edit({"required_documents": None}).record.required_documents == []


# Phones ------------------------------------------------------------------------------------------


def test_us_phone_numbers_are_stored_in_the_national_format():
    phones = edit({"phones": [{"number": "216.555.0199"}]}).record.phones
    assert phones == [Phone("(216) 555-0199")]


def test_international_numbers_are_stored_in_the_international_format():
    phones = edit({"phones": [{"number": "+44 20 7946 0958"}]}).record.phones
    assert phones[0].number == "+44 20 7946 0958"


def test_an_invalid_phone_number_is_refused_with_a_plain_message():
    found = problems({"phones": [{"number": "216-555-0100"}, {"number": "555"}]})
    assert found == {
        "phones[1].number": "“555” is not a valid phone number. Check the area code and digits."
    }


def test_a_phone_without_a_number_is_refused():
    assert "phones[0].number" in problems({"phones": [{"type": "voice"}]})


def test_an_extension_written_in_the_number_fills_a_blank_extension():
    phone = edit({"phones": [{"number": "216-555-0100 x12"}]}).record.phones[0]
    assert (phone.number, phone.extension) == ("(216) 555-0100", "12")


def test_a_given_extension_is_kept():
    phone = edit({"phones": [{"number": "216-555-0100", "extension": " 7 "}]}).record.phones[0]
    assert phone.extension == "7"


@pytest.mark.parametrize(
    "kind", ["voice", "fax", "text", "cell", "video", "pager", "textphone", ""]
)
def test_hsds_phone_types_are_accepted(kind):
    assert edit({"phones": [{"number": "216-555-0100", "type": kind.upper()}]}).ok


def test_other_phone_types_are_refused():
    assert "phones[0].type" in problems({"phones": [{"number": "216-555-0100", "type": "mobile"}]})


def test_unknown_phone_fields_are_refused():
    found = problems({"phones": [{"number": "216-555-0100", "colour": "red"}]})
    assert list(found) == ["phones[0].colour"]
    assert "phone fields: number, extension, type, description" in found["phones[0].colour"]


def test_a_phone_that_is_not_an_object_is_refused():
    assert "phones[0]" in problems({"phones": ["216-555-0100"]})


def test_a_phone_id_given_is_kept():
    phone = edit({"phones": [{"number": "216-555-0100", "id": "p-1"}]}).record.phones[0]
    assert phone.id == "p-1"


# Schedules ---------------------------------------------------------------------------------------


def windows(patch: dict) -> list[Window]:
    result = edit(patch)
    assert result.ok, result.problems
    return result.record.hours.windows


def test_a_schedule_day_may_be_a_weekday_number():
    assert windows({"schedules": [{"weekday": 6, "opens_at": "10:00", "closes_at": "14:00"}]}) == [
        Window(6, time(10), time(14))
    ]


def test_a_byday_list_is_expanded_to_one_window_per_day():
    found = windows(
        {"schedules": [{"byday": "MO,WE, fr", "opens_at": "09:00", "closes_at": "12:00"}]}
    )
    assert found == [Window(day, time(9), time(12)) for day in (0, 2, 4)]


def test_times_may_be_24_hour_or_am_pm():
    found = windows({"schedules": [{"byday": "TU", "opens_at": "8:30 am", "closes_at": "5:15 PM"}]})
    assert found == [Window(1, time(8, 30), time(17, 15))]


def test_twelve_am_and_pm_are_midnight_and_noon():
    found = windows(
        {"schedules": [{"byday": "SA", "opens_at": "12:00 AM", "closes_at": "12:00 PM"}]}
    )
    assert found == [Window(5, time(0), time(12))]


def test_schedules_are_sorted_by_day_and_time():
    found = windows(
        {
            "schedules": [
                {"byday": "TU", "opens_at": "13:00", "closes_at": "17:00"},
                {"byday": "MO,TU", "opens_at": "08:00", "closes_at": "12:00"},
            ]
        }
    )
    assert found == sorted(found) and len(found) == 3


@pytest.mark.parametrize("when", ["9", "25:00", "9:60", "13:00 PM", "noonish", ""])
def test_a_time_that_cannot_be_read_is_refused(when):
    found = problems({"schedules": [{"byday": "MO", "opens_at": when, "closes_at": "17:00"}]})
    assert "schedules[0].opens_at" in found


def test_an_unknown_byday_code_is_refused():
    found = problems({"schedules": [{"byday": "MO,XY", "opens_at": "9:00", "closes_at": "17:00"}]})
    assert "“XY” is not a day" in found["schedules[0].byday"]


@pytest.mark.parametrize("weekday", [7, -1, "Monday", 1.5])
def test_a_weekday_outside_0_to_6_is_refused(weekday):
    found = problems(
        {"schedules": [{"weekday": weekday, "opens_at": "9:00", "closes_at": "17:00"}]}
    )
    assert "schedules[0].weekday" in found


def test_a_schedule_without_a_day_is_refused():
    found = problems({"schedules": [{"opens_at": "9:00", "closes_at": "17:00"}]})
    assert "schedules[0].byday" in found


def test_a_schedule_with_both_weekday_and_byday_is_refused():
    item = {"weekday": 0, "byday": "MO", "opens_at": "9:00", "closes_at": "17:00"}
    assert "schedules[0].byday" in problems({"schedules": [item]})


def test_a_window_that_opens_and_closes_at_the_same_time_is_refused():
    found = problems({"schedules": [{"byday": "MO", "opens_at": "9:00", "closes_at": "09:00"}]})
    assert "00:00 to 00:00" in found["schedules[0].closes_at"]


def test_midnight_to_midnight_is_open_24_hours():
    found = windows({"schedules": [{"byday": "SU", "opens_at": "00:00", "closes_at": "00:00"}]})
    assert found == [Window(6, time(0), time(0))]
    assert hours_on(found, 6) == "Open 24 hours"


def test_24_00_is_read_as_midnight():
    found = windows({"schedules": [{"byday": "SU", "opens_at": "00:00", "closes_at": "24:00"}]})
    assert found == [Window(6, time(0), time(0))]


def test_overnight_windows_are_accepted():
    found = windows({"schedules": [{"byday": "FR,SA", "opens_at": "22:00", "closes_at": "06:00"}]})
    assert found == [Window(4, time(22), time(6)), Window(5, time(22), time(6))]
    assert found[0].overnight


def test_overlapping_windows_on_one_day_are_refused():
    found = problems(
        {
            "schedules": [
                {"byday": "MO,TU", "opens_at": "09:00", "closes_at": "13:00"},
                {"byday": "TU", "opens_at": "12:00", "closes_at": "17:00"},
            ]
        }
    )
    assert list(found) == ["schedules[1]"]
    assert "Tuesday" in found["schedules[1]"] and "schedules[0]" in found["schedules[1]"]


def test_a_window_within_a_24_hour_day_overlaps_it():
    found = problems(
        {
            "schedules": [
                {"byday": "WE", "opens_at": "00:00", "closes_at": "00:00"},
                {"weekday": 2, "opens_at": "09:00", "closes_at": "10:00"},
            ]
        }
    )
    assert "schedules[1]" in found


def test_an_overnight_window_overlapping_the_next_mornings_window_is_refused():
    found = problems(
        {
            "schedules": [
                {"byday": "MO", "opens_at": "22:00", "closes_at": "07:00"},
                {"byday": "TU", "opens_at": "06:00", "closes_at": "12:00"},
            ]
        }
    )
    assert "schedules[1]" in found


def test_the_same_window_listed_twice_is_refused():
    item = {"byday": "MO", "opens_at": "09:00", "closes_at": "17:00"}
    assert "schedules[1]" in problems({"schedules": [item, dict(item)]})


def test_windows_that_only_touch_are_accepted():
    found = windows(
        {
            "schedules": [
                {"byday": "MO", "opens_at": "09:00", "closes_at": "12:00"},
                {"byday": "MO", "opens_at": "12:00", "closes_at": "17:00"},
                {"byday": "MO", "opens_at": "17:00", "closes_at": "09:00"},
            ]
        }
    )
    assert len(found) == 3


def test_new_schedules_without_hours_text_clear_the_text():
    result = edit({"schedules": [{"byday": "SA", "opens_at": "10:00", "closes_at": "14:00"}]})
    assert result.record.hours == Hours([Window(5, time(10), time(14))], "")
    assert changed(result)["hours_text"] == ("Mon-Fri 9am-5pm", "")


def test_new_schedules_with_hours_text_keep_that_text():
    result = edit(
        {
            "schedules": [{"byday": "SA", "opens_at": "10:00", "closes_at": "14:00"}],
            "hours_text": "Saturdays 10am-2pm",
        }
    )
    assert result.record.hours.text == "Saturdays 10am-2pm"


def test_schedules_equal_to_the_current_ones_keep_the_text():
    result = edit(
        {"schedules": [{"byday": "MO,TU,WE,TH,FR", "opens_at": "9:00", "closes_at": "17:00"}]}
    )
    assert result.record.hours.text == "Mon-Fri 9am-5pm" and result.changes == ()


def test_hours_text_alone_keeps_the_windows():
    result = edit({"hours_text": "Weekdays, call first"})
    assert result.record.hours == Hours(WEEKDAYS_9_TO_5, "Weekdays, call first")


def test_an_empty_schedule_list_makes_the_hours_unknown():
    assert not edit({"schedules": []}).record.hours.known


def test_schedules_appear_in_the_document_one_window_per_item():
    document = service_document(service(hours=Hours([Window(0, time(9, 30), time(17))], "")))
    assert document["schedules"] == [{"weekday": 0, "opens_at": "09:30", "closes_at": "17:00"}]


# Languages ---------------------------------------------------------------------------------------


def test_languages_may_be_codes_or_names():
    found = edit({"languages": ["Spanish", "en", "SO", "spa", "ASL", "Haitian Creole"]})
    assert found.record.languages == ["es", "en", "so", "ase", "ht"]


def test_an_unknown_language_is_refused_at_its_place_in_the_list():
    found = problems({"languages": ["English", "Elvish", ""]})
    assert set(found) == {"languages[1]", "languages[2]"}
    assert "Elvish" in found["languages[1]"]


# Service areas -----------------------------------------------------------------------------------


def areas(items: list[dict]) -> list[ServiceArea]:
    result = edit({"service_areas": items})
    assert result.ok, result.problems
    return result.record.service_areas


def test_a_postal_code_area_must_be_a_real_zip_code():
    assert areas([{"kind": "postal_code", "value": "44113"}]) == [
        ServiceArea("postal_code", "44113", "44113")
    ]
    assert "service_areas[0].value" in problems(
        {"service_areas": [{"kind": "postal_code", "value": "00000"}]}
    )
    assert "service_areas[0].value" in problems(
        {"service_areas": [{"kind": "postal_code", "value": "4411"}]}
    )


def test_a_state_area_takes_a_state_code_or_name():
    assert areas([{"kind": "state", "value": "oh"}]) == [ServiceArea("state", "OH", "Ohio")]
    assert areas([{"kind": "state", "value": "Florida"}])[0].value == "FL"
    assert "service_areas[0].value" in problems(
        {"service_areas": [{"kind": "state", "value": "ZZ"}]}
    )


def test_a_county_area_is_state_colon_county_named_as_the_zip_database_names_it():
    expected = [ServiceArea("county", "OH:Cuyahoga County", "Cuyahoga County, OH")]
    assert areas([{"kind": "county", "value": "OH:Cuyahoga County"}]) == expected
    assert areas([{"kind": "county", "value": "oh: cuyahoga"}]) == expected


def test_a_county_without_its_state_is_refused():
    found = problems({"service_areas": [{"kind": "county", "value": "Cuyahoga County"}]})
    assert "OH:Cuyahoga County" in found["service_areas[0].value"]


def test_a_county_not_in_its_state_is_refused():
    found = problems({"service_areas": [{"kind": "county", "value": "FL:Cuyahoga County"}]})
    assert "service_areas[0].value" in found


def test_a_nationwide_area_has_no_value():
    assert areas([{"kind": "nationwide"}]) == [ServiceArea("nationwide", "", "Nationwide")]
    assert "service_areas[0].value" in problems(
        {"service_areas": [{"kind": "nationwide", "value": "US"}]}
    )


def test_an_area_needs_a_value_unless_nationwide():
    assert "service_areas[0].value" in problems({"service_areas": [{"kind": "state"}]})


def test_an_unknown_area_kind_is_refused():
    found = problems({"service_areas": [{"kind": "city", "value": "Cleveland"}]})
    assert "postal_code, county, state or nationwide" in found["service_areas[0].kind"]


def test_an_area_name_given_is_kept():
    found = areas([{"kind": "state", "value": "OH", "name": "All of Ohio"}])
    assert found[0].name == "All of Ohio"


def test_an_area_listed_twice_is_refused():
    found = problems(
        {"service_areas": [{"kind": "state", "value": "OH"}, {"kind": "state", "value": "Ohio"}]}
    )
    assert list(found) == ["service_areas[1]"]


# Cost options ------------------------------------------------------------------------------------


def test_a_cost_option_currency_defaults_to_usd():
    result = edit({"cost_options": [{"option": "Sliding scale", "amount": "12.50"}]})
    assert result.record.cost_options == [CostOption("Sliding scale", 12.5, "USD")]


def test_a_cost_option_amount_may_not_be_negative():
    assert "cost_options[0].amount" in problems({"cost_options": [{"amount": -5}]})


def test_a_cost_option_currency_must_be_a_currency_code():
    found = problems({"cost_options": [{"amount": 5, "currency": "DOLLARS"}]})
    assert "cost_options[0].currency" in found
    assert (
        edit({"cost_options": [{"amount": 5, "currency": "cad"}]}).record.cost_options[0].currency
        == "CAD"
    )


def test_an_empty_cost_option_is_refused():
    assert "cost_options[0]" in problems({"cost_options": [{"currency": "USD"}]})


# Taxonomy terms and needs ------------------------------------------------------------------------


def test_taxonomy_terms_must_be_known():
    assert edit(
        {"taxonomy_term_ids": ["t-pantry", "t-food", "t-pantry"]}
    ).record.taxonomy_term_ids == [
        "t-pantry",
        "t-food",
    ]
    found = problems({"taxonomy_term_ids": ["t-food", "t-x", "t-y"]})
    assert "t-x, t-y" in found["taxonomy_term_ids"]
    assert "t-food" not in found["taxonomy_term_ids"]


def test_need_keys_as_a_list_become_the_curated_needs():
    result = edit({"need_keys": ["housing", "food", "food"]})
    assert result.record.curated_needs == ["food", "housing"]
    assert changed(result) == {"need_keys": (None, ["food", "housing"])}


def test_null_need_keys_hand_the_needs_back_to_automatic():
    result = edit({"need_keys": None}, service(curated_needs=["food"]))
    assert result.record.curated_needs is None
    assert changed(result) == {"need_keys": (["food"], None)}


def test_an_empty_need_key_list_is_a_curated_choice_of_no_needs():
    assert edit({"need_keys": []}).record.curated_needs == []


def test_unknown_need_keys_are_refused():
    found = problems({"need_keys": ["food", "wishes"]})
    assert "wishes" in found["need_keys"] and "housing" in found["need_keys"]


# Organizations -----------------------------------------------------------------------------------


def edit_org(patch: dict) -> Edit:
    return edit_organization(organization(), patch, CONTEXT)


def test_an_organization_edit_lists_its_changes():
    result = edit_org({"name": "Hunger Network of Ohio", "tax_status": "501(c)(3)"})
    assert changed(result) == {
        "name": ("Hunger Network", "Hunger Network of Ohio"),
        "tax_status": ("", "501(c)(3)"),
    }


def test_the_organization_name_is_required():
    assert "name" in edit_org({"name": ""}).problems


@pytest.mark.parametrize("year", [1600, 1985, TODAY.year, "1999", None])
def test_the_year_incorporated_may_be_from_1600_to_this_year_or_null(year):
    result = edit_org({"year_incorporated": year})
    assert result.ok and result.record.year_incorporated == (int(year) if year else None)


@pytest.mark.parametrize("year", [1599, TODAY.year + 1, 1985.5, "nineteen"])
def test_other_years_incorporated_are_refused(year):
    assert "year_incorporated" in edit_org({"year_incorporated": year}).problems


def test_the_year_bound_follows_the_context_today():
    context = EditContext(today=date(2030, 1, 1))
    assert edit_organization(organization(), {"year_incorporated": 2030}, context).ok


def test_the_organization_website_must_be_a_web_address():
    assert edit_org({"website": "https://hunger.example.org"}).ok
    assert "website" in edit_org({"website": "hunger network"}).problems


def test_organization_phones_are_checked():
    assert "phones[0].number" in edit_org({"phones": [{"number": "12"}]}).problems


def test_an_organization_refuses_service_fields():
    assert "status" in edit_org({"status": "active"}).problems


def test_an_organizations_document_applied_as_a_patch_changes_nothing():
    record = organization()
    assert edit_org(organization_document(record)).changes == ()


# Locations ---------------------------------------------------------------------------------------


def edit_loc(patch: dict, record: Location | None = None) -> Edit:
    return edit_location(record or location(), patch, CONTEXT)


def test_latitude_and_longitude_are_set_together():
    result = edit_loc({"latitude": 41.5, "longitude": "-81.7"})
    assert (result.record.latitude, result.record.longitude) == (41.5, -81.7)
    assert changed(result) == {"latitude": (41.4993, 41.5), "longitude": (-81.6944, -81.7)}


def test_latitude_without_longitude_is_refused():
    assert "longitude" in edit_loc({"latitude": 41.5}).problems
    assert "latitude" in edit_loc({"longitude": -81.7}).problems


def test_both_coordinates_null_clears_them():
    result = edit_loc({"latitude": None, "longitude": None})
    assert (result.record.latitude, result.record.longitude) == (None, None)


def test_one_coordinate_null_and_the_other_set_is_refused():
    assert "latitude" in edit_loc({"latitude": None, "longitude": -81.7}).problems


def test_coordinates_out_of_range_are_refused():
    found = edit_loc({"latitude": 91, "longitude": -181}).problems
    assert set(found) == {"latitude", "longitude"}


def test_coordinates_zero_zero_are_refused():
    assert "latitude" in edit_loc({"latitude": 0, "longitude": 0}).problems


def test_an_address_is_checked_and_stored():
    result = edit_loc({"addresses": [ADDRESS | {"state_province": "ohio", "country": ""}]})
    assert result.record.addresses == [Address("2 Oak Ave", "Cleveland", "OH", "44113")]


def test_a_zip_plus_four_is_accepted_and_kept():
    result = edit_loc({"addresses": [ADDRESS | {"postal_code": "44113-2201"}]})
    assert result.record.addresses[0].postal_code == "44113-2201"


@pytest.mark.parametrize("key", ["address_1", "city"])
def test_an_address_needs_a_street_and_a_city(key):
    assert f"addresses[0].{key}" in edit_loc({"addresses": [ADDRESS | {key: ""}]}).problems


def test_a_us_address_needs_a_us_state_code():
    found = edit_loc({"addresses": [ADDRESS | {"state_province": "Ontario"}]}).problems
    assert "addresses[0].state_province" in found


@pytest.mark.parametrize("code", ["", "4411", "00000"])
def test_a_us_address_needs_a_real_zip_code(code):
    found = edit_loc({"addresses": [ADDRESS | {"postal_code": code}]}).problems
    assert "addresses[0].postal_code" in found


def test_a_bad_state_and_a_bad_zip_code_are_both_reported():
    found = edit_loc({"addresses": [ADDRESS | {"state_province": "XX", "postal_code": "1"}]})
    assert {"addresses[0].state_province", "addresses[0].postal_code"} <= set(found.problems)


def test_a_zip_code_in_another_state_is_refused():
    found = edit_loc({"addresses": [ADDRESS | {"postal_code": "33136"}]}).problems
    assert "33136 is in FL, not OH" in found["addresses[0].postal_code"]


def test_an_address_outside_the_us_skips_the_us_checks():
    foreign = ADDRESS | {"state_province": "ON", "postal_code": "M5V 2T6", "country": "ca"}
    result = edit_loc({"addresses": [foreign]})
    assert result.ok and result.record.addresses[0].country == "CA"


def test_the_country_must_be_a_two_letter_code():
    found = edit_loc({"addresses": [ADDRESS | {"country": "USA"}]}).problems
    assert "addresses[0].country" in found


def test_the_address_type_is_physical_postal_or_virtual():
    assert edit_loc({"addresses": [ADDRESS]}).record.addresses[0].address_type == "physical"
    assert edit_loc({"addresses": [ADDRESS | {"address_type": "Postal"}]}).ok
    found = edit_loc({"addresses": [ADDRESS | {"address_type": "home"}]}).problems
    assert "addresses[0].address_type" in found


def test_a_changed_physical_address_without_coordinates_needs_coordinates():
    result = edit_loc({"addresses": [ADDRESS]})
    assert result.ok and result.needs_coordinates
    assert result.record.latitude == 41.4993


def test_a_changed_address_with_coordinates_does_not_need_them():
    result = edit_loc({"addresses": [ADDRESS], "latitude": 41.5, "longitude": -81.7})
    assert result.ok and not result.needs_coordinates


def test_an_unchanged_address_does_not_need_coordinates():
    same = {
        "address_1": "1 Main St",
        "city": "Cleveland",
        "state_province": "OH",
        "postal_code": "44113",
    }
    result = edit_loc({"addresses": [same], "name": "Main"})
    assert result.ok and not result.needs_coordinates and "addresses" not in changed(result)


def test_adding_a_postal_address_does_not_need_coordinates():
    current = location_document(location())["addresses"]
    postal = ADDRESS | {"address_type": "postal"}
    assert not edit_loc({"addresses": [*current, postal]}).needs_coordinates


def test_an_edit_with_problems_does_not_ask_for_coordinates():
    result = edit_loc({"addresses": [ADDRESS], "name": "x" * 301})
    assert not result.ok and not result.needs_coordinates


def test_a_location_name_may_be_blank():
    assert edit_loc({"name": ""}).ok


def test_accessibility_is_a_list_of_non_blank_strings():
    assert edit_loc({"accessibility": ["Ramp", "Elevator"]}).record.accessibility == [
        "Ramp",
        "Elevator",
    ]
    assert "accessibility[0]" in edit_loc({"accessibility": [""]}).problems


def test_location_schedules_and_languages_are_checked_like_a_services():
    result = edit_loc(
        {
            "schedules": [{"byday": "SA", "opens_at": "9:00", "closes_at": "12:00"}],
            "languages": ["Arabic"],
        }
    )
    assert result.record.hours == Hours([Window(5, time(9), time(12))], "")
    assert result.record.languages == ["ar"]
    assert (
        "schedules[0].closes_at"
        in edit_loc(
            {"schedules": [{"byday": "SA", "opens_at": "9:00", "closes_at": "9:00"}]}
        ).problems
    )


def test_a_locations_document_applied_as_a_patch_changes_nothing():
    result = edit_loc(location_document(location()))
    assert result.ok and result.changes == () and not result.needs_coordinates
