"""Patient details checked with dateutil, phonenumbers and zipcodes; all problems at once."""

from datetime import date

import pytest

from referral.patients.validation import check_patient, display_phone

TODAY = date(2026, 11, 22)
GOOD = {
    "given_name": "Ana",
    "family_name": "Lopez",
    "birth_date": "1980-04-30",
    "phone": "(216) 555-0100",
    "postal_code": "44113",
    "preferred_language": "ES",
}


def test_good_details_are_cleaned():
    checked = check_patient(GOOD, TODAY)
    assert checked.problems == {}
    assert checked.values["birth_date"] == date(1980, 4, 30)
    assert checked.values["phone"] == "+12165550100"
    assert checked.values["preferred_language"] == "es" and checked.values["mrn"] is None
    assert checked.values["contact_ok"] is False


def test_us_style_dates_are_read():
    assert check_patient(GOOD | {"birth_date": "04/30/1980"}, TODAY).values["birth_date"] == date(
        1980, 4, 30
    )


def test_every_problem_is_reported_together():
    checked = check_patient(
        {
            "given_name": " ",
            "birth_date": "2030-01-01",
            "phone": "555",
            "postal_code": "00000",
            "preferred_language": "spanish",
            "contact_ok": "maybe",
        },
        TODAY,
    )
    assert set(checked.problems) == {
        "given_name",
        "family_name",
        "birth_date",
        "phone",
        "postal_code",
        "preferred_language",
        "contact_ok",
    }


@pytest.mark.parametrize(
    ("value", "words"),
    [("not a date", "not a date"), ("1880-01-01", "more than"), ("", "Enter the date")],
)
def test_bad_birth_dates_say_what_is_wrong(value, words):
    assert words in check_patient(GOOD | {"birth_date": value}, TODAY).problems["birth_date"]


def test_phone_and_zip_are_optional():
    checked = check_patient(GOOD | {"phone": "", "postal_code": ""}, TODAY)
    assert (
        checked.problems == {}
        and checked.values["phone"] == ""
        and checked.values["postal_code"] == ""
    )


def test_stored_numbers_display_the_way_people_read_them():
    assert display_phone("+12165550100") == "(216) 555-0100"
