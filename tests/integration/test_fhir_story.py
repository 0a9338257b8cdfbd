"""The closed loop through FHIR only: a clinic's EHR screens a patient and refers them, the food
bank's own system accepts and completes the referral, and the clinic reads it closed. Both
systems are registered clients with SMART system scopes and OAuth 2.0 client credentials; each
sees only what its organization may see."""

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from referral.directory.models import Service
from referral.extensions import db
from referral.network.operations import create_organization
from referral.referrals.models import Referral
from tests.fhir_judge import assert_valid
from tests.integration.network import PATIENT, member

FHIR_JSON = "application/fhir+json"
EHR_SCOPES = (
    "system/Patient.read system/QuestionnaireResponse.* system/Observation.read "
    "system/Condition.read system/ServiceRequest.* system/Task.* system/Procedure.read "
    "system/Consent.* system/Organization.read system/HealthcareService.read"
)
CBO_SCOPES = "system/Task.* system/ServiceRequest.read system/Patient.read system/Condition.read"


def register_client(app, name: str, scopes: str, org: str) -> tuple[str, str]:
    """Register a client with the command line, as an admin does, and read its id and secret."""
    made = app.test_cli_runner().invoke(
        args=["fhir-clients", "create", name, "--scopes", scopes, "--org", org]
    )
    assert made.exit_code == 0, made.output
    client_id = re.search(r"client id:\s+(\S+)", made.output).group(1)
    secret = re.search(r"client secret:\s+(\S+)", made.output).group(1)
    return client_id, secret


def token_for(web, client_id: str, secret: str, scope: str | None = None) -> dict:
    """An access token by the client credentials grant, as the bearer header."""
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    answer = web.post("/fhir/token", data=form | ({"scope": scope} if scope else {}))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}


@pytest.fixture(scope="module")
def systems(bundled_app):
    """A clinic with its EHR, a food bank with its own system, and a patient of the clinic."""
    app = bundled_app
    with app.app_context():
        service = db.session.scalars(select(Service).order_by(Service.id)).first()
        create_organization("clinic", "Lakeside Clinic", "referring")
        create_organization(
            "pantry",
            "Westside Pantry",
            "receiving",
            "intake@pantry.example",
            (service.organization_id,),
        )
        db.session.commit()
        service_id = service.id
    web = app.test_client()
    nurse = member(app, "nina", "case_manager", "clinic")
    patient = web.post("/api/v1/patients", json={**PATIENT, "mrn": "L-7"}, headers=nurse)
    assert patient.status_code == 201
    ehr = token_for(web, *register_client(app, "Lakeside EHR", EHR_SCOPES, "clinic"))
    cbo = token_for(web, *register_client(app, "Pantry intake", CBO_SCOPES, "pantry"))
    return SimpleNamespace(app=app, web=web, ehr=ehr, cbo=cbo, service=service_id)


def send(web, method: str, path: str, who, body=None, **headers):
    """A FHIR request with a JSON body."""
    return web.open(
        f"/fhir/{path}",
        method=method,
        json=body,
        headers={**who, "Content-Type": FHIR_JSON, **headers},
    )


