"""The closed-loop report: the funnel, the closed-loop rate, median times and outcome tables."""

from datetime import datetime, timedelta

from referral.reports.referrals import (
    NO_OUTCOME,
    STILL_OPEN,
    ReferralRow,
    ScreenedRow,
    csv_rows,
    referral_report,
)

T0 = datetime(2026, 11, 1, 9)


def row(
    patient, need="food", org="Pantry", status="requested", outcome=None, accept=None, close=None
):
    return ReferralRow(
        patient,
        need,
        org,
        status,
        outcome,
        T0,
        T0 + timedelta(days=accept) if accept is not None else None,
        T0 + timedelta(days=close) if close is not None else None,
    )


SCREENED = [
    ScreenedRow(1, True),
    ScreenedRow(2, True),
    ScreenedRow(3, False),
    ScreenedRow(1, False),
]
ROWS = [
    row(1, status="completed", outcome="got-help", accept=1, close=5),
    row(1, need="housing", org="Shelter", status="rejected", outcome="no-capacity", close=2),
    row(2, status="accepted", accept=3),
    row(4, need="utilities", org="Energy", status="requested"),
    row(5, status="entered-in-error"),
]


def test_the_funnel_counts_distinct_patients_at_each_step():
    report = referral_report(SCREENED, ROWS)
    assert report.funnel == [
        ("screened", 3),
        ("positive", 2),
        ("referred", 3),
        ("accepted", 2),
        ("resolved", 1),
    ]


def test_referrals_entered_in_error_count_nowhere():
    assert referral_report(SCREENED, ROWS).referrals == 4


def test_the_closed_loop_rate_counts_known_outcomes_and_closed_referrals():
    report = referral_report(SCREENED, ROWS)
    assert report.closed_loop == 2 and report.closed_loop_rate == 0.5


def test_a_patients_word_closes_the_loop_while_the_status_is_still_open():
    report = referral_report([], [row(1, status="requested", outcome="got-help", close=4)])
    assert report.closed_loop_rate == 1.0 and report.funnel[-1] == ("resolved", 1)


def test_a_closed_referral_without_an_outcome_counts_as_closed_with_no_outcome():
    report = referral_report([], [row(1, status="cancelled", close=1)])
    assert report.by_need[0].counts == {NO_OUTCOME: 1} and report.closed_loop == 1


def test_median_times_are_in_days_over_the_referrals_that_got_there():
    report = referral_report(SCREENED, ROWS)
    assert report.days_to_accept == 2.0 and report.days_to_close == 3.5


def test_no_referrals_give_no_rates_rather_than_zero():
    report = referral_report([], [])
    assert report.closed_loop_rate is None and report.days_to_accept is None
    assert report.funnel == [
        (s, 0) for s in ("screened", "positive", "referred", "accepted", "resolved")
    ]


def test_outcomes_by_need_and_organization_are_counted_busiest_first():
    report = referral_report(SCREENED, ROWS)
    food = report.by_need[0]
    assert food.label == "food" and food.counts == {"got-help": 1, STILL_OPEN: 1}
    assert food.closed_loop_rate == 0.5
    assert [line.label for line in report.by_organization] == ["Pantry", "Energy", "Shelter"]


def test_the_csv_has_the_funnel_the_summary_and_a_row_per_need_and_organization():
    rows = csv_rows(referral_report(SCREENED, ROWS))
    assert ["funnel", "resolved", "1"] in rows and ["summary", "closed_loop_rate", "0.500"] in rows
    header = rows[rows.index([]) + 1]
    food = next(r for r in rows if r[:2] == ["need", "food"])
    assert food[header.index("got-help")] == "1" and food[header.index("open")] == "1"
