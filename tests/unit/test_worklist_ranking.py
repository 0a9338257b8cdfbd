"""Ranking the worklist: due work first, then the people most at risk; rescreening intervals;
business days."""

from datetime import date

from referral.worklist.ranking import (
    Item,
    Risk,
    business_days_after,
    ranked,
    rescreening_due,
)

TODAY = date(2026, 12, 7)


def item(kind: str, patient: int, due: date, risk: Risk | None = None) -> Item:
    return Item(kind, patient, due, f"{kind} {patient}", f"{kind}:{patient}", risk or Risk())


def test_work_due_by_today_comes_before_later_work_whatever_the_risk():
    later = item("follow-up", 1, date(2026, 12, 9), Risk(open_needs=5, safety=True))
    now = item("rescreening", 2, TODAY)
    assert [i.patient_id for i in ranked([later, now], TODAY)] == [2, 1]


def test_among_due_work_a_safety_concern_then_a_recent_visit_then_more_needs_come_first():
    plain = item("follow-up", 1, date(2026, 12, 1), Risk(open_needs=3))
    visited = item("follow-up", 2, TODAY, Risk(open_needs=1, last_visit=date(2026, 12, 3)))
    unsafe = item("goal", 3, TODAY, Risk(safety=True))
    assert [i.patient_id for i in ranked([plain, visited, unsafe], TODAY)] == [3, 2, 1]


def test_an_old_visit_does_not_rank_a_patient_up():
    old = Risk(last_visit=date(2026, 10, 1))
    assert old.score(TODAY) == 0 and old.reasons(TODAY) == []


def test_equal_risk_is_ordered_by_the_earliest_due_then_by_kind():
    a = item("goal", 1, date(2026, 12, 5))
    b = item("transition", 2, date(2026, 12, 5))
    c = item("follow-up", 3, date(2026, 12, 1))
    assert [i.kind for i in ranked([a, b, c], TODAY)] == ["follow-up", "transition", "goal"]


def test_risk_reasons_are_plain_words():
    risk = Risk(open_needs=2, last_visit=date(2026, 12, 3), safety=True)
    assert risk.reasons(TODAY) == ["safety concern", "hospital visit on 12/3", "2 open needs"]


def test_rescreening_is_due_a_year_on_or_three_months_after_a_positive_screen():
    assert rescreening_due(date(2026, 1, 31), positive=False) == date(2027, 1, 31)
    assert rescreening_due(date(2026, 11, 30), positive=True) == date(2027, 2, 28)
    assert rescreening_due(date(2026, 1, 15), False, months=6) == date(2026, 7, 15)


def test_business_days_skip_the_weekend():
    friday = date(2026, 12, 4)
    assert business_days_after(friday, 2) == date(2026, 12, 8)
    assert business_days_after(date(2026, 12, 7), 2) == date(2026, 12, 9)
    assert business_days_after(friday, 0) == friday
