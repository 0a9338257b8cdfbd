"""Delivery rules as plain functions: quiet hours, retry back-off, phone numbers, keys.

Nothing here needs Flask or a database, so every rule is tested on its own.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from referral.patients.validation import phone, zone

EMAIL, SMS = "email", "sms"
CHANNELS = (EMAIL, SMS)
QUEUED, SENDING, SENT, FAILED, REFUSED = "queued", "sending", "sent", "failed", "refused"
STATUSES = (QUEUED, SENDING, SENT, FAILED, REFUSED)
KINDS = (
    "referral-arrived",
    "referral-changed",
    "message",
    "digest",
    "slip-sms",
    "reminder",
    "follow-up-question",
    "patient-link",
)
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
"""How long to wait after the first, second, third and fourth failed attempt; a fifth fails."""

QUIET_HOURS = re.compile(r"\s*([0-2]?\d):([0-5]\d)\s*-\s*([0-2]?\d):([0-5]\d)\s*")
OFF = {"", "off", "none", "0"}


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed attempts, or None when it is time to give up."""
    if attempts < 1 or attempts > len(BACKOFF):
        return None
    return now + BACKOFF[attempts - 1]


def parse_quiet_hours(text: str | None) -> tuple[time, time] | None:
    """`21:00-08:00` as (start, end); None when quiet hours are off. Raises ValueError when
    the text is neither."""
    if text is None or text.strip().lower() in OFF:
        return None
    match = QUIET_HOURS.fullmatch(text)
    if match is None:
        raise ValueError(f"Quiet hours look like 21:00-08:00, not {text!r}.")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23:
        raise ValueError(f"Quiet hours look like 21:00-08:00, not {text!r}.")
    return time(h1, m1), time(h2, m2)


def in_quiet_hours(moment: time, quiet: tuple[time, time]) -> bool:
    """Whether a time of day falls in quiet hours (which may wrap past midnight)."""
    start, end = quiet
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


def first_moment_allowed(now: datetime, zone: str, quiet: tuple[time, time] | None) -> datetime:
    """The first moment at or after `now` (aware) outside quiet hours in the time zone `zone`,
    in UTC: a text queued at night waits for the morning there."""
    now = now.astimezone(UTC)
    if quiet is None:
        return now
    local = now.astimezone(time_zone(zone))
    if not in_quiet_hours(local.time().replace(tzinfo=None), quiet):
        return now
    day = local.date()
    start, end = quiet
    if start > end and local.time().replace(tzinfo=None) >= start:
        day += timedelta(days=1)
    return wall_clock(day, end, zone)


def wall_clock(day: date, moment: time, zone: str) -> datetime:
    """The UTC instant a wall clock in `zone` shows `moment` on `day` (a time skipped by a
    daylight-saving change becomes the first moment after it)."""
    local = datetime.combine(day, moment, tzinfo=time_zone(zone))
    instant = local.astimezone(UTC)
    if instant.astimezone(local.tzinfo).replace(tzinfo=None) != local.replace(tzinfo=None):
        return instant.astimezone(local.tzinfo).replace(minute=0, second=0).astimezone(UTC)
    return instant


def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone `name`, or ValueError saying it is not one."""
    return zone(name)


def sms_number(raw: str) -> str:
    """A phone number that can take texts, in E.164 (US numbers by default), or ValueError."""
    if not (raw or "").strip():
        raise ValueError("the patient has no phone number")
    return phone(raw)


def message_id(key: str, sender: str) -> str:
    """The Message-ID of an email, derived from its idempotency key: a resend after a crash
    carries the same one, so the receiving side can tell it is the same message."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    domain = sender.rpartition("@")[2].strip("<> ") or "referral.invalid"
    return f"<{digest}@{domain}>"


def daily_run_due(now_local: datetime, hour: int, last_day: date | None) -> bool:
    """Whether the daily jobs should run now: past `hour` on a day they have not run yet."""
    return now_local.hour >= hour and last_day != now_local.date()
