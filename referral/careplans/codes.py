"""The codes of a care plan (no Flask, no database): each need's Z codes, and the LOINC measure
a goal for each need is coded with.

A goal is coded with the LOINC code of the screening item that measures it (the SDOH Clinical
Care guide codes its food-security goal with the Hunger Vital Sign risk, 88124-3); needs that
no screening item measures (health, legal, …) have goals in the patient's words only.
"""

from __future__ import annotations

import re
from functools import cache

from referral.fhir.codes import LOINC, Z_CODE_DISPLAY
from referral.screening.instruments import load_instruments

_TRANSPORT = "Has lack of transportation kept you from medical appointments, meetings, work"
_TRANSPORT += ", or from getting things needed for daily living"
_UTILITIES = "Has the electric, gas, oil, or water company threatened to shut off services in your"
_UTILITIES += " home in past 12 months"
_BASICS = "How hard is it for you to pay for the very basics like food, housing, medical care,"
_BASICS += " and heating"
GOAL_CODES: dict[str, tuple[str, str, str]] = {
    "food": (LOINC, "88124-3", "Food insecurity risk [HVS]"),
    "housing": (LOINC, "71802-3", "Housing status"),
    "transportation": (LOINC, "93030-5", _TRANSPORT),
    "utilities": (LOINC, "96779-4", _UTILITIES),
    "financial": (LOINC, "76513-1", _BASICS),
    "employment": (LOINC, "96780-2", "Do you want help finding or keeping work or a job"),
    "safety": (LOINC, "95614-4", "Total safety score"),
}
"""System, code and display of the measure each need's goals are coded with."""

Z_CODE = re.compile(r"^Z\d\d(\.\d{1,4})?$")
"""A well-formed ICD-10-CM Z code: Z, two digits, and up to four more after a point."""

EXTRA_Z_CODES = {"Z59.812": "Housing instability, housed, homelessness in past 12 months"}


def goal_code(domain: str) -> tuple[str, str, str] | None:
    """The coded form of a goal for a need of `domain`, or None when no measure fits."""
    return GOAL_CODES.get(domain)


@cache
def domain_z_codes() -> dict[str, tuple[str, ...]]:
    """The Z codes the screening instruments suggest for each need, first suggestions first."""
    found: dict[str, list[str]] = {}
    for instrument in load_instruments().values():
        for rule in instrument.domains:
            codes = found.setdefault(rule.need, [])
            by_answer = [c for group in rule.z_codes_by_answer.values() for c in group]
            for code in (*rule.z_codes, *by_answer, *rule.alternative_z_codes):
                if code not in codes:
                    codes.append(code)
    return {need: tuple(codes) for need, codes in found.items()}


@cache
def screening_domain_needs() -> dict[str, str]:
    """The need each screening domain key stands for (food-insecurity → food)."""
    return {
        rule.key: rule.need
        for instrument in load_instruments().values()
        for rule in instrument.domains
        if rule.need
    }


def z_code_domain(code: str) -> str | None:
    """The need whose suggestions include `code`, or None."""
    return next((need for need, codes in domain_z_codes().items() if code in codes), None)


def z_display(code: str | None) -> str | None:
    """What a Z code stands for, when known."""
    if not code:
        return None
    return Z_CODE_DISPLAY.get(code) or EXTRA_Z_CODES.get(code)


def default_z_code(domain: str) -> str | None:
    """The Z code a need of `domain` gets when none is chosen: the only one its screenings
    suggest first, or None when the choice needs a person (housing has several)."""
    primary = {
        code
        for instrument in load_instruments().values()
        for rule in instrument.domains
        if rule.need == domain
        for code in rule.z_codes
    }
    return primary.pop() if len(primary) == 1 else None
