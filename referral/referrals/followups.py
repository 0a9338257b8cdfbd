"""Follow-up calls as rules: what a contact attempt records and what it does to the referral.

A follow-up is the care team reaching out to the patient about a referral. It records how they
tried (``method``), what happened (``result``) and, when the patient was reached, what the patient
says came of the referral. The patient's word is an outcome in its own right: a referral whose
patient says they got help is resolved even when the organization never answers. Statuses stay
with the parties the state machine gives them to; a follow-up never moves one.

Next follow-up dates: a final answer from the patient ends the follow-ups; otherwise the next one
is the date given, or ``RETRY_DAYS`` after a missed call and the usual follow-up interval after a
call that reached the patient and left the referral still under way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from referral.referrals.states import Outcome, TransitionError

RETRY_DAYS = 2


class Method(StrEnum):
    """How the care team tried to reach the patient."""

    PHONE = "phone"
    TEXT = "text"
    EMAIL = "email"
    IN_PERSON = "in-person"
    WEB = "web"


class Result(StrEnum):
    """What came of one attempt to reach the patient."""

    REACHED = "reached"
    NO_ANSWER = "no-answer"
    LEFT_MESSAGE = "left-message"
    WRONG_NUMBER = "wrong-number"


WAITING = "waiting"
"""What a reached patient says while the referral is still under way."""

STILL_NEED_HELP, COULDNT_REACH = "still-need-help", "couldnt-reach"
"""What a patient says on their own page when the referral has not helped yet: the referral
stays open and the case manager follows up the same day."""

STILL_OPEN = (WAITING, STILL_NEED_HELP, COULDNT_REACH)
PATIENT_SAYS = (*STILL_OPEN, *(o.value for o in Outcome))


@dataclass(frozen=True)
class FollowUpPlan:
    """A checked follow-up: what to record and when to follow up next (None: no more)."""

    method: Method
    result: Result
    patient_says: str | None
    outcome: Outcome | None
    next_due: date | None
    note: str

    @property
    def reached(self) -> bool:
        """Whether the patient was reached."""
        return self.result is Result.REACHED


def plan_follow_up(
    data: dict, today: date, interval_days: int, retry_days: int = RETRY_DAYS
) -> FollowUpPlan:
    """Check a follow-up as posted and decide its effects, or raise TransitionError naming the
    field to fix."""
    method = choice(Method, data.get("method"), "method", "how you tried to reach the patient")
    result = choice(Result, data.get("result"), "result", "what happened")
    if method is Method.IN_PERSON:
        result = Result.REACHED
    says = patient_says(data.get("patient_says"), result)
    outcome = Outcome(says) if says and says not in STILL_OPEN else None
    stop = str(data.get("stop") or "") in {"1", "true", "on"}
    next_due = None
    if not (outcome or stop):
        wait = interval_days if result is Result.REACHED else retry_days
        next_due = next_date(data.get("next_due"), today) or today + timedelta(days=wait)
    return FollowUpPlan(method, result, says, outcome, next_due, str(data.get("note") or "")[:2000])


def choice(kind: type[StrEnum], value, field: str, what: str):
    """The member of ``kind`` that ``value`` names, or a TransitionError listing the choices."""
    try:
        return kind(str(value or "").strip())
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise TransitionError(field, f"Choose {what}: {choices}.") from None


def patient_says(value, result: Result) -> str | None:
    """What the patient said, which only a call that reached them can record."""
    value = str(value or "").strip()
    if not value:
        return None
    if result is not Result.REACHED:
        raise TransitionError(
            "patient_says", "Only a call that reached the patient can record what they said."
        )
    if value not in PATIENT_SAYS:
        raise TransitionError(
            "patient_says",
            f"'{value}' is not an answer here. Use one of: {', '.join(PATIENT_SAYS)}.",
        )
    return value


def next_date(value, today: date) -> date | None:
    """The next follow-up date asked for (not in the past), or None when none was given."""
    if isinstance(value, date):
        wanted = value
    elif not str(value or "").strip():
        return None
    else:
        try:
            wanted = date.fromisoformat(str(value).strip())
        except ValueError:
            raise TransitionError(
                "next_due", "Give the next follow-up date as a date such as 2026-12-01."
            ) from None
    if wanted < today:
        raise TransitionError("next_due", "The next follow-up date cannot be in the past.")
    return wanted
