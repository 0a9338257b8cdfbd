"""How the worklist ranks work (no Flask, no database): what is due comes first, and among
work due at the same time the people most at risk come first.

Risk counts open needs, a recent emergency visit or discharge, and a safety concern; a
safety concern outranks everything else on the same day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

KINDS = ("transition", "follow-up", "waiting-on-patient", "rescreening", "goal")
"""The kinds of work, in the order they are shown when all else is equal."""

RECENT_VISIT_DAYS = 30
SAFETY_WEIGHT = 100
VISIT_WEIGHT = 10


@dataclass(frozen=True)
class Risk:
    """What makes a patient more urgent: open needs, a recent visit, a safety concern."""

    open_needs: int = 0
    last_visit: date | None = None
    safety: bool = False

    def score(self, today: date) -> int:
        """A number to sort by, higher first."""
        recent = self.last_visit is not None and (today - self.last_visit).days <= RECENT_VISIT_DAYS
        return (
            (SAFETY_WEIGHT if self.safety else 0)
            + (VISIT_WEIGHT if recent else 0)
            + self.open_needs
        )

    def reasons(self, today: date) -> list[str]:
        """Why the patient is ranked up, in plain words."""
        found = ["safety concern"] if self.safety else []
        if self.last_visit is not None and (today - self.last_visit).days <= RECENT_VISIT_DAYS:
            found.append(f"hospital visit on {self.last_visit:%-m/%-d}")
        if self.open_needs:
            found.append(f"{self.open_needs} open need{'s' if self.open_needs != 1 else ''}")
        return found


NO_RISK = Risk()


@dataclass(frozen=True, slots=True)
class Item:
    """One piece of work for one patient."""

    kind: str
    patient_id: int
    due: date
    reason: str
    ref: str = ""
    risk: Risk = NO_RISK


def rank_key(item: Item, today: date) -> tuple:
    """Sort key: work due by today before later work; then higher risk; then the earliest due;
    then the kinds in their order."""
    return (item.due > today, -item.risk.score(today), item.due, KINDS.index(item.kind), item.ref)


def ranked(items: list[Item], today: date) -> list[Item]:
    """The worklist in order."""
    return sorted(items, key=lambda item: rank_key(item, today))


def rescreening_due(last: date, positive: bool, months: int = 12, positive_months: int = 3) -> date:
    """When a patient is due to be screened again: `months` after their last screening, or
    `positive_months` after one that found a need."""
    return last + relativedelta(months=positive_months if positive else months)


def business_days_after(start: date, days: int) -> date:
    """The date `days` business days (Monday to Friday) after `start`."""
    found, left = start, days
    while left > 0:
        found += timedelta(days=1)
        if found.weekday() < 5:
            left -= 1
    return found
