"""The FHIR R4 API read by EHRs and community organizations' systems: what it returns is valid
by the standard's own rules (checked by tests/fhir_judge.py), every caller sees only what their
organization may see, and every refusal is an OperationOutcome naming what was wrong."""

import pytest
from sqlalchemy import func, select

from referral.extensions import db
from referral.fhir.sources import SOURCES
from referral.patients.models import AccessRecord
from referral.referrals.models import Referral
from referral.screenings.models import Screening
from tests.fhir_judge import assert_valid

FHIR_JSON = "application/fhir+json"
HVS = "http://localhost/fhir/Questionnaire/hunger-vital-sign"


def fhir(n, path: str, who, **kwargs):
    """A GET of the FHIR API as one caller."""
    return n.web.get(f"/fhir/{path}", headers=who, **kwargs)


def resources(bundle: dict, resource_type: str | None = None) -> list[dict]:
    """The resources of a Bundle (of one type)."""
    found = [e["resource"] for e in bundle.get("entry", [])]
    return [r for r in found if resource_type in (None, r["resourceType"])]


def outcome(response, status: int) -> dict:
    """The OperationOutcome of a refused request, checked."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == FHIR_JSON
    body = response.get_json()
    assert body["resourceType"] == "OperationOutcome"
    assert_valid(body)
    return body


def qr_body(patient: int, answers: dict, questionnaire: str = HVS) -> dict:
    """An EHR's QuestionnaireResponse for the Hunger Vital Sign."""
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": questionnaire,
        "status": "completed",
        "subject": {"reference": f"Patient/{patient}"},
        "authored": "2026-12-01T10:00:00Z",
        "item": [
            {"linkId": code, "answer": [{"valueCoding": {"system": "http://loinc.org", "code": a}}]}
            for code, a in answers.items()
        ],
    }


def post(n, path: str, body, who, content_type: str = FHIR_JSON, **headers):
    """A POST to the FHIR API."""
    return n.web.post(
        f"/fhir/{path}", json=body, headers={**who, "Content-Type": content_type, **headers}
    )


def test_metadata_lists_exactly_the_types_served_and_is_valid(referred):
    found = referred.web.get("/fhir/metadata")
    assert found.status_code == 200 and found.mimetype == FHIR_JSON
    body = found.get_json()
    assert_valid(body, require_meta=False)
    assert body["fhirVersion"] == "4.0.1"
    served = {r["type"]: r for r in body["rest"][0]["resource"]}
    assert set(served) == set(SOURCES)
    assert {"code": "create"} in served["QuestionnaireResponse"]["interaction"]
    assert {"code": "update"} in served["Task"]["interaction"]
    names = {p["name"] for p in served["Task"]["searchParam"]}
    assert {"_id", "patient", "status", "owner", "_lastUpdated"} <= names
    assert served["Patient"]["operation"][0]["name"] == "everything"


def test_without_a_token_every_read_is_401_as_an_operation_outcome(referred):
    body = outcome(referred.web.get("/fhir/Patient"), 401)
    assert "Bearer" in body["issue"][0]["diagnostics"]
    bad = {"Authorization": "Bearer nonsense"}
    outcome(referred.web.get(f"/fhir/Patient/{referred.a.patient}", headers=bad), 401)


def test_the_care_team_reads_its_patient_as_us_core_with_the_mrn(referred):
    n = referred
    found = fhir(n, f"Patient/{n.a.patient}", n.ann)
    assert found.status_code == 200 and found.mimetype == FHIR_JSON
    patient = found.get_json()
    assert_valid(patient)
    assert found.headers["ETag"] == f'W/"{patient["meta"]["versionId"]}"'
    assert found.headers["Last-Modified"].endswith(" GMT")
    assert patient["birthDate"] == "1975-02-11"
    assert "A-100" in [i["value"] for i in patient["identifier"]]
    assert patient["communication"][0]["language"]["coding"][0]["code"] == "es"


