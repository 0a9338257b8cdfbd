"""Screening report figures: patients, screenings and positive rates, by month and in total."""

from datetime import datetime

from referral.reports.screening import ScreeningRow, csv_rows, screening_report

DOMAINS = ["food-insecurity", "housing-instability"]
ROWS = [
    ScreeningRow(1, datetime(2026, 9, 3), ("food-insecurity",)),
    ScreeningRow(1, datetime(2026, 10, 1), ("food-insecurity", "housing-instability")),
    ScreeningRow(2, datetime(2026, 10, 9), ()),
    ScreeningRow(3, datetime(2026, 10, 20), ("housing-instability",)),
]


def test_totals_count_screenings_distinct_patients_and_any_positive():
    report = screening_report(ROWS, DOMAINS)
    assert report.total.screenings == 4 and len(report.total.patients) == 3
    assert report.total.rate() == 0.75
    assert report.total.rate("food-insecurity") == 0.5


def test_months_are_in_order_with_their_own_rates():
    months = screening_report(ROWS, DOMAINS).months
    assert [m.label for m in months] == ["2026-09", "2026-10"]
    assert months[1].screenings == 3 and round(months[1].rate("housing-instability"), 3) == 0.667


def test_a_domain_counts_once_per_screening():
    report = screening_report(
        [ScreeningRow(1, datetime(2026, 1, 1), ("food-insecurity", "food-insecurity"))], DOMAINS
    )
    assert report.total.by_domain == {"food-insecurity": 1}


def test_no_screenings_gives_zero_rates_not_an_error():
    report = screening_report([], DOMAINS)
    assert report.total.rate() == 0.0 and report.months == []


def test_csv_has_a_row_per_month_and_domain_plus_any_and_the_total():
    rows = csv_rows(screening_report(ROWS, DOMAINS))
    assert rows[0] == ["period", "domain", "screenings", "patients", "positive", "rate"]
    assert len(rows) == 1 + 3 * 3
    assert ["all", "any", "4", "3", "3", "0.750"] in rows
