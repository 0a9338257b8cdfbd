"""The referral state machine: statuses, who may move a referral where, and why.

Statuses follow the HL7 SDOH Clinical Care (Gravity) Task vocabulary. The referring side
(``requester``: the case manager or an admin) sends, cancels and voids a referral; the receiving
community organization (``receiver``) accepts or rejects it and works it to an end.

================  ============================================  ==========================
from              receiver may move it to                        requester may move it to
================  ============================================  ==========================
draft             -                                             requested, cancelled,
                                                                entered-in-error
requested         accepted, rejected                            cancelled, entered-in-error
accepted          in-progress, on-hold, completed, failed       cancelled, entered-in-error
in-progress       on-hold, completed, failed                    cancelled, entered-in-error
on-hold           in-progress, completed, failed                cancelled, entered-in-error
rejected          -                                             entered-in-error
cancelled         -                                             entered-in-error
failed            -                                             entered-in-error
completed         -                                             entered-in-error
entered-in-error  -                                             -
================  ============================================  ==========================

Every move belongs to exactly one party. Rejected, cancelled, failed and completed are closed:
the only way out is ``entered-in-error``, for a referral that should never have existed.
``entered-in-error`` is final. Staying in the same status is not a move.

A reason is required when moving to rejected, cancelled, on-hold or failed, and optional otherwise.

An outcome may be given only when closing (completed, failed, rejected, cancelled):

================  ===========================================================================
closing status    outcomes that fit
================  ===========================================================================
completed         got-help (recorded as got-help when none is given)
failed            couldnt-contact, not-eligible, no-capacity, couldnt-get-help,
                  no-longer-interested, referred-elsewhere
rejected          couldnt-contact, not-eligible, no-capacity, couldnt-get-help,
                  no-longer-interested, referred-elsewhere
cancelled         couldnt-contact, not-eligible, no-capacity, no-longer-interested,
                  referred-elsewhere
================  ===========================================================================

Cancelling is the referring side withdrawing the referral, so it records why they withdrew it;
whether the patient could get help from the service was never tried, so ``couldnt-get-help`` does
not fit it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    """Where a referral stands, spelled as the Gravity Task status."""

    DRAFT = "draft"
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    IN_PROGRESS = "in-progress"
    ON_HOLD = "on-hold"
    FAILED = "failed"
    COMPLETED = "completed"
    ENTERED_IN_ERROR = "entered-in-error"

    @property
    def label(self) -> str:
        """The status in plain words, for messages and buttons."""
        return self.value.replace("-", " ")


class Party(StrEnum):
    """Which side of a referral makes a change."""

    REQUESTER = "requester"
    RECEIVER = "receiver"

    @property
    def label(self) -> str:
        """The party in plain words, for messages."""
        return PARTY_LABELS[self]


class Outcome(StrEnum):
    """What came of a closed referral, in the words case managers use."""

    GOT_HELP = "got-help"
    COULDNT_CONTACT = "couldnt-contact"
    NOT_ELIGIBLE = "not-eligible"
    NO_CAPACITY = "no-capacity"
    COULDNT_GET_HELP = "couldnt-get-help"
    NO_LONGER_INTERESTED = "no-longer-interested"
    REFERRED_ELSEWHERE = "referred-elsewhere"


PARTY_LABELS: dict[Party, str] = {
    Party.REQUESTER: "the referring case manager",
    Party.RECEIVER: "the receiving organization",
}

_REQ, _REC = Party.REQUESTER, Party.RECEIVER
_S = Status
_CANCEL_OR_VOID = frozenset({_S.CANCELLED, _S.ENTERED_IN_ERROR})
_VOID = frozenset({_S.ENTERED_IN_ERROR})

MOVES: dict[Status, dict[Party, frozenset[Status]]] = {
    _S.DRAFT: {_REQ: frozenset({_S.REQUESTED}) | _CANCEL_OR_VOID},
    _S.REQUESTED: {_REC: frozenset({_S.ACCEPTED, _S.REJECTED}), _REQ: _CANCEL_OR_VOID},
    _S.ACCEPTED: {
        _REC: frozenset({_S.IN_PROGRESS, _S.ON_HOLD, _S.COMPLETED, _S.FAILED}),
        _REQ: _CANCEL_OR_VOID,
    },
    _S.IN_PROGRESS: {
        _REC: frozenset({_S.ON_HOLD, _S.COMPLETED, _S.FAILED}),
        _REQ: _CANCEL_OR_VOID,
    },
    _S.ON_HOLD: {
        _REC: frozenset({_S.IN_PROGRESS, _S.COMPLETED, _S.FAILED}),
        _REQ: _CANCEL_OR_VOID,
    },
    _S.REJECTED: {_REQ: _VOID},
    _S.CANCELLED: {_REQ: _VOID},
    _S.FAILED: {_REQ: _VOID},
    _S.COMPLETED: {_REQ: _VOID},
    _S.ENTERED_IN_ERROR: {},
}
"""The transition table: for each status, the statuses each party may move a referral to."""

TRANSITIONS: dict[tuple[Status, Status], Party] = {
    (frm, to): party
    for frm, by_party in MOVES.items()
    for party, tos in by_party.items()
    for to in tos
}
"""Every allowed move, ``(from, to)``, and the one party who may make it."""

TERMINAL: frozenset[Status] = frozenset(
    {_S.REJECTED, _S.CANCELLED, _S.FAILED, _S.COMPLETED, _S.ENTERED_IN_ERROR}
)
CLOSING: frozenset[Status] = frozenset({_S.COMPLETED, _S.FAILED, _S.REJECTED, _S.CANCELLED})
REASON_REQUIRED: frozenset[Status] = frozenset({_S.REJECTED, _S.CANCELLED, _S.ON_HOLD, _S.FAILED})

_NOT_HELPED = frozenset(Outcome) - {Outcome.GOT_HELP}
OUTCOMES: dict[Status, frozenset[Outcome]] = {
    _S.COMPLETED: frozenset({Outcome.GOT_HELP}),
    _S.FAILED: _NOT_HELPED,
    _S.REJECTED: _NOT_HELPED,
    _S.CANCELLED: _NOT_HELPED - {Outcome.COULDNT_GET_HELP},
}
"""The outcomes that fit each closing status."""

DEFAULT_OUTCOMES: dict[Status, Outcome] = {_S.COMPLETED: Outcome.GOT_HELP}


class TransitionError(ValueError):
    """A change the rules refuse; ``field`` names what to fix (status, reason, outcome, party)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(message)


