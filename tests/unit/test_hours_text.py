"""Free-text opening hours as US directories write them: every common format gives exact windows,
and what cannot be read is said, never dropped without a word."""

from __future__ import annotations

from datetime import time

import pytest

from referral.search.hours import Window, parse_hours_text, parse_weekdays, read_hours_text

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
WEEKDAYS = [MON, TUE, WED, THU, FRI]
EVERY_DAY = list(range(7))


def windows(days: list[int], opens: str, closes: str) -> list[Window]:
    """The same window on each of `days`, times written "HH:MM"."""
    return [Window(day, time.fromisoformat(opens), time.fromisoformat(closes)) for day in days]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # days written before the times, with or without a comma or colon between
        ("M-F 9am-5pm", windows(WEEKDAYS, "09:00", "17:00")),
        ("Monday-Friday, 8-5", windows(WEEKDAYS, "08:00", "17:00")),
        ("Mon-Fri 9:00 AM – 5:00 PM", windows(WEEKDAYS, "09:00", "17:00")),
        ("Mon-Fri, 9:00 AM – 5:00 PM", windows(WEEKDAYS, "09:00", "17:00")),
        ("Mon-Fri: 9:00 AM – 5:00 PM", windows(WEEKDAYS, "09:00", "17:00")),
        ("Mon - Fri 9 to 5", windows(WEEKDAYS, "09:00", "17:00")),
        ("Mon–Fri 8:30a–4:30p", windows(WEEKDAYS, "08:30", "16:30")),
        ("Hours: 8:30-4:30 M-F", windows(WEEKDAYS, "08:30", "16:30")),
        ("8:00 a.m. to 5:00 p.m. Monday through Friday", windows(WEEKDAYS, "08:00", "17:00")),
        # day lists: "/", "&", "and", commas, short and run-together names
        ("Mon/Wed/Fri 9-3", windows([MON, WED, FRI], "09:00", "15:00")),
        ("Mon & Wed 9-5", windows([MON, WED], "09:00", "17:00")),
        ("Mon and Thu 9-5", windows([MON, THU], "09:00", "17:00")),
        ("M, W, F 9-1", windows([MON, WED, FRI], "09:00", "13:00")),
        ("M-Th 8a-6p", windows([MON, TUE, WED, THU], "08:00", "18:00")),
        ("Tu/Th 10-2", windows([TUE, THU], "10:00", "14:00")),
        ("MWF 9-12", windows([MON, WED, FRI], "09:00", "12:00")),
        ("TTh 1-4", windows([TUE, THU], "13:00", "16:00")),
        ("M-R 8-4:30", windows([MON, TUE, WED, THU], "08:00", "16:30")),
        ("Th 1-4", windows([THU], "13:00", "16:00")),
        ("Sat 10-2", windows([SAT], "10:00", "14:00")),
        ("Sun 1-5", windows([SUN], "13:00", "17:00")),
        ("Tuesdays 6pm-8pm", windows([TUE], "18:00", "20:00")),
        ("weekdays 9-5", windows(WEEKDAYS, "09:00", "17:00")),
        ("daily 9-5", windows(EVERY_DAY, "09:00", "17:00")),
        ("Daily 24 hours", windows(EVERY_DAY, "00:00", "00:00")),
        # bare hours: a closing hour below the opening one is in the afternoon
        ("Mon-Fri 8-12", windows(WEEKDAYS, "08:00", "12:00")),
        ("Mon-Fri 12 noon-4", windows(WEEKDAYS, "12:00", "16:00")),
        ("Mon-Fri 8:00-5:00", windows(WEEKDAYS, "08:00", "17:00")),
        ("Mon-Fri noon-4pm", windows(WEEKDAYS, "12:00", "16:00")),
        # several windows a day, and several clauses
        (
            "Mon-Thu 8-12, 1-5; Fri 8-12",
            windows([MON, TUE, WED, THU], "08:00", "12:00")
            + windows([MON, TUE, WED, THU], "13:00", "17:00")
            + windows([FRI], "08:00", "12:00"),
        ),
        (
            "Mon-Fri 9-11, 6-8",
            windows(WEEKDAYS, "09:00", "11:00") + windows(WEEKDAYS, "18:00", "20:00"),
        ),
        (
            "Mon-Fri 9-5, Sat 10-2",
            windows(WEEKDAYS, "09:00", "17:00") + windows([SAT], "10:00", "14:00"),
        ),
        (
            "9-5 Mon-Fri, 10-2 Sat",
            windows(WEEKDAYS, "09:00", "17:00") + windows([SAT], "10:00", "14:00"),
        ),
        (
            "M-F 9-5; S 10-2",
            windows(WEEKDAYS, "09:00", "17:00") + windows([SAT], "10:00", "14:00"),
        ),
        (
            "Mon, Tues, Thurs 9-4 & Wed 9-12",
            windows([MON, TUE, THU], "09:00", "16:00") + windows([WED], "09:00", "12:00"),
        ),
        ("Mon 9-5, Tue 8-12", windows([MON], "09:00", "17:00") + windows([TUE], "08:00", "12:00")),
        (
            "Mon-Fri 7:30am-4pm\nSat-Sun 9am-1pm",
            windows(WEEKDAYS, "07:30", "16:00") + windows([SAT, SUN], "09:00", "13:00"),
        ),
        ("Monday - Friday\n9:00 AM - 5:00 PM", windows(WEEKDAYS, "09:00", "17:00")),
        # closings are not openings
        ("Mon-Fri 9-5, Sat-Sun closed", windows(WEEKDAYS, "09:00", "17:00")),
        ("9:00am-5:00pm, Mon-Fri, closed Sat", windows(WEEKDAYS, "09:00", "17:00")),
        ("Sat closed, Mon-Fri 9-5", windows(WEEKDAYS, "09:00", "17:00")),
        ("Mon-Fri 9-5 closed 12-1", windows(WEEKDAYS, "09:00", "17:00")),
        # Spanish, as before
        ("lunes a viernes 9 a 5", windows(WEEKDAYS, "09:00", "17:00")),
        ("Lunes a Viernes de 9:00 a.m. a 5:00 p.m.", windows(WEEKDAYS, "09:00", "17:00")),
        ("Sábado 9-12", windows([SAT], "09:00", "12:00")),
        # counts of people or years next to real hours are not hours
        ("Ages 5-12, Mon-Fri 3-6pm", windows(WEEKDAYS, "15:00", "18:00")),
        ("Children's program M-F 3-6", windows(WEEKDAYS, "15:00", "18:00")),
    ],
)
def test_common_us_formats_give_exact_windows(text: str, expected: list[Window]) -> None:
    """Each way of writing hours gives exactly the windows it means, and nothing is left unread."""
    reading = read_hours_text(text)
    assert reading.windows == sorted(expected)
    assert reading.unread == []
    assert parse_hours_text(text) == sorted(expected)


