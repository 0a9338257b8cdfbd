"""The care plan's rules: how needs change status and why, and what a goal may be set to."""

from datetime import date

import pytest

from referral.careplans import codes, rules

TODAY = date(2026, 12, 7)


def test_resolving_a_need_needs_a_reason():
    with pytest.raises(rules.RuleError) as refused:
        rules.need_change("active", "resolved", None)
    assert refused.value.field == "reason"
    assert rules.need_change("active", "resolved", "got-help").reason == "got-help"


def test_declining_is_the_patients_choice():
    assert rules.need_change("active", "declined", None).reason == "patient-declined"
    with pytest.raises(rules.RuleError):
        rules.need_change("active", "declined", "got-help")


def test_a_need_entered_in_error_never_changes_again():
    for wanted in ("active", "resolved", "declined"):
        with pytest.raises(rules.RuleError):
            rules.need_change("entered-in-error", wanted, "got-help")


def test_a_closed_need_may_be_made_active_again_without_a_reason():
    change = rules.need_change("resolved", "active", None)
    assert (change.from_status, change.to_status, change.reason) == ("resolved", "active", None)
    with pytest.raises(rules.RuleError):
        rules.need_change("resolved", "active", "got-help")


def test_unknown_and_unchanged_statuses_are_refused():
    for wanted in ("gone", None, "active"):
        with pytest.raises(rules.RuleError) as refused:
            rules.need_change("active", wanted, None)
        assert refused.value.field == "status"


def test_a_goal_date_may_be_today_but_not_before():
    assert rules.target_date("2026-12-07", TODAY) == TODAY
    with pytest.raises(rules.RuleError, match="target_date is in the past"):
        rules.target_date("2026-12-06", TODAY)
    with pytest.raises(rules.RuleError, match="a date such as"):
        rules.target_date(20261207, TODAY)


def test_achieving_an_active_goal_completes_it_and_working_on_it_again_reopens_it():
    assert rules.lifecycle_after("active", "achieved") == "completed"
    assert rules.lifecycle_after("completed", "improving") == "active"
    assert rules.lifecycle_after("cancelled", "achieved") == "cancelled"


def test_lifecycle_moves_follow_the_table():
    assert rules.lifecycle("active", "cancelled") == "cancelled"
    with pytest.raises(rules.RuleError):
        rules.lifecycle("entered-in-error", "active")


def test_z_codes_belong_to_their_domain():
    assert codes.z_code_domain("Z59.41") == "food"
    assert codes.default_z_code("food") == "Z59.41" and codes.default_z_code("housing") is None
    assert codes.Z_CODE.match("Z59.811") and not codes.Z_CODE.match("Z5")
    assert codes.goal_code("food")[1] == "88124-3" and codes.goal_code("legal") is None