def test_another_organizations_patient_is_404_for_every_type(referred):
    n = referred
    outcome(fhir(n, f"Patient/{n.b.patient}", n.ann), 404)
    outcome(fhir(n, f"QuestionnaireResponse/{n.b.screening}", n.ann), 404)
    outcome(fhir(n, f"ServiceRequest/{n.b.referral}", n.ann), 404)
    outcome(fhir(n, f"Task/{n.b.referral}", n.ann), 404)
    assert fhir(n, f"Observation?patient={n.b.patient}", n.ann).get_json()["total"] == 0


def test_a_screening_reads_as_response_observations_and_conditions(referred):
    n = referred
    response = fhir(n, f"QuestionnaireResponse/{n.a.screening}", n.ann).get_json()
    assert_valid(response)
    observations = fhir(n, f"Observation?patient=Patient/{n.a.patient}", n.ann).get_json()
    assert_valid(observations)
    codes = {o["code"]["coding"][0]["code"] for o in resources(observations)}
    assert {"88122-7", "88123-5"} <= codes
    assert all(
        o["derivedFrom"][0]["reference"] == f"QuestionnaireResponse/{n.a.screening}"
        for o in resources(observations)
    )
    conditions = fhir(
        n, f"Condition?patient={n.a.patient}&code=http://hl7.org/fhir/sid/icd-10-cm|Z59.41", n.ann
    ).get_json()
    assert_valid(conditions)
    [condition] = resources(conditions)
    evidence = [d["reference"] for d in condition["evidence"][0]["detail"]]
    assert f"Observation/{n.a.screening}-food-insecurity" in evidence


def test_searching_by_category_and_status_narrows_the_results(referred):
    n = referred
    food = fhir(n, f"Condition?patient={n.a.patient}&category=food-insecurity", n.ann).get_json()
    assert food["total"] == 1
    housing = fhir(n, f"Condition?patient={n.a.patient}&category=homelessness", n.ann).get_json()
    assert housing["total"] == 0
    requested = fhir(n, "Task?status=requested", n.ann).get_json()
    assert [t["id"] for t in resources(requested)] == [str(n.a.referral)]
    assert fhir(n, "Task?status=completed", n.ann).get_json()["total"] == 0


def test_a_referral_reads_as_a_service_request_and_its_task(referred):
    n = referred
    request = fhir(n, f"ServiceRequest/{n.a.referral}", n.ann).get_json()
    task = fhir(n, f"Task/{n.a.referral}", n.ann).get_json()
    assert_valid(request)
    assert_valid(task)
    conditions = fhir(n, f"Condition?patient={n.a.patient}&category=food-insecurity", n.ann)
    [condition] = resources(conditions.get_json())
    assert request["reasonReference"][0]["reference"] == f"Condition/{condition['id']}"
    assert request["performer"][0]["reference"].startswith("HealthcareService/")
    assert task["focus"]["reference"] == f"ServiceRequest/{n.a.referral}"
    assert task["owner"]["reference"] == "Organization/food-bank"
    assert task["status"] == "requested"


def test_include_brings_the_referenced_resources_once(referred):
    n = referred
    found = fhir(n, "Task?_include=Task:focus&_include=Task:patient", n.ann).get_json()
    assert_valid(found)
    modes = [(e["resource"]["resourceType"], e["search"]["mode"]) for e in found["entry"]]
    assert ("Task", "match") in modes and ("ServiceRequest", "include") in modes
    assert ("Patient", "include") in modes
    assert len({e["fullUrl"] for e in found["entry"]}) == len(found["entry"])


def test_pages_link_to_the_next_and_previous(referred):
    n = referred
    first = fhir(n, f"Observation?patient={n.a.patient}&_count=1", n.ann).get_json()
    assert first["total"] >= 2 and len(first["entry"]) == 1
    relations = {link["relation"]: link["url"] for link in first["link"]}
    assert "previous" not in relations
    following = n.web.get(relations["next"].removeprefix("http://localhost"), headers=n.ann)
    second = following.get_json()
    assert second["entry"][0]["resource"]["id"] != first["entry"][0]["resource"]["id"]
    assert "previous" in {link["relation"] for link in second["link"]}


