"""Texts patients send back, posted by Twilio to `/sms/inbound`.

The request must carry Twilio's signature of `REFERRAL_PUBLIC_URL` + the path (403 otherwise);
a message id seen before is ignored. A 1 or 2 answering the latest follow-up question sent to
that number is recorded as a follow-up by text (so a patient who got help closes the loop);
STOP withdraws consent to be contacted; anything else is put on the referral as a message for
the case manager.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, Response, current_app, request
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from referral.errors import AppError, BadInput, Forbidden
from referral.extensions import csrf, db
from referral.network.models import ReferralMessage
from referral.notifications import rules
from referral.notifications.models import InboundMessage, OutboxMessage
from referral.notifications.replies import GOT_HELP, NO_HELP, OTHER, STOP, Reply, parse_reply
from referral.patients.models import Patient
from referral.patients.operations import record_consent
from referral.referrals import events
from referral.referrals.followups import Method
from referral.referrals.models import Referral
from referral.referrals.operations import record_patient_answer

bp = Blueprint("sms", __name__)
csrf.exempt(bp)
QUESTIONS = ("follow-up-question", "reminder")
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@dataclass(frozen=True)
class TextReply:
    """Who a follow-up recorded from a text reply is by: the patient, with no account."""

    id: None = None
    username: str = "patient (text reply)"


@bp.post("/sms/inbound")
def inbound():
    """Take one text from Twilio (signed), once per message id, and answer with empty TwiML."""
    check_signature()
    sid = request.form.get("MessageSid") or request.form.get("SmsSid") or ""
    if not sid or len(sid) > 64:
        raise BadInput("MessageSid is missing.", field="MessageSid")
    if seen(sid) is None:
        receive(sid, request.form.get("From", ""), request.form.get("Body", ""), date.today())
    return Response(EMPTY_TWIML, mimetype="text/xml")


def check_signature() -> None:
    """Refuse a request Twilio did not sign with our auth token for this address."""
    settings = current_app.config["REFERRAL"]
    token = settings["TWILIO_AUTH_TOKEN"]
    base = settings["PUBLIC_URL"]
    url = base.rstrip("/") + request.full_path.rstrip("?") if base else request.url
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not RequestValidator(token).validate(url, request.form.to_dict(), signature):
        raise Forbidden("This request is not signed by the SMS provider.")


def seen(sid: str) -> InboundMessage | None:
    """The text already received with this provider id, if any."""
    return db.session.scalar(select(InboundMessage).where(InboundMessage.provider_id == sid))


def receive(sid: str, sender: str, body: str, today: date) -> InboundMessage:
    """Record a text and act on it as its words say."""
    number = as_number(sender)
    reply = parse_reply(body)
    question = latest_question(number)
    record = InboundMessage(
        provider_id=sid, sender=number[:32], body=body[:1600], read_as=reply.kind
    )
    if question is not None:
        record.referral_id, record.answered_id = question.referral_id, question.id
    db.session.add(record)
    if reply.kind == STOP:
        stop_texts(number)
    elif not (question and reply.kind in (GOT_HELP, NO_HELP) and answered(question, reply, today)):
        record.read_as = OTHER
        record.referral_id = note_on_referral(number, body, question)
    db.session.flush()
    return record


def as_number(sender: str) -> str:
    """The sender's number in E.164 when it is one, else as sent."""
    try:
        return rules.sms_number(sender)
    except ValueError:
        return sender.strip()


def latest_question(number: str) -> OutboxMessage | None:
    """The latest follow-up question (or reminder) texted to this number."""
    query = select(OutboxMessage).where(
        OutboxMessage.channel == rules.SMS,
        OutboxMessage.kind.in_(QUESTIONS),
        OutboxMessage.recipient == number,
        OutboxMessage.status.in_((rules.SENT, rules.SENDING)),
    )
    return db.session.scalar(query.order_by(OutboxMessage.id.desc()).limit(1))


def answered(question: OutboxMessage, reply: Reply, today: date) -> bool:
    """Record a 1 or 2 as a follow-up by text that reached the patient; False when the
    referral can take no follow-up (then the reply goes on it as a message)."""
    referral = db.session.get(Referral, question.referral_id)
    try:
        with db.session.begin_nested():
            record_patient_answer(
                referral, reply.patient_says, Method.TEXT.value, TextReply(), today
            )
    except AppError:
        return False
    return True


def stop_texts(number: str) -> None:
    """Withdraw the consent to be contacted of every patient with this number."""
    for patient in db.session.scalars(select(Patient).where(Patient.phone == number)):
        if patient.consents_to("contact"):
            record_consent(patient, "contact", False, None, "replied STOP by text message")


def note_on_referral(number: str, body: str, question: OutboxMessage | None) -> int | None:
    """Put a text on the referral it answers (or the latest one texted about) as a message
    from the patient; the referral's id, or None when no referral was texted to this number."""
    referral_id = question.referral_id if question else latest_texted_referral(number)
    referral = db.session.get(Referral, referral_id) if referral_id else None
    if referral is None or not body.strip():
        return referral_id
    patient = db.session.get(Patient, referral.patient_id)
    message = ReferralMessage(
        referral_id=referral.id,
        author=f"{patient.given_name} (text message)",
        party="patient",
        body=body.strip()[:4000],
    )
    db.session.add(message)
    db.session.flush()
    events.message_posted.send(referral, message=message)
    return referral.id


def latest_texted_referral(number: str) -> int | None:
    """The referral of the latest text sent to this number, if any."""
    query = select(OutboxMessage.referral_id).where(
        OutboxMessage.channel == rules.SMS,
        OutboxMessage.recipient == number,
        OutboxMessage.referral_id.is_not(None),
    )
    return db.session.scalar(query.order_by(OutboxMessage.id.desc()).limit(1))
