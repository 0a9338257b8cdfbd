"""Everything that happened to a patient, newest first, gathered from a registry of sources.

Each source gives the entries of one kind for one patient as the user may see them; another
kind of record adds itself with one line in SOURCES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from referral.careplans.models import Goal, GoalEvent, Intervention, Need, NeedEvent
from referral.careplans.operations import domain_label, stamp
from referral.directory.models import as_utc
from referral.extensions import db
from referral.network.models import ReferralMessage
from referral.notifications.models import OutboxMessage
from referral.referrals.models import FollowUp, Referral, ReferralEvent
from referral.referrals.operations import visible_to
from referral.screenings.models import Screening
from referral.transitions.models import Encounter, TransitionTask
from referral.transitions.operations import VERBS

KINDS = (
    "screening",
    "need",
    "goal",
    "referral",
    "follow-up",
    "message",
    "encounter",
    "intervention",
)
"""Every kind of entry a timeline may be filtered to."""


@dataclass(frozen=True)
class Entry:
    """One thing that happened: when, what kind, in a sentence, and the record it is about."""

    at: datetime
    kind: str
    summary: str
    ref: str
    detail: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        """The entry as the API shows it."""
        return {
            "at": stamp(self.at),
            "kind": self.kind,
            "summary": self.summary,
            "ref": self.ref,
        } | self.detail


def words(status: str | None) -> str:
    """A status code in plain words."""
    return (status or "").replace("-", " ")


def event_entry(event, kind: str, summary: str, ref: str) -> Entry:
    """An entry for one change in a record's history, with who made it and the status."""
    return Entry(event.at, kind, summary, ref, {"by": event.actor, "status": event.to_status})


def screenings(patient_id: int, user) -> list[Entry]:
    """Each screening and what it found."""
    query = select(Screening).where(Screening.patient_id == patient_id)
    return [
        Entry(
            s.created_at,
            "screening",
            f"Screened ({s.instrument}): "
            + (", ".join(words(d) for d in s.positive_domains) or "no needs found"),
            f"screening:{s.id}",
        )
        for s in db.session.scalars(query)
    ]


def needs(patient_id: int, user) -> list[Entry]:
    """Each need opened, and every change of its status."""
    query = (
        select(NeedEvent, Need)
        .join(Need, Need.id == NeedEvent.need_id)
        .where(Need.patient_id == patient_id)
    )
    found = []
    for event, need in db.session.execute(query):
        label = domain_label(need.domain)
        if event.from_status is None:
            summary = (
                f"Need added: {label}"
                + (f" ({need.z_code})" if need.z_code else "")
                + f", from {need.source}"
            )
        else:
            summary = f"{label} need {words(event.to_status)}" + (
                f": {words(event.reason)}" if event.reason else ""
            )
        found.append(event_entry(event, "need", summary, f"need:{need.id}"))
    return found


def goals(patient_id: int, user) -> list[Entry]:
    """Each goal set, and every change of its status."""
    query = (
        select(GoalEvent, Goal)
        .join(Goal, Goal.id == GoalEvent.goal_id)
        .where(Goal.patient_id == patient_id)
    )
    found = []
    for event, goal in db.session.execute(query):
        if event.from_status is None:
            summary = f"Goal set: {goal.description} (by {goal.target_date.isoformat()})"
        else:
            summary = f"Goal {words(event.to_status)}: {goal.description}"
        found.append(event_entry(event, "goal", summary, f"goal:{goal.id}"))
    return found


def interventions(patient_id: int, user) -> list[Entry]:
    """Education given, counseling and other help."""
    query = select(Intervention).where(Intervention.patient_id == patient_id)
    return [
        Entry(
            i.at, "intervention", f"{i.kind.capitalize()}: {i.description}", f"intervention:{i.id}"
        )
        for i in db.session.scalars(query)
    ]


def referrals_of(patient_id: int, user):
    """A query of the patient's referrals the user may see."""
    return visible_to(user, select(Referral.id)).where(Referral.patient_id == patient_id)


