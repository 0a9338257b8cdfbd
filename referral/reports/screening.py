"""Screening figures: patients screened and positive rates by domain, overall and by month.

Plain functions over plain rows, so the figures are tested without a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ScreeningRow:
    """One stored screening, reduced to what the report counts."""

    patient_id: int
    created_at: datetime
    positive_domains: tuple[str, ...]


@dataclass
class Period:
    """Counts for one month (or the whole range)."""

    label: str
    screenings: int = 0
    patients: set[int] = field(default_factory=set)
    positive_any: int = 0
    by_domain: dict[str, int] = field(default_factory=dict)

    def rate(self, domain: str | None = None) -> float:
        """Share of screenings positive for `domain` (or for any domain), 0 to 1."""
        if not self.screenings:
            return 0.0
        count = self.positive_any if domain is None else self.by_domain.get(domain, 0)
        return count / self.screenings


@dataclass
class ScreeningReport:
    """The whole range and each month of it."""

    total: Period
    months: list[Period]
    domains: list[str]


def screening_report(rows: Iterable[ScreeningRow], domains: list[str]) -> ScreeningReport:
    """Count screenings, distinct patients and positives per domain, in total and by month."""
    total = Period("all")
    months: dict[str, Period] = {}
    for row in rows:
        month = months.setdefault(
            row.created_at.strftime("%Y-%m"), Period(row.created_at.strftime("%Y-%m"))
        )
        for period in (total, month):
            add(period, row)
    return ScreeningReport(total, [months[k] for k in sorted(months)], domains)


def add(period: Period, row: ScreeningRow) -> None:
    """Count one screening into a period."""
    period.screenings += 1
    period.patients.add(row.patient_id)
    if row.positive_domains:
        period.positive_any += 1
    for domain in set(row.positive_domains):
        period.by_domain[domain] = period.by_domain.get(domain, 0) + 1


def csv_rows(report: ScreeningReport) -> list[list[str]]:
    """The report as CSV rows: one per month and domain, plus 'any' and the whole range."""
    rows = [["period", "domain", "screenings", "patients", "positive", "rate"]]
    for period in [*report.months, report.total]:
        for domain in [None, *report.domains]:
            positive = period.positive_any if domain is None else period.by_domain.get(domain, 0)
            rows.append(
                [
                    period.label,
                    domain or "any",
                    str(period.screenings),
                    str(len(period.patients)),
                    str(positive),
                    f"{period.rate(domain):.3f}",
                ]
            )
    return rows
