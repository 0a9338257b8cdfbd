"""SMART system scopes: which are issued, what each allows, and why others are refused."""

import pytest

from referral.fhir.capability import WRITES
from referral.fhir.scopes import (
    GROUPS,
    KNOWN_TYPES,
    WRITABLE,
    ScopeError,
    allows,
    as_text,
    chosen_scopes,
    covering,
    covers,
    parse_scopes,
    read_scope,
)


def problems_of(text: str) -> list[str]:
    with pytest.raises(ScopeError) as caught:
        parse_scopes(text)
    return caught.value.problems


def test_system_scopes_for_known_types_and_for_every_type_are_accepted():
    text = "system/Patient.read system/Task.write system/Consent.* system/*.read system/*.*"
    assert parse_scopes(text) == frozenset(text.split())


def test_every_known_type_may_be_named():
    assert parse_scopes(" ".join(f"system/{t}.read" for t in KNOWN_TYPES)) == frozenset(
        f"system/{t}.read" for t in KNOWN_TYPES
    )


def test_extra_spaces_and_repeats_are_ignored():
    assert parse_scopes("  system/Patient.read\tsystem/Patient.read \n") == {"system/Patient.read"}


def test_user_and_patient_scopes_are_refused_as_not_for_clients():
    problems = problems_of("user/Patient.read patient/Observation.read")
    assert len(problems) == 2
    assert problems[0].startswith("user/Patient.read:") and "only system/ scopes" in problems[0]
    assert problems[1].startswith("patient/Observation.read:") and "system/" in problems[1]


def test_every_bad_scope_is_named_together_and_the_good_ones_are_not():
    problems = problems_of(
        "system/Patient.read system/Dragon.read system/Task.delete launch system/Patient"
    )
    assert [p.split(":")[0] for p in problems] == [
        "system/Dragon.read",
        "system/Task.delete",
        "launch",
        "system/Patient",
    ]
    assert "Dragon is not a resource type" in problems[0]
    assert "read, write or *" in problems[1]


@pytest.mark.parametrize(
    "scope",
    ["system/patient.read", "System/Patient.read", "other/Patient.read", "system/Patient.READ"],
)
def test_scopes_are_case_sensitive_and_start_with_system(scope):
    assert problems_of(scope)[0].startswith(scope + ":")


def test_an_empty_list_is_refused():
    (problem,) = problems_of("   ")
    assert "at least one" in problem


def test_a_scope_error_is_a_value_error_listing_every_problem():
    with pytest.raises(ValueError, match=r"system/Dragon\.read.*junk"):
        parse_scopes("system/Dragon.read junk")


def test_read_allows_reading_only_that_type():
    scopes = {"system/Patient.read"}
    assert allows(scopes, "Patient", "read")
    assert not allows(scopes, "Patient", "write")
    assert not allows(scopes, "Observation", "read")


def test_write_does_not_allow_reading():
    assert allows({"system/Task.write"}, "Task", "write")
    assert not allows({"system/Task.write"}, "Task", "read")


def test_star_access_allows_both_modes_of_its_type():
    scopes = {"system/Task.*"}
    assert allows(scopes, "Task", "read") and allows(scopes, "Task", "write")
    assert not allows(scopes, "ServiceRequest", "read")


def test_star_type_allows_every_type_in_its_mode():
    scopes = {"system/*.read"}
    assert all(allows(scopes, t, "read") for t in KNOWN_TYPES)
    assert not allows(scopes, "Patient", "write")
    assert all(allows({"system/*.*"}, t, m) for t in KNOWN_TYPES for m in ("read", "write"))


def test_malformed_or_user_scopes_in_a_set_allow_nothing():
    assert not allows(
        {"user/Patient.read", "Patient.read", "system/Patient.delete"}, "Patient", "read"
    )
    assert not allows(set(), "Patient", "read")


def test_a_mode_other_than_read_or_write_is_a_programming_error():
    with pytest.raises(ValueError):
        allows({"system/*.*"}, "Patient", "delete")
    with pytest.raises(ValueError):
        covering("Patient", "*")


def test_covering_names_the_scope_that_is_missing():
    assert covering("Patient", "read") == "system/Patient.read"
    assert covering("Task", "write") == "system/Task.write"
    assert allows({covering("Consent", "write")}, "Consent", "write")


def test_a_narrower_or_equal_scope_is_covered():
    assert covers({"system/*.read"}, "system/Patient.read")
    assert covers({"system/Patient.*"}, "system/Patient.write")
    assert covers({"system/Patient.read", "system/Patient.write"}, "system/Patient.*")
    assert covers({"system/Task.read"}, "system/Task.read")


def test_a_wider_or_different_scope_is_not_covered():
    assert not covers({"system/Patient.read"}, "system/Patient.*")
    assert not covers({"system/Patient.read"}, "system/*.read")
    assert not covers({"system/Patient.read"}, "system/Task.read")
    assert not covers({"system/*.*"}, "user/Patient.read")
    assert not covers({"system/*.*"}, "system/Dragon.read")


def test_read_scope_gives_the_type_and_modes():
    scope = read_scope("system/Observation.*")
    assert scope is not None
    assert (scope.resource_type, scope.modes) == ("Observation", {"read", "write"})
    assert read_scope("patient/Observation.read") is None


def test_as_text_is_sorted_and_without_repeats():
    assert as_text(["system/Task.write", "system/Patient.read", "system/Task.write"]) == (
        "system/Patient.read system/Task.write"
    )


def test_the_groups_offered_on_the_clients_page_hold_every_known_type_once():
    grouped = [resource_type for _, types in GROUPS for resource_type in types]
    assert sorted(grouped) == sorted(KNOWN_TYPES)


def test_the_writable_types_are_known_and_include_every_write_the_api_declares():
    assert WRITABLE.issubset(KNOWN_TYPES)
    assert set(WRITES) <= WRITABLE
    assert {"ServiceRequest", "Consent"} <= WRITABLE, "a referral's transaction"


def test_chosen_scopes_are_the_ticked_then_the_typed_ones_each_once():
    ticked = ["system/Patient.read", "system/Task.write"]
    typed = "  system/Task.write system/*.read\tjunk "
    assert (
        chosen_scopes(ticked, typed) == "system/Patient.read system/Task.write system/*.read junk"
    )
    assert chosen_scopes([], "") == ""
