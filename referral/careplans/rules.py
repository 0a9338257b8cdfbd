"""The rules of a care plan as plain functions (no Flask, no database): which status changes a
need and a goal allow, why a need is resolved, and when a goal's date may be.

A need is active until it is resolved (with a reason), declined by the patient or marked
entered in error; a resolved or declined need may be made active again, one entered in error
never changes again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

NEED_STATUSES = ("active", "resolved", "declined", "entered-in-error")
RESOLVE_REASONS = ("got-help", "no-longer-needed", "patient-declined")
NEED_SOURCES = ("screening", "manual")
NEED_MOVES = {
    "active": {"resolved", "declined", "entered-in-error"},
    "resolved": {"active", "entered-in-error"},
    "declined": {"active", "entered-in-error"},
    "entered-in-error": set(),
}

ACHIEVEMENT_STATUSES = (
    *("in-progress", "improving", "worsening", "no-change", "achieved"),
    *("sustaining", "not-achieved", "no-progress", "not-attainable"),
)
LIFECYCLE_STATUSES = ("active", "completed", "cancelled", "entered-in-error")
LIFECYCLE_MOVES = {
    "active": {"completed", "cancelled", "entered-in-error"},
    "completed": {"active", "entered-in-error"},
    "cancelled": {"active", "entered-in-error"},
    "entered-in-error": set(),
}
INTERVENTION_KINDS = ("education", "counseling", "other")
MAX_TEXT = 2000


class RuleError(Exception):
    """A change the care plan's rules refuse; `field` names the input at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class NeedChange:
    """A need's move from one status to another, and why."""

    from_status: str
    to_status: str
    reason: str | None


def need_change(current: str, wanted, reason) -> NeedChange:
    """The change to `wanted` status, or RuleError: resolving needs a reason from
    RESOLVE_REASONS, declining is always the patient's choice, other moves take no reason."""
    if wanted not in NEED_STATUSES:
        raise RuleError(f"status must be one of: {', '.join(NEED_STATUSES)}.", "status")
    if wanted == current:
        raise RuleError(f"The need is already {current.replace('-', ' ')}.", "status")
    if wanted not in NEED_MOVES[current]:
        raise RuleError(
            f"A need {current.replace('-', ' ')} cannot become {wanted.replace('-', ' ')}.",
            "status",
        )
    if reason in (None, "") and wanted == "declined":
        reason = "patient-declined"
    if wanted in ("resolved", "declined") and reason not in RESOLVE_REASONS:
        raise RuleError(
            f"Say why the need is {wanted}: reason must be one of {', '.join(RESOLVE_REASONS)}.",
            "reason",
        )
    if wanted == "declined" and reason != "patient-declined":
        raise RuleError(
            "A declined need is declined by the patient: reason patient-declined.", "reason"
        )
    if wanted not in ("resolved", "declined") and reason not in (None, ""):
        raise RuleError("Give a reason only when resolving or declining a need.", "reason")
    return NeedChange(current, wanted, reason if wanted in ("resolved", "declined") else None)


def target_date(value, today: date) -> date:
    """A goal's target date from an ISO date (a date object too), today or later."""
    if isinstance(value, date):
        found = value
    elif isinstance(value, str):
        try:
            found = date.fromisoformat(value.strip())
        except ValueError:
            raise RuleError(
                "target_date must be a date such as 2027-03-01.", "target_date"
            ) from None
    else:
        raise RuleError("target_date must be a date such as 2027-03-01.", "target_date")
    if found < today:
        raise RuleError("target_date is in the past: choose today or a later day.", "target_date")
    return found


def text(value, field: str, required: bool = True) -> str:
    """Free text, trimmed, at most MAX_TEXT characters; required unless said otherwise."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise RuleError(f"{field} must be text.", field)
    value = value.strip()
    if required and not value:
        raise RuleError(f"Write the {field.replace('_', ' ')}.", field)
    if len(value) > MAX_TEXT:
        raise RuleError(f"{field} is longer than {MAX_TEXT} characters.", field)
    return value


def achievement(current: str, wanted) -> str:
    """A new achievement status from the FHIR goal-achievement codes."""
    if wanted not in ACHIEVEMENT_STATUSES:
        raise RuleError(
            f"achievement_status must be one of: {', '.join(ACHIEVEMENT_STATUSES)}.",
            "achievement_status",
        )
    return wanted


def lifecycle(current: str, wanted) -> str:
    """A goal's next lifecycle status as LIFECYCLE_MOVES allows."""
    if wanted not in LIFECYCLE_STATUSES:
        raise RuleError(
            f"lifecycle_status must be one of: {', '.join(LIFECYCLE_STATUSES)}.",
            "lifecycle_status",
        )
    if wanted != current and wanted not in LIFECYCLE_MOVES[current]:
        raise RuleError(f"A goal {current} cannot become {wanted}.", "lifecycle_status")
    return wanted


def lifecycle_after(lifecycle_status: str, achievement_status: str) -> str:
    """The lifecycle a goal takes with its achievement: achieving an active goal completes it,
    and a completed goal worked on again is active."""
    if achievement_status == "achieved" and lifecycle_status == "active":
        return "completed"
    if achievement_status != "achieved" and lifecycle_status == "completed":
        return "active"
    return lifecycle_status


def intervention_kind(value) -> str:
    """An intervention's kind from INTERVENTION_KINDS."""
    if value not in INTERVENTION_KINDS:
        raise RuleError(f"kind must be one of: {', '.join(INTERVENTION_KINDS)}.", "kind")
    return value
