"""Care-plan figures: needs opened and resolved by month, how goals turned out, and how soon
patients were followed up after leaving the hospital or the emergency department.

Plain functions over plain rows, so the figures are tested without a database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from statistics import median

ACHIEVED = ("achieved", "sustaining")
NOT_ACHIEVED = ("not-achieved", "no-progress", "not-attainable")


@dataclass(frozen=True)
class NeedRow:
    """One need, reduced to what the report counts."""

    domain: str
    opened_at: datetime
    status: str
    reason: str | None
    resolved_at: datetime | None


@dataclass(frozen=True)
class GoalRow:
    """One goal: how it stands and when it was due."""

    achievement_status: str
    lifecycle_status: str
    target_date: date


@dataclass(frozen=True)
class TransitionRow:
    """One hospital visit that asked for a follow-up, and when the follow-up was done."""

    kind: str
    visit_at: datetime
    due: date
    closed_at: datetime | None


@dataclass
class NeedMonth:
    """Needs opened and resolved in one month (or the whole range)."""

    label: str
    opened: int = 0
    resolved: int = 0
    reasons: Counter = field(default_factory=Counter)


@dataclass
class GoalFigures:
    """How the goals set stand: by achievement status, and the share achieved of those
    settled (achieved, or given up on) or past their date."""

    total: int = 0
    statuses: Counter = field(default_factory=Counter)
    achieved: int = 0
    judged: int = 0

    @property
    def attainment(self) -> float | None:
        """The share of judged goals that were achieved, 0 to 1 (None when none is judged)."""
        return self.achieved / self.judged if self.judged else None


@dataclass
class TransitionFigures:
    """Follow-up after hospital visits: how many, how many done, done in time, and the days
    from the visit to the follow-up."""

    visits: int = 0
    followed_up: int = 0
    in_time: int = 0
    settled: int = 0
    """Visits followed up, or whose follow-up date has passed: those the rate is taken of."""
    days: list[float] = field(default_factory=list)

    @property
    def median_days(self) -> float | None:
        """The median days from the visit to its follow-up."""
        return median(self.days) if self.days else None

    @property
    def in_time_rate(self) -> float | None:
        """The share of visits followed up by their due date, 0 to 1, of those followed up or
        past it (a follow-up not yet due is not late)."""
        return self.in_time / self.settled if self.settled else None


@dataclass
class CarePlanReport:
    """Needs by month and in total, goals, and transitions of care."""

    total: NeedMonth
    months: list[NeedMonth]
    goals: GoalFigures
    transitions: TransitionFigures


def care_plan_report(
    needs: Iterable[NeedRow],
    goals: Iterable[GoalRow],
    transitions: Iterable[TransitionRow],
    start: datetime,
    end: datetime,
    today: date,
) -> CarePlanReport:
    """The figures over [start, end): a need counts as opened in the month it was opened and
    as resolved in the month it was resolved, each only when that falls in the range."""
    total, months = NeedMonth("all"), {}
    start, end = plain(start), plain(end)
    for row in needs:
        opened, resolved = plain(row.opened_at), plain(row.resolved_at)
        if start <= opened < end:
            for period in (total, month_of(months, opened)):
                period.opened += 1
        if row.status == "resolved" and resolved and start <= resolved < end:
            for period in (total, month_of(months, resolved)):
                period.resolved += 1
                period.reasons[row.reason or "unknown"] += 1
    return CarePlanReport(
        total,
        [months[k] for k in sorted(months)],
        goal_figures(goals, today),
        transition_figures(transitions, today),
    )


def plain(at: datetime | None) -> datetime | None:
    """A time as naive UTC, so times from SQLite (naive) and PostgreSQL (aware) compare."""
    if at is None or at.tzinfo is None:
        return at
    return at.astimezone(UTC).replace(tzinfo=None)


def month_of(months: dict[str, NeedMonth], at: datetime) -> NeedMonth:
    """The month's counts, made when first needed."""
    label = at.strftime("%Y-%m")
    return months.setdefault(label, NeedMonth(label))


def goal_figures(rows: Iterable[GoalRow], today: date) -> GoalFigures:
    """Count goals by status; a goal is judged once achieved or given up on, or when its date
    has passed."""
    found = GoalFigures()
    for row in rows:
        if row.lifecycle_status == "entered-in-error":
            continue
        found.total += 1
        found.statuses[row.achievement_status] += 1
        achieved = row.achievement_status in ACHIEVED
        if achieved or row.achievement_status in NOT_ACHIEVED or row.target_date < today:
            found.judged += 1
            found.achieved += achieved
    return found


def transition_figures(rows: Iterable[TransitionRow], today: date) -> TransitionFigures:
    """Count visits and their follow-ups; days are calendar days, to a tenth."""
    found = TransitionFigures()
    for row in rows:
        found.visits += 1
        found.settled += row.closed_at is not None or row.due < today
        if row.closed_at is None:
            continue
        found.followed_up += 1
        closed, visit = plain(row.closed_at), plain(row.visit_at)
        found.in_time += closed.date() <= row.due
        found.days.append(round((closed - visit).total_seconds() / 86400, 1))
    return found


def percent(value: float | None) -> str:
    """A share as a whole percentage, or blank (a spreadsheet reads no value)."""
    return "" if value is None else f"{100 * value:.0f}%"


def csv_rows(report: CarePlanReport) -> list[list[str]]:
    """The figures as CSV rows: needs by month, then goals, then transitions."""
    rows = [
        [
            "Month",
            "Needs opened",
            "Needs resolved",
            "Got help",
            "No longer needed",
            "Patient declined",
        ]
    ]
    for m in [*report.months, report.total]:
        rows.append(
            [
                m.label,
                str(m.opened),
                str(m.resolved),
                *(str(m.reasons[r]) for r in ("got-help", "no-longer-needed", "patient-declined")),
            ]
        )
    g, t = report.goals, report.transitions
    rows += [[], ["Goals", "Judged", "Achieved", "Attainment"]]
    rows.append([str(g.total), str(g.judged), str(g.achieved), percent(g.attainment)])
    rows += [[], ["Hospital visits", "Followed up", "In time", "Median days to follow-up"]]
    median_days = "" if t.median_days is None else f"{t.median_days:.1f}"
    rows.append([str(t.visits), str(t.followed_up), str(t.in_time), median_days])
    return rows
