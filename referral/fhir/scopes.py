"""SMART on FHIR (v1) system scopes: `system/<Type>.<read|write|*>`, what they allow, and why a
scope is refused. Plain Python: no Flask, no database."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

KNOWN_TYPES: tuple[str, ...] = (
    "Patient",
    "Organization",
    "Practitioner",
    "PractitionerRole",
    "Questionnaire",
    "QuestionnaireResponse",
    "Observation",
    "Condition",
    "Goal",
    "CarePlan",
    "Encounter",
    "Consent",
    "ServiceRequest",
    "Task",
    "Procedure",
    "Communication",
    "HealthcareService",
    "Location",
)
WRITABLE: frozenset[str] = frozenset({"QuestionnaireResponse", "ServiceRequest", "Task", "Consent"})
"""The types clients send: screenings, referrals (a ServiceRequest with its Task and the
patient's Consent) and Task updates."""
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Patients and consent", ("Patient", "Consent")),
    ("Screening", ("Questionnaire", "QuestionnaireResponse", "Observation")),
    ("Care plans", ("Condition", "Goal", "CarePlan", "Encounter")),
    ("Referrals", ("ServiceRequest", "Task", "Procedure", "Communication")),
    (
        "Directory and care teams",
        ("Organization", "Practitioner", "PractitionerRole", "HealthcareService", "Location"),
    ),
)
"""Every known type once, grouped by what a client does with it (for choosing scopes)."""
MODES: tuple[str, ...] = ("read", "write")
ACCESS = {"read": frozenset({"read"}), "write": frozenset({"write"}), "*": frozenset(MODES)}
SHAPE = re.compile(r"(?P<context>[A-Za-z]+)/(?P<type>[A-Za-z]+|\*)\.(?P<access>[A-Za-z]+|\*)")
EXAMPLE = "system/Patient.read"


class ScopeError(ValueError):
    """Scopes that cannot be given; `problems` says what is wrong with each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class Scope(NamedTuple):
    """One system scope: a resource type (or `*`, every type) and the modes it allows."""

    resource_type: str
    modes: frozenset[str]


def parse_scopes(text: str) -> frozenset[str]:
    """The scopes in a space-separated list, every one checked; ScopeError names each bad one."""
    words = text.split()
    problems = [problem for word in dict.fromkeys(words) if (problem := scope_problem(word))]
    if not words:
        problems.append(f"No scopes given: name at least one, such as {EXAMPLE}.")
    if problems:
        raise ScopeError(problems)
    return frozenset(words)


def scope_problem(word: str) -> str | None:
    """What is wrong with one scope, or None when it is a system scope this server issues."""
    match = SHAPE.fullmatch(word)
    if match is None:
        return f"{word}: not a scope; scopes look like {EXAMPLE} or system/*.write."
    context, resource_type, access = match.group("context", "type", "access")
    if context in ("user", "patient"):
        return (
            f"{word}: {context}/ scopes act for a signed-in person; only system/ scopes are "
            f"issued to clients (e.g. system/{resource_type}.{access})."
        )
    if context != "system":
        return f"{word}: scopes start with system/, as in {EXAMPLE}."
    if resource_type != "*" and resource_type not in KNOWN_TYPES:
        return f"{word}: {resource_type} is not a resource type here; use * or one of " + (
            ", ".join(KNOWN_TYPES) + "."
        )
    if access not in ACCESS:
        return f"{word}: the access must be read, write or * (not {access})."
    return None


def read_scope(word: str) -> Scope | None:
    """One scope as a resource type and modes, or None when it is not one this server issues."""
    if scope_problem(word) is not None:
        return None
    resource_type, access = word.removeprefix("system/").split(".")
    return Scope(resource_type, ACCESS[access])


def allows(scopes: Iterable[str], resource_type: str, mode: str) -> bool:
    """Whether `scopes` allow `mode` ("read" or "write") on `resource_type`."""
    if mode not in MODES:
        raise ValueError(f"mode is {mode!r}: use read or write")
    found = (read_scope(word) for word in scopes)
    return any(
        scope is not None and mode in scope.modes and scope.resource_type in ("*", resource_type)
        for scope in found
    )


def covers(scopes: Iterable[str], wanted: str) -> bool:
    """Whether `scopes` allow everything the one scope `wanted` would (a narrower or equal one)."""
    scope = read_scope(wanted)
    if scope is None:
        return False
    granted = [found for word in scopes if (found := read_scope(word)) is not None]
    return all(
        any(mode in g.modes and g.resource_type in ("*", scope.resource_type) for g in granted)
        for mode in scope.modes
    )


def covering(resource_type: str, mode: str) -> str:
    """The scope a client needs for `mode` on `resource_type` (for telling it what is missing)."""
    if mode not in MODES:
        raise ValueError(f"mode is {mode!r}: use read or write")
    return f"system/{resource_type}.{mode}"


def as_text(scopes: Iterable[str]) -> str:
    """Scopes as the space-separated text OAuth uses, in a stable order."""
    return " ".join(sorted(set(scopes)))


def chosen_scopes(ticked: Iterable[str], typed: str) -> str:
    """The scopes of a form: the ticked ones, then the typed ones, each once (not checked)."""
    return " ".join(dict.fromkeys([*ticked, *typed.split()]))
