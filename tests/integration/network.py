"""A network of organizations for the tests: two clinics, a hospital and a food bank, with a
patient of each clinic screened and referred."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from referral.auth.operations import create_user, issue_token
from referral.directory.models import Service
from referral.extensions import db
from referral.network.operations import create_organization, organization_named
from tests.conftest import PASSWORD

PATIENT = {
    "given_name": "Rosa",
    "family_name": "Diaz",
    "birth_date": "1975-02-11",
    "phone": "216-555-0142",
    "postal_code": "44113",
    "preferred_language": "es",
    "contact_ok": True,
    "mrn": "A-100",
}
SCREENING = {
    "instrument": "hunger-vital-sign",
    "answers": {"88122-7": "LA28397-0", "88123-5": "LA28397-0"},
}


def member(app, username: str, role: str, org_key: str | None) -> dict:
    """A user of one organization (or the installation's admin) and their bearer header."""
    with app.app_context():
        organization = organization_named(org_key) if org_key else None
        user = create_user(username, role, PASSWORD, username.title(), organization)
        token = issue_token(user)
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def network(bundled_app):
    """Two clinics, a hospital and a food bank that claims one directory organization; a
    patient of each clinic, screened and referred to the food bank."""
    app = bundled_app
    with app.app_context():
        service = db.session.scalars(select(Service).order_by(Service.id)).first()
        listing, service_id = service.organization_id, service.id
        create_organization("clinic-a", "Clinic A", "referring")
        create_organization("clinic-b", "Clinic B", "referring")
        create_organization("hospital", "Mercy Hospital", "both")
        create_organization(
            "food-bank", "Food Bank", "receiving", "intake@food.example", (listing,)
        )
        db.session.commit()
    web = app.test_client()
    n = SimpleNamespace(app=app, web=web, service=service_id)
    n.root = member(app, "root", "admin", None)
    n.ann = member(app, "ann", "case_manager", "clinic-a")
    n.ben = member(app, "ben", "case_manager", "clinic-b")
    n.hal = member(app, "hal", "case_manager", "hospital")
    n.fay = member(app, "fay", "receiver", "food-bank")
    n.amy = member(app, "amy", "admin", "clinic-a")
    n.sam = member(app, "sam", "staff", "clinic-b")
    n.a, n.b = (register(web, who) for who in (n.ann, n.ben))
    return n


def register(web, headers) -> SimpleNamespace:
    """A patient registered, screened and referred to the food bank by one case manager."""
    patient = web.post("/api/v1/patients", json=PATIENT, headers=headers).get_json()
    screening = web.post(
        "/api/v1/screenings", json={**SCREENING, "patient_id": patient["id"]}, headers=headers
    ).get_json()
    return SimpleNamespace(patient=patient["id"], screening=screening["id"])


@pytest.fixture(scope="module")
def referred(network):
    """Each clinic's patient referred to the food bank's service."""
    n = network
    for who, mine in ((n.ann, n.a), (n.ben, n.b)):
        body = {"patient_id": mine.patient, "service_id": n.service, "need": "food"}
        made = n.web.post("/api/v1/referrals", json={**body, "consent": True}, headers=who)
        assert made.status_code == 201, made.get_json()
        mine.referral = made.get_json()["id"]
    return n