def test_everything_is_one_valid_bundle_of_the_patients_record(referred):
    n = referred
    found = fhir(n, f"Patient/{n.a.patient}/$everything", n.ann)
    assert found.status_code == 200
    body = found.get_json()
    assert_valid(body)
    types = {r["resourceType"] for r in resources(body)}
    assert {"Patient", "QuestionnaireResponse", "Observation", "Condition"} <= types
    assert {"ServiceRequest", "Task", "Consent", "Organization", "HealthcareService"} <= types
    outcome(fhir(n, f"Patient/{n.b.patient}/$everything", n.ann), 404)


def test_every_read_of_patient_data_is_in_the_access_log(referred):
    n = referred
    with n.app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AccessRecord))
    fhir(n, f"Patient/{n.a.patient}", n.ann)
    fhir(n, f"Observation?patient={n.a.patient}", n.ann)
    with n.app.app_context():
        records = db.session.scalars(select(AccessRecord).order_by(AccessRecord.id.desc()).limit(2))
        actions = {(r.action, r.patient_id) for r in records}
        after = db.session.scalar(select(func.count()).select_from(AccessRecord))
    assert after == before + 2
    assert actions == {("fhir-read", n.a.patient), ("fhir-search", n.a.patient)}


def test_the_receiving_organization_sees_its_task_but_not_the_screening(referred):
    n = referred
    tasks = fhir(n, "Task", n.fay).get_json()
    assert sorted(t["id"] for t in resources(tasks)) == sorted(
        [str(n.a.referral), str(n.b.referral)]
    )
    patient = fhir(n, f"Patient/{n.a.patient}", n.fay).get_json()
    assert_valid(patient)
    assert "birthDate" not in patient and "A-100" not in str(patient["identifier"])
    outcome(fhir(n, f"QuestionnaireResponse/{n.a.screening}", n.fay), 404)
    assert fhir(n, f"Observation?patient={n.a.patient}", n.fay).get_json()["total"] == 0
    reason = fhir(n, f"ServiceRequest/{n.a.referral}", n.fay).get_json()["reasonReference"][0]
    condition = fhir(n, reason["reference"], n.fay)
    assert condition.status_code == 200
    assert condition.get_json()["code"]["coding"][0]["code"] == "Z59.41"


@pytest.mark.parametrize(
    ("path", "status", "expression"),
    [
        ("Spaceship", 404, "Spaceship"),
        ("Task?colour=blue", 400, "Task?colour"),
        ("Task?_count=0", 400, "Task?_count"),
        ("Task?_lastUpdated=yesterday", 400, "Task?_lastUpdated"),
        ("Task?_include=Task:nothing", 400, "Task?_include"),
    ],
)
def test_bad_searches_are_refused_naming_the_parameter(referred, path, status, expression):
    body = outcome(fhir(referred, path, referred.ann), status)
    assert body["issue"][0]["expression"] == [expression]


def test_an_ehr_screening_is_scored_and_answered_with_its_needs(referred):
    n = referred
    body = qr_body(n.a.patient, {"88122-7": "LA28397-0", "88123-5": "LA28398-8"})
    made = post(n, "QuestionnaireResponse", body, n.ann)
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.headers["Location"].startswith("http://localhost/fhir/QuestionnaireResponse/")
    bundle = made.get_json()
    assert_valid(bundle)
    [response] = resources(bundle, "QuestionnaireResponse")
    [condition] = resources(bundle, "Condition")
    assert "Z59.41" in [c["code"] for c in condition["code"]["coding"]]
    answered = {
        i["linkId"].lstrip("/"): i["answer"][0]["valueCoding"]["code"]
        for i in walk_items(response["item"])
    }
    assert answered["88122-7"] == "LA28397-0" and answered["88123-5"] == "LA28398-8"
    again = fhir(n, f"QuestionnaireResponse/{response['id']}", n.ann).get_json()
    assert again == response