def referral_events(patient_id: int, user) -> list[Entry]:
    """Every referral made and every change of its status."""
    query = (
        select(ReferralEvent, Referral)
        .join(Referral, Referral.id == ReferralEvent.referral_id)
        .where(Referral.id.in_(referrals_of(patient_id, user)))
    )
    found = []
    for event, referral in db.session.execute(query):
        label = domain_label(referral.need)
        summary = (
            f"Referred for {label}"
            if event.from_status is None
            else f"{label} referral {words(event.to_status)}"
            + (f": {event.reason}" if event.reason else "")
        )
        if event.outcome:
            summary += f" (outcome: {words(event.outcome)})"
        found.append(
            Entry(
                event.at,
                "referral",
                summary,
                f"referral:{referral.id}",
                {"by": event.actor, "status": event.to_status},
            )
        )
    return found


def follow_ups(patient_id: int, user) -> list[Entry]:
    """Each attempt to reach the patient about a referral, and what they said."""
    query = select(FollowUp).where(FollowUp.referral_id.in_(referrals_of(patient_id, user)))
    return [
        Entry(
            f.at,
            "follow-up",
            f"Follow-up by {f.method}: {words(f.result)}"
            + (f", patient says {words(f.patient_says)}" if f.patient_says else ""),
            f"referral:{f.referral_id}",
            {"by": f.actor},
        )
        for f in db.session.scalars(query)
    ]


def messages(patient_id: int, user) -> list[Entry]:
    """Texts and emails to the patient, and messages with the organizations referred to."""
    outbox = select(OutboxMessage).where(OutboxMessage.patient_id == patient_id)
    found = [
        Entry(
            m.sent_at or m.created_at,
            "message",
            f"{CHANNELS.get(m.channel, m.channel)} to the patient ({words(m.kind)}): {m.status}",
            f"message:{m.id}",
        )
        for m in db.session.scalars(outbox)
    ]
    thread = select(ReferralMessage).where(
        ReferralMessage.referral_id.in_(referrals_of(patient_id, user))
    )
    found += [
        Entry(
            m.at, "message", f"Message from {m.author}: {m.body[:140]}", f"referral:{m.referral_id}"
        )
        for m in db.session.scalars(thread)
    ]
    return found


CHANNELS = {"sms": "Text", "email": "Email"}


def encounters(patient_id: int, user) -> list[Entry]:
    """Hospital visits (with where from: by hand or an ADT feed), and the follow-ups after
    them that were closed, with what was done."""
    query = select(Encounter).where(Encounter.patient_id == patient_id)
    found = [
        Entry(
            e.at,
            "encounter",
            f"{VERBS[e.kind]} {e.facility or 'hospital'}"
            + (f" ({', '.join(e.diagnosis_codes)})" if e.diagnosis_codes else "")
            + (", from the hospital's feed" if e.source == "adt" else ""),
            f"encounter:{e.id}",
            {"status": e.kind},
        )
        for e in db.session.scalars(query)
    ]
    tasks = select(TransitionTask).where(
        TransitionTask.patient_id == patient_id, TransitionTask.closed_at.is_not(None)
    )
    found += [
        Entry(
            t.closed_at,
            "encounter",
            f"Follow-up after the hospital visit: {words(t.outcome)}"
            + (f" ({t.note[:140]})" if t.note else ""),
            f"encounter:{t.encounter_id}",
            {"status": t.status},
        )
        for t in db.session.scalars(tasks)
    ]
    return found


Source = Callable[[int, object], list[Entry]]
SOURCES: dict[str, list[Source]] = {
    "screening": [screenings],
    "need": [needs],
    "goal": [goals],
    "referral": [referral_events],
    "follow-up": [follow_ups],
    "message": [messages],
    "intervention": [interventions],
    "encounter": [encounters],
}
"""Where each kind of entry comes from."""


def timeline(patient_id: int, user, kinds: list[str] | None = None) -> list[Entry]:
    """The patient's entries of the chosen kinds (all without a choice), newest first."""
    chosen = kinds or list(KINDS)
    found = [
        e for kind in chosen for source in SOURCES.get(kind, []) for e in source(patient_id, user)
    ]
    return sorted(found, key=lambda e: (as_utc(e.at), e.ref), reverse=True)


def parse_kinds(values: list[str]) -> list[str]:
    """The kinds asked for (repeated or comma-separated); ValueError names an unknown one."""
    found = [k.strip() for v in values for k in v.split(",") if k.strip()]
    unknown = [k for k in found if k not in KINDS]
    if unknown:
        raise ValueError(f"kind must be among: {', '.join(KINDS)} (not {unknown[0]}).")
    return list(dict.fromkeys(found))
