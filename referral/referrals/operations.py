"""Making referrals and moving them through their statuses. Helpers flush; the request commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import any_, func, select
from sqlalchemy.orm import selectinload

from referral.careplans.operations import flush_checked as flush_or_conflict
from referral.careplans.operations import need_for_referral
from referral.curation.flagging import FLAG_OUTCOMES
from referral.curation.flags import flag_from_outcomes
from referral.directory.models import MAX_ID, Service, ServiceAtLocation, as_utc, utcnow
from referral.directory.needs import NEED_KEYS
from referral.errors import BadInput, Conflict, Forbidden, NotFound, Refused
from referral.extensions import db
from referral.network.models import PatientShare
from referral.network.operations import organization_key, receiving_org_id
from referral.network.scope import (
    admin_org_ids,
    care_org_ids,
    may_see_patient,
    patients_of,
    receives,
    referral_condition,
    seen_by,
    shared_with,
    visible_patient,
)
from referral.paging import Page, page_of
from referral.patients.models import Patient
from referral.patients.operations import record_access, record_consent
from referral.patients.validation import display_phone
from referral.referrals import events, states
from referral.referrals.followups import plan_follow_up
from referral.referrals.models import CLOSED_STATUSES, FollowUp, Referral, ReferralEvent

FOLLOW_UP_DAYS = 7
MAX_AT_ONCE = 10
WORKLISTS = ("due", "mine", "quiet")


def make_referral(data: dict, user, follow_up_days: int = FOLLOW_UP_DAYS) -> Referral:
    """Refer a patient to a service for a need, after recording their consent to share."""
    patient_id = whole(data.get("patient_id"), "patient_id")
    if not 0 < patient_id <= MAX_ID:
        raise NotFound("There is no patient with that id.", field="patient_id")
    patient = visible_patient(user, patient_id)
    service = db.session.get(Service, str(data.get("service_id") or ""))
    if service is None:
        raise NotFound("There is no service with that id.", field="service_id")
    need = data.get("need")
    if need not in NEED_KEYS:
        raise BadInput(f"need must be one of: {', '.join(NEED_KEYS)}.", field="need")
    if data.get("consent") is not True:
        raise Refused("The patient's consent to share their details is required.", field="consent")
    refuse_repeat(patient, service, need)
    if not patient.consents_to("share"):
        record_consent(patient, "share", True, user.id, "given when referred")
    opening = Opening(
        location_id=data.get("location_id"),
        note=str(data.get("note") or ""),
        follow_up_days=follow_up_days,
        user_id=user.id,
        actor=user.username,
        referring_org_id=referring_org_id(user, patient),
    )
    return open_referral(patient, service, need, opening)


@dataclass(frozen=True)
class Opening:
    """Who sends a new referral and how: the place chosen, the note, when to follow up."""

    location_id: str | None
    note: str
    follow_up_days: int
    user_id: int | None
    actor: str
    referring_org_id: int


def open_referral(patient: Patient, service: Service, need: str, opening: Opening) -> Referral:
    """Send a referral (checked and consented already): requested, routed to the organization
    that claims the service, its first event recorded and announced."""
    served = need_for_referral(patient.id, need, opening.user_id, opening.actor)
    referral = Referral(
        patient_id=patient.id,
        service_id=service.id,
        location_id=chosen_location(service, opening.location_id),
        need=need,
        need_id=served.id,
        note=opening.note[:2000],
        status=states.Status.REQUESTED.value,
        follow_up_due=date.today() + timedelta(days=opening.follow_up_days),
        created_by=opening.user_id,
        referring_org_id=opening.referring_org_id,
        receiving_org_id=receiving_org_id(service),
    )
    db.session.add(referral)
    db.session.flush()
    db.session.add(
        ReferralEvent(
            referral_id=referral.id,
            from_status=None,
            to_status="requested",
            party="requester",
            actor=opening.actor,
        )
    )
    record_access(opening.user_id, patient.id, "create", f"referral:{referral.id}")
    events.created.send(referral)
    return referral


def make_referrals(data: dict, user, follow_up_days: int = FOLLOW_UP_DAYS) -> list[Referral]:
    """Refer a patient to several services for one need at once: all of them, or none."""
    ids = data.get("service_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
        raise BadInput("service_ids must be a list of service ids.", field="service_ids")
    if len(set(ids)) > MAX_AT_ONCE:
        raise BadInput(f"Refer to at most {MAX_AT_ONCE} services at once.", field="service_ids")
    locations = data.get("locations") if isinstance(data.get("locations"), dict) else {}
    return [
        make_referral(
            {**data, "service_id": sid, "location_id": locations.get(sid)}, user, follow_up_days
        )
        for sid in dict.fromkeys(ids)
    ]


def chosen_location(service: Service, location_id) -> str | None:
    """The location the patient is sent to, which must be one of the service's (or none)."""
    if location_id in (None, ""):
        return None
    found = db.session.scalar(
        select(ServiceAtLocation.location_id).where(
            ServiceAtLocation.service_id == service.id,
            ServiceAtLocation.location_id == str(location_id),
        )
    )
    if found is None:
        raise BadInput("location_id must be one of the service's locations.", field="location_id")
    return found


