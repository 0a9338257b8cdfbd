"""Capacity rules: what a request may say, what holds on a given day, and the words people read."""

from datetime import date

import pytest

from referral.capacity.rules import Capacity, current, in_effect, read, shown, words

TODAY = date(2026, 12, 14)


def test_a_valid_request_is_read_with_its_note_trimmed():
    capacity, problems = read(
        {"status": "not-accepting", "until": "2027-01-12", "note": " Full "}, TODAY
    )
    assert problems == {}
    assert capacity == Capacity("not-accepting", date(2027, 1, 12), "Full")


def test_what_was_read_back_may_be_sent_again():
    sent = {"status": "waitlist", "until": None, "note": "", "set_by": "cora", "set_at": "x"}
    assert read(sent, TODAY)[1] == {}


@pytest.mark.parametrize(
    ("data", "field", "words_in_message"),
    [
        ({"status": "full"}, "status", "accepting, waitlist, not-accepting"),
        ({}, "status", "Choose the status"),
        ({"status": "waitlist", "until": "12/01/2027"}, "until", "YYYY-MM-DD"),
        ({"status": "waitlist", "until": "2027-02-30"}, "until", "YYYY-MM-DD"),
        ({"status": "waitlist", "until": 20270112}, "until", "YYYY-MM-DD"),
        ({"status": "not-accepting", "until": "2026-12-13"}, "until", "in the past"),
        ({"status": "accepting", "until": "2027-01-12"}, "until", "Leave until out"),
        ({"status": "waitlist", "note": "x" * 301}, "note", "300 characters"),
        ({"status": "waitlist", "note": 5}, "note", "as text"),
        ({"status": "waitlist", "colour": "red"}, "colour", "not part of capacity"),
    ],
)
def test_a_bad_field_is_named_with_what_to_do(data, field, words_in_message):
    _, problems = read(data, TODAY)
    assert set(problems) == {field} and words_in_message in problems[field]


def test_every_problem_is_reported_together():
    _, problems = read({"status": "nope", "until": "soon", "note": []}, TODAY)
    assert set(problems) == {"status", "until", "note"}


def test_today_is_a_valid_last_day():
    assert read({"status": "not-accepting", "until": TODAY.isoformat()}, TODAY)[1] == {}


def test_a_status_holds_through_its_until_day_and_lapses_the_day_after():
    until = date(2027, 1, 12)
    assert in_effect("not-accepting", until, date(2027, 1, 12)) == "not-accepting"
    assert in_effect("not-accepting", until, date(2027, 1, 13)) == "accepting"
    assert in_effect("waitlist", None, date(2099, 1, 1)) == "waitlist"


def test_a_lapsed_capacity_reads_as_accepting_without_its_note_but_keeps_who_set_it():
    lapsed = current(Capacity("not-accepting", date(2026, 12, 1), "Closed", "cora"), TODAY)
    assert (lapsed.status, lapsed.until, lapsed.note, lapsed.set_by) == (
        "accepting",
        None,
        "",
        "cora",
    )
    assert current(None, TODAY) == Capacity()


def test_search_results_carry_the_status_in_effect_and_its_last_day():
    assert shown("waitlist", date(2027, 1, 12), TODAY) == {
        "status": "waitlist",
        "until": "2027-01-12",
    }
    assert shown("waitlist", date(2026, 12, 1), TODAY) == {"status": "accepting", "until": None}


def test_capacity_in_plain_words_and_nothing_for_accepting():
    assert words("waitlist", None, TODAY) == "Waitlist"
    assert words("not-accepting", None, TODAY) == "Not accepting referrals"
    assert words("not-accepting", date(2026, 12, 20), TODAY) == (
        "Not accepting referrals until 20 Dec"
    )
    assert words("not-accepting", date(2027, 1, 12), TODAY) == (
        "Not accepting referrals until 12 Jan 2027"
    ), "the year is said when it is not this one"
    assert words("accepting", None, TODAY) == ""
    assert words("not-accepting", date(2026, 12, 1), TODAY) == "", "lapsed"
