"""Opening hours: weekly windows, parsing of free-text hours, and whether a place is open."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import numpy as np


@dataclass(frozen=True, order=True)
class Window:
    """One weekly opening window in the location's local time.

    `weekday` is 0 for Monday through 6 for Sunday. A window whose `closes` is not after `opens`
    runs overnight into the next day (`22:00`–`07:00`); `00:00`–`00:00` is open all day.
    """

    weekday: int
    opens: time
    closes: time

    @property
    def overnight(self) -> bool:
        """Whether the window runs past midnight into the next day."""
        return self.closes <= self.opens


# Free-text hours as 211 exports write them ("9:00am-5:00pm, Mon-Fri;\n10:00am-2:00pm, Sat").
# No maintained library reads this loose grammar, so it is a few regular expressions below.

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

DAY = 24 * 60 * 60
WEEK = 7 * DAY
MIDNIGHT = time(0)

_NAMED_TIMES = {"noon": time(12), "midday": time(12), "mediodia": time(12)}
_NAMED_TIMES |= {"midnight": MIDNIGHT, "medianoche": MIDNIGHT}
_CLOCK = re.compile(
    r"(?P<hour>\d{1,2})(?::(?P<minute>\d{1,2}))?(?::(?P<second>\d{2}))?(?P<half>[ap]m?)?"
)
_PACKED = re.compile(r"(?P<hour>\d{1,2})(?P<minute>\d{2})(?P<half>[ap]m?)")
_HALF = re.compile(r"[ap]\.?(?:\s*m\.?)?$")

_TIME = (
    r"(?:noon|midnight|midday|mediodia|medianoche"
    r"|\d{1,4}(?::\d{1,3}){0,2}(?:\s*[ap]\.?\s*m\b\.?|[ap]\b\.?)?)"
)
_JOIN = r"(?:(?:\s*(?:-+|\bto\b|\ba\b|\bal\b|\bhasta\b|\buntil\b|\btill\b)\s*)+|\s+)"
_RANGE = re.compile(rf"(?<![\d:])(?P<opens>{_TIME})(?:{_JOIN})(?P<closes>{_TIME})(?![\d:])")
_DASHES = re.compile("ΓÇô|GÇô|[–—‒―]")

_ALL_DAY = re.compile(r"\b24\s*(?:hours?|hrs?|horas)\b|\b24\s*/\s*7\b|\btodo el dia\b|\ball day\b")
_CLOSED = re.compile(r"\bclos(?:e|ed|es|ing)\b|\bcerrado\b")
_PARENTHESES = re.compile(r"\([^)]*\)?")
_MONTHS = (
    "january|february|march|april|june|july|august|september|october|november|december|"
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
)
_IRREGULAR = re.compile(
    r"\b\d+(?:st|nd|rd|th)\b|\b(?:first|second|third|fourth|fifth|last)\b|\bevery other\b"
    r"|\bmonth(?:ly|s)?\b|\bmes\b|\b(?:primer|segundo|tercer|cuarto|ultimo)\b"
    rf"|\b(?:{_MONTHS})\b|\b(?:19|20)\d\d\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)\.?\s+\d{1,2}\b(?!\s*(?::|[ap]\.?m))"
)

_DAY_WORDS = {
    word: day
    for day, words in enumerate(
        (
            "mon monday mondays lun lunes",
            "tue tues tuesday tuesdays martes mar",
            "wed weds wednesday wednesdays mie miercoles",
            "thu thur thurs thursday thursdays jue jueves",
            "fri friday fridays vie viernes",
            "sat saturday saturdays sab sabado sabados",
            "sun sunday sundays dom domingo domingos",
        )
    )
    for word in words.split()
}
_RANGE_WORDS = {"-", "to", "thru", "through", "a", "al", "hasta", "until", "till"}
_EVERY_DAY = re.compile(
    r"\b(?:7|seven) days\b|\bdaily\b|\bevery ?day\b|\b24\s*/\s*7\b|\ball week\b"
    r"|\btodos los dias\b|\b7 dias\b|\bdiario\b|\bdiariamente\b"
)
_WORK_DAYS = re.compile(r"\bweekdays\b|\bentre semana\b|\bdias (?:de semana|laborables)\b")
_WEEKEND = re.compile(r"\bweekends?\b|\bfin(?:es)? de semana\b")


def parse_time(text: str) -> time | None:
    """The time of day in `text` ("9:00am", "9am", "12:00pm", "17:00", "noon"), or None."""
    compact = re.sub(r"[\s.]", "", _plain(text))
    if compact in _NAMED_TIMES:
        return _NAMED_TIMES[compact]
    match = _CLOCK.fullmatch(compact) or _PACKED.fullmatch(compact)
    if match is None:
        return None
    parts = match.groupdict()
    return _clock_time(
        int(parts["hour"]), int(parts["minute"] or 0), int(parts.get("second") or 0), parts["half"]
    )


def _clock_time(hour: int, minute: int, second: int, half: str | None) -> time | None:
    """A time from clock parts, reading `hour` on a 12-hour dial when `half` is am/pm."""
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def parse_weekdays(text: str) -> list[int] | None:
    """The weekdays (0=Monday) named in `text` ("Mon-Fri", "Sat & Sun", "lunes a viernes"), or None.

    Ranges wrap around the week ("Fri-Mon"). Schedules that are not weekly ("every 3rd Saturday",
    "Saturday, August 18") give None.
    """
    plain = _plain(text)
    if _IRREGULAR.search(plain):
        return None
    days = set(_days_from_words(plain))
    if _EVERY_DAY.search(plain):
        days |= set(range(7))
    if _WORK_DAYS.search(plain):
        days |= set(range(5))
    if _WEEKEND.search(plain):
        days |= {5, 6}
    return sorted(days) or None


def _days_from_words(plain: str) -> list[int]:
    """Weekdays named by day words in `plain`, expanding "Mon-Fri" and "lunes a viernes"."""
    marks = _day_marks(re.sub(r"-\s*thru\b", "-thu", plain))
    days: list[int] = []
    for index, mark in enumerate(marks):
        if not isinstance(mark, int):
            continue
        if index >= 2 and marks[index - 1] == "-" and isinstance(marks[index - 2], int):
            days.extend(_day_span(marks[index - 2], mark))
        else:
            days.append(mark)
    return days


def _day_marks(plain: str) -> list[int | str]:
    """Each word of `plain` as a weekday number, "-" for a range word, or "," for anything else."""
    marks: list[int | str] = []
    for word in re.findall(r"[a-z0-9]+|-", plain):
        mark: int | str = _DAY_WORDS.get(word, "-" if word in _RANGE_WORDS else ",")
        if not (mark == "-" and marks and marks[-1] == "-"):
            marks.append(mark)
    return marks


def _day_span(first: int, last: int) -> list[int]:
    """The weekdays from `first` to `last` inclusive, wrapping past Sunday."""
    return [(first + step) % 7 for step in range((last - first) % 7 + 1)]


def parse_hours_text(text: str) -> list[Window] | None:
    """The weekly windows described by free-text hours, or None when none can be read.

    Lines (real or written as a backslash and "n") and ";" clauses are read one by one; lines
    that cannot be read are skipped, and windows of every headed section are merged per day.
    """
    windows = [window for line in _lines(text) for window in _line_windows(line)]
    return merge_windows(windows) or None


def _lines(text: str) -> list[str]:
    """The non-blank lines of `text`, plain lower case with dashes made hyphens."""
    unescaped = _DASHES.sub("-", text.replace("\\n", "\n"))
    return [line for line in _plain(unescaped).splitlines() if line.strip()]


def _line_windows(line: str) -> list[Window]:
    """Windows of one line; times written before a ";" take the days of the next clause."""
    windows: list[Window] = []
    waiting: list[tuple[time, time]] = []
    for clause in line.split(";"):
        spans, days = _read_clause(clause)
        if spans and days:
            windows += [Window(day, *span) for span in waiting + spans for day in days]
            waiting = []
        elif spans and not re.search(r"[a-z]", _RANGE.sub("", clause)):
            waiting += spans
    return windows


def _read_clause(clause: str) -> tuple[list[tuple[time, time]], list[int] | None]:
    """The (opens, closes) spans and the weekdays of one clause; nothing for irregular ones."""
    if _IRREGULAR.search(clause):
        return [], None
    regular = _PARENTHESES.sub(" ", clause)
    if _CLOSED.search(regular):
        return [], None
    spans = [span for match in _RANGE.finditer(regular) if (span := _read_range(*match.groups()))]
    if spans:
        return spans, parse_weekdays(_RANGE.sub(" ", regular))
    if _ALL_DAY.search(regular):
        return [(MIDNIGHT, MIDNIGHT)], parse_weekdays(_ALL_DAY.sub(" ", regular)) or list(range(7))
    return [], None


def _read_range(opens_text: str, closes_text: str) -> tuple[time, time] | None:
    """One opening span, inferring am/pm the way people write ranges ("9:00am-5:00", "5-7pm")."""
    opens, closes = parse_time(opens_text), parse_time(closes_text)
    if opens is None or closes is None or (opens_text.isdigit() and closes_text.isdigit()):
        return None
    closes_half, opens_half = _HALF.search(closes_text), _HALF.search(opens_text)
    if not closes_half and opens.hour <= 12 and closes <= opens and closes.hour < 12:
        closes = _later(closes, 12)
    elif not opens_half and closes_half and opens.hour < 12 and _later(opens, 12) < closes:
        opens = _later(opens, 12)
    return opens, closes


def _later(moment: time, hours: int) -> time:
    """`moment` moved `hours` later on the same day."""
    return moment.replace(hour=moment.hour + hours)


def _plain(text: str) -> str:
    """`text` in lower case without accents, so "Sábado" reads as "sabado"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def merge_windows(windows: list[Window]) -> list[Window]:
    """`windows` sorted, with overlapping or touching windows of the same day made one."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for window in windows:
        start, length = _offset(window.opens), window_length(window)
        spans.setdefault(window.weekday, []).append((start, start + length))
    return sorted(
        _window(day, start, end)
        for day, day_spans in spans.items()
        for start, end in _union(day_spans)
    )


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping (start, end) second spans joined, none longer than a day."""
    joined: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if joined and start <= joined[-1][1]:
            first = joined[-1][0]
            joined[-1] = (first, min(max(end, joined[-1][1]), first + DAY))
        else:
            joined.append((start, end))
    return joined