def test_screening_to_closed_referral_through_fhir_only(systems):
    s = systems
    found = s.web.get("/fhir/Patient?identifier=L-7", headers=s.ehr).get_json()
    [patient] = [e["resource"] for e in found["entry"]]
    patient_ref = {"reference": f"Patient/{patient['id']}"}

    screening = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "http://loinc.org/q/88121-9",
        "status": "completed",
        "subject": {"identifier": {"value": "L-7"}},
        "authored": "2026-12-01T09:30:00Z",
        "item": [
            {
                "linkId": "/88122-7",
                "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA28397-0"}}],
            },
            {
                "linkId": "/88123-5",
                "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA28397-0"}}],
            },
        ],
    }
    scored = send(s.web, "POST", "QuestionnaireResponse", s.ehr, screening)
    assert scored.status_code == 201, scored.get_data(as_text=True)
    made = [e["resource"] for e in scored.get_json()["entry"]]
    for resource in made:
        assert_valid(resource)
    [condition] = [r for r in made if r["resourceType"] == "Condition"]
    assert any(c["code"] == "Z59.41" for c in condition["code"]["coding"])

    referral = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:5f0c6c9e-0d0f-4d7b-9b5e-000000000001",
                "resource": {
                    "resourceType": "ServiceRequest",
                    "status": "active",
                    "intent": "order",
                    "category": [
                        {
                            "coding": [
                                {
                                    "system": "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/"
                                    "SDOHCC-CodeSystemTemporaryCodes",
                                    "code": "food-insecurity",
                                }
                            ]
                        }
                    ],
                    "code": {
                        "coding": [{"system": "http://snomed.info/sct", "code": "467771000124109"}]
                    },
                    "subject": patient_ref,
                    "performer": [{"reference": f"HealthcareService/{s.service}"}],
                    "reasonReference": [{"reference": f"Condition/{condition['id']}"}],
                    "note": [{"text": "Prefers mornings."}],
                },
                "request": {"method": "POST", "url": "ServiceRequest"},
            },
            {
                "fullUrl": "urn:uuid:5f0c6c9e-0d0f-4d7b-9b5e-000000000002",
                "resource": {
                    "resourceType": "Task",
                    "status": "requested",
                    "intent": "order",
                    "focus": {"reference": "urn:uuid:5f0c6c9e-0d0f-4d7b-9b5e-000000000001"},
                    "for": patient_ref,
                },
                "request": {"method": "POST", "url": "Task"},
            },
            {
                "fullUrl": "urn:uuid:5f0c6c9e-0d0f-4d7b-9b5e-000000000003",
                "resource": {
                    "resourceType": "Consent",
                    "status": "active",
                    "scope": {"coding": [{"code": "patient-privacy"}]},
                    "category": [{"coding": [{"code": "IDSCL"}]}],
                    "patient": patient_ref,
                    "policyRule": {"coding": [{"code": "hipaa-auth"}]},
                },
                "request": {"method": "POST", "url": "Consent"},
            },
        ],
    }
    sent = send(s.web, "POST", "", s.ehr, referral)
    assert sent.status_code == 200, sent.get_data(as_text=True)
    answer = sent.get_json()
    assert_valid(answer, require_meta=False)
    assert answer["type"] == "transaction-response"
    locations = [e["response"]["location"].split("/")[0] for e in answer["entry"]]
    assert locations == ["ServiceRequest", "Task", "Consent"]
    task_id = answer["entry"][1]["response"]["location"].split("/")[1]

    inbox = s.web.get("/fhir/Task?status=requested&_include=Task:focus", headers=s.cbo).get_json()
    assert [e["resource"]["id"] for e in inbox["entry"] if e["search"]["mode"] == "match"] == [
        task_id
    ]
    asked = [
        e["resource"] for e in inbox["entry"] if e["resource"]["resourceType"] == "ServiceRequest"
    ]
    assert asked[0]["note"] == [{"text": "Prefers mornings."}]

    for status in ("accepted", "in-progress", "completed"):
        current = s.web.get(f"/fhir/Task/{task_id}", headers=s.cbo)
        moved = send(
            s.web,
            "PUT",
            f"Task/{task_id}",
            s.cbo,
            {**current.get_json(), "status": status},
            **{"If-Match": current.headers["ETag"]},
        )
        assert moved.status_code == 200, moved.get_data(as_text=True)
        assert_valid(moved.get_json())

    closed = s.web.get(f"/fhir/Task/{task_id}", headers=s.ehr).get_json()
    assert closed["status"] == "completed"
    [output] = closed["output"]
    procedure = s.web.get(f"/fhir/{output['valueReference']['reference']}", headers=s.ehr)
    assert procedure.status_code == 200
    assert_valid(procedure.get_json())
    assert procedure.get_json()["code"]["coding"][0]["code"] == "710925007"
    with s.app.app_context():
        stored = db.session.get(Referral, int(task_id))
        assert (stored.status, stored.outcome, stored.outcome_source) == (
            "completed",
            "got-help",
            "organization",
        )
        assert [e.actor for e in stored.history][-1] == "client:Pantry intake"

    record = s.web.get(f"/fhir/Patient/{patient['id']}/$everything", headers=s.ehr).get_json()
    assert_valid(record)
    kinds = {e["resource"]["resourceType"] for e in record["entry"]}
    assert {
        "Patient",
        "QuestionnaireResponse",
        "Condition",
        "ServiceRequest",
        "Task",
        "Procedure",
        "Consent",
    } <= kinds


def test_a_client_sees_nothing_its_scopes_do_not_cover(systems):
    s = systems
    refused = s.web.get("/fhir/Observation", headers=s.cbo)
    assert refused.status_code == 403
    body = refused.get_json()
    assert body["resourceType"] == "OperationOutcome"
    assert "system/Observation.read" in body["issue"][0]["diagnostics"]
    writes = send(
        s.web, "POST", "QuestionnaireResponse", s.cbo, {"resourceType": "QuestionnaireResponse"}
    )
    assert writes.status_code == 403


def test_the_food_bank_system_sees_only_its_own_tasks(systems, bundled_app):
    s = systems
    other = member(bundled_app, "otto", "case_manager", "clinic")
    patient = s.web.post("/api/v1/patients", json={**PATIENT, "mrn": "L-8"}, headers=other)
    assert patient.status_code == 201
    patient_id = patient.get_json()["id"]
    with s.app.app_context():
        pantry = db.session.get(Service, s.service).organization_id
        elsewhere = db.session.scalars(
            select(Service.id).where(Service.organization_id != pantry).order_by(Service.id)
        ).first()
    sent = s.web.post(
        "/api/v1/referrals",
        json={"patient_id": patient_id, "service_id": elsewhere, "need": "food", "consent": True},
        headers=other,
    )
    assert sent.status_code == 201, sent.get_json()
    tasks = s.web.get("/fhir/Task", headers=s.cbo).get_json()
    with s.app.app_context():
        pantry_org = db.session.scalar(
            select(Referral.receiving_org_id).where(Referral.service_id == s.service)
        )
        theirs = set(
            db.session.scalars(select(Referral.id).where(Referral.receiving_org_id == pantry_org))
        )
    shown = {int(e["resource"]["id"]) for e in tasks.get("entry", [])}
    assert shown == theirs and sent.get_json()["id"] not in shown
    hidden = s.web.get(f"/fhir/Patient/{patient_id}", headers=s.cbo)
    assert hidden.status_code == 404
    assert s.web.get(f"/fhir/Task/{sent.get_json()['id']}", headers=s.cbo).status_code == 404
