"""Opening hours: reading free-text hours, telling whether a place is open, and showing a week."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from referral.search.hours import (
    WEEKDAY_NAMES,
    Window,
    format_week,
    hours_on,
    is_open,
    local_now,
    parse_hours_text,
    parse_time,
    parse_weekdays,
    reconcile,
)

MIAMI = Path(__file__).resolve().parents[3] / "shared/data/miami-hsds"
ALL_DAY = time(0)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
WEEKDAYS = [MON, TUE, WED, THU, FRI]


def windows(days: list[int], opens: str, closes: str) -> list[Window]:
    """The same window on each of `days`, times written "HH:MM"."""
    return [Window(day, time.fromisoformat(opens), time.fromisoformat(closes)) for day in days]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:00am", time(9)),
        ("9:00 am", time(9)),
        ("9am", time(9)),
        ("9:00a", time(9)),
        ("12:00pm", time(12)),
        ("12:00am", time(0)),
        ("17:00", time(17)),
        ("5:00", time(5)),
        ("noon", time(12)),
        ("midnight", time(0)),
        ("7:30:00am", time(7, 30)),
        ("9:00 A.M.", time(9)),
        ("5:45 p.m.", time(17, 45)),
    ],
)
def test_parse_time_reads_common_spellings(text: str, expected: time) -> None:
    """Clock times with or without am/pm, dots and spaces read as the time people mean."""
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["", "soon", "25:00", "13pm", "9:75am", "6:300pm", "8:00m"])
def test_parse_time_gives_none_for_what_is_not_a_time(text: str) -> None:
    """Words, impossible hours and typos are not guessed at."""
    assert parse_time(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon-Fri", WEEKDAYS),
        ("Mon, Wed, Fri", [MON, WED, FRI]),
        ("Tue,Thur", [TUE, THU]),
        ("Tues- Fri", [TUE, WED, THU, FRI]),
        ("Mon-fri", WEEKDAYS),
        ("Thur", [THU]),
        ("Saturday", [SAT]),
        ("Sat & Sun", [SAT, SUN]),
        ("Tue-Sun", [TUE, WED, THU, FRI, SAT, SUN]),
        ("Mon-Thru", [MON, TUE, WED, THU]),
        ("Mon thru Fri", WEEKDAYS),
        ("7 days a week", list(range(7))),
        ("daily", list(range(7))),
        ("Weekdays", WEEKDAYS),
        ("weekends", [SAT, SUN]),
        ("lunes a viernes", WEEKDAYS),
        ("lun-vie", WEEKDAYS),
        ("sábado", [SAT]),
    ],
)
def test_parse_weekdays_reads_lists_ranges_and_phrases(text: str, expected: list[int]) -> None:
    """Day names, abbreviations, ranges and phrases in English and Spanish give weekday numbers."""
    assert parse_weekdays(text) == expected


def test_parse_weekdays_ranges_wrap_past_sunday() -> None:
    """ "Fri-Mon" runs Friday, Saturday, Sunday and Monday."""
    assert parse_weekdays("Fri-Mon") == [MON, FRI, SAT, SUN]


@pytest.mark.parametrize(
    "text", ["Call for dates and times", "Every 3rd Saturday of each month", "Saturday, Aug 18"]
)
def test_parse_weekdays_gives_none_when_no_weekly_day_is_named(text: str) -> None:
    """Text without days, or days that do not repeat every week, gives None."""
    assert parse_weekdays(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8:00am-5:00pm, Mon-Fri", windows(WEEKDAYS, "08:00", "17:00")),
        (
            "7:00am-7:00pm, Mon-Fri;\\n8:00am-5:00pm, Sat",
            windows(WEEKDAYS, "07:00", "19:00") + windows([SAT], "08:00", "17:00"),
        ),
        ("7:30 am -6:00 pm, Mon-Fri", windows(WEEKDAYS, "07:30", "18:00")),
        ("9:00a-5:00pm, Mon-Fri", windows(WEEKDAYS, "09:00", "17:00")),
        ("1:50pm-6:00pm Wed (and/or early release days)", windows([WED], "13:50", "18:00")),
        ("9:00am-5:00pm, lunes a viernes", windows(WEEKDAYS, "09:00", "17:00")),
        ("8:00am-Noon, Fri", windows([FRI], "08:00", "12:00")),
        ("2:30pmGÇô6:00pm, Mon-Fri", windows(WEEKDAYS, "14:30", "18:00")),
    ],
)
def test_parse_hours_text_reads_time_range_then_days(text: str, expected: list[Window]) -> None:
    """A line of "opens-closes, days" gives that window on each day, clauses split by ";"."""
    assert parse_hours_text(text) == sorted(expected)


def test_parse_hours_text_reads_several_windows_a_day() -> None:
    """Ranges joined by "&" give two windows on each day they name."""
    text = "9:00am-11:30am & 1:00pm-3:30pm, Tue-Fri;\\n9:00am-3:30pm, Sat"
    days = [TUE, WED, THU, FRI]
    expected = windows(days, "09:00", "11:30") + windows(days, "13:00", "15:30")
    assert parse_hours_text(text) == sorted(expected + windows([SAT], "09:00", "15:30"))


def test_parse_hours_text_reads_ranges_joined_by_and() -> None:
    """Ranges joined by "AND" are two windows."""
    text = "10:00am-11:00am AND 6:45pm-7:45pm, Tue"
    expected = windows([TUE], "10:00", "11:00") + windows([TUE], "18:45", "19:45")
    assert parse_hours_text(text) == expected


def test_parse_hours_text_times_before_a_semicolon_take_the_next_days() -> None:
    """ "8:00am-12:00pm; 1:00pm-5:00pm, Mon-Fri" is two windows on each weekday."""
    expected = windows(WEEKDAYS, "08:00", "12:00") + windows(WEEKDAYS, "13:00", "17:00")
    assert parse_hours_text("8:00am-12:00pm; 1:00pm-5:00pm, Mon-Fri") == sorted(expected)


def test_parse_hours_text_reads_a_bare_closing_time_before_opening_as_pm() -> None:
    """In "9:00am-5:00" the 5:00 closes at 17:00, not before the place opens."""
    assert parse_hours_text("9:00am-5:00, Mon-Fri") == windows(WEEKDAYS, "09:00", "17:00")


def test_parse_hours_text_reads_a_bare_opening_time_as_pm_when_that_still_precedes_closing() -> (
    None
):
    """In "5:00-7:00pm" the place opens at 17:00, while "8:00-4:00pm" opens at 8:00."""
    assert parse_hours_text("5:00-7:00pm, Wed") == windows([WED], "17:00", "19:00")
    assert parse_hours_text("8:00-4:00pm, Wed") == windows([WED], "08:00", "16:00")


@pytest.mark.parametrize("text", ["24 hours a day, 7 days a week", "24/7", "Open 24 hours"])
def test_parse_hours_text_reads_round_the_clock_as_all_day_every_day(text: str) -> None:
    """Round-the-clock phrases give a 00:00–00:00 window on all seven days."""
    assert parse_hours_text(text) == windows(list(range(7)), "00:00", "00:00")


def test_parse_hours_text_round_the_clock_keeps_named_days() -> None:
    """ "24/7, Sat, Sun" is open all day on the weekend only."""
    assert parse_hours_text("24/7, Sat, Sun") == windows([SAT, SUN], "00:00", "00:00")


def test_parse_hours_text_keeps_overnight_windows_on_their_opening_day() -> None:
    """ "8:00pm-7:00am" is one window per day that closes the next morning."""
    parsed = parse_hours_text("8:00pm-7:00am, Mon-Sun")
    assert parsed == windows(list(range(7)), "20:00", "07:00")
    assert all(window.overnight for window in parsed)


def test_parse_hours_text_unions_headed_sections_merging_overlaps() -> None:
    """Every section's windows count, and overlapping windows on one day become one."""
    text = (
        "Administration:\n7:30am-4:00pm, Mon-Fri\n\n"
        "Walk-In Hours (Food, Showers):\n3:00pm-5:30pm, Mon, Wed, Fri, Sat"
    )
    expected = (
        windows([MON, WED, FRI], "07:30", "17:30")
        + windows([TUE, THU], "07:30", "16:00")
        + windows([SAT], "15:00", "17:30")
    )
    assert parse_hours_text(text) == sorted(expected)