def _window(weekday: int, start: int, end: int) -> Window:
    """The window of `weekday` from `start` to `end` seconds after its midnight."""
    return Window(weekday, _time_at(start), _time_at(end % DAY))


def _time_at(seconds: int) -> time:
    """The time of day `seconds` after midnight."""
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60)


def _offset(moment: time) -> int:
    """Seconds from midnight to `moment`."""
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def window_length(window: Window) -> int:
    """How many seconds `window` stays open; a full day when it opens and closes at once."""
    return (_offset(window.closes) - _offset(window.opens)) % DAY or DAY


def reconcile(rows: list[Window], text: str) -> list[Window]:
    """The text's windows when it parses and disagrees with the parsed `rows`, else the rows."""
    from_text = parse_hours_text(text) if text else None
    if from_text is not None and set(from_text) != set(rows):
        return from_text
    return sorted(set(rows))


def is_open(windows: list[Window], when: datetime) -> bool | None:
    """Whether a place is open at the naive local `when`; None when its hours are unknown."""
    if not windows:
        return None
    moment = when.weekday() * DAY + _offset(when.time())
    return any(
        (moment - window.weekday * DAY - _offset(window.opens)) % WEEK < window_length(window)
        for window in windows
    )


def local_now(tz_name: str, now: datetime | None = None) -> datetime:
    """The naive wall-clock time in the IANA zone `tz_name` at the aware `now` (default: now)."""
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("`now` must carry a time zone, e.g. datetime.now(UTC)")
    return moment.astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)


