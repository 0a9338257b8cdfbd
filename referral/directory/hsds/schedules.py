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
from referral.search.hours import Window, parse_hours_text, parse_time, parse_weekdays, reconcile

BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
UNREADABLE_HOURS = "opening hours could not be read; kept as text"
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
    return hours, ([] if hours.known else problems + _unknown(rows, hours))


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
    """HSDS 3.0 rows of one owner: weekly `byday` with times, or a description to read."""
    problems: list[Problem] = []
    windows: list[Window] = []
    for row in rows:
        found, row_problems = _schedule_windows(row)
        windows += found
        problems += row_problems
    hours = Hours(sorted(set(windows)), _joined(row.text("description") for row in rows))
    return hours, problems + _unknown(rows, hours)


def _schedule_windows(row: Row) -> tuple[list[Window], list[Problem]]:
    """The windows of one 3.0 row; a row without times gives those its description reads."""
    if not row.text("opens_at") and not row.text("closes_at"):
        return parse_hours_text(row.text("description")) or [], []
    if row.text("freq").upper() not in ("", "WEEKLY"):
        return [], []
    times, problems = _times(row)
    days = _byday(row.text("byday"))
    if days is None:
        problems.append(row.problem("byday", UNREADABLE_DAY, "warning", row.text("byday")))
    if times is None or not days:
        return [], problems
    return [Window(day, *times) for day in days], problems


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


def _unknown(rows: list[Row], hours: Hours) -> list[Problem]:
    """A warning when an owner's hours were given but none could be read."""
    if hours.known or not hours.text:
        return []
    return [rows[0].problem("", UNREADABLE_HOURS, "warning", hours.text[:120])]


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