def walk_items(items: list[dict]) -> list[dict]:
    """Every answered item of a QuestionnaireResponse, groups opened."""
    found = []
    for item in items:
        found += walk_items(item.get("item", []))
        if item.get("answer"):
            found.append(item)
    return found


def screenings(n) -> int:
    """How many screenings are stored."""
    with n.app.app_context():
        return db.session.scalar(select(func.count()).select_from(Screening))


@pytest.mark.parametrize(
    ("change", "status"),
    [
        (
            {
                "item": [
                    {
                        "linkId": "99999-9",
                        "answer": [
                            {"valueCoding": {"system": "http://loinc.org", "code": "LA1-1"}}
                        ],
                    }
                ]
            },
            422,
        ),
        ({"subject": {"reference": "Patient/999999"}}, 422),
        ({"questionnaire": "http://example.org/Questionnaire/unknown"}, 422),
        ({"status": "in-progress"}, 422),
        ({"item": []}, 422),
    ],
)
def test_a_bad_screening_is_refused_naming_the_element_and_nothing_is_stored(
    referred, change, status
):
    n = referred
    before = screenings(n)
    body = {**qr_body(n.a.patient, {"88122-7": "LA28397-0", "88123-5": "LA28397-0"}), **change}
    refused = outcome(post(n, "QuestionnaireResponse", body, n.ann), status)
    assert all(issue.get("expression") for issue in refused["issue"])
    assert screenings(n) == before


def test_another_organizations_patient_cannot_be_screened_through_fhir(referred):
    n = referred
    before = screenings(n)
    body = qr_body(n.b.patient, {"88122-7": "LA28397-0", "88123-5": "LA28397-0"})
    refused = outcome(post(n, "QuestionnaireResponse", body, n.ann), 422)
    assert refused["issue"][0]["expression"] == ["QuestionnaireResponse.subject.reference"]
    assert screenings(n) == before


def test_malformed_json_and_wrong_content_types_are_refused(referred):
    n = referred
    broken = n.web.post(
        "/fhir/QuestionnaireResponse",
        data="{not json",
        headers={**n.ann, "Content-Type": FHIR_JSON},
    )
    outcome(broken, 400)
    form = n.web.post(
        "/fhir/QuestionnaireResponse", data="a=1", headers={**n.ann, "Content-Type": "text/plain"}
    )
    outcome(form, 415)
    wrong = outcome(post(n, "QuestionnaireResponse", {"resourceType": "Patient"}, n.ann), 400)
    assert wrong["issue"][0]["expression"] == ["resourceType"]


def test_the_receiving_organization_moves_the_task_with_if_match(referred):
    n = referred
    task = fhir(n, f"Task/{n.b.referral}", n.fay)
    version = task.headers["ETag"]
    accepted = {**task.get_json(), "status": "accepted"}
    outcome(n.web.put(f"/fhir/Task/{n.b.referral}", json=accepted, headers=n.fay), 428)
    moved = n.web.put(
        f"/fhir/Task/{n.b.referral}", json=accepted, headers={**n.fay, "If-Match": version}
    )
    assert moved.status_code == 200, moved.get_data(as_text=True)
    assert_valid(moved.get_json())
    assert moved.get_json()["status"] == "accepted" and moved.headers["ETag"] != version
    stale = n.web.put(
        f"/fhir/Task/{n.b.referral}",
        json={**accepted, "status": "in-progress"},
        headers={**n.fay, "If-Match": version},
    )
    outcome(stale, 412)
    with n.app.app_context():
        assert db.session.get(Referral, n.b.referral).status == "accepted"


