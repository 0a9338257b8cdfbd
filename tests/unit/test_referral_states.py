"""The referral state machine: who may move a referral where, with what reason and outcome."""

from datetime import UTC, datetime
from itertools import product

import pytest

from referral.referrals.states import (
    CLOSING,
    OUTCOMES,
    REASON_REQUIRED,
    TERMINAL,
    TRANSITIONS,
    Change,
    Outcome,
    Party,
    StaleVersion,
    Status,
    TransitionError,
    allowed_moves,
    check_version,
    is_open,
    next_state,
)

AT = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
REQ, REC = Party.REQUESTER, Party.RECEIVER
S = Status

EXPECTED_TABLE = {
    (S.DRAFT, S.REQUESTED): REQ,
    (S.DRAFT, S.CANCELLED): REQ,
    (S.DRAFT, S.ENTERED_IN_ERROR): REQ,
    (S.REQUESTED, S.ACCEPTED): REC,
    (S.REQUESTED, S.REJECTED): REC,
    (S.REQUESTED, S.CANCELLED): REQ,
    (S.REQUESTED, S.ENTERED_IN_ERROR): REQ,
    (S.ACCEPTED, S.IN_PROGRESS): REC,
    (S.ACCEPTED, S.ON_HOLD): REC,
    (S.ACCEPTED, S.COMPLETED): REC,
    (S.ACCEPTED, S.FAILED): REC,
    (S.ACCEPTED, S.CANCELLED): REQ,
    (S.ACCEPTED, S.ENTERED_IN_ERROR): REQ,
    (S.IN_PROGRESS, S.ON_HOLD): REC,
    (S.IN_PROGRESS, S.COMPLETED): REC,
    (S.IN_PROGRESS, S.FAILED): REC,
    (S.IN_PROGRESS, S.CANCELLED): REQ,
    (S.IN_PROGRESS, S.ENTERED_IN_ERROR): REQ,
    (S.ON_HOLD, S.IN_PROGRESS): REC,
    (S.ON_HOLD, S.COMPLETED): REC,
    (S.ON_HOLD, S.FAILED): REC,
    (S.ON_HOLD, S.CANCELLED): REQ,
    (S.ON_HOLD, S.ENTERED_IN_ERROR): REQ,
    (S.REJECTED, S.ENTERED_IN_ERROR): REQ,
    (S.CANCELLED, S.ENTERED_IN_ERROR): REQ,
    (S.FAILED, S.ENTERED_IN_ERROR): REQ,
    (S.COMPLETED, S.ENTERED_IN_ERROR): REQ,
}

ALLOWED = sorted(EXPECTED_TABLE.items())
OTHER_PARTY = sorted(
    (frm, to, party)
    for (frm, to), allowed in EXPECTED_TABLE.items()
    for party in Party
    if party is not allowed
)
NOT_IN_TABLE = [
    (frm, to, party)
    for frm, to, party in product(Status, Status, Party)
    if (frm, to) not in EXPECTED_TABLE
]


def move(current, wanted, party, reason="because", outcome=None, actor="jdoe"):
    """Make a move with a reason by default, so only the rule under test can refuse it."""
    return next_state(current, wanted, party, actor, AT, reason=reason, outcome=outcome)


def test_status_values_are_spelled_as_gravity_task_statuses():
    assert [s.value for s in Status] == [
        "draft",
        "requested",
        "accepted",
        "rejected",
        "cancelled",
        "in-progress",
        "on-hold",
        "failed",
        "completed",
        "entered-in-error",
    ]


def test_outcome_values_are_the_ones_the_api_accepts():
    assert {o.value for o in Outcome} == {
        "got-help",
        "couldnt-contact",
        "not-eligible",
        "no-capacity",
        "couldnt-get-help",
        "no-longer-interested",
        "referred-elsewhere",
    }


def test_transition_table_is_exactly_the_documented_one():
    assert TRANSITIONS == EXPECTED_TABLE


def test_requester_sets_only_requested_cancelled_and_entered_in_error():
    moved_to = {to for (_, to), party in TRANSITIONS.items() if party is REQ}
    assert moved_to == {S.REQUESTED, S.CANCELLED, S.ENTERED_IN_ERROR}


def test_receiver_sets_only_the_statuses_of_working_a_referral():
    moved_to = {to for (_, to), party in TRANSITIONS.items() if party is REC}
    assert moved_to == {S.ACCEPTED, S.REJECTED, S.IN_PROGRESS, S.ON_HOLD, S.FAILED, S.COMPLETED}


@pytest.mark.parametrize(("current", "wanted", "party"), [(f, t, p) for (f, t), p in ALLOWED])
def test_every_allowed_move_records_who_when_from_to_and_why(current, wanted, party):
    change = move(current, wanted, party, reason="  Patient asked  ")
    assert change == Change(
        from_status=current,
        to_status=wanted,
        party=party,
        actor="jdoe",
        at=AT,
        reason="Patient asked",
        outcome=Outcome.GOT_HELP if wanted is S.COMPLETED else None,
    )


