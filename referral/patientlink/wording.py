"""How the patient's page says things: opening hours in words, phone and map links.

Plain functions of their inputs, tested without a request.
"""

from __future__ import annotations

import re
from urllib.parse import quote_plus

from referral.referrals.slip import DAY_NAMES as SHORT_DAYS

DAY_WORDS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}
TO = {"en": " to ", "es": " a "}
MAPS = "https://www.google.com/maps/dir/?api=1&destination="


def plain_hours(lines: tuple[str, ...] | list[str], language: str) -> list[str]:
    """A slip's hour lines ("Mon–Fri: 9:00 AM–5:00 PM") in words ("Monday to Friday: 9:00 AM
    to 5:00 PM"); lines in another shape are kept as they are."""
    return [plain_line(line, language) for line in lines]


def plain_line(line: str, language: str) -> str:
    """One hour line in words."""
    span, sep, times = line.partition(": ")
    short = SHORT_DAYS.get(language, SHORT_DAYS["en"])
    days = span.split("–")
    if not sep or not all(day in short for day in days):
        return line
    words = DAY_WORDS.get(language, DAY_WORDS["en"])
    to = TO.get(language, TO["en"])
    named = to.join(words[short.index(day)] for day in days)
    return f"{named}: {times.replace('–', to)}"


def tel_url(phone: str) -> str:
    """A `tel:` link for a phone as printed ("216-555-0100 ext. 12"), or '' without digits."""
    number, _, extension = (phone or "").partition(" ext. ")
    digits = re.sub(r"[^\d+]", "", number)
    if not re.search(r"\d", digits):
        return ""
    extension = re.sub(r"\D", "", extension)
    return f"tel:{digits}" + (f";ext={extension}" if extension else "")


def directions_url(address: str) -> str:
    """A map search for directions to an address, or '' without one."""
    one_line = ", ".join(part.strip() for part in (address or "").splitlines() if part.strip())
    return MAPS + quote_plus(one_line) if one_line else ""
