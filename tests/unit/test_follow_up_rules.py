"""Follow-up calls, outcome flags and slip wording as rules, without an app."""

from datetime import UTC, date, datetime, timedelta

import pytest

from referral.curation.flagging import OutcomeReport, outcome_flags
from referral.referrals.followups import Method, Result, plan_follow_up
from referral.referrals.states import Outcome, TransitionError

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def plan(**data):
    return plan_follow_up(data, TODAY, interval_days=7)


def test_a_missed_call_retries_in_two_days():
    result = plan(method="phone", result="no-answer")
    assert result.next_due == TODAY + timedelta(days=2) and not result.reached


def test_a_reached_patient_still_waiting_is_called_again_after_the_usual_interval():
    result = plan(method="phone", result="reached", patient_says="waiting")
    assert result.next_due == TODAY + timedelta(days=7) and result.outcome is None


def test_a_reached_patient_who_says_nothing_yet_is_called_after_the_usual_interval():
    result = plan(method="phone", result="reached")
    assert result.next_due == TODAY + timedelta(days=7) and result.patient_says is None


def test_a_final_answer_ends_the_follow_ups():
    result = plan(method="text", result="reached", patient_says="no-capacity")
    assert result.outcome is Outcome.NO_CAPACITY and result.next_due is None


def test_in_person_always_reached_the_patient():
    result = plan(method="in-person", result="no-answer", patient_says="got-help")
    assert result.result is Result.REACHED and result.method is Method.IN_PERSON


def test_stopping_follow_ups_leaves_no_next_date():
    assert plan(method="phone", result="wrong-number", stop="1").next_due is None


def test_a_chosen_date_is_kept():
    assert plan(method="phone", result="left-message", next_due="2026-12-01").next_due == date(
        2026, 12, 1
    )


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("method", {"method": "fax", "result": "reached"}),
        ("result", {"method": "phone", "result": ""}),
        ("patient_says", {"method": "phone", "result": "no-answer", "patient_says": "waiting"}),
        ("patient_says", {"method": "phone", "result": "reached", "patient_says": "happy"}),
        ("next_due", {"method": "phone", "result": "reached", "next_due": "2026-11-21"}),
        ("next_due", {"method": "phone", "result": "reached", "next_due": "next week"}),
    ],
)
def test_bad_follow_ups_name_the_field_to_fix(field, data):
    with pytest.raises(TransitionError) as caught:
        plan(**data)
    assert caught.value.field == field


def report(n, outcome="no-capacity", days_ago=1):
    return OutcomeReport(n, outcome, "organization", NOW - timedelta(days=days_ago))


def test_three_like_outcomes_in_the_window_raise_a_flag_with_their_evidence():
    found = outcome_flags([report(1), report(2), report(3)], NOW)
    assert list(found) == ["no-capacity"] and [r.referral_id for r in found["no-capacity"]] == [
        1,
        2,
        3,
    ]


def test_two_are_not_enough_and_mixed_reasons_do_not_add_up():
    assert outcome_flags([report(1), report(2)], NOW) == {}
    assert (
        outcome_flags([report(1), report(2, "not-eligible"), report(3, "couldnt-contact")], NOW)
        == {}
    )


def test_old_outcomes_and_those_a_curator_already_reviewed_do_not_count():
    old = [report(1, days_ago=200), report(2), report(3)]
    assert outcome_flags(old, NOW) == {}
    reviewed = {"no-capacity": NOW - timedelta(days=2)}
    assert outcome_flags([report(1, days_ago=3), report(2), report(3)], NOW, reviewed) == {}


def test_good_outcomes_never_flag():
    assert outcome_flags([report(n, "got-help") for n in range(5)], NOW) == {}