def hours_on(windows: list[Window], weekday: int) -> str | None:
    """Opening hours of one weekday as text ("9:00–17:00"), "Closed", or None when unknown."""
    if not windows:
        return None
    day = sorted(window for window in windows if window.weekday == weekday)
    if not day:
        return "Closed"
    if any(window_length(window) == DAY and window.opens == MIDNIGHT for window in day):
        return "Open 24 hours"
    return ", ".join(f"{_clock(window.opens)}–{_clock(window.closes)}" for window in day)


def _clock(moment: time) -> str:
    """`moment` on a 24-hour clock without a leading zero ("9:00", "17:30")."""
    return f"{moment.hour}:{moment.minute:02d}"


def format_week(windows: list[Window]) -> list[tuple[str, str]]:
    """(day name, hours) for Monday to Sunday; empty when the hours are unknown."""
    if not windows:
        return []
    return [(name, hours_on(windows, day) or "") for day, name in enumerate(WEEKDAY_NAMES)]


def window_span(window: Window) -> tuple[int, int]:
    """(start, length) of a window in seconds from Monday 00:00, as `is_open` measures it."""
    return window.weekday * DAY + _offset(window.opens), window_length(window)


def moment_of(when: datetime) -> int:
    """Seconds from Monday 00:00 of the week to the naive local `when`."""
    return when.weekday() * DAY + _offset(when.time())


def open_flags(
    starts: np.ndarray, lengths: np.ndarray, owners: np.ndarray, moments: np.ndarray, count: int
) -> np.ndarray:
    """`is_open` for many places at once: windows given as (start, length, owner index) arrays,
    each owner's local moment in `moments`; places without windows come out False."""
    hit = (moments[owners] - starts) % WEEK < lengths
    return np.bincount(owners[hit], minlength=count) > 0
