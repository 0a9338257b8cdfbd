"""What goes on a patient's referral slip, in their language.

A slip is for the patient to take home: where to go, when, whom to call, what to bring, what it
costs, and whom to ask. It never carries a diagnosis, screening answers, the referral's note, the
need it answers, or anything about safety: referrals for safety needs are never printed (a slip
left at home may be found by the person the patient needs to be safe from).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from referral.directory.records import Package
from referral.directory.snapshot import read_directory
from referral.patients.validation import display_phone
from referral.referrals.models import Referral
from referral.referrals.slip_pdf import Slip, SlipLabels, SlipService
from referral.search.documents import effective_hours
from referral.search.hours import DAY, MIDNIGHT, Window, window_length

SLIP_LANGUAGES = ("en", "es")
PAPERS = ("letter", "a4")
NEVER_PRINTED = frozenset({"safety"})
DAY_NAMES = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "es": ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
}
MONTHS_ES = (
    *("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto"),
    *("septiembre", "octubre", "noviembre", "diciembre"),
)

NO_WALK_INS = re.compile(
    r"\bno\s+walk[\s-]?ins?\b|walk[\s-]?ins?\s+(?:are\s+)?not\b|\bappointments?\s+only\b"
    r"|\bby\s+appointment\s+only\b|\bappointment\s+(?:is\s+)?required\b"
)
WALK_INS = re.compile(r"\bwalk[\s-]?ins?\b")


@dataclass(frozen=True)
class SlipPage:
    """A slip ready to show or print, and the referrals it leaves out."""

    slip: Slip
    labels: SlipLabels
    language: str
    left_out: int


def slip_language(asked: str | None, preferred: str) -> str:
    """The language to print in: the one asked for, else the patient's, else English."""
    for choice in (asked, preferred):
        if choice in SLIP_LANGUAGES:
            return choice
    return "en"


def printable_referrals(referrals: list[Referral]) -> list[Referral]:
    """The referrals a slip may show: not voided, and never a safety referral."""
    return [r for r in referrals if r.need not in NEVER_PRINTED and r.status != "entered-in-error"]


def build_slip(referrals: list[Referral], patient, manager, language: str) -> SlipPage:
    """The slip for some of a patient's referrals, with its words in `language`."""
    shown = printable_referrals(referrals)
    package = read_directory(list(dict.fromkeys(r.service_id for r in shown)))
    settings = current_app.config["REFERRAL"]
    with force_locale(language):
        services = tuple(slip_service(package, r, language) for r in shown)
        slip = Slip(
            patient_name=patient.given_name,
            prepared_on=long_date(date.today(), language),
            services=services,
            contact_name=(manager.display_name or manager.username) if manager else "",
            contact_phone=display_phone(manager.phone) if manager and manager.phone else "",
            contact_email=manager.email if manager else "",
            organization=settings["SLIP_ORGANIZATION"],
        )
        if not slip.contact_phone and settings["SLIP_PHONE"]:
            slip = replace_phone(slip, settings["SLIP_PHONE"])
        return SlipPage(slip, slip_labels(), language, len(referrals) - len(shown))


def replace_phone(slip: Slip, phone: str) -> Slip:
    """The slip with the organization's main phone as the number to call."""
    return replace(slip, contact_phone=phone)


def slip_service(package: Package, referral: Referral, language: str) -> SlipService:
    """One referral's service as the patient reads it."""
    service = package.services[referral.service_id]
    organization = package.organizations.get(service.organization_id)
    sal, location = place_of(package, referral)
    hours = effective_hours(service, sal, location)
    phones = [*(sal.phones if sal else []), *service.phones, *(location.phones if location else [])]
    phones += organization.phones if organization and not phones else []
    walk_ins = walk_in_policy(service.application_process)
    return SlipService(
        name=service.name,
        organization=organization.name
        if organization and organization.name != service.name
        else "",
        address=address_text(location),
        phone=phone_text(phones[0]) if phones else "",
        hours=tuple(week_lines(hours.windows, language)),
        walk_ins={True: _("Walk-ins welcome."), False: _("Call first: by appointment.")}.get(
            walk_ins, ""
        ),
        bring="; ".join(service.required_documents),
        cost=cost_text(service),
        url=url_for("web.service_details", service_id=service.id, _external=True),
    )