@pytest.mark.parametrize(("current", "wanted", "party"), NOT_IN_TABLE)
def test_every_move_not_in_the_table_is_refused_on_status(current, wanted, party):
    with pytest.raises(TransitionError) as refused:
        move(current, wanted, party)
    assert refused.value.field == "status"
    assert wanted.label in str(refused.value)


@pytest.mark.parametrize(("current", "wanted", "party"), OTHER_PARTY)
def test_a_move_made_by_the_other_party_is_refused_and_says_who_may_make_it(current, wanted, party):
    with pytest.raises(TransitionError) as refused:
        move(current, wanted, party)
    assert refused.value.field == "party"
    allowed = "receiving organization" if party is REQ else "referring case manager"
    assert f"Only the {allowed} can" in str(refused.value)


def test_staying_in_the_same_status_is_not_a_move():
    with pytest.raises(TransitionError, match="already in progress"):
        move(S.IN_PROGRESS, S.IN_PROGRESS, REC)


def test_a_refused_move_from_an_open_status_lists_what_is_possible():
    with pytest.raises(TransitionError) as refused:
        move(S.REQUESTED, S.COMPLETED, REC)
    assert "accepted, rejected, cancelled, entered in error" in str(refused.value)


def test_a_closed_referral_points_to_a_new_referral_or_entered_in_error():
    with pytest.raises(TransitionError, match=r"closed \(completed\).*new referral"):
        move(S.COMPLETED, S.IN_PROGRESS, REC)


def test_entered_in_error_is_final_for_everyone():
    for party in Party:
        assert allowed_moves(S.ENTERED_IN_ERROR, party) == []
    with pytest.raises(TransitionError, match="entered in error and can no longer be changed"):
        move(S.ENTERED_IN_ERROR, S.DRAFT, REQ)


@pytest.mark.parametrize("status", sorted(TERMINAL - {S.ENTERED_IN_ERROR}))
def test_a_closed_referral_can_only_be_marked_entered_in_error_by_the_requester(status):
    assert allowed_moves(status, REQ) == [S.ENTERED_IN_ERROR]
    assert allowed_moves(status, REC) == []


def test_terminal_statuses_are_the_closing_ones_and_entered_in_error():
    assert CLOSING | {S.ENTERED_IN_ERROR} == TERMINAL
    assert {S.COMPLETED, S.FAILED, S.REJECTED, S.CANCELLED} == CLOSING


@pytest.mark.parametrize("status", list(Status))
def test_is_open_means_not_terminal(status):
    assert is_open(status) is (status not in TERMINAL)
    assert is_open(status.value) is is_open(status)


def test_allowed_moves_lists_each_partys_buttons_in_status_order():
    assert allowed_moves(S.REQUESTED, REC) == [S.ACCEPTED, S.REJECTED]
    assert allowed_moves(S.REQUESTED, REQ) == [S.CANCELLED, S.ENTERED_IN_ERROR]
    assert allowed_moves("on-hold", "receiver") == [S.IN_PROGRESS, S.FAILED, S.COMPLETED]


@pytest.mark.parametrize(("current", "party"), list(product(Status, Party)))
def test_allowed_moves_agrees_with_next_state(current, party):
    for wanted in allowed_moves(current, party):
        move(current, wanted, party)


@pytest.mark.parametrize(
    ("current", "wanted", "party"),
    [(f, t, p) for (f, t), p in ALLOWED if t in REASON_REQUIRED],
)
@pytest.mark.parametrize("blank", ["", "   ", "\n\t", None])
def test_reason_is_required_for_rejected_cancelled_on_hold_and_failed(
    current, wanted, party, blank
):
    with pytest.raises(TransitionError) as refused:
        move(current, wanted, party, reason=blank)
    assert refused.value.field == "reason"
    assert "reason is required" in str(refused.value)


def test_reason_required_statuses_are_the_gravity_ones():
    assert {S.REJECTED, S.CANCELLED, S.ON_HOLD, S.FAILED} == REASON_REQUIRED


@pytest.mark.parametrize(
    ("current", "wanted", "party"),
    [(f, t, p) for (f, t), p in ALLOWED if t not in REASON_REQUIRED],
)
def test_reason_is_optional_for_other_moves(current, wanted, party):
    assert move(current, wanted, party, reason="").reason == ""


def test_completed_records_got_help_when_no_outcome_is_given():
    assert move(S.IN_PROGRESS, S.COMPLETED, REC).outcome is Outcome.GOT_HELP


FITTING = {
    S.COMPLETED: {Outcome.GOT_HELP},
    S.FAILED: set(Outcome) - {Outcome.GOT_HELP},
    S.REJECTED: set(Outcome) - {Outcome.GOT_HELP},
    S.CANCELLED: set(Outcome) - {Outcome.GOT_HELP, Outcome.COULDNT_GET_HELP},
}
CLOSING_MOVES = {
    S.COMPLETED: (S.IN_PROGRESS, REC),
    S.FAILED: (S.ACCEPTED, REC),
    S.REJECTED: (S.REQUESTED, REC),
    S.CANCELLED: (S.REQUESTED, REQ),
}