class StaleVersion(Exception):
    """The referral changed since the person making a change last loaded it."""

    def __init__(self, current: int, given: int) -> None:
        self.current = current
        self.given = given
        super().__init__(
            f"This referral was changed by someone else since you opened it (it is now at "
            f"version {current}, you had version {given}). Reload it and make your change again."
        )


@dataclass(frozen=True)
class Change:
    """One recorded move of a referral: from where to where, by whom, when and why."""

    from_status: Status
    to_status: Status
    party: Party
    actor: str
    at: datetime
    reason: str = ""
    outcome: Outcome | None = None


def parse_status(value: Status | str) -> Status:
    """Return the status named by ``value``, or raise TransitionError naming the choices."""
    try:
        return Status(value)
    except ValueError:
        choices = ", ".join(s.value for s in Status)
        raise TransitionError(
            "status", f"'{value}' is not a referral status. Use one of: {choices}."
        ) from None


def parse_party(value: Party | str) -> Party:
    """Return the party named by ``value``, or raise TransitionError."""
    try:
        return Party(value)
    except ValueError:
        raise TransitionError(
            "party", f"'{value}' is not a side of a referral. Use requester or receiver."
        ) from None


def parse_outcome(value: Outcome | str) -> Outcome:
    """Return the outcome named by ``value``, or raise TransitionError naming the choices."""
    try:
        return Outcome(value)
    except ValueError:
        choices = ", ".join(o.value for o in Outcome)
        raise TransitionError(
            "outcome", f"'{value}' is not a referral outcome. Use one of: {choices}."
        ) from None