def place_of(package: Package, referral: Referral):
    """The service-at-location and location the patient is sent to: the one chosen when
    referring, else the service's first."""
    links = [
        s for s in package.service_at_locations.values() if s.service_id == referral.service_id
    ]
    links.sort(key=lambda s: s.location_id != referral.location_id)
    for sal in links:
        if sal.location_id in package.locations:
            return sal, package.locations[sal.location_id]
    return None, None


def address_text(location) -> str:
    """A location's physical address on two lines, or ''."""
    if location is None:
        return ""
    for a in location.addresses:
        if a.address_type != "mail":
            street = ", ".join(part for part in (a.address_1, a.address_2) if part)
            town = " ".join(
                p for p in (f"{a.city}," if a.city else "", a.state_province, a.postal_code) if p
            )
            return "\n".join(line for line in (street, town.strip(" ,")) if line)
    return ""


def phone_text(phone) -> str:
    """A phone as people dial it, with its extension."""
    return phone.number + (f" ext. {phone.extension}" if phone.extension else "")


def cost_text(service) -> str:
    """What the service costs, as listed."""
    if service.fees_description:
        return service.fees_description
    options = [o.option or o.amount_description for o in service.cost_options]
    return "; ".join(o for o in options if o)


def walk_in_policy(text: str) -> bool | None:
    """Whether the listing says walk-ins are taken (True), not taken (False), or neither."""
    text = (text or "").lower()
    if NO_WALK_INS.search(text):
        return False
    return True if WALK_INS.search(text) else None


def week_lines(windows: list[Window], language: str) -> list[str]:
    """Opening hours as a few lines, consecutive days with the same hours together
    ("Mon-Fri: 9:00 AM-5:00 PM"); closed days are left out; empty when unknown."""
    names = DAY_NAMES[language]
    days = [day_text(windows, day, language) for day in range(7)]
    lines, start = [], 0
    for day in range(1, 8):
        if day == 7 or days[day] != days[start]:
            if days[start]:
                span = names[start] if day - 1 == start else f"{names[start]}–{names[day - 1]}"
                lines.append(f"{span}: {days[start]}")
            start = day
    return lines


def day_text(windows: list[Window], weekday: int, language: str) -> str:
    """One day's hours in the patient's clock, or '' when closed."""
    day = sorted(w for w in windows if w.weekday == weekday)
    if any(w.opens == MIDNIGHT and window_length(w) == DAY for w in day):
        return _("Open 24 hours")
    return ", ".join(f"{clock(w.opens, language)}–{clock(w.closes, language)}" for w in day)


def clock(moment, language: str) -> str:
    """A time of day as the patient reads it: 9:00 AM, or 9:00 a. m. in Spanish."""
    hour = moment.hour % 12 or 12
    half = ("AM", "PM") if language == "en" else ("a. m.", "p. m.")
    return f"{hour}:{moment.minute:02d} {half[moment.hour >= 12]}"


def long_date(day: date, language: str) -> str:
    """A date written out: November 22, 2026, or 22 de noviembre de 2026."""
    if language == "es":
        return f"{day.day} de {MONTHS_ES[day.month - 1]} de {day.year}"
    return f"{day:%B} {day.day}, {day.year}"


def slip_labels() -> SlipLabels:
    """The slip's fixed words in the current locale."""
    return SlipLabels(
        title=_("Your referrals"),
        prepared_for=_("Prepared for %(name)s on %(date)s", name="{name}", date="{date}"),
        address=_("Address"),
        phone=_("Phone"),
        hours=_("Hours"),
        hours_unknown=_("Call to ask about hours"),
        bring=_("What to bring"),
        cost=_("Cost"),
        scan=_("Scan for details and directions"),
        questions=_("Questions? Call your case manager"),
        unknown=_("Ask when you call"),
        patient_link=_("Scan to see your referrals and tell us how it went"),
    )
