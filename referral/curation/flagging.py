"""When referral outcomes say a listing may be wrong: the rule, as a pure function.

A service is flagged for a curator when, within ``WINDOW_DAYS``, at least ``THRESHOLD`` of its
referrals ended with the same one of these outcomes: couldnt-contact (its phone or address may be
wrong, or it may have closed), no-capacity (it may be full or have stopped the service) or
not-eligible (its eligibility may be listed wrongly). Outcomes from every side count: the receiving
organization, the care team and the patient; the evidence records which side said what, so the
curator can judge. Outcomes from before a curator last closed a flag for the same reason do not
count again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

FLAG_OUTCOMES = ("couldnt-contact", "no-capacity", "not-eligible")
THRESHOLD = 3
WINDOW_DAYS = 90


@dataclass(frozen=True)
class OutcomeReport:
    """One referral's outcome against a service: which referral, what, who said it, when."""

    referral_id: int
    outcome: str
    source: str
    at: datetime

    def evidence(self) -> dict:
        """The report as a flag keeps it."""
        return {
            "referral_id": self.referral_id,
            "outcome": self.outcome,
            "source": self.source,
            "at": self.at.isoformat(),
        }


def outcome_flags(
    reports: Iterable[OutcomeReport],
    now: datetime,
    closed_since: Mapping[str, datetime] | None = None,
    threshold: int = THRESHOLD,
    window_days: int = WINDOW_DAYS,
) -> dict[str, list[OutcomeReport]]:
    """The reasons a service should be flagged for, each with its evidence, oldest first."""
    start = now - timedelta(days=window_days)
    closed_since = closed_since or {}
    counted: dict[str, list[OutcomeReport]] = {}
    for report in sorted(reports, key=lambda r: r.at):
        closed = closed_since.get(report.outcome)
        fresh = closed is None or report.at > closed
        if report.outcome in FLAG_OUTCOMES and fresh and start <= report.at <= now:
            counted.setdefault(report.outcome, []).append(report)
    return {reason: found for reason, found in counted.items() if len(found) >= threshold}
