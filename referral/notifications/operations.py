"""Queueing email and SMS in the outbox, and what admins see of it.

`queue_email` and `queue_sms` only add and flush: the row is written in the transaction of the
change it announces, and the worker sends it after that commits. A message that cannot be sent
(no address, no consent, not a texting patient) is kept as `refused` with the reason, never
raised, so the change it belongs to goes through. Each event has an idempotency key: queueing
the same key twice keeps the first row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from referral.directory.models import as_utc, utcnow
from referral.errors import BadInput, NotFound, Refused
from referral.extensions import db
from referral.notifications import rules
from referral.notifications.models import OutboxMessage

log = logging.getLogger(__name__)
NO_CONSENT = "the patient has not agreed to be contacted"
NOT_SMS = "the patient did not choose text messages"
LISTED = 200


@dataclass(frozen=True)
class About:
    """What a message is about: the records it links to, for admins and for replies."""

    referral_id: int | None = None
    patient_id: int | None = None
    user_id: int | None = None
    organization_id: int | None = None


def existing(key: str) -> OutboxMessage | None:
    """The message already queued under an idempotency key, if any."""
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))


def add(row: OutboxMessage) -> OutboxMessage:
    """Keep a message unless its key is already in the outbox (then the first one stays)."""
    found = existing(row.idempotency_key)
    if found is not None:
        return found
    db.session.add(row)
    db.session.flush()
    return row


def queue_email(
    kind: str,
    key: str,
    to: str,
    subject: str,
    body: str,
    about: About,
    html: str | None = None,
    no_address: str = "there is no email address",
) -> OutboxMessage:
    """Queue an email to send now; refused, with `no_address` as the reason, without one."""
    to = (to or "").strip()
    row = OutboxMessage(
        channel=rules.EMAIL,
        kind=kind,
        recipient=to,
        subject=subject,
        body=body,
        html=html,
        idempotency_key=key,
        **about.__dict__,
    )
    return add(ready(row) if to else refused(row, no_address))


def queue_sms(kind: str, key: str, patient, body: str, about: About, language: str = "en"):
    """Queue a text to a patient who chose texts and agreed to be contacted, held until the
    morning during quiet hours in their time zone; refused with the reason otherwise."""
    row = OutboxMessage(
        channel=rules.SMS,
        kind=kind,
        body=body,
        language=language,
        idempotency_key=key,
        **{**about.__dict__, "patient_id": patient.id},
    )
    problem = sms_problem(patient)
    if problem:
        row.recipient = patient.phone or ""
        return add(refused(row, problem))
    row.recipient = rules.sms_number(patient.phone)
    return add(ready(row, quiet_until(patient, utcnow())))


def sms_problem(patient) -> str | None:
    """Why a patient may not be texted now, or None: consent, channel and phone are checked."""
    if not patient.consents_to("contact"):
        return NO_CONSENT
    if patient.contact_channel != rules.SMS:
        return NOT_SMS
    try:
        rules.sms_number(patient.phone)
    except ValueError as exc:
        return str(exc)
    return None


def quiet_until(patient, now: datetime) -> datetime:
    """The first moment a text may go to the patient: now, or the morning after quiet hours."""
    settings = current_app.config["REFERRAL"]
    quiet = rules.parse_quiet_hours(settings["QUIET_HOURS"])
    zone = patient.time_zone or settings["TIME_ZONE"]
    return rules.first_moment_allowed(now, zone, quiet)


def ready(row: OutboxMessage, at: datetime | None = None) -> OutboxMessage:
    """A message queued to go at `at` (now when not given)."""
    row.status, row.next_attempt_at = rules.QUEUED, at or utcnow()
    return row


def refused(row: OutboxMessage, reason: str) -> OutboxMessage:
    """A message kept as refused, with the reason, and never sent."""
    row.status, row.last_error, row.next_attempt_at = rules.REFUSED, reason, None
    return row


def refuse(channel: str, kind: str, key: str, reason: str, about: About, to: str = ""):
    """Keep a message that will not be sent, with the reason, for the admins to see."""
    row = OutboxMessage(
        channel=channel, kind=kind, recipient=to, body="", idempotency_key=key, **about.__dict__
    )
    return add(refused(row, reason))


def guarded(channel: str, kind: str, key: str, about: About, queue: Callable[[], object]) -> None:
    """Queue notifications inside a savepoint so that no failure of theirs undoes the change
    they announce; a failure is kept as a refused row naming what went wrong."""
    try:
        with db.session.begin_nested():
            queue()
    except Exception as exc:
        log.exception("could not queue %s", key)
        reason = f"could not be prepared: {type(exc).__name__}: {exc}"[:500]
        with db.session.begin_nested():
            refuse(channel, kind, f"{key}:error", reason, about)


def managed_outbox(org_ids: set[int] | None, status: str | None) -> list[OutboxMessage]:
    """The newest messages of the organizations an admin manages (every one for None)."""
    query = select(OutboxMessage)
    if status:
        if status not in rules.STATUSES:
            raise BadInput(f"status must be one of: {', '.join(rules.STATUSES)}.", field="status")
        query = query.where(OutboxMessage.status == status)
    if org_ids is not None:
        query = query.where(OutboxMessage.organization_id.in_(org_ids))
    query = query.order_by(OutboxMessage.id.desc()).limit(LISTED)
    return list(db.session.scalars(query))


def retry(message_id: int, org_ids: set[int] | None) -> OutboxMessage:
    """Queue a failed or refused message again, to go now with its attempts counted afresh."""
    row = db.session.get(OutboxMessage, message_id)
    if row is None or (org_ids is not None and row.organization_id not in org_ids):
        raise NotFound("There is no such message in the outbox.")
    if row.status not in (rules.FAILED, rules.REFUSED):
        raise Refused(f"This message is {row.status}; only failed or refused ones are retried.")
    row.attempts, row.claimed_at = 0, None
    ready(row)
    db.session.flush()
    return row


def outbox_json(row: OutboxMessage) -> dict:
    """A message as the outbox API shows it."""
    return {
        "id": row.id,
        "channel": row.channel,
        "to": row.recipient,
        "status": row.status,
        "attempts": row.attempts,
        "error": row.last_error or None,
        "kind": row.kind,
        "subject": row.subject or None,
        "referral_id": row.referral_id,
        "created_at": stamp(row.created_at),
        "next_attempt_at": stamp(row.next_attempt_at),
        "sent_at": stamp(row.sent_at),
    }


def stamp(at: datetime | None) -> str | None:
    """A stored time in ISO 8601 with its zone, or None."""
    return as_utc(at).isoformat() if at else None