@pytest.mark.parametrize(
    ("text", "day", "opens", "closes"),
    [
        ("Sat 8-5", SAT, "08:00", "17:00"),
        ("Sat 9-3", SAT, "09:00", "15:00"),
        ("Sat 8-12", SAT, "08:00", "12:00"),
        ("Sat 1-4", SAT, "13:00", "16:00"),
        ("Sat 5-7", SAT, "17:00", "19:00"),
        ("Sat 12-4", SAT, "12:00", "16:00"),
        ("Sat 11-1", SAT, "11:00", "13:00"),
        ("Sat 7-11", SAT, "07:00", "11:00"),
    ],
)
def test_bare_hours_read_as_a_working_day(text: str, day: int, opens: str, closes: str) -> None:
    """Hours without am/pm: 1 to 5 o'clock open in the afternoon; a close is after the opening."""
    assert parse_hours_text(text) == windows([day], opens, closes)


@pytest.mark.parametrize(
    "text", ["By appointment", "By appt only", "Call for hours", "Hours vary", "Por cita"]
)
def test_by_appointment_is_recognised_and_gives_no_windows(text: str) -> None:
    """Hours by appointment or that vary are recognised as such, without windows."""
    reading = read_hours_text(text)
    assert (reading.windows, reading.by_appointment) == ([], True)


@pytest.mark.parametrize("text", ["9:00 AM – 5:00 PM", "9am-5pm", "We are open 9-5"])
def test_times_without_days_invent_no_days(text: str) -> None:
    """Times that name no day give no windows and are marked as having no days."""
    reading = read_hours_text(text)
    assert (reading.windows, reading.dayless, reading.by_appointment) == ([], True, False)


def test_round_the_clock_without_days_is_every_day_as_before() -> None:
    """ "Open 24 hours" keeps meaning all week, the convention the reader already had."""
    assert parse_hours_text("Open 24 hours") == windows(EVERY_DAY, "00:00", "00:00")


def test_a_clause_that_cannot_be_read_is_listed_beside_the_windows_read() -> None:
    """The readable clauses give windows, and the one that cannot be read is listed."""
    reading = read_hours_text("Mon-Fri 9-5\nEvery 3rd Sat 10-2")
    assert reading.windows == windows(WEEKDAYS, "09:00", "17:00")
    assert reading.unread == ["Every 3rd Sat 10-2"]


def test_times_left_without_days_after_a_readable_clause_are_listed() -> None:
    """A trailing span with no day ("9-5 Mon-Fri, 10-2") is kept out of the windows and listed."""
    reading = read_hours_text("Mon-Fri 9am-5pm\nHoliday hours 10am-2pm")
    assert reading.windows == windows(WEEKDAYS, "09:00", "17:00")
    assert (reading.unread, reading.dayless) == (["Holiday hours 10am-2pm"], True)


@pytest.mark.parametrize(
    "text",
    [
        "Mon-Fri 9am-5pm, Sat by appointment",
        "Administration:\nMon-Fri 9-5",
        "Mon-Fri 9-5, call 305-555-1234 after hours",
        "Mon-Fri 8am-4:30pm (closed 12-1)",
    ],
)
def test_notes_headings_and_phone_numbers_are_not_unread_hours(text: str) -> None:
    """Words that name no times or days, and appointment notes, are not losses."""
    reading = read_hours_text(text)
    assert reading.windows
    assert reading.unread == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("M-F", WEEKDAYS),
        ("Tu/Th", [TUE, THU]),
        ("Th", [THU]),
        ("MWF", [MON, WED, FRI]),
    ],
)
def test_parse_weekdays_reads_short_day_names(text: str, expected: list[int]) -> None:
    """One- and two-letter day names read as days when they stand alone or beside other days."""
    assert parse_weekdays(text) == expected


@pytest.mark.parametrize("text", ["We are open", "w/ appointment", "Men's shelter", "must"])
def test_words_that_look_like_short_day_names_are_not_days(text: str) -> None:
    """ "We", "w/" and a possessive "s" are not Wednesday or Saturday."""
    assert parse_weekdays(text) is None