def refuse_repeat(patient: Patient, service: Service, need: str) -> None:
    """Refuse a second open referral of the same patient to the same service for one need."""
    open_one = db.session.scalar(
        select(Referral.id).where(
            Referral.patient_id == patient.id,
            Referral.service_id == service.id,
            Referral.need == need,
            Referral.outcome.is_(None),
            Referral.status.not_in(CLOSED_STATUSES),
        )
    )
    if open_one is not None:
        raise Conflict(
            f"{patient.full_name} already has an open {need} referral to {service.name} "
            f"(referral {open_one}). Follow that one up instead.",
            field="service_id",
        )


def whole(value, field: str) -> int:
    """A whole-number id, or 400 naming the field."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadInput(f"{field} must be a whole number.", field=field)
    return value


def change_status(referral: Referral, data: dict, party: str, actor: str, version) -> Referral:
    """Move a referral to a new status as the table allows; stale versions and forbidden moves
    change nothing."""
    try:
        states.check_version(referral.version, version)
        change = states.next_state(
            referral.status,
            str(data.get("status") or ""),
            party,
            actor,
            utcnow(),
            str(data.get("reason") or ""),
            data.get("outcome"),
        )
    except states.StaleVersion as exc:
        raise Conflict(str(exc), field="version") from exc
    except states.TransitionError as exc:
        raise Refused(exc.message, field=exc.field) from exc
    apply_change(referral, change)
    record_event(referral, change)
    if change.outcome is not None:
        source = "organization" if change.party is states.Party.RECEIVER else "care-team"
        set_outcome(referral, change.outcome.value, source, change.at)
    flush_checked()
    events.status_changed.send(referral, change=change)
    return referral


def apply_change(referral: Referral, change: states.Change) -> None:
    """Set the status and the times the reports measure (first accepted, first closed)."""
    referral.status, referral.updated_at = change.to_status.value, change.at
    if change.to_status is states.Status.ACCEPTED and referral.accepted_at is None:
        referral.accepted_at = change.at
    if change.to_status in states.TERMINAL and referral.closed_at is None:
        referral.closed_at = change.at


def record_event(referral: Referral, change: states.Change) -> None:
    """Add a change to the referral's history."""
    db.session.add(
        ReferralEvent(
            referral_id=referral.id,
            from_status=change.from_status.value,
            to_status=change.to_status.value,
            party=change.party.value,
            actor=change.actor,
            at=change.at,
            reason=change.reason,
            outcome=change.outcome.value if change.outcome else None,
        )
    )


def set_outcome(referral: Referral, outcome: str, source: str, at) -> None:
    """Record what came of a referral and who said so; outcomes that suggest the listing is
    wrong may flag the service for a curator."""
    referral.outcome, referral.outcome_source = outcome, source
    referral.closed_at = referral.closed_at or at
    if outcome in FLAG_OUTCOMES:
        settings = current_app.config["REFERRAL"]
        flush_checked()
        flag_from_outcomes(
            referral.service_id, at, settings["FLAG_THRESHOLD"], settings["FLAG_WINDOW_DAYS"]
        )


def flush_checked() -> None:
    """Write the changes, answering 409 when someone else changed the referral meanwhile."""
    flush_or_conflict(
        "This referral was changed by someone else at the same moment. Reload it and make "
        "your change again."
    )


def record_follow_up(referral: Referral, data: dict, user, today: date) -> FollowUp:
    """Record an attempt to reach the patient; what a reached patient says becomes the
    referral's outcome unless the organization has already given one."""
    if referral.status == states.Status.ENTERED_IN_ERROR:
        raise Refused("This referral was entered in error; there is nothing to follow up.")
    interval = current_app.config["REFERRAL"]["FOLLOW_UP_DAYS"]
    try:
        plan = plan_follow_up(data, today, interval)
    except states.TransitionError as exc:
        raise Refused(exc.message, field=exc.field) from exc
    now = utcnow()
    follow_up = FollowUp(
        referral_id=referral.id,
        at=now,
        user_id=user.id,
        actor=user.username,
        method=plan.method.value,
        result=plan.result.value,
        reached=plan.reached,
        patient_says=plan.patient_says,
        note=plan.note,
        next_due=plan.next_due,
    )
    db.session.add(follow_up)
    referral.follow_up_due, referral.updated_at = plan.next_due, now
    if plan.outcome is not None and referral.outcome_source in {None, "patient"}:
        record_patient_outcome(referral, plan.outcome, user.username, now)
    record_access(user.id, referral.patient_id, "follow-up", f"referral:{referral.id}")
    flush_checked()
    return follow_up


