"""A patient's own link: made, texted, found by its token, revoked; what the page shows and
what the patient's answers do. Helpers flush; the request commits.

A token is signed with the app's secret (the helpers of the organizations' links) and carries
a random nonce; only its SHA-256 is stored. A forged or tampered token fails the signature
before the database is asked; a genuine one must also match a stored link that is neither
revoked nor past its `expires_at`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from referral.auth.models import User
from referral.directory.models import as_utc, utcnow
from referral.errors import BadInput, NotFound, Refused
from referral.extensions import db
from referral.network.models import NetworkOrganization
from referral.notifications import compose
from referral.notifications.operations import About, queue_sms, sms_problem
from referral.patientlink.models import SENT_VIA, PatientLink
from referral.patientlink.wording import directions_url, plain_hours, tel_url
from referral.patients.models import Patient
from referral.referrals.followups import COULDNT_REACH, STILL_NEED_HELP, Method
from referral.referrals.links import LinkRefused, sign, unsign
from referral.referrals.models import CLOSED_STATUSES, Referral
from referral.referrals.operations import record_patient_answer
from referral.referrals.slip import SlipPage, build_slip, printable_referrals
from referral.referrals.states import Outcome

SALT = "referral-patient-link"
KEY = "p"
EXPIRED = "expired"
ANSWERS = (Outcome.GOT_HELP.value, STILL_NEED_HELP, COULDNT_REACH)


class LinkClosed(Exception):
    """A token that opens nothing: `status` is 404 (forged, unknown) or 410 (expired, revoked)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class OwnPage:
    """Who the page is for (first name only) and from, their open referrals as shown, and
    whom to call."""

    first_name: str
    organization: str
    language: str
    page: SlipPage
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Item:
    """One open referral as the patient sees it."""

    referral_id: int
    service: object
    tel: str
    directions: str
    hours: tuple[str, ...]


@dataclass(frozen=True)
class PagePatient:
    """Who a follow-up answered on the patient's own page is by: the patient, with no account."""

    id: None = None
    username: str = "patient (own page)"


def link_days() -> int:
    """How many days a new patient link works."""
    return current_app.config["REFERRAL"]["PATIENT_LINK_DAYS"]


