"""What a slip says about hours, walk-ins and dates, in English and Spanish."""

from datetime import date, time

import pytest

from referral.referrals.slip import long_date, walk_in_policy, week_lines
from referral.search.hours import Window

WEEKDAYS_9_TO_5 = [Window(d, time(9), time(17)) for d in range(5)]


def test_days_with_the_same_hours_are_grouped_and_closed_days_left_out():
    hours = [*WEEKDAYS_9_TO_5, Window(5, time(10), time(13))]
    assert week_lines(hours, "en") == ["Mon–Fri: 9:00 AM–5:00 PM", "Sat: 10:00 AM–1:00 PM"]


def test_spanish_hours_use_spanish_days_and_a_m_p_m():
    assert week_lines(WEEKDAYS_9_TO_5, "es") == ["lun–vie: 9:00 a. m.–5:00 p. m."]


def test_separate_days_are_not_grouped():
    hours = [Window(0, time(9), time(12)), Window(2, time(9), time(12))]
    assert week_lines(hours, "en") == ["Mon: 9:00 AM–12:00 PM", "Wed: 9:00 AM–12:00 PM"]


def test_unknown_hours_give_no_lines():
    assert week_lines([], "en") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Walk-ins welcome Monday to Friday", True),
        ("can call in first or walk in", True),
        ("Call first to make an appointment, no walk-ins", False),
        ("By appointment only.", False),
        ("Walk-ins are not accepted", False),
        ("Call 211 for an intake", None),
        ("", None),
    ],
)
def test_walk_ins_are_read_from_how_to_apply(text, expected):
    assert walk_in_policy(text) is expected


def test_dates_are_written_out_in_the_patients_language():
    assert long_date(date(2026, 11, 2), "en") == "November 2, 2026"
    assert long_date(date(2026, 11, 2), "es") == "2 de noviembre de 2026"
