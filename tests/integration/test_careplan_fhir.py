"""A screening an EHR sends as a FHIR QuestionnaireResponse adds its needs to the care plan,
as one recorded on the screening page does."""

from referral.extensions import db
from referral.network.operations import create_organization
from tests.integration.network import PATIENT, member
from tests.integration.test_fhir_story import EHR_SCOPES, register_client, send, token_for

CODING = {"system": "http://loinc.org", "code": "LA28397-0"}


def test_a_screening_from_the_ehr_adds_its_needs(bundled_app):
    app = bundled_app
    with app.app_context():
        create_organization("harbor-clinic", "Harbor Clinic", "referring")
        db.session.commit()
    web = app.test_client()
    nurse = member(app, "hana", "case_manager", "harbor-clinic")
    patient = web.post("/api/v1/patients", json={**PATIENT, "mrn": "H-9"}, headers=nurse)
    ehr = token_for(web, *register_client(app, "Harbor EHR", EHR_SCOPES, "harbor-clinic"))
    screening = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": "http://loinc.org/q/88121-9",
        "status": "completed",
        "subject": {"identifier": {"value": "H-9"}},
        "item": [
            {"linkId": "/88122-7", "answer": [{"valueCoding": CODING}]},
            {"linkId": "/88123-5", "answer": [{"valueCoding": CODING}]},
        ],
    }
    assert send(web, "POST", "QuestionnaireResponse", ehr, screening).status_code == 201
    url = f"/api/v1/patients/{patient.get_json()['id']}/needs"
    (need,) = web.get(url, headers=nurse).get_json()["results"]
    assert (need["domain"], need["z_code"], need["source"]) == ("food", "Z59.41", "screening")
    assert [(e["from"], e["to"]) for e in need["history"]] == [(None, "active")]
