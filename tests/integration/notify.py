"""A clinic and a food bank for the notification tests: a case manager with an email address,
a Spanish-speaking patient who chose texts, and the helpers that refer and run the worker."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from referral.auth.models import User
from referral.directory.models import Service
from referral.extensions import db
from referral.network.operations import create_organization
from referral.notifications.models import OutboxMessage
from referral.notifications.worker import run_once
from referral.referrals.models import Referral
from referral.referrals.slip import build_slip
from tests.conftest import load_directory
from tests.integration.network import PATIENT, member
from tests.integration.outside import TWILIO_TOKEN

PUBLIC_URL = "http://referral.test"
ROSA = {
    **{k: v for k, v in PATIENT.items() if k != "mrn"},
    "contact_channel": "sms",
    "time_zone": "America/New_York",
}


def slip_ready_service(app) -> Service:
    """A service whose slip has an address, a phone and opening hours."""
    with app.app_context(), app.test_request_context():
        for service in db.session.scalars(select(Service).order_by(Service.id)):
            fake = SimpleNamespace(service_id=service.id, location_id=None, need="food")
            fake.status = "requested"
            patient = SimpleNamespace(given_name="X")
            shown = build_slip([fake], patient, None, "es").slip.services
            if shown and shown[0].address and shown[0].phone and shown[0].hours:
                return service.id, service.organization_id, service.name
    raise AssertionError("no service with an address, phone and hours")


@pytest.fixture
def town(app):
    """The bundled directory; Clinic A with case manager Ann (ann@clinic.example); a Food Bank
    with an email address claiming the directory organization of a service; an admin."""
    load_directory(app)
    app.config["REFERRAL"].update(QUIET_HOURS="off", PUBLIC_URL=PUBLIC_URL)
    service, listing, name = slip_ready_service(app)
    with app.app_context():
        create_organization("clinic-a", "Clinic A", "referring")
        create_organization(
            "food-bank", "Food Bank", "receiving", "intake@food.example", (listing,)
        )
        db.session.commit()
    t = SimpleNamespace(app=app, web=app.test_client(), service=service, service_name=name)
    t.ann = member(app, "ann", "case_manager", "clinic-a")
    t.root = member(app, "root", "admin", None)
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "ann")).email = "ann@clinic.example"
        db.session.commit()
    return t


def register(t, **changes) -> int:
    """Register a patient as Ann; their id."""
    made = t.web.post("/api/v1/patients", json={**ROSA, **changes}, headers=t.ann)
    assert made.status_code == 201, made.get_json()
    return made.get_json()["id"]


def refer(t, patient_id: int, need: str = "food", service: str | None = None) -> dict:
    """Refer the patient as Ann; the referral as the API answers."""
    body = {"patient_id": patient_id, "service_id": service or t.service, "need": need}
    made = t.web.post("/api/v1/referrals", json={**body, "consent": True}, headers=t.ann)
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def outbox(app, **where) -> list[OutboxMessage]:
    """The outbox rows matching column values, oldest first (detached copies)."""
    with app.app_context():
        query = select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def work(app, **settings):
    """Run the worker once with these settings; what it counted."""
    app.config["REFERRAL"].update(settings)
    with app.app_context():
        return run_once()


def referral_row(app, referral_id: int) -> Referral:
    """A referral as stored, with its follow-ups loaded."""
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        _ = list(referral.follow_ups)
        db.session.expunge_all()
        return referral


def signed_text(web, sender: str, body: str, sid: str, token: str = TWILIO_TOKEN):
    """Post an inbound text to the webhook, signed as Twilio signs it."""
    form = {"MessageSid": sid, "From": sender, "To": "+12165550000", "Body": body}
    signature = RequestValidator(token).compute_signature(f"{PUBLIC_URL}/sms/inbound", form)
    return web.post("/sms/inbound", data=form, headers={"X-Twilio-Signature": signature})