@pytest.mark.parametrize(
    "unreadable",
    [
        "Call for dates and times",
        "8:00am-4:30pm, Every 3rd Saturday of each month",
        "8:00am-12:00pm, Saturday, August 18, 2018",
        "9:30am, Sat",
        "Dismissal Bell - 6:00pm",
        "Closed daily 12:00pm-1:00pm for lunch",
    ],
)
def test_parse_hours_text_skips_unreadable_lines(unreadable: str) -> None:
    """Lines without a weekly opening and closing time are skipped; the rest still count."""
    text = f"9:00am-5:00pm, Mon-Fri\\n\\n{unreadable}"
    assert parse_hours_text(text) == windows(WEEKDAYS, "09:00", "17:00")
    assert parse_hours_text(unreadable) is None


def test_parse_hours_text_gives_none_for_empty_text() -> None:
    """Nothing to read means unknown hours."""
    assert parse_hours_text("") is None


def test_reconcile_prefers_the_text_when_rows_disagree() -> None:
    """Rows that lost the weekdays of "Mon-Fri; Sat" are replaced by what the text says."""
    text = "9:00am-5:00pm, Mon-Fri;\\n10:00am-2:00pm, Sat"
    wrong_rows = windows([SAT], "09:00", "17:00")
    expected = windows(WEEKDAYS, "09:00", "17:00") + windows([SAT], "10:00", "14:00")
    assert reconcile(wrong_rows, text) == sorted(expected)


