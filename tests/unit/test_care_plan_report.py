"""The care-plan report's figures, from plain rows."""

from datetime import date, datetime

from referral.reports.careplans import (
    GoalRow,
    NeedRow,
    TransitionRow,
    care_plan_report,
    csv_rows,
)

START, END, TODAY = datetime(2026, 1, 1), datetime(2026, 4, 1), date(2026, 3, 20)


def report(needs=(), goals=(), transitions=()):
    return care_plan_report(needs, goals, transitions, START, END, TODAY)


def test_needs_count_in_the_month_they_were_opened_and_resolved():
    found = report(
        needs=[
            NeedRow("food", datetime(2026, 1, 5), "resolved", "got-help", datetime(2026, 2, 3)),
            NeedRow("housing", datetime(2026, 1, 20), "active", None, None),
            NeedRow(
                "food", datetime(2025, 12, 1), "resolved", "no-longer-needed", datetime(2026, 3, 1)
            ),
            NeedRow(
                "utilities",
                datetime(2026, 2, 1),
                "declined",
                "patient-declined",
                datetime(2026, 2, 2),
            ),
            NeedRow("food", datetime(2026, 5, 1), "active", None, None),
        ]
    )
    assert [(m.label, m.opened, m.resolved) for m in found.months] == [
        ("2026-01", 2, 0),
        ("2026-02", 1, 1),
        ("2026-03", 0, 1),
    ]
    assert (found.total.opened, found.total.resolved) == (3, 2)
    assert found.total.reasons == {"got-help": 1, "no-longer-needed": 1}


def test_goal_attainment_counts_goals_settled_or_past_their_date():
    found = report(
        goals=[
            GoalRow("achieved", "completed", date(2026, 4, 30)),
            GoalRow("in-progress", "active", date(2026, 3, 1)),
            GoalRow("in-progress", "active", date(2026, 6, 1)),
            GoalRow("not-achieved", "completed", date(2026, 6, 1)),
            GoalRow("achieved", "entered-in-error", date(2026, 1, 1)),
        ]
    ).goals
    assert (found.total, found.judged, found.achieved) == (4, 3, 1)
    assert round(found.attainment, 3) == 0.333
    assert report().goals.attainment is None


def test_days_from_discharge_to_follow_up():
    found = report(
        transitions=[
            TransitionRow(
                "discharge", datetime(2026, 3, 6, 15), date(2026, 3, 10), datetime(2026, 3, 9, 15)
            ),
            TransitionRow(
                "emergency", datetime(2026, 3, 2, 9), date(2026, 3, 4), datetime(2026, 3, 7, 9)
            ),
            TransitionRow("discharge", datetime(2026, 3, 16), date(2026, 3, 18), None),
            TransitionRow("emergency", datetime(2026, 3, 19), date(2026, 3, 23), None),
        ]
    ).transitions
    assert (found.visits, found.followed_up, found.in_time) == (4, 2, 1)
    assert found.median_days == 4.0
    assert found.settled == 3, "the follow-up due after today is not late yet"
    assert round(found.in_time_rate, 3) == 0.333


def test_csv_has_every_section():
    rows = csv_rows(report(needs=[NeedRow("food", datetime(2026, 1, 5), "active", None, None)]))
    assert rows[0][:3] == ["Month", "Needs opened", "Needs resolved"]
    assert ["2026-01", "1", "0", "0", "0", "0"] in rows
    assert ["Goals", "Judged", "Achieved", "Attainment"] in rows
    assert ["0", "0", "0", ""] in rows
