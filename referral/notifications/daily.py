"""The daily jobs: each case manager's digest of follow-ups due, and the follow-up question
texted to patients whose follow-up is due. Both are keyed by day, so running them twice the
same day queues nothing new."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from referral.auth.models import User
from referral.extensions import db
from referral.notifications import compose, rules
from referral.notifications.events import sender_name, service_name
from referral.notifications.models import OutboxMessage
from referral.notifications.operations import About, queue_email, queue_sms
from referral.patients.models import Patient
from referral.referrals.models import CLOSED_STATUSES, Referral
from referral.referrals.slip import NEVER_PRINTED

QUESTIONS = ("follow-up-question", "reminder")


def open_and_due(today: date):
    """Referrals still waiting for an outcome whose follow-up is due by `today`."""
    return select(Referral).where(
        Referral.outcome.is_(None),
        Referral.status.not_in(CLOSED_STATUSES),
        Referral.follow_up_due <= today,
    )


def queue_digests(today: date) -> int:
    """Queue one digest per case manager with follow-ups due (who gave an email address)."""
    found: dict[int, list[Referral]] = {}
    for referral in db.session.scalars(open_and_due(today).order_by(Referral.follow_up_due)):
        if referral.created_by:
            found.setdefault(referral.created_by, []).append(referral)
    queued = 0
    for user_id, referrals in found.items():
        user = db.session.get(User, user_id)
        if user and user.active and user.email:
            queued += queue_digest(user, referrals, today)
    return queued


def queue_digest(user: User, referrals: list[Referral], today: date) -> int:
    """Queue one case manager's digest of the day (once a day); 1 when it is new."""
    key = f"digest:{user.id}:{today.isoformat()}"
    if already_queued(key):
        return 0
    lines = [
        (
            r.id,
            service_name(r),
            r.follow_up_due.isoformat(),
            compose.link("referrals.show", referral_id=r.id),
        )
        for r in referrals
    ]
    subject, body = compose.digest(lines, today)
    about = About(user_id=user.id, organization_id=referrals[0].referring_org_id)
    queue_email("digest", key, user.email, subject, body, about)
    return 1


def queue_follow_up_texts(today: date) -> int:
    """Text the follow-up question to each texting patient whose follow-up is due, once per
    due date; a reminder once when it is overdue and the question went unanswered."""
    query = (
        open_and_due(today)
        .join(Patient, Patient.id == Referral.patient_id)
        .where(Patient.contact_channel == rules.SMS, Referral.need.not_in(NEVER_PRINTED))
        .order_by(Referral.id)
    )
    queued = 0
    for referral in db.session.scalars(query):
        queued += queue_question(referral, today)
    return queued


def queue_question(referral: Referral, today: date) -> int:
    """Queue the question (or its reminder) of one referral's due date; 1 when it is new."""
    due = referral.follow_up_due.isoformat()
    asked = f"follow-up-question:{referral.id}:{due}"
    reminder = referral.follow_up_due < today and already_queued(asked)
    key = f"reminder:{referral.id}:{due}" if reminder else asked
    if already_queued(key):
        return 0
    patient = db.session.get(Patient, referral.patient_id)
    language = compose.patient_language(patient)
    body = compose.follow_up_question(
        sender_name(referral), service_name(referral), language, reminder
    )
    about = About(referral.id, patient.id, organization_id=patient.organization_id)
    queue_sms("reminder" if reminder else "follow-up-question", key, patient, body, about, language)
    return 1


def already_queued(key: str) -> bool:
    """Whether a message with this key is in the outbox."""
    query = select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)
    return db.session.scalar(query) is not None