def test_reconcile_keeps_agreeing_rows_sorted_and_distinct() -> None:
    """Rows that match the text are kept, sorted, without duplicates."""
    rows = windows([FRI, MON], "09:00", "17:00") * 2
    assert reconcile(rows, "9:00am-5:00pm, Mon, Fri") == windows([MON, FRI], "09:00", "17:00")


def test_reconcile_keeps_rows_when_the_text_cannot_be_read() -> None:
    """Unreadable text leaves the rows as they are."""
    rows = windows([TUE], "10:00", "12:00")
    assert reconcile(rows, "Call for dates and times") == rows


def test_reconcile_uses_the_text_when_there_are_no_rows() -> None:
    """Readable text fills in hours the rows lack."""
    assert reconcile([], "10:00am-2:00pm, Sat") == windows([SAT], "10:00", "14:00")


WEEKDAY_HOURS = windows(WEEKDAYS, "09:00", "17:00")


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (datetime(2024, 3, 4, 9, 0), True),
        (datetime(2024, 3, 4, 8, 59, 59), False),
        (datetime(2024, 3, 4, 16, 59), True),
        (datetime(2024, 3, 4, 17, 0), False),
        (datetime(2024, 3, 9, 12, 0), False),
    ],
)
def test_is_open_includes_opening_and_excludes_closing_time(when: datetime, expected: bool) -> None:
    """Open from the opening minute up to, not including, the closing minute."""
    assert is_open(WEEKDAY_HOURS, when) is expected


def test_is_open_follows_an_overnight_window_into_the_next_day() -> None:
    """A Monday 22:00–07:00 window is open at 03:00 on Tuesday and closed at 07:00."""
    overnight = windows([MON], "22:00", "07:00")
    assert is_open(overnight, datetime(2024, 3, 5, 3, 0)) is True
    assert is_open(overnight, datetime(2024, 3, 5, 7, 0)) is False
    assert is_open(overnight, datetime(2024, 3, 4, 3, 0)) is False


def test_is_open_follows_a_sunday_overnight_window_into_monday() -> None:
    """Overnight windows wrap from Sunday into Monday."""
    assert is_open(windows([SUN], "20:00", "02:00"), datetime(2024, 3, 4, 1, 0)) is True


def test_is_open_all_day_window_covers_the_whole_day_only() -> None:
    """A 00:00–00:00 window is open from midnight to midnight of its day."""
    all_day = windows([WED], "00:00", "00:00")
    assert is_open(all_day, datetime(2024, 3, 6, 0, 0)) is True
    assert is_open(all_day, datetime(2024, 3, 6, 23, 59)) is True
    assert is_open(all_day, datetime(2024, 3, 7, 0, 0)) is False


def test_is_open_is_unknown_without_windows() -> None:
    """No windows means unknown hours, never closed."""
    assert is_open([], datetime(2024, 3, 4, 12, 0)) is None


