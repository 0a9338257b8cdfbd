"""Checking a patient's details with well-kept libraries; every problem is reported at once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import pycountry
from dateutil import parser as dateparser

from referral.search.geo import zip_place

FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "phone",
    "postal_code",
    "preferred_language",
    "mrn",
    "contact_channel",
    "time_zone",
)
OLDEST = 130
CONTACT_CHANNELS = ("sms", "phone", "none")


@dataclass
class Checked:
    """A patient's details, cleaned, with every problem found (field → message)."""

    values: dict = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


def check_patient(data: dict, today: date | None = None) -> Checked:
    """Clean and check new patient details; `problems` is empty when they are usable."""
    checked = Checked()
    today = today or date.today()
    for name in ("given_name", "family_name"):
        value = text(data.get(name))
        if not value:
            checked.problems[name] = "Enter the patient's name as they give it."
        elif len(value) > 100:
            checked.problems[name] = "This name is too long (at most 100 characters)."
        checked.values[name] = value
    checks = (
        ("birth_date", lambda v: birth_date(v, today)),
        ("phone", phone),
        ("postal_code", postal_code),
        ("preferred_language", language),
        ("mrn", mrn),
        ("contact_channel", contact_channel),
        ("time_zone", time_zone),
    )
    for name, check in checks:
        try:
            checked.values[name] = check(data.get(name))
        except ValueError as exc:
            checked.problems[name] = str(exc)
    checked.values["contact_ok"] = flag(data.get("contact_ok"), checked, "contact_ok")
    return checked


def text(value) -> str:
    """A value as trimmed text."""
    return str(value).strip() if value is not None else ""


def birth_date(value, today: date) -> date:
    """A birth date in ISO form (1980-04-30) or as US clinics write it (04/30/1980)."""
    raw = text(value)
    if not raw:
        raise ValueError("Enter the date of birth, for example 1980-04-30.")
    try:
        parsed = (
            dateparser.isoparse(raw).date()
            if re.match(r"^\d{4}-", raw)
            else dateparser.parse(raw, dayfirst=False, yearfirst=False).date()
        )
    except (ValueError, OverflowError):
        raise ValueError(f"“{raw}” is not a date. Use the form 1980-04-30.") from None
    if parsed > today:
        raise ValueError("The date of birth is in the future.")
    if (today - parsed).days > OLDEST * 366:
        raise ValueError(f"The date of birth is more than {OLDEST} years ago.")
    return parsed


def phone(value) -> str:
    """A US (or +international) phone number in E.164 form, or empty."""
    raw = text(value)
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        raise ValueError(f"“{raw}” is not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"“{raw}” is not a valid phone number. Check the area code and digits.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def postal_code(value) -> str:
    """A US ZIP code that exists, or empty."""
    raw = text(value)
    if not raw:
        return ""
    if not re.fullmatch(r"\d{5}(-\d{4})?", raw):
        raise ValueError("A ZIP code has 5 digits, for example 44113.")
    if zip_place(raw) is None:
        raise ValueError(f"{raw} is not a US ZIP code.")
    return raw[:5]


def language(value) -> str:
    """An ISO 639-1 language code (default English)."""
    raw = text(value).lower() or "en"
    if len(raw) != 2 or pycountry.languages.get(alpha_2=raw) is None:
        raise ValueError(f"“{raw}” is not an ISO 639-1 language code such as en or es.")
    return raw


def mrn(value) -> str | None:
    """A medical record number, or None."""
    raw = text(value)
    if len(raw) > 64:
        raise ValueError("The medical record number is too long (at most 64 characters).")
    return raw or None


def contact_channel(value) -> str:
    """How the patient chose to be reached: sms (texts), phone (calls only) or none; phone
    when they did not say."""
    raw = text(value).lower() or "phone"
    if raw not in CONTACT_CHANNELS:
        raise ValueError(
            f"Choose how the patient wants to be reached: {', '.join(CONTACT_CHANNELS)}."
        )
    return raw


def time_zone(value) -> str:
    """An IANA time zone name such as America/Chicago, or empty (the installation's)."""
    raw = text(value)
    if not raw:
        return ""
    if len(raw) > 64:
        raise ValueError("A time zone is a name such as America/Chicago.")
    zone(raw)
    return raw


def zone(name: str) -> ZoneInfo:
    """The IANA time zone `name`, or ValueError saying it is not one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone such as America/New_York.") from None


def flag(value, checked: Checked, name: str) -> bool:
    """A yes/no value (true/false, 1/0, yes/no)."""
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    raw = str(value).strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    checked.problems[name] = "Answer yes or no."
    return False


def display_phone(e164: str) -> str:
    """A stored phone number the way people read it: (216) 555-0100."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, "US")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
