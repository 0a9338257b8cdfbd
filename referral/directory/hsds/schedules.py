"""Opening hours from HSDS schedule rows (1.x `regular_schedules`, 3.0 `schedules`) and back.

HSDS 3.0 encoding used by the writer and read back by the reader: one row per owner and
(opens, closes) pair, `freq` WEEKLY, `byday` listing every day sharing those times, and the
owner's free-text hours repeated in each row's `description`. Hours known only as text are one
row with the description alone.
"""

from __future__ import annotations

from datetime import time

from referral.directory.hsds.rows import Row
from referral.directory.records import Hours, Problem
from referral.search.hours import (
    HoursReading,
    Window,
    parse_hours_text,
    parse_time,
    parse_weekdays,
    read_hours_text,
    reconcile,
)

BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
UNREADABLE_HOURS = "opening hours could not be read; kept as text"
APPOINTMENT_HOURS = "hours are by appointment or vary; kept as text"
DAYLESS_HOURS = "opening hours give times but no days; kept as text"
PARTLY_READ_HOURS = "part of the opening hours could not be read; the rest was read, the text kept"
UNREADABLE_TIME = "time could not be read"
UNREADABLE_DAY = "day of the week could not be read"


def hours_from_regular(rows: list[Row]) -> tuple[Hours, list[Problem]]:
    """HSDS 1.x rows of one owner (`weekday`, `opens_at`, `closes_at`, `original_text`).

    When the text disagrees with the machine-parsed rows and can be read, the text wins, and
    rows it settles raise no warnings.
    """
    problems: list[Problem] = []
    windows: list[Window] = []
    for row in rows:
        found, row_problems = _regular_windows(row)
        windows += found
        problems += row_problems
    text = _joined(row.text("original_text") for row in rows)
    hours = Hours(sorted(set(reconcile(windows, text))), text)
    return hours, ([] if hours.known else problems) + text_problems(rows[0], hours, text)


def _regular_windows(row: Row) -> tuple[list[Window], list[Problem]]:
    """The window of one 1.x row, if its day and times can be read."""
    times, problems = _times(row)
    if times is None:
        return [], problems
    days = _weekday(row.text("weekday"))
    if days is None:
        return [], [row.problem("weekday", UNREADABLE_DAY, "warning", row.text("weekday"))]
    return [Window(day, *times) for day in days], problems


def _weekday(text: str) -> list[int] | None:
    """Days named by a 1.x `weekday` value: a name, or a number with 1 for Monday."""
    if text.isdigit():
        return [int(text) - 1] if 1 <= int(text) <= 7 else None
    return parse_weekdays(text) if text else None


def hours_from_schedules(rows: list[Row]) -> tuple[Hours, list[Problem]]:
    """HSDS 3.0 rows of one owner: weekly `byday` with times, or a description to read.

    A row with times but no days is read from its description; without one, its times are kept
    as the owner's hours text.
    """
    problems: list[Problem] = []
    windows: list[Window] = []
    for row in rows:
        found, row_problems = _schedule_windows(row)
        windows += found
        problems += row_problems
    hours = Hours(sorted(set(windows)), _joined(_schedule_text(row) for row in rows))
    if not hours.known:
        return hours, problems + text_problems(rows[0], hours, hours.text)
    read = _joined(_schedule_text(row) for row in rows if _from_text(row))
    return hours, problems + text_problems(rows[0], hours, read, extra=True)


def _schedule_windows(row: Row) -> tuple[list[Window], list[Problem]]:
    """The windows of one 3.0 row; a row without times or days gives those its text reads."""
    if _from_text(row):
        return parse_hours_text(_schedule_text(row)) or [], []
    if row.text("freq").upper() not in ("", "WEEKLY"):
        return [], []
    times, problems = _times(row)
    days = _byday(row.text("byday"))
    if days is None:
        problems.append(row.problem("byday", UNREADABLE_DAY, "warning", row.text("byday")))
    if times is None or not days:
        return [], problems
    return [Window(day, *times) for day in days], problems


def _from_text(row: Row) -> bool:
    """Whether a 3.0 row is read from its text: it has no times, or times on no named day."""
    timed = row.text("opens_at") or row.text("closes_at")
    return not timed or (not row.text("byday") and row.text("freq").upper() in ("", "WEEKLY"))


def _schedule_text(row: Row) -> str:
    """A 3.0 row's description; for a row with times but no days and no description, its times."""
    if row.text("description") or not _from_text(row):
        return row.text("description")
    return "–".join(text for text in (row.text("opens_at"), row.text("closes_at")) if text)


def _byday(text: str) -> list[int] | None:
    """Days of an RFC 5545 BYDAY list ("MO,TU,WE"); None when a day is not a plain weekday."""
    codes = [code.strip().upper() for code in text.replace(" ", ",").split(",") if code.strip()]
    if not all(code in BYDAY for code in codes):
        return None
    return [BYDAY.index(code) for code in codes]


def _times(row: Row) -> tuple[tuple[time, time] | None, list[Problem]]:
    """The opening and closing time of a row; warnings for values that cannot be read."""
    opens_text, closes_text = row.text("opens_at"), row.text("closes_at")
    if not opens_text or not closes_text:
        return None, []
    opens, closes = parse_time(opens_text), parse_time(closes_text)
    problems = [
        row.problem(column, UNREADABLE_TIME, "warning", text)
        for column, text, value in (
            ("opens_at", opens_text, opens),
            ("closes_at", closes_text, closes),
        )
        if value is None
    ]
    return ((opens, closes) if opens and closes else None), problems


def text_problems(row: Row, hours: Hours, text: str, extra: bool = False) -> list[Problem]:
    """What was lost reading an owner's hours `text`: all of it (by appointment, no days, or
    unreadable), or the clauses left over when the rest gave windows. With `extra` the text
    adds to windows known otherwise, so any clause it leaves unread is lost; without, the text
    repeats rows that already gave the windows, and is lost only in part."""
    if not text:
        return []
    reading = read_hours_text(text)
    if not hours.known:
        return [row.problem("", _loss(reading), "warning", text[:120])]
    if reading.unread and (extra or reading.windows):
        return [row.problem("", PARTLY_READ_HOURS, "warning", "; ".join(reading.unread)[:120])]
    return []


def _loss(reading: HoursReading) -> str:
    """Why hours text gave no windows, as the warning says it."""
    if reading.by_appointment:
        return APPOINTMENT_HOURS
    return DAYLESS_HOURS if reading.dayless else UNREADABLE_HOURS


def _joined(texts) -> str:
    """Distinct non-blank texts, in order, one per line."""
    return "\n".join(dict.fromkeys(text for text in texts if text))


def schedule_rows(hours: Hours) -> list[dict[str, str]]:
    """The HSDS 3.0 schedule rows (without ids or links) that encode `hours`."""
    if not hours.known:
        return [{"description": hours.text}] if hours.text else []
    groups: dict[tuple[time, time], list[int]] = {}
    for window in sorted(hours.windows):
        groups.setdefault((window.opens, window.closes), []).append(window.weekday)
    return [
        {
            "freq": "WEEKLY",
            "byday": ",".join(BYDAY[day] for day in sorted(set(days))),
            "opens_at": _clock(opens),
            "closes_at": _clock(closes),
            "description": hours.text,
        }
        for (opens, closes), days in groups.items()
    ]


def _clock(moment: time) -> str:
    """A time as HH:MM:SS, the form of the Table Schema `time` type HSDS 3.0 declares."""
    return moment.isoformat("seconds")