def digest(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def make_link(patient: Patient, user, sent_via: str) -> tuple[PatientLink, str]:
    """A new link to the patient's page and its address (shown this once)."""
    if sent_via not in SENT_VIA:
        raise BadInput(f"send must be one of: {', '.join(SENT_VIA)}.", field="send")
    token = sign(current_app.secret_key, SALT, KEY, secrets.token_urlsafe(18))
    now = utcnow()
    link = PatientLink(
        patient_id=patient.id,
        token_hash=digest(token),
        created_by=getattr(user, "id", None),
        created_at=now,
        expires_at=now + timedelta(days=link_days()),
        sent_via=sent_via,
    )
    db.session.add(link)
    db.session.flush()
    return link, compose.link("patientlink.page", token=token)


def text_link(patient: Patient, link: PatientLink, url: str, user) -> None:
    """Queue the link as a text to the patient, or refuse (422) saying why it cannot go."""
    problem = sms_problem(patient)
    if problem:
        raise Refused(
            f"The link cannot be texted: {problem}. Print the slip or copy the link instead.",
            field="send",
        )
    language = compose.patient_language(patient)
    body = compose.patient_link_text(sender_name(patient), url, language, link_days())
    about = About(None, patient.id, getattr(user, "id", None), patient.organization_id)
    queue_sms("patient-link", f"patient-link:{link.id}", patient, body, about, language)


def sender_name(patient: Patient) -> str:
    """Who the text comes from: the slip's organization when set, else the patient's own."""
    configured = current_app.config["REFERRAL"]["SLIP_ORGANIZATION"]
    if configured:
        return configured
    organization = db.session.get(NetworkOrganization, patient.organization_id)
    return organization.name if organization else "Your care team"


def create_link(patient: Patient, user, sent_via: str) -> tuple[PatientLink, str]:
    """Make a link and hand it over as asked: texted now, or returned to print or copy."""
    link, url = make_link(patient, user, sent_via)
    if sent_via == "sms":
        text_link(patient, link, url, user)
    return link, url


def links_of(patient_id: int) -> list[PatientLink]:
    """Every link made for a patient, newest first."""
    query = select(PatientLink).where(PatientLink.patient_id == patient_id)
    return list(db.session.scalars(query.order_by(PatientLink.id.desc())))


def is_active(link: PatientLink) -> bool:
    """Whether a link still opens the page."""
    return link.revoked_at is None and as_utc(link.expires_at) > utcnow()


def active_links(patient_id: int) -> list[PatientLink]:
    """The patient's links that still work, newest first."""
    return [link for link in links_of(patient_id) if is_active(link)]


def revoke(patient: Patient, link_id: int) -> PatientLink:
    """Stop a link working (revoking twice keeps the first time)."""
    link = db.session.get(PatientLink, link_id)
    if link is None or link.patient_id != patient.id:
        raise NotFound("This patient has no link with that id.", field="link_id")
    link.revoked_at = link.revoked_at or utcnow()
    db.session.flush()
    return link


def link_json(link: PatientLink) -> dict:
    """A link as the API shows it: never its token."""
    return {
        "id": link.id,
        "patient_id": link.patient_id,
        "sent_via": link.sent_via,
        "created_at": stamp(link.created_at),
        "expires_at": stamp(link.expires_at),
        "revoked_at": stamp(link.revoked_at),
        "last_opened_at": stamp(link.last_opened_at),
        "active": is_active(link),
    }


def stamp(at) -> str | None:
    """A stored time in ISO 8601 with its zone, or None."""
    return as_utc(at).isoformat() if at else None


def link_for(token: str) -> PatientLink:
    """The link a token opens, or LinkClosed: 404 forged or unknown, 410 expired or revoked."""
    try:
        unsign(current_app.secret_key, SALT, token, KEY, str, link_days(), EXPIRED)
    except LinkRefused as exc:
        raise LinkClosed(410 if str(exc) == EXPIRED else 404) from None
    link = db.session.scalar(select(PatientLink).where(PatientLink.token_hash == digest(token)))
    if link is None:
        raise LinkClosed(404)
    if not is_active(link):
        raise LinkClosed(410)
    return link


def open_referrals(patient_id: int) -> list[Referral]:
    """The patient's open referrals their page may show: not closed by a final status or by
    anyone's outcome, and never a safety referral."""
    query = select(Referral).where(
        Referral.patient_id == patient_id,
        Referral.status.not_in(CLOSED_STATUSES),
        Referral.closed_at.is_(None),
    )
    return printable_referrals(list(db.session.scalars(query.order_by(Referral.id))))


def case_manager(patient: Patient, referrals: list[Referral]) -> User | None:
    """Whom the patient calls with questions: who made their latest referral, else who
    registered them."""
    user_id = referrals[-1].created_by if referrals else patient.created_by
    return db.session.get(User, user_id) if user_id else None


def own_page(link: PatientLink, language: str) -> OwnPage:
    """What the patient's page shows, in `language`."""
    patient = db.session.get(Patient, link.patient_id)
    referrals = open_referrals(patient.id)
    page = build_slip(referrals, patient, case_manager(patient, referrals), language)
    items = tuple(
        Item(
            referral_id=referral.id,
            service=service,
            tel=tel_url(service.phone),
            directions=directions_url(service.address),
            hours=tuple(plain_hours(service.hours, language)),
        )
        for referral, service in zip(referrals, page.slip.services, strict=True)
    )
    return OwnPage(patient.given_name, sender_name(patient), language, page, items)


def opened(link: PatientLink) -> None:
    """Note that the patient opened their page."""
    link.last_opened_at = utcnow()
    db.session.flush()


def answer(link: PatientLink, referral_id: str, says: str, today: date) -> Referral:
    """Record the patient's answer about one of their open referrals."""
    if says not in ANSWERS:
        raise BadInput(f"answer must be one of: {', '.join(ANSWERS)}.", field="answer")
    wanted = int(referral_id) if str(referral_id).isdigit() else None
    referral = next((r for r in open_referrals(link.patient_id) if r.id == wanted), None)
    if referral is None:
        raise NotFound("That referral is not open on this page.", field="referral_id")
    record_patient_answer(referral, says, Method.WEB.value, PagePatient(), today)
    return referral


def with_printed_link(page: SlipPage, patient: Patient, user) -> SlipPage:
    """A slip carrying a fresh link (sent via print) to the patient's page, for its QR code."""
    if not page.slip.services:
        return page
    _, url = make_link(patient, user, "print")
    return replace(page, slip=replace(page.slip, patient_url=url))
