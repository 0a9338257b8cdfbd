"""Making referrals and moving them through their statuses. Helpers flush; the request commits."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from referral.directory.models import Service, utcnow
from referral.directory.needs import NEED_KEYS
from referral.errors import BadInput, Conflict, Forbidden, NotFound, Refused
from referral.extensions import db
from referral.patients.models import Patient
from referral.patients.operations import record_access, record_consent
from referral.referrals import states
from referral.referrals.models import Referral, ReferralEvent

FOLLOW_UP_DAYS = 7


def make_referral(data: dict, user, follow_up_days: int = FOLLOW_UP_DAYS) -> Referral:
    """Refer a patient to a service for a need, after recording their consent to share."""
    patient = db.session.get(Patient, whole(data.get("patient_id"), "patient_id"))
    if patient is None:
        raise NotFound("There is no patient with that id.", field="patient_id")
    service = db.session.get(Service, str(data.get("service_id") or ""))
    if service is None:
        raise NotFound("There is no service with that id.", field="service_id")
    need = data.get("need")
    if need not in NEED_KEYS:
        raise BadInput(f"need must be one of: {', '.join(NEED_KEYS)}.", field="need")
    if data.get("consent") is not True:
        raise Refused("The patient's consent to share their details is required.", field="consent")
    if not patient.consents_to("share"):
        record_consent(patient, "share", True, user.id, "given when referred")
    referral = Referral(
        patient_id=patient.id,
        service_id=service.id,
        need=need,
        note=str(data.get("note") or "")[:2000],
        status=states.Status.REQUESTED.value,
        follow_up_due=date.today() + timedelta(days=follow_up_days),
        created_by=user.id,
    )
    db.session.add(referral)
    db.session.flush()
    db.session.add(
        ReferralEvent(
            referral_id=referral.id,
            from_status=None,
            to_status="requested",
            party="requester",
            actor=user.username,
        )
    )
    record_access(user.id, patient.id, "create", f"referral:{referral.id}")
    return referral


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
    referral.status, referral.version, referral.updated_at = (
        change.to_status.value,
        referral.version + 1,
        change.at,
    )
    if change.outcome is not None:
        referral.outcome = change.outcome.value
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
    db.session.flush()
    return referral


def may_see(referral: Referral, user) -> bool:
    """Admins, and the case manager who made the referral or registered the patient."""
    if user.role == "admin":
        return True
    patient = db.session.get(Patient, referral.patient_id)
    return user.role == "case_manager" and user.id in {referral.created_by, patient.created_by}


def visible_referral(referral_id: int, user) -> Referral:
    """A referral the user may see (the view is recorded), or 404/403."""
    referral = db.session.get(Referral, referral_id)
    if referral is None:
        raise NotFound("There is no referral with that id.")
    if not may_see(referral, user):
        raise Forbidden("Only the patient's case managers can see this referral.")
    record_access(user.id, referral.patient_id, "view", f"referral:{referral.id}")
    return referral


def list_referrals(user, status: str | None, due_before: date | None, patient_id: int | None):
    """The referrals the user may see, filtered, soonest follow-up first."""
    query = select(Referral)
    if user.role != "admin":
        query = query.join(Patient, Patient.id == Referral.patient_id).where(
            (Referral.created_by == user.id) | (Patient.created_by == user.id)
        )
    if status:
        query = query.where(Referral.status == states.parse_status(status).value)
    if due_before:
        query = query.where(Referral.follow_up_due <= due_before)
    if patient_id is not None:
        query = query.where(Referral.patient_id == patient_id)
    found = list(db.session.scalars(query.order_by(Referral.follow_up_due, Referral.id)))
    for patient in {r.patient_id for r in found}:
        record_access(user.id, patient, "list", "referrals")
    return found


def referral_json(referral: Referral, receiver_link: str | None = None) -> dict:
    """A referral with its history, as the API shows it (and the link for the organization)."""
    return {
        "receiver_link": receiver_link,
        "id": referral.id,
        "patient_id": referral.patient_id,
        "service_id": referral.service_id,
        "need": referral.need,
        "note": referral.note,
        "status": referral.status,
        "outcome": referral.outcome,
        "version": referral.version,
        "follow_up_due": referral.follow_up_due.isoformat() if referral.follow_up_due else None,
        "created_by": referral.created_by,
        "created_at": referral.created_at.isoformat(),
        "history": [
            {
                "from": e.from_status,
                "to": e.to_status,
                "by": e.actor,
                "party": e.party,
                "at": e.at.isoformat(),
                "reason": e.reason or None,
                "outcome": e.outcome,
            }
            for e in referral.history
        ],
    }