def test_local_now_follows_daylight_saving_time() -> None:
    """The same UTC hour reads an hour later on New York clocks after the spring change."""
    before = local_now("America/New_York", datetime(2024, 3, 10, 6, 30, tzinfo=UTC))
    after = local_now("America/New_York", datetime(2024, 3, 10, 7, 30, tzinfo=UTC))
    assert before == datetime(2024, 3, 10, 1, 30)
    assert after == datetime(2024, 3, 10, 3, 30)
    assert after.tzinfo is None


def test_local_now_defaults_to_the_current_time() -> None:
    """Without `now`, the local time is within a minute of the clock."""
    reading = local_now("UTC")
    assert abs((reading - datetime.now(UTC).replace(tzinfo=None)).total_seconds()) < 60


def test_local_now_refuses_a_naive_moment() -> None:
    """A moment without a time zone could mean anything, so it is refused."""
    with pytest.raises(ValueError, match="time zone"):
        local_now("America/New_York", datetime(2024, 3, 10, 7, 30))


def test_hours_on_shows_24_hour_times_without_leading_zero() -> None:
    """One window reads "9:00–17:00"."""
    assert hours_on(WEEKDAY_HOURS, MON) == "9:00–17:00"


def test_hours_on_joins_several_windows() -> None:
    """Several windows on a day are listed in order, joined by commas."""
    split = windows([TUE], "13:00", "15:30") + windows([TUE], "09:00", "11:30")
    assert hours_on(split, TUE) == "9:00–11:30, 13:00–15:30"


def test_hours_on_shows_all_day_and_overnight_windows() -> None:
    """An all-day window reads "Open 24 hours"; an overnight one shows on its opening day."""
    assert hours_on(windows([SAT], "00:00", "00:00"), SAT) == "Open 24 hours"
    overnight = windows([FRI], "20:00", "07:00")
    assert hours_on(overnight, FRI) == "20:00–7:00"
    assert hours_on(overnight, SAT) == "Closed"


def test_hours_on_tells_closed_from_unknown() -> None:
    """A day without windows is "Closed" when other days have hours, and None when none do."""
    assert hours_on(WEEKDAY_HOURS, SUN) == "Closed"
    assert hours_on([], SUN) is None


def test_format_week_lists_monday_to_sunday() -> None:
    """Seven named days in order with their hours."""
    week = format_week(WEEKDAY_HOURS)
    assert [name for name, _ in week] == list(WEEKDAY_NAMES)
    assert week[0] == ("Monday", "9:00–17:00")
    assert week[6] == ("Sunday", "Closed")


def test_format_week_is_empty_when_hours_are_unknown() -> None:
    """No windows means nothing to show."""
    assert format_week([]) == []


@pytest.mark.miami
def test_parse_hours_text_reads_nearly_all_miami_hours() -> None:
    """At least 97% of the distinct hours texts in the Miami 211 export give windows."""
    path = MIAMI / "regular_schedules.csv"
    if not path.exists():
        pytest.skip(f"{path} is not present")
    with path.open(newline="", encoding="utf-8") as handle:
        texts = {row["original_text"] for row in csv.DictReader(handle)}
    texts = {text for text in texts if text.strip()}
    readable = [text for text in texts if parse_hours_text(text) is not None]
    assert len(readable) / len(texts) >= 0.97


def test_the_array_form_of_is_open_agrees_with_is_open():
    import random

    import numpy as np

    from referral.search.hours import moment_of, open_flags, window_span

    rng = random.Random(11)
    places = []
    for _ in range(200):
        windows = []
        for _ in range(rng.randint(0, 4)):
            opens = time(rng.randint(0, 23), rng.choice([0, 30]))
            closes = time(rng.randint(0, 23), rng.choice([0, 15, 45]))
            windows.append(Window(rng.randint(0, 6), opens, closes))
        places.append(windows)
    moments = [
        datetime(2026, 11, 16 + rng.randint(0, 6), rng.randint(0, 23), rng.randint(0, 59))
        for _ in places
    ]
    spans = [(window_span(w), owner) for owner, ws in enumerate(places) for w in ws]
    flags = open_flags(
        np.array([s for (s, _), _ in spans], dtype=np.int64),
        np.array([n for (_, n), _ in spans], dtype=np.int64),
        np.array([o for _, o in spans], dtype=np.int64),
        np.array([moment_of(m) for m in moments], dtype=np.int64),
        len(places),
    )
    assert list(flags) == [bool(is_open(ws, m)) for ws, m in zip(places, moments, strict=True)]