def test_a_move_the_rules_refuse_is_422_and_changes_nothing(referred):
    n = referred
    task = fhir(n, f"Task/{n.a.referral}", n.fay)
    body = {**task.get_json(), "status": "rejected"}
    refused = outcome(
        n.web.put(
            f"/fhir/Task/{n.a.referral}",
            json=body,
            headers={**n.fay, "If-Match": task.headers["ETag"]},
        ),
        422,
    )
    assert refused["issue"][0]["expression"] == ["Task.statusReason.text"]
    owner = {**task.get_json(), "owner": {"reference": "Organization/clinic-b"}}
    refused = outcome(
        n.web.put(
            f"/fhir/Task/{n.a.referral}",
            json=owner,
            headers={**n.fay, "If-Match": task.headers["ETag"]},
        ),
        422,
    )
    assert refused["issue"][0]["expression"] == ["Task.owner"]
    with n.app.app_context():
        assert db.session.get(Referral, n.a.referral).status == "requested"


def test_directory_and_people_resources_are_valid(referred):
    n = referred
    request = fhir(n, f"ServiceRequest/{n.a.referral}", n.ann).get_json()
    service_ref = request["performer"][0]["reference"]
    service = fhir(n, service_ref, n.ann).get_json()
    assert_valid(service)
    for place in service.get("location", []):
        assert_valid(fhir(n, place["reference"], n.ann).get_json())
    assert_valid(fhir(n, service["providedBy"]["reference"], n.ann).get_json())
    assert_valid(fhir(n, "Organization/food-bank", n.ann).get_json())
    role = fhir(n, request["requester"]["reference"], n.ann).get_json()
    assert_valid(role)
    assert_valid(fhir(n, role["practitioner"]["reference"], n.ann).get_json())
    for questionnaire in resources(fhir(n, "Questionnaire", n.ann).get_json()):
        assert_valid(questionnaire)
    [consent] = resources(fhir(n, f"Consent?patient={n.a.patient}", n.ann).get_json())
    assert_valid(consent)
    assert consent["status"] == "active"


def test_directory_searches_page_through_services_and_places(referred):
    n = referred
    food = fhir(n, "HealthcareService?service-category=food-insecurity&_count=5", n.ann).get_json()
    assert_valid(food)
    assert food["total"] > 5 and len(food["entry"]) == 5
    assert all(
        any(c["coding"][0]["code"] == "food-insecurity" for c in s["category"])
        for s in resources(food)
    )
    places = fhir(n, "Location?address-postalcode=44113", n.ann).get_json()
    assert_valid(places)
    assert all(p["address"]["postalCode"] == "44113" for p in resources(places))


def test_prefer_representation_answers_the_questionnaire_response_alone(referred):
    n = referred
    body = qr_body(n.a.patient, {"88122-7": "LA28398-8", "88123-5": "LA28398-8"})
    made = post(n, "QuestionnaireResponse", body, n.ann, Prefer="return=representation")
    assert made.status_code == 201
    response = made.get_json()
    assert response["resourceType"] == "QuestionnaireResponse"
    assert made.headers["ETag"] == 'W/"1"'
    assert_valid(response)


def test_the_referring_side_cancels_through_the_task_with_a_reason(referred):
    n = referred
    body = {"patient_id": n.a.patient, "service_id": n.service, "need": "housing", "consent": True}
    made = n.web.post("/api/v1/referrals", json=body, headers=n.ann).get_json()
    task = fhir(n, f"Task/{made['id']}", n.ann)
    cancel = {
        **task.get_json(),
        "status": "cancelled",
        "statusReason": {"text": "Found housing elsewhere"},
        "businessStatus": {"coding": [{"code": "referred-elsewhere"}]},
    }
    moved = n.web.put(
        f"/fhir/Task/{made['id']}", json=cancel, headers={**n.ann, "If-Match": task.headers["ETag"]}
    )
    assert moved.status_code == 200, moved.get_data(as_text=True)
    assert_valid(moved.get_json())
    assert moved.get_json()["statusReason"]["text"] == "Found housing elsewhere"
    with n.app.app_context():
        stored = db.session.get(Referral, made["id"])
        assert (stored.status, stored.outcome) == ("cancelled", "referred-elsewhere")
    refused = n.web.put(
        f"/fhir/Task/{made['id']}",
        json={**cancel, "status": "accepted"},
        headers={**n.fay, "If-Match": moved.headers["ETag"]},
    )
    outcome(refused, 422)


