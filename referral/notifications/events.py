"""Notifications of what happens to referrals, queued in the transaction of the change:

- a new referral: an email to the organization it was sent to, and the slip by text to the
  patient who chose texts;
- a status set or a message written by the other side: an email to the case manager who made
  the referral (when they gave an email address).

Each is guarded: a notification that cannot be prepared is recorded as refused, and the
referral goes through.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from referral.auth.models import User
from referral.directory.models import Service
from referral.extensions import db
from referral.network.models import Membership, NetworkOrganization
from referral.notifications import compose, rules
from referral.notifications.operations import (
    About,
    guarded,
    queue_email,
    queue_sms,
    refuse,
    sms_problem,
)
from referral.patients.models import Patient
from referral.referrals import events
from referral.referrals.slip import NEVER_PRINTED, build_slip

STAFF_ROLES = ("receiver", "admin")
NO_ORG_EMAIL = "organization has no email address"
NEVER_TEXTED = "referrals for safety are never texted"


def connect() -> None:
    """Listen to the referral signals (connecting twice changes nothing)."""
    events.created.connect(referral_created)
    events.status_changed.connect(status_changed)
    events.message_posted.connect(message_posted)


def referral_created(referral) -> None:
    """Queue the new referral's email to its organization and text to its patient."""
    patient = db.session.get(Patient, referral.patient_id)
    to_org = About(referral.id, patient.id, organization_id=referral.receiving_org_id)
    key = f"referral-arrived:{referral.id}"
    guarded(rules.EMAIL, "referral-arrived", key, to_org, lambda: email_organization(referral))
    to_patient = About(referral.id, patient.id, organization_id=patient.organization_id)
    key = f"slip-sms:{referral.id}"
    guarded(rules.SMS, "slip-sms", key, to_patient, lambda: text_slip(referral, patient))


def email_organization(referral) -> None:
    """Tell the receiving organization a referral arrived, with the link it answers through."""
    organization = receiving(referral)
    if organization is None:
        return
    about = About(referral.id, referral.patient_id, organization_id=organization.id)
    url, signed = compose.receiving_link(referral, organization, has_staff(organization))
    words = compose.referral_arrived(
        referral, service_name(referral), sender_name(referral), url, signed
    )
    subject, body, html = words
    key = f"referral-arrived:{referral.id}"
    queue_email(
        "referral-arrived", key, organization.email, subject, body, about, html, NO_ORG_EMAIL
    )


def text_slip(referral, patient: Patient) -> None:
    """Text the patient the slip of their referral: service, address, phone and hours."""
    about = About(referral.id, patient.id, organization_id=patient.organization_id)
    key = f"slip-sms:{referral.id}"
    if referral.need in NEVER_PRINTED:
        refuse(rules.SMS, "slip-sms", key, NEVER_TEXTED, about, patient.phone or "")
        return
    language = compose.patient_language(patient)
    body = ""
    if not texting_refused(patient):
        manager = db.session.get(User, referral.created_by) if referral.created_by else None
        page = build_slip([referral], patient, manager, language)
        body = compose.slip_text(sender_name(referral), page.slip.services[0], language)
    queue_sms("slip-sms", key, patient, body, about, language)


def texting_refused(patient: Patient) -> bool:
    """Whether the patient is not to be texted (so no text need be written)."""
    return sms_problem(patient) is not None


def status_changed(referral, change) -> None:
    """Tell the case manager when the organization moved their referral."""
    if change.party.value == "requester":
        return
    key = f"referral-changed:{referral.id}:{referral.version}:{change.to_status.value}"

    def queue() -> None:
        url = compose.link("referrals.show", referral_id=referral.id)
        subject, body = compose.status_changed(referral, service_name(referral), change, url)
        email_case_manager(referral, "referral-changed", key, subject, body)

    guarded(rules.EMAIL, "referral-changed", key, manager_about(referral), queue)


def message_posted(referral, message) -> None:
    """Tell the case manager when the organization or the patient wrote on their referral."""
    if message.party == "requester":
        return
    key = f"message:{message.id}"

    def queue() -> None:
        url = compose.link("referrals.show", referral_id=referral.id, _anchor="messages")
        subject, body = compose.message_posted(
            referral, service_name(referral), message.author, url
        )
        email_case_manager(referral, "message", key, subject, body)

    guarded(rules.EMAIL, "message", key, manager_about(referral), queue)


def email_case_manager(referral, kind: str, key: str, subject: str, body: str) -> None:
    """Email the case manager who made the referral, if they gave an address."""
    manager = db.session.get(User, referral.created_by) if referral.created_by else None
    if manager is None or not manager.email or not manager.active:
        return
    queue_email(kind, key, manager.email, subject, body, manager_about(referral))


def manager_about(referral) -> About:
    """A case manager's email about a referral, seen by the referring organization's admins."""
    return About(referral.id, referral.patient_id, referral.created_by, referral.referring_org_id)


def receiving(referral) -> NetworkOrganization | None:
    """The network organization a referral was sent to, if any."""
    if referral.receiving_org_id is None:
        return None
    return db.session.get(NetworkOrganization, referral.receiving_org_id)


def has_staff(organization: NetworkOrganization) -> bool:
    """Whether the organization has accounts that answer in its inbox."""
    query = select(Membership.id).where(
        Membership.organization_id == organization.id, Membership.role.in_(STAFF_ROLES)
    )
    return db.session.scalar(query.limit(1)) is not None


def service_name(referral) -> str:
    """The name of the service a referral is to."""
    service = db.session.get(Service, referral.service_id)
    return service.name if service else referral.service_id


def sender_name(referral) -> str:
    """Who messages come from: the slip's organization name when set, else the referring
    organization's."""
    configured = current_app.config["REFERRAL"]["SLIP_ORGANIZATION"]
    if configured:
        return configured
    organization = db.session.get(NetworkOrganization, referral.referring_org_id or 0)
    return organization.name if organization else "Your care team"