@pytest.mark.parametrize("wanted", [S.FAILED, S.REJECTED, S.CANCELLED])
def test_other_closing_moves_record_no_outcome_when_none_is_given(wanted):
    current, party = CLOSING_MOVES[wanted]
    assert move(current, wanted, party).outcome is None


def test_outcomes_table_is_the_documented_one():
    assert OUTCOMES == FITTING


@pytest.mark.parametrize(
    ("wanted", "outcome"), [(s, o) for s in CLOSING_MOVES for o in Outcome if o in FITTING[s]]
)
def test_an_outcome_that_fits_the_closing_status_is_recorded(wanted, outcome):
    current, party = CLOSING_MOVES[wanted]
    assert move(current, wanted, party, outcome=outcome.value).outcome is outcome


@pytest.mark.parametrize(
    ("wanted", "outcome"), [(s, o) for s in CLOSING_MOVES for o in Outcome if o not in FITTING[s]]
)
def test_an_outcome_that_does_not_fit_the_closing_status_is_refused(wanted, outcome):
    current, party = CLOSING_MOVES[wanted]
    with pytest.raises(TransitionError) as refused:
        move(current, wanted, party, outcome=outcome)
    assert refused.value.field == "outcome"
    assert f"cannot have the outcome {outcome.value}" in str(refused.value)


def test_completed_with_no_capacity_is_refused_and_names_the_fitting_outcome():
    with pytest.raises(TransitionError, match="For completed, use: got-help"):
        move(S.IN_PROGRESS, S.COMPLETED, REC, outcome="no-capacity")


@pytest.mark.parametrize(
    ("current", "wanted", "party"), [(f, t, p) for (f, t), p in ALLOWED if t not in CLOSING]
)
def test_an_outcome_is_refused_on_a_move_that_does_not_close(current, wanted, party):
    with pytest.raises(TransitionError) as refused:
        move(current, wanted, party, outcome=Outcome.COULDNT_CONTACT)
    assert refused.value.field == "outcome"
    assert "only when a referral is closed" in str(refused.value)


def test_a_blank_outcome_counts_as_none():
    assert move(S.ACCEPTED, S.FAILED, REC, outcome="  ").outcome is None


@pytest.mark.parametrize("outcome", ["helped", "GOT-HELP", "got_help", "couldn't contact"])
def test_an_unknown_outcome_is_refused_and_the_choices_are_listed(outcome):
    with pytest.raises(TransitionError) as refused:
        move(S.ACCEPTED, S.FAILED, REC, outcome=outcome)
    assert refused.value.field == "outcome"
    assert "got-help, couldnt-contact" in str(refused.value)


@pytest.mark.parametrize(
    ("current", "wanted"), [("open", "accepted"), ("requested", "done"), ("requested", "")]
)
def test_an_unknown_status_is_refused_and_the_choices_are_listed(current, wanted):
    with pytest.raises(TransitionError) as refused:
        move(current, wanted, REC)
    assert refused.value.field == "status"
    assert "draft, requested, accepted" in str(refused.value)


def test_an_unknown_party_is_refused():
    with pytest.raises(TransitionError) as refused:
        move(S.REQUESTED, S.ACCEPTED, "organization")
    assert refused.value.field == "party"


def test_statuses_and_parties_may_be_given_as_their_strings():
    change = move("requested", "accepted", "receiver")
    assert (change.from_status, change.to_status, change.party) == (S.REQUESTED, S.ACCEPTED, REC)


@pytest.mark.parametrize("actor", ["", "   "])
def test_a_change_must_say_who_made_it(actor):
    with pytest.raises(TransitionError, match="who is making this change"):
        move(S.REQUESTED, S.ACCEPTED, REC, actor=actor)


def test_a_refused_move_is_reported_before_a_missing_reason():
    with pytest.raises(TransitionError) as refused:
        move(S.COMPLETED, S.FAILED, REC, reason="")
    assert refused.value.field == "status"


def test_transition_error_is_a_value_error():
    assert issubclass(TransitionError, ValueError)


def test_a_change_is_immutable():
    change = move(S.REQUESTED, S.ACCEPTED, REC)
    with pytest.raises(AttributeError):
        change.to_status = S.COMPLETED


def test_the_time_of_a_change_is_the_one_passed_in():
    later = datetime(2030, 1, 1, tzinfo=UTC)
    assert next_state(S.REQUESTED, S.ACCEPTED, REC, "jdoe", later).at == later


@pytest.mark.parametrize("given", [None, 4])
def test_a_current_or_absent_version_is_accepted(given):
    check_version(4, given)


@pytest.mark.parametrize("given", [3, 5, 0])
def test_a_version_other_than_the_current_one_is_stale(given):
    with pytest.raises(StaleVersion) as stale:
        check_version(4, given)
    assert (stale.value.current, stale.value.given) == (4, given)
    assert "Reload" in str(stale.value)