def record_patient_outcome(referral: Referral, outcome: states.Outcome, actor: str, at) -> None:
    """Put the patient's own account of the outcome on the referral and in its history."""
    db.session.add(
        ReferralEvent(
            referral_id=referral.id,
            from_status=referral.status,
            to_status=referral.status,
            party=states.Party.REQUESTER.value,
            actor=actor,
            at=at,
            reason="Follow-up: the patient reported the outcome.",
            outcome=outcome.value,
        )
    )
    set_outcome(referral, outcome.value, "patient", at)


def referring_org_id(user, patient: Patient) -> int:
    """The organization a referral is sent from: the patient's own when the user belongs to
    it, else the user's organization the patient is shared with."""
    org_ids = care_org_ids(user)
    if patient.organization_id in org_ids:
        return patient.organization_id
    shared = set(
        db.session.scalars(shared_with(org_ids).where(PatientShare.patient_id == patient.id))
    )
    return min(shared) if shared else patient.organization_id


def may_see(referral: Referral, user) -> bool:
    """Admins of an organization that sees the patient, and the case manager who made the
    referral or registered the patient."""
    patient = db.session.get(Patient, referral.patient_id)
    if seen_by(admin_org_ids(user), patient):
        return True
    return user.has_role("case_manager") and user.id in {referral.created_by, patient.created_by}


def referral_and_side(referral_id: int, user) -> tuple[Referral, states.Party]:
    """A referral the user may see and the side they are on (the view is recorded): the
    patient's care team requests, the organization it was sent to receives. Others get 404,
    and members of the care team who are not the patient's case managers 403."""
    referral = db.session.get(Referral, referral_id)
    if referral is None:
        raise NotFound("There is no referral with that id.")
    patient = db.session.get(Patient, referral.patient_id)
    if may_see_patient(user, patient):
        if not may_see(referral, user):
            raise Forbidden("Only the patient's case managers can see this referral.")
        party, subject = states.Party.REQUESTER, f"referral:{referral.id}"
    elif receives(user, referral):
        party, subject = states.Party.RECEIVER, f"referral:{referral.id}:inbox"
    else:
        raise NotFound("There is no referral with that id.")
    record_access(user.id, referral.patient_id, "view", subject)
    return referral, party


def visible_referral(referral_id: int, user) -> Referral:
    """A referral of a patient the user's care team sees (the view is recorded), or 404/403."""
    referral, party = referral_and_side(referral_id, user)
    if party is not states.Party.REQUESTER:
        raise NotFound("There is no referral with that id.")
    return referral


def list_referrals(
    user,
    status: str | None,
    due_before: date | None,
    patient_id: int | None,
    page: Page | None = None,
) -> tuple[list[Referral], int]:
    """The referrals the user may see, filtered, soonest follow-up first: one page of them
    (all without a page) and how many there are."""
    query = visible_to(user, select(Referral))
    if status:
        query = query.where(Referral.status == states.parse_status(status).value)
    if due_before:
        query = query.where(Referral.follow_up_due <= due_before)
    if patient_id is not None:
        query = query.where(Referral.patient_id == patient_id)
    return listed(user, query.order_by(Referral.follow_up_due, Referral.id), page)


def worklist(
    user, which: str, today: date, quiet_days: int, page: Page | None = None
) -> tuple[list[Referral], int]:
    """The user's referrals still waiting for an outcome: `due` (follow-up due today or
    overdue), `mine` (every one they made) or `quiet` (no update in `quiet_days` days); one
    page of them (all without a page) and how many there are."""
    query = visible_to(user, select(Referral)).where(
        Referral.outcome.is_(None), Referral.status.not_in(CLOSED_STATUSES)
    )
    if which == "due":
        query = query.where(Referral.follow_up_due <= today).order_by(Referral.follow_up_due)
    elif which == "mine":
        query = query.where(Referral.created_by == user.id).order_by(Referral.follow_up_due)
    elif which == "quiet":
        cutoff = datetime.combine(today - timedelta(days=quiet_days), time(), UTC)
        query = query.where(Referral.updated_at < cutoff).order_by(Referral.updated_at)
    else:
        raise BadInput(f"Choose a worklist: {', '.join(WORKLISTS)}.", field="list")
    return listed(user, query.order_by(Referral.id), page)