def referral_bundle(patient: int, service: str, category: str = "food-insecurity") -> dict:
    """A transaction Bundle asking for one referral."""
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:7d1f5a52-3b7c-4a55-8a2e-000000000001",
                "request": {"method": "POST", "url": "ServiceRequest"},
                "resource": {
                    "resourceType": "ServiceRequest",
                    "status": "active",
                    "intent": "order",
                    "category": [{"coding": [{"system": SDOHCC_CODES, "code": category}]}],
                    "subject": {"reference": f"Patient/{patient}"},
                    "performer": [{"reference": f"HealthcareService/{service}"}],
                },
            }
        ],
    }


SDOHCC_CODES = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"


def referral_count(n) -> int:
    """How many referrals are stored."""
    with n.app.app_context():
        return db.session.scalar(select(func.count()).select_from(Referral))


@pytest.mark.parametrize(
    ("change", "status", "expression"),
    [
        ({"patient": "other"}, 422, "Bundle.entry[0].resource.subject.reference"),
        ({"service": "no-such-service"}, 422, "Bundle.entry[0].resource.performer[0].reference"),
        ({"category": "veteran-status"}, 422, "Bundle.entry[0].resource.category"),
        ({"type": "batch"}, 400, "Bundle.type"),
        ({"method": "PUT"}, 422, "Bundle.entry[0].request.method"),
    ],
)
def test_a_bad_referral_bundle_is_refused_and_nothing_is_made(referred, change, status, expression):
    n = referred
    patient = n.b.patient if change.get("patient") == "other" else n.a.patient
    body = referral_bundle(
        patient, change.get("service", n.service), change.get("category", "food-insecurity")
    )
    body["type"] = change.get("type", "transaction")
    body["entry"][0]["request"]["method"] = change.get("method", "POST")
    before = referral_count(n)
    refused = outcome(post(n, "", body, n.ann), status)
    assert refused["issue"][0]["expression"] == [expression]
    assert referral_count(n) == before


def test_a_repeat_referral_through_fhir_is_a_conflict(referred):
    n = referred
    before = referral_count(n)
    refused = outcome(post(n, "", referral_bundle(n.a.patient, n.service), n.ann), 409)
    assert "already has an open food referral" in refused["issue"][0]["diagnostics"]
    assert referral_count(n) == before


def test_a_referral_bundle_of_one_service_request_answers_one_entry(referred):
    n = referred
    body = referral_bundle(n.a.patient, n.service, "transportation-insecurity")
    made = post(n, "", body, n.ann)
    assert made.status_code == 200, made.get_data(as_text=True)
    [created] = made.get_json()["entry"]
    assert created["response"]["status"] == "201 Created"
    referral_id = created["response"]["location"].split("/")[1]
    task = fhir(n, f"Task/{referral_id}", n.ann).get_json()
    assert task["status"] == "requested" and task["focus"]["reference"].endswith(referral_id)
    with n.app.app_context():
        assert db.session.get(Referral, int(referral_id)).need == "transportation"


def test_a_client_that_reads_only_xml_is_told_406(referred):
    n = referred
    outcome(fhir(n, "Task", {**n.ann, "Accept": "application/fhir+xml"}), 406)
    outcome(fhir(n, "Task?_format=xml", n.ann), 406)
    assert fhir(n, "Task?_format=json", {**n.ann, "Accept": "*/*"}).status_code == 200
