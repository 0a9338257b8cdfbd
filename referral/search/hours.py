"""Opening hours: weekly windows, parsing of free-text hours, and whether a place is open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import numpy as np

from referral.search.hours_text import MIDNIGHT, read_text
from referral.search.hours_text import parse_time as parse_time
from referral.search.hours_text import parse_weekdays as parse_weekdays


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


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

DAY = 24 * 60 * 60
WEEK = 7 * DAY


@dataclass(frozen=True)
class HoursReading:
    """What free-text hours say: the windows read, and what could not be turned into windows.

    `unread` holds the clauses that name times or days but gave no window ("9:30am, Sat",
    "every 3rd Saturday 10-2"); `dayless` is set when times were written without any day, and
    `by_appointment` when the text says the hours are by appointment or vary.
    """

    windows: list[Window]
    unread: list[str]
    dayless: bool
    by_appointment: bool


def read_hours_text(text: str) -> HoursReading:
    """The weekly windows of free-text hours, with the parts that could not be read."""
    found = read_text(text or "")
    windows = merge_windows([Window(*opening) for opening in found.openings])
    return HoursReading(windows, found.unread, found.dayless, found.by_appointment)


def parse_hours_text(text: str) -> list[Window] | None:
    """The weekly windows described by free-text hours, or None when none can be read.

    Lines (real or written as a backslash and "n") and ";" clauses are read one by one; lines
    that cannot be read are skipped (`read_hours_text` lists them), and windows of every headed
    section are merged per day.
    """
    return read_hours_text(text).windows or None


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