def is_open(status: Status | str) -> bool:
    """Whether a referral in this status can still be worked (is not closed or voided)."""
    return parse_status(status) not in TERMINAL


def allowed_moves(current: Status | str, party: Party | str) -> list[Status]:
    """The statuses ``party`` may move a referral to from ``current``, in status order."""
    current, party = parse_status(current), parse_party(party)
    return [to for to in Status if TRANSITIONS.get((current, to)) is party]


def next_state(
    current: Status | str,
    wanted: Status | str,
    party: Party | str,
    actor: str,
    at: datetime,
    reason: str | None = "",
    outcome: Outcome | str | None = None,
) -> Change:
    """Validate moving a referral from ``current`` to ``wanted`` and return the Change to record."""
    current, wanted, party = parse_status(current), parse_status(wanted), parse_party(party)
    _check_move(current, wanted, party)
    if not actor or not actor.strip():
        raise TransitionError("party", "Say who is making this change.")
    reason = _check_reason(wanted, reason)
    return Change(
        current, wanted, party, actor.strip(), at, reason, _check_outcome(wanted, outcome)
    )


def check_version(current_version: int, given_version: int | None) -> None:
    """Raise StaleVersion when a version was given and it is not the current one."""
    if given_version is not None and given_version != current_version:
        raise StaleVersion(current_version, given_version)


def _check_move(current: Status, wanted: Status, party: Party) -> None:
    """Refuse a move the table lacks, or one that belongs to the other party."""
    allowed_party = TRANSITIONS.get((current, wanted))
    if allowed_party is party:
        return
    if allowed_party is not None:
        raise TransitionError(
            "party",
            f"Only {allowed_party.label} can move a referral from {current.label} "
            f"to {wanted.label}.",
        )
    raise TransitionError("status", _refusal(current, wanted))


def _refusal(current: Status, wanted: Status) -> str:
    """Explain, in plain words, why a referral cannot go from ``current`` to ``wanted``."""
    if current is wanted:
        return f"This referral is already {current.label}."
    if current is Status.ENTERED_IN_ERROR:
        return (
            "This referral was entered in error and can no longer be changed, "
            f"so it cannot be marked {wanted.label}."
        )
    if current in TERMINAL:
        return (
            f"This referral is closed ({current.label}) and cannot be marked {wanted.label}. "
            "Start a new referral, or mark this one entered in error if it should not exist."
        )
    options = ", ".join(to.label for to in Status if (current, to) in TRANSITIONS)
    return (
        f"A referral that is {current.label} cannot be marked {wanted.label}. "
        f"From {current.label} it can be marked {options}."
    )


def _check_reason(wanted: Status, reason: str | None) -> str:
    """Return the trimmed reason, refusing a blank one where the status needs a reason."""
    reason = (reason or "").strip()
    if not reason and wanted in REASON_REQUIRED:
        raise TransitionError(
            "reason", f"Say why the referral is being marked {wanted.label}; a reason is required."
        )
    return reason


def _check_outcome(wanted: Status, outcome: Outcome | str | None) -> Outcome | None:
    """Return the outcome to record, refusing one that does not fit the status moved to."""
    if outcome is None or (isinstance(outcome, str) and not outcome.strip()):
        return DEFAULT_OUTCOMES.get(wanted)
    parsed = parse_outcome(outcome.strip() if isinstance(outcome, str) else outcome)
    if wanted not in CLOSING:
        raise TransitionError(
            "outcome",
            f"An outcome is recorded only when a referral is closed (completed, failed, rejected "
            f"or cancelled), not when it is marked {wanted.label}.",
        )
    if parsed not in OUTCOMES[wanted]:
        fits = ", ".join(o.value for o in Outcome if o in OUTCOMES[wanted])
        raise TransitionError(
            "outcome",
            f"A referral marked {wanted.label} cannot have the outcome {parsed.value}. "
            f"For {wanted.label}, use: {fits}.",
        )
    return parsed
