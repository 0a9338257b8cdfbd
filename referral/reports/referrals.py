"""Closed-loop figures: the funnel from screening to help, how fast referrals are answered,
and what came of them, by need and by organization.

Plain functions over plain rows, so the figures are tested without a database.

Definitions:
- The funnel counts distinct patients in the range at each stage: screened, positive on at least
  one need, referred (any referral made in the range), accepted (one of those referrals was
  accepted by its organization), resolved (one of them ended with the outcome got-help).
- A referral's loop is closed when its outcome is known (from the organization, the care team or
  the patient) or it was closed (completed, failed, rejected, cancelled). The closed-loop rate is
  closed referrals over all referrals; referrals entered in error count nowhere.
- Times to accept and to close are medians, in days, over the referrals that got there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median

from referral.referrals.states import TERMINAL, Outcome, Status

OUTCOME_KEYS = tuple(o.value for o in Outcome)
NO_OUTCOME = "closed-no-outcome"
STILL_OPEN = "open"
COLUMNS = (*OUTCOME_KEYS, NO_OUTCOME, STILL_OPEN)
CLOSED = frozenset(s.value for s in TERMINAL)
STAGES = ("screened", "positive", "referred", "accepted", "resolved")


@dataclass(frozen=True)
class ReferralRow:
    """One referral, reduced to what the report counts."""

    patient_id: int
    need: str
    organization: str
    status: str
    outcome: str | None
    created_at: datetime
    accepted_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def loop_closed(self) -> bool:
        """Whether what came of the referral is known, or it was closed."""
        return self.outcome is not None or self.status in CLOSED

    @property
    def column(self) -> str:
        """Which outcome column the referral counts in."""
        if self.outcome:
            return self.outcome
        return NO_OUTCOME if self.status in CLOSED else STILL_OPEN


@dataclass(frozen=True)
class ScreenedRow:
    """One screening in the range: whose, and whether it found a need."""

    patient_id: int
    positive: bool


@dataclass
class OutcomeLine:
    """Outcome counts for one need or organization."""

    label: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Referrals counted in the line."""
        return sum(self.counts.values())

    @property
    def closed_loop_rate(self) -> float | None:
        """Share of the line's referrals whose loop is closed."""
        if not self.total:
            return None
        return 1 - self.counts.get(STILL_OPEN, 0) / self.total


@dataclass
class ReferralReport:
    """The whole report over a range."""

    funnel: list[tuple[str, int]]
    referrals: int
    closed_loop: int
    accepted: int
    days_to_accept: float | None
    days_to_close: float | None
    by_need: list[OutcomeLine]
    by_organization: list[OutcomeLine]

    @property
    def closed_loop_rate(self) -> float | None:
        """Closed referrals over all referrals, or None without referrals."""
        return self.closed_loop / self.referrals if self.referrals else None


def referral_report(
    screenings: Iterable[ScreenedRow], referrals: Iterable[ReferralRow]
) -> ReferralReport:
    """Count the funnel, the closed loop, the times and the outcomes."""
    rows = [r for r in referrals if r.status != Status.ENTERED_IN_ERROR.value]
    return ReferralReport(
        funnel=funnel(list(screenings), rows),
        referrals=len(rows),
        closed_loop=sum(r.loop_closed for r in rows),
        accepted=sum(r.accepted_at is not None for r in rows),
        days_to_accept=median_days((r.created_at, r.accepted_at) for r in rows),
        days_to_close=median_days((r.created_at, r.closed_at) for r in rows),
        by_need=outcome_lines(rows, lambda r: r.need),
        by_organization=outcome_lines(rows, lambda r: r.organization),
    )


def funnel(screenings: list[ScreenedRow], rows: list[ReferralRow]) -> list[tuple[str, int]]:
    """Distinct patients at each stage from screened to resolved."""
    stages = {
        "screened": {s.patient_id for s in screenings},
        "positive": {s.patient_id for s in screenings if s.positive},
        "referred": {r.patient_id for r in rows},
        "accepted": {r.patient_id for r in rows if r.accepted_at is not None},
        "resolved": {r.patient_id for r in rows if r.outcome == Outcome.GOT_HELP.value},
    }
    return [(stage, len(stages[stage])) for stage in STAGES]


def median_days(pairs: Iterable[tuple[datetime, datetime | None]]) -> float | None:
    """The median of end - start, in days, over the pairs that have an end."""
    spans = [(end - start).total_seconds() / 86400 for start, end in pairs if end is not None]
    return median(spans) if spans else None


def outcome_lines(rows: list[ReferralRow], key) -> list[OutcomeLine]:
    """Outcome counts per need or organization, the busiest first."""
    lines: dict[str, OutcomeLine] = {}
    for row in rows:
        line = lines.setdefault(key(row) or "unknown", OutcomeLine(key(row) or "unknown"))
        line.counts[row.column] = line.counts.get(row.column, 0) + 1
    return sorted(lines.values(), key=lambda line: (-line.total, line.label))


def csv_rows(report: ReferralReport) -> list[list[str]]:
    """The report as CSV rows: the funnel and summary, then one row per need and organization."""
    rows = [["section", "label", "value"]]
    rows += [["funnel", stage, str(count)] for stage, count in report.funnel]
    rows += [
        ["summary", "referrals", str(report.referrals)],
        ["summary", "closed_loop", str(report.closed_loop)],
        ["summary", "closed_loop_rate", rate(report.closed_loop_rate)],
        ["summary", "median_days_to_accept", rate(report.days_to_accept)],
        ["summary", "median_days_to_close", rate(report.days_to_close)],
        [],
        ["by", "label", "total", *COLUMNS],
    ]
    for section, lines in (("need", report.by_need), ("organization", report.by_organization)):
        for line in lines:
            counts = [str(line.counts.get(c, 0)) for c in COLUMNS]
            rows.append([section, line.label, str(line.total), *counts])
    return rows


def rate(value: float | None) -> str:
    """A figure for CSV, or empty when there is none."""
    return "" if value is None else f"{value:.3f}"
