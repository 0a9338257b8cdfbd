"""Recording encounters, the follow-up tasks they raise, and the ADT queue. Helpers flush;
the request or the command commits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from referral.careplans.models import Need
from referral.directory.models import as_utc, utcnow
from referral.errors import AppError, NotFound, Refused
from referral.extensions import among, db
from referral.network.scope import care_org_ids, may_see_patient
from referral.patients.models import Patient
from referral.transitions.models import (
    ENCOUNTER_KINDS,
    FOLLOWED_UP_KINDS,
    OUTCOMES,
    QUEUED_STATUSES,
    AdtMessage,
    Encounter,
    TransitionTask,
)
from referral.worklist.ranking import Item, business_days_after

FUTURE_SLACK = timedelta(days=1)
"""How far ahead an encounter may be dated (clocks and time zones differ a little)."""
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
VERBS = {
    "discharge": "Discharged from",
    "emergency": "Seen in the ED at",
    "admission": "Admitted to",
}


class EncounterProblems(AppError):
    """Encounter details that cannot be saved; every problem is listed by field."""

    status, code = 400, "invalid_fields"

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()), next(iter(problems)))
        self.problems = problems


def open_need_counts(patient_ids) -> dict[int, int]:
    """How many active needs each patient has (those with none are left out)."""
    ids = set(patient_ids)
    if not ids:
        return {}
    query = select(Need.patient_id, func.count()).where(
        among(Need.patient_id, ids), Need.status == "active"
    )
    return dict(db.session.execute(query.group_by(Need.patient_id)).all())


def check_encounter(data: dict, now: datetime | None = None) -> dict:
    """The kind, time, facility and diagnosis codes of a new encounter, or every problem."""
    problems: dict[str, str] = {}
    kind = data.get("kind")
    if kind not in ENCOUNTER_KINDS:
        problems["kind"] = f"kind must be one of: {', '.join(ENCOUNTER_KINDS)}."
    at = encounter_time(data.get("at"), now or utcnow(), problems)
    facility = data.get("facility", "")
    if not isinstance(facility, str) or len(facility) > 200:
        problems["facility"] = "facility must be text of at most 200 characters."
    codes = data.get("diagnosis_codes", [])
    if not isinstance(codes, list) or len(codes) > 20 or not all(code_ok(c) for c in codes):
        problems["diagnosis_codes"] = "diagnosis_codes must be a list of up to 20 codes (Z59.0)."
    if problems:
        raise EncounterProblems(problems)
    return {"kind": kind, "at": at, "facility": facility.strip(), "diagnosis_codes": codes}


def code_ok(code) -> bool:
    """Whether a diagnosis code looks like one: short text without spaces."""
    return isinstance(code, str) and 0 < len(code) <= 32 and not any(c.isspace() for c in code)


def encounter_time(value, now: datetime, problems: dict) -> datetime | None:
    """An ISO date or date-time (UTC when it has no offset), not far in the future."""
    try:
        at = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        at = None
    if at is None:
        problems["at"] = "at must be a date and time like 2026-12-04T08:30:00-05:00."
        return None
    at = as_utc(at)
    if at > now + FUTURE_SLACK or at < EARLIEST:
        problems["at"] = "at is in the future or too long ago: give when it happened."
    return at


def local_date(at: datetime, settings: dict) -> date:
    """The day an encounter happened where the care team works."""
    return as_utc(at).astimezone(ZoneInfo(settings["TIME_ZONE"])).date()


def record_encounter(
    patient_id: int, values: dict, settings: dict, user_id=None, message=None, needs=None
) -> tuple[Encounter, TransitionTask | None]:
    """Record an encounter (from `message`, an AdtMessage, when given); a discharge or ED
    visit of a patient with open needs puts a follow-up task on the care team's worklist.
    `needs` (open need counts) may be given; an import flushes once per chunk."""
    encounter = Encounter(
        patient_id=patient_id,
        **values,
        source="adt" if message is not None else "manual",
        message=message,
        created_by=user_id,
    )
    db.session.add(encounter)
    counts = open_need_counts([patient_id]) if needs is None else needs
    task = None
    if encounter.kind in FOLLOWED_UP_KINDS and counts.get(patient_id, 0) > 0:
        days = settings.get("TRANSITION_BUSINESS_DAYS", 2)
        due = business_days_after(local_date(encounter.at, settings), days)
        task = TransitionTask(patient_id=patient_id, encounter=encounter, due=due, status="open")
        db.session.add(task)
    if needs is None:
        db.session.flush()
    return encounter, task


def close_task(task: TransitionTask, outcome, note, user_id) -> TransitionTask:
    """Close a transition task, recording what was done."""
    if task.status != "open":
        raise Refused("This follow-up is already closed.", field="status")
    if outcome not in OUTCOMES:
        raise EncounterProblems({"outcome": f"outcome must be one of: {', '.join(OUTCOMES)}."})
    if not isinstance(note, str) or len(note) > 2000:
        raise EncounterProblems({"note": "note must be text of at most 2000 characters."})
    task.status, task.outcome, task.note = "done", outcome, note.strip()
    task.closed_by, task.closed_at = user_id, utcnow()
    db.session.flush()
    return task


def visible_task(user, task_id: int) -> TransitionTask:
    """The task, if the user's care teams see its patient; else 404."""
    task = db.session.get(TransitionTask, task_id)
    if task is None or not may_see_patient(user, db.session.get(Patient, task.patient_id)):
        raise NotFound("There is no transition task with that id.", field="task_id")
    return task


