"""Capacity as plain rules: the statuses, reading a request, what holds on a given day, the words.

A service is `accepting` unless someone said otherwise. `waitlist` and `not-accepting` may carry
an `until` day: the status holds through that day, and from the day after the service counts as
accepting again, with no job needed to switch it back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

ACCEPTING, WAITLIST, NOT_ACCEPTING = "accepting", "waitlist", "not-accepting"
STATUSES = (ACCEPTING, WAITLIST, NOT_ACCEPTING)
LABELS = {
    ACCEPTING: "Accepting referrals",
    WAITLIST: "Waitlist",
    NOT_ACCEPTING: "Not accepting referrals",
}
FIELDS = ("status", "until", "note")
READ_ONLY = ("set_by", "set_at")
NOTE_LIMIT = 300
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Capacity:
    """What the receiving side said about taking referrals, and who said it when."""

    status: str = ACCEPTING
    until: date | None = None
    note: str = ""
    set_by: str = ""
    set_at: datetime | None = None


def in_effect(status: str, until: date | None, today: date) -> str:
    """The status that holds on `today`: `accepting` once the day after `until` has come."""
    if until is not None and today > until:
        return ACCEPTING
    return status if status in STATUSES else ACCEPTING


def current(capacity: Capacity | None, today: date) -> Capacity:
    """The capacity that holds on `today`: accepting, with no note, when nothing was set or what
    was set has lapsed (who set it last is kept)."""
    if capacity is None:
        return Capacity()
    if in_effect(capacity.status, capacity.until, today) == capacity.status:
        return capacity
    return replace(capacity, status=ACCEPTING, until=None, note="")


def shown(status: str, until: date | None, today: date) -> dict:
    """The status in effect on `today` and the last day it holds (None when open-ended or
    accepting), as search results carry them."""
    status = in_effect(status, until, today)
    return {"status": status, "until": until.isoformat() if until and status != ACCEPTING else None}


def nothing_said() -> dict:
    """What search results carry for a service that said nothing: accepting, with no last day."""
    return {"status": ACCEPTING, "until": None}


def read(data: Mapping, today: date) -> tuple[Capacity, dict[str, str]]:
    """The capacity a request asks for, and every problem with it (field → what to do)."""
    problems: dict[str, str] = {}
    for name in sorted(set(data) - set(FIELDS) - set(READ_ONLY)):
        problems[name] = "This field is not part of capacity: send status, until and note only."
    status = read_status(data.get("status"), problems)
    until = read_until(data.get("until"), status, today, problems)
    note = read_note(data.get("note"), problems)
    return Capacity(status, until, note), problems


def read_status(value, problems: dict[str, str]) -> str:
    """The status asked for, or a problem saying which ones there are."""
    if value in STATUSES:
        return value
    problems["status"] = f"Choose the status: {', '.join(STATUSES)}."
    return ACCEPTING


def read_until(value, status: str, today: date, problems: dict[str, str]) -> date | None:
    """The last day the status holds, or a problem: not a date, a past day, or with accepting."""
    if value is None or value == "":
        return None
    day = as_day(value)
    if day is None:
        problems["until"] = "Write until as a date, YYYY-MM-DD (for example 2027-01-12)."
    elif status == ACCEPTING:
        problems["until"] = "Leave until out when the service is accepting referrals."
    elif day < today:
        problems["until"] = (
            f"until ({day.isoformat()}) is in the past: give today or a later day, or leave it out."
        )
    else:
        return day
    return None


def as_day(value) -> date | None:
    """A YYYY-MM-DD text as a date, or None when it is not one."""
    if not isinstance(value, str) or not DAY.fullmatch(value.strip()):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def read_note(value, problems: dict[str, str]) -> str:
    """The short note, trimmed, or a problem when it is not text or too long."""
    if value is None:
        return ""
    if not isinstance(value, str):
        problems["note"] = "Write the note as text."
        return ""
    if len(value.strip()) > NOTE_LIMIT:
        problems["note"] = f"Keep the note to {NOTE_LIMIT} characters; it has {len(value.strip())}."
    return value.strip()[:NOTE_LIMIT]


def words(status: str, until: date | None, today: date) -> str:
    """The capacity as people read it ("Waitlist", "Not accepting referrals until 12 Jan");
    nothing for accepting."""
    status = in_effect(status, until, today)
    label = LABELS[status] if status != ACCEPTING else ""
    if not label or until is None:
        return label
    return f"{label} until {day_words(until, today)}"


def day_words(day: date, today: date) -> str:
    """A day as people write it: "12 Jan", with the year when it is not this one."""
    text = f"{day.day} {MONTHS[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"