def listed(user, query, page: Page | None) -> tuple[list[Referral], int]:
    """A page of referrals with their histories and follow-ups, and the total; the patients
    shown are recorded as listed."""
    query = query.options(selectinload(Referral.history), selectinload(Referral.follow_ups))
    found, total = page_of(query, page)
    for patient in {r.patient_id for r in found}:
        record_access(user.id, patient, "list", "referrals")
    return found, total


def visible_to(user, query):
    """Narrow a query of referrals to those of the user's care teams' patients that they may
    see: all of those seen by an organization they administer, and the ones they made or whose
    patient they registered."""
    query = query.where(referral_condition(user))
    admin_of = admin_org_ids(user)
    if admin_of and admin_of >= care_org_ids(user):
        return query
    registered = select(Patient.id).where(Patient.created_by == user.id)
    theirs = (Referral.created_by == user.id) | patient_in(registered)
    if admin_of:
        theirs |= Referral.patient_id.in_(select(Patient.id).where(patients_of(admin_of)))
    return query.where(theirs)


def patient_in(patient_ids):
    """`Referral.patient_id` in a subquery of ids, written so that PostgreSQL can combine it
    with other indexed conditions under OR (an array it reads first, not a join)."""
    if db.engine.dialect.name == "postgresql":
        return Referral.patient_id == any_(func.array(patient_ids.scalar_subquery()))
    return Referral.patient_id.in_(patient_ids)


def referral_json(
    referral: Referral, receiver_link: str | None = None, follow_ups: bool = True
) -> dict:
    """A referral with its history (and its follow-ups unless left out), as the API shows it,
    with the link for the organization."""
    return {
        "receiver_link": receiver_link,
        "id": referral.id,
        "patient_id": referral.patient_id,
        "service_id": referral.service_id,
        "location_id": referral.location_id,
        "need": referral.need,
        "note": referral.note,
        "status": referral.status,
        "outcome": referral.outcome,
        "outcome_source": referral.outcome_source,
        "accepted_at": stamp(referral.accepted_at),
        "closed_at": stamp(referral.closed_at),
        "updated_at": stamp(referral.updated_at),
        "version": referral.version,
        "follow_up_due": referral.follow_up_due.isoformat() if referral.follow_up_due else None,
        "created_by": referral.created_by,
        "created_at": stamp(referral.created_at),
        "referring_organization": organization_key(referral.referring_org_id),
        "receiving_organization": organization_key(referral.receiving_org_id),
        "history": [
            {
                "from": e.from_status,
                "to": e.to_status,
                "by": e.actor,
                "party": e.party,
                "at": stamp(e.at),
                "reason": e.reason or None,
                "outcome": e.outcome,
            }
            for e in referral.history
        ],
    } | ({"follow_ups": [follow_up_json(f) for f in referral.follow_ups]} if follow_ups else {})


def received_json(referral: Referral, patient: Patient | None = None) -> dict:
    """A referral as the organization it was sent to sees it: the need, the note and how to
    reach the patient (given, or read), never the care team's follow-ups or the patient's
    screening."""
    shown = referral_json(referral, follow_ups=False)
    del shown["patient_id"], shown["created_by"]
    shown["patient"] = received_patient(patient or db.session.get(Patient, referral.patient_id))
    return shown


def received_patient(patient: Patient) -> dict:
    """What a receiving organization needs to reach the patient: their name and language,
    and their phone only when they agreed to be contacted."""
    contact_ok = patient.consents_to("contact")
    return {
        "name": patient.full_name,
        "preferred_language": patient.preferred_language,
        "contact_ok": contact_ok,
        "phone": patient.phone if contact_ok else None,
        "phone_display": display_phone(patient.phone) if contact_ok else None,
    }


def follow_up_json(follow_up: FollowUp) -> dict:
    """One follow-up as the API shows it."""
    return {
        "id": follow_up.id,
        "at": stamp(follow_up.at),
        "by": follow_up.actor,
        "method": follow_up.method,
        "result": follow_up.result,
        "reached": follow_up.reached,
        "patient_says": follow_up.patient_says,
        "note": follow_up.note,
        "next_due": follow_up.next_due.isoformat() if follow_up.next_due else None,
    }


def stamp(at: datetime | None) -> str | None:
    """A stored time in ISO 8601 with its zone, or None."""
    return as_utc(at).isoformat() if at else None