def encounters_of(patient_id: int) -> list[Encounter]:
    """A patient's encounters, latest first."""
    query = select(Encounter).where(Encounter.patient_id == patient_id)
    return list(db.session.scalars(query.order_by(Encounter.at.desc(), Encounter.id.desc())))


def tasks_of(patient_ids, status: str | None = None) -> list[TransitionTask]:
    """The transition tasks of these patients (a query or ids), soonest due first."""
    query = select(TransitionTask).where(TransitionTask.patient_id.in_(patient_ids))
    if status:
        query = query.where(TransitionTask.status == status)
    return list(db.session.scalars(query.order_by(TransitionTask.due, TransitionTask.id)))


def reason(task: TransitionTask) -> str:
    """What the task asks, e.g. "Discharged from Jackson Memorial on 12/3: follow up"."""
    e = task.encounter
    where = f" {e.facility}" if e.facility else " hospital"
    return f"{VERBS[e.kind]}{where} on {e.at:%-m/%-d}: follow up"


def transition_items(scope) -> list[Item]:
    """Open transition tasks of the patients the case manager works with."""
    query = (
        select(TransitionTask)
        .options(joinedload(TransitionTask.encounter))
        .where(
            TransitionTask.status == "open",
            scope.of_patients(TransitionTask.patient_id),
            TransitionTask.due <= scope.until,
        )
    )
    return [
        Item("transition", t.patient_id, t.due, reason(t), f"transition:{t.id}")
        for t in db.session.scalars(query)
    ]


def last_visits(patient_ids) -> dict[int, date]:
    """Each patient's latest emergency visit or discharge day."""
    query = (
        select(Encounter.patient_id, func.max(Encounter.at))
        .where(among(Encounter.patient_id, set(patient_ids)))
        .where(Encounter.kind.in_(FOLLOWED_UP_KINDS))
        .group_by(Encounter.patient_id)
    )
    return {pid: as_utc(at).date() for pid, at in db.session.execute(query)}


def message_condition(user):
    """A condition on AdtMessage true for the messages the user's care teams work."""
    orgs = care_org_ids(user)
    mine = AdtMessage.organization_id.in_(orgs)
    if user.instance_admin:
        return or_(mine, AdtMessage.organization_id.is_(None))
    return mine


def messages(user, status, page) -> tuple[list[AdtMessage], int]:
    """A page of the ADT messages the user works of a status (or of any of several), newest
    first, and how many there are."""
    query = select(AdtMessage).where(message_condition(user))
    if status:
        chosen = [status] if isinstance(status, str) else list(status)
        query = query.where(AdtMessage.status.in_(chosen))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    query = query.order_by(AdtMessage.id.desc()).offset(page.offset).limit(page.limit)
    return list(db.session.scalars(query)), total


def visible_message(user, message_id: int) -> AdtMessage:
    """The message, if the user works its organization's queue; else 404."""
    query = select(AdtMessage).where(AdtMessage.id == message_id, message_condition(user))
    message = db.session.scalar(query)
    if message is None:
        raise NotFound("There is no ADT message with that id.", field="message_id")
    return message


def match_message(message: AdtMessage, patient: Patient, user, settings: dict):
    """Match a queued message to a patient and record its encounter."""
    from referral.transitions.adt import parse

    if message.status not in QUEUED_STATUSES:
        raise Refused(f"This message is {message.status}, not waiting to be matched.", "status")
    if message.organization_id and patient.organization_id != message.organization_id:
        raise Refused("That patient is not of the organization this feed is for.", "patient_id")
    parsed = parse(message.raw, ZoneInfo(settings["TIME_ZONE"]))
    values = {k: getattr(parsed, k) for k in ("kind", "at", "facility", "diagnosis_codes")}
    encounter, task = record_encounter(patient.id, values, settings, user.id, message)
    message.status, message.patient_id = "matched", patient.id
    message.handled_by, message.handled_at = user.id, utcnow()
    return encounter, task


def set_aside(message: AdtMessage, why, user) -> AdtMessage:
    """Take a queued message off the queue, saying why; it is kept."""
    if message.status not in QUEUED_STATUSES:
        raise Refused(f"This message is {message.status}, not waiting to be matched.", "status")
    if not isinstance(why, str) or not why.strip() or len(why) > 500:
        raise EncounterProblems({"reason": "Say why it is set aside (up to 500 characters)."})
    message.status, message.problem = "set-aside", why.strip()
    message.handled_by, message.handled_at = user.id, utcnow()
    db.session.flush()
    return message
